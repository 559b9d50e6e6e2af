package com.company.database.schemaversion.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The lifecycle demo: the sample "orders" migration set taken through everything CloudFormation does to a
 * resource (create at an older version, update to the latest, read, a rollback-style update back, delete),
 * on a fresh database, with a short explanation before each step and the database's tables after it.
 */
final class Lifecycle {
    static final String DEMO_DATABASE = "orders_lifecycle";
    static final String LOGICAL_ID = "OrdersSchema";
    static final String OLDER_VERSION = "3";
    private static final String HISTORY_TABLE = "flyway_schema_history";

    private final Session session;
    private final PrintStream out;
    private final String logicalId;
    private List<String> tablesBefore = List.of();
    private int step;

    private Lifecycle(Session session, PrintStream out) {
        this.session = session;
        this.out = out;
        this.logicalId = session.options.resource != null ? session.options.resource : LOGICAL_ID;
    }

    static int run(Options o, PrintStream out, LocalEndpoints endpoints) throws Exception {
        if (o.database == null) {
            o.database = DEMO_DATABASE;
        }
        if (o.resource == null) {
            o.resource = LOGICAL_ID;
        }
        try (Session session = Session.open(o, out, endpoints)) {
            return new Lifecycle(session, out).play();
        }
    }

    private int play() throws Exception {
        ObjectNode base = session.prepare(LocalRunner.properties(session.options));
        String database = base.path("Database").path("Name").asText();
        if (session.embedded() != null) {
            session.embedded().recreateDatabase(database);
        } else if (!tables(base).isEmpty()) {
            throw new IllegalArgumentException("The lifecycle demo needs an empty database; " + LocalRunner.where(base)
                    + " has tables. Pick another one with --database.");
        }
        forgetRecord(base);
        out.println();
        out.println("""
                What you are about to see
                -------------------------
                A CloudFormation resource of type %s keeps a PostgreSQL database at the schema
                version the template declares, by applying the Flyway migrations baked into the type (here the
                sample set "orders", V1 to V7). CloudFormation calls the type's handlers; a handler call may run
                60 s at most, so a long deploy is a chain of calls (IN_PROGRESS ... COMPLETE), each applying what
                fits. Below, the real handlers run on this machine exactly as CloudFormation would call them,
                against database %s (fresh and empty).""".formatted(CloudFormationDriver.TYPE_NAME, LocalRunner.where(base)));

        ObjectNode older = base.deepCopy().put("TargetVersion", OLDER_VERSION);
        header("Preview: what would a Create with TargetVersion " + OLDER_VERSION + " apply? (plan, changes nothing)",
                "The plan subcommand reads the database and the migration set, like every handler does first.");
        Planner.print(Planner.plan(older, session), older, session, out);

        header("Create the resource at version " + OLDER_VERSION,
                "A new stack with TargetVersion: " + OLDER_VERSION + ". CloudFormation calls the Create handler until it says COMPLETE;\n"
                        + "each IN_PROGRESS event is one handler call that applied one or more migrations.");
        CloudFormationDriver.Outcome created = operate("CREATE", older, null);
        if (created == null) {
            return 1;
        }
        String id = created.model().path("Id").asText();

        ObjectNode latest = base.deepCopy().put("TargetVersion", "latest").put("Id", id);
        header("Update to the latest version",
                "The template now says TargetVersion: latest. The Update handler applies V4 to V7 (an index, a\n"
                        + "backfill, grants to the application role from Placeholders.AppRole, a new table).");
        CloudFormationDriver.Outcome updated = operate("UPDATE", latest, LocalRunner.withoutReadOnly(created.model()));
        if (updated == null) {
            return 1;
        }

        header("Read the resource",
                "What a drift check or a later stack operation sees: the declared properties plus what the\n"
                        + "database says now (AppliedVersion, Checksum of the history, DriftStatus, ...).");
        if (operate("READ", session.options.aws ? latest : idOnly(id), null) == null) {
            return 1;
        }

        ObjectNode back = older.deepCopy().put("Id", id);
        header("A rollback: Update back to version " + OLDER_VERSION,
                "If a later resource of the stack fails, CloudFormation rolls back by calling Update with the old\n"
                        + "properties (TargetVersion: " + OLDER_VERSION + "). Migrations are never undone, so the handler succeeds\n"
                        + "without touching the schema and says so; the rollback completes.");
        List<String> beforeRollback = tables(base);
        CloudFormationDriver.Outcome rolledBack = operate("UPDATE", back, LocalRunner.withoutReadOnly(updated.model()), true);
        if (rolledBack == null) {
            return 1;
        }
        out.println("  The schema is untouched: " + (beforeRollback.equals(tables(base))
                ? "same tables, same history as before the rollback." : "!! the tables changed"));

        header("Delete the resource",
                "Deleting the stack removes the resource's record. Its OnDelete policy is Retain (the default), so\n"
                        + "the schema and its data stay: a database is never dropped by accident.");
        if (operate("DELETE", back, null) == null) {
            return 1;
        }

        out.println();
        out.println("Done. Five CloudFormation operations ran through the real handlers against " + LocalRunner.where(base) + ".");
        out.println("Try it on your own template: ./schemaversion plan --template FILE --resource LOGICAL_ID (see guides/local-runner.md).");
        return 0;
    }

