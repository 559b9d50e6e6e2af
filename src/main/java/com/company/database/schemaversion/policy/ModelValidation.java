package com.company.database.schemaversion.policy;

import com.company.database.schemaversion.Credentials;
import com.company.database.schemaversion.Execution;
import com.company.database.schemaversion.ResourceModel;
import com.company.database.schemaversion.Translator;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.engine.PlaceholderValues;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the schema cannot say: rules across properties. The wrapper has already checked the schema itself on
 * the first call; this runs on every first call too, and names the property at fault.
 */
public final class ModelValidation {
    /** A runner function's longest run; Direct mode's handler calls are far shorter and capped again there. */
    static final int MAX_STATEMENT_SECONDS_OUTSIDE_TASKS = 900;

    private ModelValidation() {
    }

    public static void forCreate(ResourceModel m) {
        required(m);
        List<String> given = readOnlyGiven(m, null);
        if (!given.isEmpty()) {
            throw invalid("Read-only properties cannot be set in a template: " + String.join(", ", given)
                    + ". Remove them; read them with !GetAtt instead.");
        }
    }

    /**
     * forCreate, plus what the account allows: a first Create call that asks for a parameter, host, SslMode,
     * runner role, Clean, Adoption or Repair outside the type configuration fails before anything is claimed, read
     * or created.
     */
    public static void forCreate(ResourceModel m, AccountPolicy policy) {
        forCreate(m);
        againstPolicy(m, policy);
        policy.destruction().checkCreate(m);
    }

    /**
     * forUpdate, plus what the account allows (see forCreate). A stack rollback is not asked about Clean and Repair:
     * it puts back what was in force, and the type neither repairs nor (where the admin withdrew it) cleans for it.
     */
    public static void forUpdate(ResourceModel desired, ResourceModel recorded, ResourceModel previous, String id,
                          AccountPolicy policy, boolean rollback) {
        forUpdate(desired, recorded, previous, id);
        againstPolicy(desired, policy);
        if (!rollback) {
            policy.destruction().checkUpdate(desired, recorded, previous);
        }
    }

    /**
     * The account's rules and the placeholder rule for a whole model. The same checks run again where the type
     * reads and connects (SsmLogins, Translator.connection, VpcRunner), so a model that never passes here, such
     * as a record written before the admin tightened the configuration, is still refused there.
     */
    static void againstPolicy(ResourceModel m, AccountPolicy policy) {
        if (RunnerModes.isTaskRunner(m)) {
            policy.checkTaskRunner(m);
        } else if (RunnerModes.usesRunnerFunction(m)) {
            policy.checkRunner(m);
        } else {
            policy.checkReadsAndConnections(m);
        }
        PlaceholderValues.check(m.getPlaceholders());
    }

    /**
     * The read-only properties a model sets, leaving out those equal to the given previous state: an Update
     * may repeat what the resource reported (Cloud Control and the contract tests send the created model back),
     * but may not set a value of its own.
     */
    private static List<String> readOnlyGiven(ResourceModel m, ResourceModel previous) {
        ResourceModel p = previous == null ? ResourceModel.builder().build() : previous;
        List<String> given = new ArrayList<>();
        if (differs(m.getId(), p.getId())) given.add("Id");
        if (differs(m.getAppliedVersion(), p.getAppliedVersion())) given.add("AppliedVersion");
        if (differs(m.getResolvedTargetVersion(), p.getResolvedTargetVersion())) given.add("ResolvedTargetVersion");
        if (differs(m.getAppliedCount(), p.getAppliedCount())) given.add("AppliedCount");
        if (differs(m.getPendingCount(), p.getPendingCount())) given.add("PendingCount");
        if (differs(m.getChecksum(), p.getChecksum())) given.add("Checksum");
        if (differs(m.getLastAppliedAt(), p.getLastAppliedAt())) given.add("LastAppliedAt");
        if (differs(m.getDriftStatus(), p.getDriftStatus())) given.add("DriftStatus");
        if (differs(m.getDriftDetails(), p.getDriftDetails())) given.add("DriftDetails");
        return given;
    }

    private static boolean differs(Object given, Object previous) {
        return given != null && !given.equals(previous);
    }

