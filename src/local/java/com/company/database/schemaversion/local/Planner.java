package com.company.database.schemaversion.local;

import com.company.database.schemaversion.ErrorTranslator;
import com.company.database.schemaversion.ResourceModel;
import com.company.database.schemaversion.Translator;
import com.company.database.schemaversion.engine.Login;
import com.company.database.schemaversion.aws.SsmLogins;
import com.company.database.schemaversion.core.Migration;
import com.company.database.schemaversion.core.Observation;
import com.company.database.schemaversion.core.Plan;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.core.Reconciler;
import com.company.database.schemaversion.engine.ConnectionSpec;
import com.company.database.schemaversion.engine.EngineSettings;
import com.company.database.schemaversion.engine.FlywayEngine;
import com.company.database.schemaversion.engine.MigrationSource;
import com.company.database.schemaversion.policy.AccountPolicy;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import software.amazon.cloudformation.proxy.AmazonWebServicesClientProxy;
import software.amazon.cloudformation.proxy.Credentials;
import software.amazon.cloudformation.proxy.LoggerProxy;

import java.io.PrintStream;

/**
 * The plan subcommand: observes the database with the same engine and login path the handlers use, and
 * prints what a Create or Update to the target would apply. It runs Flyway's info only: nothing changes.
 */
final class Planner {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Planner() {
    }

    /** The plan for the model's TargetVersion, and what was observed. */
    record Result(Observation observed, Plan plan) {
    }

    /** A plan the policy or the database refused, in the words and with the advice a handler's answer would give. */
    static final class Refused extends RuntimeException {
        Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static Result plan(JsonNode model, Session session) {
        ResourceModel m = resourceModel(model);
        try {
            return plan(model, m, session);
        } catch (ReconcileException e) {
            throw new Refused(ErrorTranslator.operatorMessage(e, m), e);
        }
    }

    private static Result plan(JsonNode model, ResourceModel m, Session session) {
        ObjectNode creds = session.callerCredentials().get();
        AmazonWebServicesClientProxy proxy = new AmazonWebServicesClientProxy(new LoggerProxy(),
                new Credentials(creds.path("accessKeyId").asText(), creds.path("secretAccessKey").asText(),
                        creds.path("sessionToken").asText(null)),
                () -> 30_000L);
        AccountPolicy policy = session.policy();
        // As Direct mode does: the policy allows the reads and the connection before any parameter is read.
        policy.checkReadsAndConnections(m);
        com.company.database.schemaversion.Credentials c = m.getCredentials() != null ? m.getCredentials()
                : new com.company.database.schemaversion.Credentials();
        Login login = new SsmLogins(proxy.newProxy(() -> session.environment().aws().ssm(session.options.region)),
                policy::checkCredentials)
                .resolve(c.getUsernameParameter(), c.getPasswordParameter(), c.getSecretParameter());
        ConnectionSpec connection = Translator.connection(m, login, policy);
        EngineSettings settings = Translator.engineSettings(m, session.environment());
        FlywayEngine engine = new FlywayEngine(connection, settings);
        Observation observed = engine.observe();
        Plan plan = new Reconciler().plan(observed, model.path("TargetVersion").asText(Reconciler.LATEST));
        // What the deploy would run is parsed as the deploy would parse it (Read and observe parse nothing).
        return new Result(observed, new Plan(plan.kind(), plan.target(), engine.parsed(plan.steps())));
    }

    /** The model as the handlers receive it. */
    private static ResourceModel resourceModel(JsonNode model) {
        try {
            return JSON.treeToValue(model, ResourceModel.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("The resource's properties do not fit the type's schema: "
                    + e.getOriginalMessage(), e);
        }
    }

    static void print(Result r, JsonNode model, Session session, PrintStream out) {
        MigrationSource replacing = session.environment().migrations();
        ResourceModel resource = resourceModel(model);
        JsonNode db = model.path("Database");
        Observation o = r.observed();
        Plan p = r.plan();
        out.printf("Plan for %s:%d/%s, schema %s, migration set %s%n", db.path("Host").asText(),
                Translator.port(resource), db.path("Name").asText(), Translator.schema(resource),
                replacing != null ? replacing.flywayLocation()
                        : model.path("MigrationSet").asText("(the only baked set)"));
        out.printf("  applied now:   %s%s%n", o.appliedVersion() == null ? "nothing" : o.appliedVersion(),
                o.appliedVersion() == null ? "" : " (" + o.appliedCount() + " migration(s) in the history)");
        out.printf("  target:        %s%s%n", p.target(), Reconciler.LATEST.equals(model.path("TargetVersion").asText(Reconciler.LATEST))
                ? " (latest)" : "");
        switch (p.kind()) {
            case AT_TARGET -> out.println("  => nothing to apply: the schema is already at the target.");
            case BELOW_APPLIED -> out.println("  => the target is below the applied version (a rollback?): Create/Update would"
                    + " succeed and leave the schema at " + o.appliedVersion() + ". Migrations are never undone.");
            case APPLY -> {
                out.printf("  => a Create or Update would apply %d migration(s), in this order:%n", p.steps().size());
                out.printf("     %-8s  %-32s  %-40s  %-13s  %s%n", "VERSION", "DESCRIPTION", "SCRIPT", "TRANSACTIONAL", "CHECKSUM");
                for (Migration m : p.steps()) {
                    // A script is parsed only when a deploy runs it, so a plan does not know yet whether it is transactional.
                    out.printf("     %-8s  %-32s  %-40s  %-13s  %s%n", m.version() == null ? "(repeat)" : m.version(),
                            m.description(), m.script(), m.transactional() == null ? "(at apply)"
                                    : Boolean.FALSE.equals(m.transactional()) ? "no (runs alone)" : "yes", m.checksum());
                }
            }
        }
        if (!o.drift().isEmpty() || !o.failed().isEmpty()) {
            out.println("  !! the history does not match the set; a Create/Update that has to apply anything would fail:");
            o.failed().forEach(f -> out.println("     - " + f));
            o.drift().forEach(d -> out.println("     - " + d));
        }
        out.println("  Nothing was changed.");
    }
}