    private void header(String title, String explanation) {
        step++;
        out.println();
        String line = "Step " + step + ". " + title;
        out.println(line);
        out.println("=".repeat(line.length()));
        out.println(explanation);
        out.println();
    }

    /** One operation as stack events, then the final model and what it changed in the database. */
    private CloudFormationDriver.Outcome operate(String action, JsonNode model, JsonNode previous) throws SQLException {
        return operate(action, model, previous, false);
    }

    /** @param rollback sent as a stack rollback's request (rollback: true), as CloudFormation sends it */
    private CloudFormationDriver.Outcome operate(String action, JsonNode model, JsonNode previous, boolean rollback)
            throws SQLException {
        EventPrinter printer = new EventPrinter(out, logicalId);
        CloudFormationDriver.Outcome outcome = session.driver(printer::event).rollingBack(rollback).run(action, model, previous);
        out.println();
        if (!"SUCCESS".equals(outcome.status())) {
            out.println(action + " FAILED (" + outcome.errorCode() + "): " + outcome.message());
            return null;
        }
        printer.model(outcome.model(), !modelShown);
        modelShown |= outcome.model() != null;
        describeDatabase(model.has("Database") ? model : null);
        return outcome;
    }

    private ObjectNode dbModel;
    private boolean modelShown;

    private void describeDatabase(JsonNode model) throws SQLException {
        if (model != null) {
            dbModel = (ObjectNode) model;
        }
        if (dbModel == null) {
            return;
        }
        List<String> now = tables(dbModel);
        List<String> added = new ArrayList<>(now);
        added.removeAll(tablesBefore);
        tablesBefore = List.copyOf(now);
        out.println("  In the database now:");
        now.remove(HISTORY_TABLE);
        added.remove(HISTORY_TABLE);
        out.println("    tables:              " + (now.isEmpty() ? "(none)" : String.join(", ", now)));
        out.println("    new since last step: " + (added.isEmpty() ? "(no table)" : String.join(", ", added)));
        out.println("    Flyway's history:    " + history(dbModel) + "  (table " + HISTORY_TABLE + ")");
    }

    private List<String> tables(JsonNode model) throws SQLException {
        return rows(model, "SELECT table_name FROM information_schema.tables WHERE table_schema = '"
                + model.path("Schema").asText("public") + "' AND table_type = 'BASE TABLE' ORDER BY table_name");
    }

    private String history(JsonNode model) throws SQLException {
        List<String> versions = rows(model, "SELECT 'V' || version FROM \"" + model.path("Schema").asText("public")
                + "\".flyway_schema_history WHERE success AND version IS NOT NULL ORDER BY installed_rank");
        return versions.isEmpty() ? "(none)" : String.join(", ", versions);
    }

    private List<String> rows(JsonNode model, String sql) throws SQLException {
        List<String> result = new ArrayList<>();
        try (Connection c = session.connect(model); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                result.add(rs.getString(1));
            }
        }
        return result;
    }

    private static ObjectNode idOnly(String id) {
        return new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("Id", id);
    }

    /** A record left by an earlier demo run on the (re-created) database would make Create fail: drop it. */
    private void forgetRecord(JsonNode model) {
        if (!session.options.aws) {
            session.endpoints().ssm().forget(Session.RECORD_PREFIX + LocalRunner.derivedId(model));
        }
    }
}