    /**
     * @param recorded the resource as recorded (create-only properties are compared with it)
     * @param previous the previous state CloudFormation sent, null when none
     * @param id       the resource's Id
     */
    public static void forUpdate(ResourceModel desired, ResourceModel recorded, ResourceModel previous, String id) {
        required(desired);
        List<String> readOnly = readOnlyGiven(desired, previous == null ? ResourceModel.builder().id(id).build()
                : previous.toBuilder().id(id).build());
        if (!readOnly.isEmpty()) {
            throw invalid("Read-only properties cannot be set in a template: " + String.join(", ", readOnly)
                    + ". Remove them; read them with !GetAtt instead.");
        }
        List<String> changed = new ArrayList<>();
        if (!Objects.equals(desired.getDatabase().getHost(), recorded.getDatabase().getHost())) changed.add("Database.Host");
        if (Translator.port(desired) != Translator.port(recorded)) changed.add("Database.Port");
        if (!Objects.equals(desired.getDatabase().getName(), recorded.getDatabase().getName())) changed.add("Database.Name");
        if (!Translator.schema(desired).equals(Translator.schema(recorded))) changed.add("Schema");
        if (!Objects.equals(desired.getMigrationSet(), recorded.getMigrationSet())) changed.add("MigrationSet");
        if (!Objects.equals(desired.getAdoption(), recorded.getAdoption())) changed.add("Adoption");
        if (!changed.isEmpty()) {
            throw new ReconcileException(Reason.NOT_UPDATABLE, String.join(", ", changed)
                    + " cannot change on an existing resource (create-only). Give the resource a new logical id"
                    + " to replace it.");
        }
    }

    private static void required(ResourceModel m) {
        if (m == null || m.getDatabase() == null || m.getDatabase().getHost() == null || m.getDatabase().getName() == null) {
            throw invalid("Database.Host and Database.Name are required.");
        }
        Credentials c = m.getCredentials();
        boolean pair = c != null && c.getUsernameParameter() != null && c.getPasswordParameter() != null;
        boolean partOfPair = c != null && (c.getUsernameParameter() != null || c.getPasswordParameter() != null);
        boolean secret = c != null && c.getSecretParameter() != null;
        boolean iam = c != null && c.getIamUsername() != null;
        int shapes = (partOfPair ? 1 : 0) + (secret ? 1 : 0) + (iam ? 1 : 0);
        if (shapes > 1 || !secret && !pair && !iam) {
            // Giving two shapes would leave one of them silently unused: say which one is meant instead.
            throw invalid("Credentials needs either UsernameParameter and PasswordParameter together, or"
                    + " SecretParameter alone, or IamUsername alone" + (shapes > 1 ? "; this template gives more than"
                    + " one shape: remove all but one." : "."));
        }
        if (m.getTargetVersion() == null) {
            throw invalid("TargetVersion is required: a version of the migration set, or 'latest'.");
        }
        Execution x = m.getExecution();
        if (RunnerModes.usesRunnerFunction(m)) {
            List<String> missing = new ArrayList<>();
            if (x.getSubnetIds() == null || x.getSubnetIds().isEmpty()) missing.add("Execution.SubnetIds");
            if (x.getSecurityGroupIds() == null || x.getSecurityGroupIds().isEmpty()) missing.add("Execution.SecurityGroupIds");
            if (x.getRoleArn() == null) missing.add("Execution.RoleArn");
            if (!missing.isEmpty()) {
                throw invalid("Execution.Mode " + x.getMode() + " needs " + String.join(", ", missing) + ".");
            }
        } else if (x != null && (x.getSubnetIds() != null || x.getSecurityGroupIds() != null || x.getRoleArn() != null)) {
            throw invalid("Execution.SubnetIds, SecurityGroupIds and RoleArn apply only to Execution.Mode VpcRunner"
                    + " and TaskRunner; set Mode: VpcRunner (or TaskRunner) or remove them.");
        }
        taskRunnerOnly(m);
    }

    /**
     * What only a migration task can honour. A public IP asked for where no task runs would be silently left out,
     * and a statement timeout past 15 minutes would be cut short by the runner function's or the handler call's end.
     */
    private static void taskRunnerOnly(ResourceModel m) {
        if (RunnerModes.isTaskRunner(m)) {
            return;
        }
        Execution x = m.getExecution();
        if (x != null && Boolean.TRUE.equals(x.getAssignPublicIp())) {
            throw invalid("Execution.AssignPublicIp applies only to Execution.Mode TaskRunner (the migration task's"
                    + " network interface); this resource runs in Mode " + RunnerModes.mode(m) + ". Remove it, or set"
                    + " Mode: TaskRunner.");
        }
        Integer statement = m.getTimeouts() == null ? null : m.getTimeouts().getStatementTimeoutSeconds();
        if (statement != null && statement > MAX_STATEMENT_SECONDS_OUTSIDE_TASKS) {
            throw invalid("Timeouts.StatementTimeoutSeconds " + statement + " is more than "
                    + MAX_STATEMENT_SECONDS_OUTSIDE_TASKS + " (15 minutes), which only Execution.Mode TaskRunner allows:"
                    + " in Mode " + RunnerModes.mode(m) + " no migration runs longer than a Lambda function's 15 minutes."
                    + " Lower it to " + MAX_STATEMENT_SECONDS_OUTSIDE_TASKS + " or less, or set Mode: TaskRunner.");
        }
    }

    private static ReconcileException invalid(String message) {
        return new ReconcileException(Reason.INVALID_INPUT, message);
    }
}
