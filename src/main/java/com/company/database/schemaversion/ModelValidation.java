package com.company.database.schemaversion;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the schema cannot say: rules across properties. The wrapper has already checked the schema itself on
 * the first call; this runs on every first call too, and names the property at fault.
 */
final class ModelValidation {
    private ModelValidation() {
    }

    static void forCreate(ResourceModel m) {
        required(m);
        List<String> readOnly = new ArrayList<>();
        if (m.getId() != null) readOnly.add("Id");
        if (m.getAppliedVersion() != null) readOnly.add("AppliedVersion");
        if (m.getResolvedTargetVersion() != null) readOnly.add("ResolvedTargetVersion");
        if (m.getAppliedCount() != null) readOnly.add("AppliedCount");
        if (m.getPendingCount() != null) readOnly.add("PendingCount");
        if (m.getChecksum() != null) readOnly.add("Checksum");
        if (m.getLastAppliedAt() != null) readOnly.add("LastAppliedAt");
        if (m.getDriftStatus() != null) readOnly.add("DriftStatus");
        if (m.getDriftDetails() != null) readOnly.add("DriftDetails");
        if (!readOnly.isEmpty()) {
            throw invalid("Read-only properties cannot be set in a template: " + String.join(", ", readOnly)
                    + ". Remove them; read them with !GetAtt instead.");
        }
    }

    static void forUpdate(ResourceModel desired, ResourceModel previous) {
        required(desired);
        if (previous != null && previous.getDatabase() != null) {
            List<String> changed = new ArrayList<>();
            if (!Objects.equals(desired.getDatabase().getHost(), previous.getDatabase().getHost())) changed.add("Database.Host");
            if (Translator.port(desired) != Translator.port(previous)) changed.add("Database.Port");
            if (!Objects.equals(desired.getDatabase().getName(), previous.getDatabase().getName())) changed.add("Database.Name");
            if (!Translator.schema(desired).equals(Translator.schema(previous))) changed.add("Schema");
            if (!Objects.equals(desired.getMigrationSet(), previous.getMigrationSet())) changed.add("MigrationSet");
            if (!Objects.equals(desired.getAdoption(), previous.getAdoption())) changed.add("Adoption");
            if (!changed.isEmpty()) {
                throw new ReconcileException(Reason.NOT_UPDATABLE, String.join(", ", changed)
                        + " cannot change on an existing resource (create-only). Give the resource a new logical id"
                        + " to replace it.");
            }
        }
    }

    private static void required(ResourceModel m) {
        if (m == null || m.getDatabase() == null || m.getDatabase().getHost() == null || m.getDatabase().getName() == null) {
            throw invalid("Database.Host and Database.Name are required.");
        }
        if (m.getCredentials() == null) {
            throw invalid("Credentials is required: UsernameParameter and PasswordParameter, or SecretParameter.");
        }
        if (m.getTargetVersion() == null) {
            throw invalid("TargetVersion is required: a version of the migration set, or 'latest'.");
        }
        Execution x = m.getExecution();
        if (x != null && "VpcRunner".equals(x.getMode())) {
            List<String> missing = new ArrayList<>();
            if (x.getSubnetIds() == null || x.getSubnetIds().isEmpty()) missing.add("Execution.SubnetIds");
            if (x.getSecurityGroupIds() == null || x.getSecurityGroupIds().isEmpty()) missing.add("Execution.SecurityGroupIds");
            if (x.getRoleArn() == null) missing.add("Execution.RoleArn");
            if (!missing.isEmpty()) {
                throw invalid("Execution.Mode VpcRunner needs " + String.join(", ", missing) + ".");
            }
        } else if (x != null && (x.getSubnetIds() != null || x.getSecurityGroupIds() != null || x.getRoleArn() != null)) {
            throw invalid("Execution.SubnetIds, SecurityGroupIds and RoleArn apply only to Execution.Mode VpcRunner;"
                    + " set Mode: VpcRunner or remove them.");
        }
    }

    private static ReconcileException invalid(String message) {
        return new ReconcileException(Reason.INVALID_INPUT, message);
    }
}
