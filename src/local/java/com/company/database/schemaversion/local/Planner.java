package com.company.database.schemaversion.local;

import com.company.database.schemaversion.aws.Login;
import com.company.database.schemaversion.aws.SsmLogins;
import com.company.database.schemaversion.core.Migration;
import com.company.database.schemaversion.core.Observation;
import com.company.database.schemaversion.core.Plan;
import com.company.database.schemaversion.core.Reconciler;
import com.company.database.schemaversion.engine.ConnectionSpec;
import com.company.database.schemaversion.engine.EngineSettings;
import com.company.database.schemaversion.engine.FlywayEngine;
import com.company.database.schemaversion.engine.MigrationSource;
import com.company.database.schemaversion.policy.AccountPolicy;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import software.amazon.cloudformation.proxy.AmazonWebServicesClientProxy;
import software.amazon.cloudformation.proxy.Credentials;
import software.amazon.cloudformation.proxy.LoggerProxy;

import java.io.PrintStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The plan subcommand: observes the database with the same engine and login path the handlers use, and
 * prints what a Create or Update to the target would apply. It runs Flyway's info only: nothing changes.
 */
final class Planner {
    private static final int DEFAULT_PORT = 5432;
    private static final String DEFAULT_SCHEMA = "public";

    private Planner() {
    }

    /** The plan for the model's TargetVersion, and what was observed. */
    record Result(Observation observed, Plan plan) {
    }

    static Result plan(JsonNode model, Session session) {
        ObjectNode creds = session.callerCredentials().get();
        AmazonWebServicesClientProxy proxy = new AmazonWebServicesClientProxy(new LoggerProxy(),
                new Credentials(creds.path("accessKeyId").asText(), creds.path("secretAccessKey").asText(),
                        creds.path("sessionToken").asText(null)),
                () -> 30_000L);
        JsonNode c = model.path("Credentials");
        AccountPolicy policy = session.policy();
        JsonNode db = model.path("Database");
        policy.checkConnection(db.path("Host").asText(), db.path("SslMode").asText(null));
        String user = c.path("UsernameParameter").asText(null);
        String password = c.path("PasswordParameter").asText(null);
        String secret = c.path("SecretParameter").asText(null);
        policy.checkLoginBinding(user, password, secret, c.path("IamUsername").asText(null), db.path("Host").asText(),
                db.path("Name").asText(null), db.path("SslMode").asText(null));
        Login login = new SsmLogins(proxy.newProxy(() -> session.environment().aws().ssm(session.options.region)),
                policy::checkCredentials)
                .resolve(user, password, secret);
        ConnectionSpec connection = new ConnectionSpec(db.path("Host").asText(), db.path("Port").asInt(DEFAULT_PORT),
                db.path("Name").asText(), db.path("SslMode").asText(null), login.username(), login.password(),
                policy.extraCaCertificates(), SsmLogins.describe(user, password, secret));
        MigrationSource source = session.environment().migrationsFor(model.path("MigrationSet").asText(null));
        Map<String, String> placeholders = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = model.path("Placeholders").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            placeholders.put(e.getKey(), e.getValue().asText());
        }
        JsonNode t = model.path("Timeouts");
        EngineSettings settings = new EngineSettings(model.path("Schema").asText(DEFAULT_SCHEMA), source, placeholders,
                t.path("LockTimeoutSeconds").asInt(10), t.path("StatementTimeoutSeconds").asInt(40));
        FlywayEngine engine = new FlywayEngine(connection, settings);
        Observation observed = engine.observe();
        Plan plan = new Reconciler().plan(observed, model.path("TargetVersion").asText(Reconciler.LATEST));
        // What the deploy would run is parsed as the deploy would parse it (Read and observe parse nothing).
        return new Result(observed, new Plan(plan.kind(), plan.target(), engine.parsed(plan.steps())));
    }

    static void print(Result r, JsonNode model, Session session, PrintStream out) {
        MigrationSource replacing = session.environment().migrations();
        JsonNode db = model.path("Database");
        Observation o = r.observed();
        Plan p = r.plan();
        out.printf("Plan for %s:%d/%s, schema %s, migration set %s%n", db.path("Host").asText(),
                db.path("Port").asInt(DEFAULT_PORT), db.path("Name").asText(), model.path("Schema").asText(DEFAULT_SCHEMA),
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
