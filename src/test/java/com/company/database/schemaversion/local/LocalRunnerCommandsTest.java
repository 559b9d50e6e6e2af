package com.company.database.schemaversion.local;

import com.company.database.schemaversion.local.LocalRunnerHarness.Run;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The plan, create, update, read, list and delete subcommands, through the CLI entry, on a real database. */
class LocalRunnerCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void planListsWhatCreateWouldApplyAndChangesNothing() throws Exception {
        LocalRunnerHarness h = new LocalRunnerHarness();
        Path props = h.propertiesFile("latest");

        Run plan = h.run("plan", "--properties", props.toString(), "--target", "3");

        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        assertThat(plan.out()).contains("applied now:   nothing", "target:        3",
                "would apply 3 migration(s)", "V1__create_customers.sql", "V2__create_orders.sql",
                "V3__constrain_order_status.sql", "Nothing was changed.");
        assertThat(plan.out()).doesNotContain("V4__index_orders_by_customer.sql");
        // The type's defaults, through the type's translation: no Schema is schema public.
        assertThat(plan.out()).containsPattern("Plan for 127\\.0\\.0\\.1:\\d+/" + h.database + ", schema public,");
        // Each step line carries version, description, script, transactional and a checksum.
        assertThat(plan.out()).containsPattern("1\\s+create customers\\s+V1__create_customers.sql\\s+yes\\s+-?\\d+");
        assertThat(h.history()).isEmpty();
        assertThat(h.query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")).containsExactly("0");
    }

    @Test
    void aPlanTheEngineRefusesSaysWhatTheHandlerWouldSay() throws Exception {
        LocalRunnerHarness h = new LocalRunnerHarness();
        Path props = h.propertiesFile("latest");
        Path withoutPlaceholders = props.resolveSibling("properties-without-placeholders.json");
        Files.writeString(withoutPlaceholders, Files.readString(props).replace("\"Placeholders\": {\"AppRole\": \"orders_app\"}, ", ""));

        Run plan = h.run("plan", "--properties", withoutPlaceholders.toString());

        assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(1);
        // The failure's own words and the advice its fact calls for, as a FAILED answer of the handler gives them.
        assertThat(plan.err()).contains("error: ", "AppRole", "Add it to Placeholders in the template; nothing was applied.")
                .doesNotContain("ReconcileException");
        assertThat(h.history()).isEmpty();
    }

    @Test
    void createUpdateReadListRollbackDeleteLikeCloudFormation() throws Exception {
        LocalRunnerHarness h = new LocalRunnerHarness();
        Path props = h.propertiesFile("latest");

        Run create = h.run("create", "--properties", props.toString(), "--target", "3");
        assertThat(create.exitCode()).as(create.toString()).isZero();
        assertThat(create.out()).contains("CREATE_COMPLETE", "(3 of 3)",
                "Read-only attributes", "Properties (as the template declares them)");
        assertThat(create.out()).containsPattern("AppliedVersion\\s+3");
        assertThat(h.history()).containsExactly("1", "2", "3");
        JsonNode stack = JSON.readTree(h.home.resolve("stack.json").toFile());
        String id = stack.path("SchemaVersion").path("Id").asText();
        assertThat(id).startsWith(h.database + ".public.");
        assertThat(stack.path("SchemaVersion").path("Properties").has("AppliedVersion")).isFalse();
        // The runner's fallback Id (for a --home that does not know the resource) is the type's Id.
        assertThat(LocalRunner.derivedId(stack.path("SchemaVersion").path("Properties"))).isEqualTo(id);

        Run planAfterCreate = h.run("plan", "--properties", props.toString());
        assertThat(planAfterCreate.out()).contains("applied now:   3", "target:        7 (latest)", "would apply 4 migration(s)");

        Run update = h.run("update", "--properties", props.toString());
        assertThat(update.exitCode()).as(update.toString()).isZero();
        assertThat(update.out()).contains("UPDATE_COMPLETE").containsPattern("AppliedVersion\\s+7");
        assertThat(h.history()).containsExactly("1", "2", "3", "4", "5", "6", "7");

        Run read = h.run("read");
        assertThat(read.exitCode()).as(read.toString()).isZero();
        assertThat(read.out()).contains("READ_COMPLETE", id).containsPattern("DriftStatus\\s+InSync");

        Run list = h.run("list");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out()).contains("LIST_COMPLETE", id);

        Run rollback = h.run("update", "--properties", props.toString(), "--target", "3");
        assertThat(rollback.exitCode()).as(rollback.toString()).isZero();
        assertThat(rollback.out()).contains("UPDATE_COMPLETE", "below the applied version 7");
        assertThat(h.history()).hasSize(7);

        Run delete = h.run("delete");
        assertThat(delete.exitCode()).as(delete.toString()).isZero();
        assertThat(delete.out()).contains("DELETE_COMPLETE", "Kept the schema and its data");
        assertThat(JSON.readTree(h.home.resolve("stack.json").toFile()).has("SchemaVersion")).isFalse();
        assertThat(h.history()).hasSize(7);

        Run readDeleted = h.run("read", "--id", id);
        assertThat(readDeleted.exitCode()).isEqualTo(1);
        assertThat(readDeleted.out()).contains("READ_FAILED", "(NotFound)");
        assertThat(h.run("list").out()).doesNotContain(id);
    }

    @Test
    void aMissingCredentialParameterFailsWithTheTypesMessage() throws Exception {
        LocalRunnerHarness h = new LocalRunnerHarness();
        Path props = h.propertiesFile("latest");
        Files.writeString(props, Files.readString(props).replace(LocalRunnerHarness.PASSWORD_PARAM, "/orders/db/missing"));

        Run create = h.run("create", "--properties", props.toString());

        assertThat(create.exitCode()).isEqualTo(1);
        assertThat(create.out()).contains("CREATE_FAILED", "/orders/db/missing", "does not exist");
        assertThat(create.out()).doesNotContain(com.company.database.schemaversion.testing.TestDatabase.PASSWORD + "\"");
        assertThat(h.history()).isEmpty();
    }

    @Test
    void migrationsFolderReplacesTheBakedSet() throws Exception {
        LocalRunnerHarness h = new LocalRunnerHarness();
        Path folder = Files.createDirectories(h.home.resolve("trial-set"));
        Files.writeString(folder.resolve("V1__first_table.sql"), "CREATE TABLE trial_one (id int);");
        Files.writeString(folder.resolve("V2__second_table.sql"), "CREATE TABLE trial_two (id int);");
        Path props = h.propertiesFile("latest");

        Run plan = h.run("plan", "--properties", props.toString(), "--migrations", folder.toString());
        assertThat(plan.out()).contains("V1__first_table.sql", "V2__second_table.sql", "would apply 2 migration(s)")
                .doesNotContain("create_customers");

        Run create = h.run("create", "--properties", props.toString(), "--migrations", folder.toString());
        assertThat(create.exitCode()).as(create.toString()).isZero();
        assertThat(h.query("SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'trial%' ORDER BY 1"))
                .containsExactly("trial_one", "trial_two");
    }

    @Test
    void badUsageSaysWhatIsWrong() {
        LocalRunnerHarness h = new LocalRunnerHarness();
        Run unknown = h.raw("frobnicate");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown command frobnicate", "Usage: schemaversion");

        Run templateWithoutResource = h.raw("plan", "--template", "x.yaml");
        assertThat(templateWithoutResource.exitCode()).isEqualTo(2);
        assertThat(templateWithoutResource.err()).contains("--template needs --resource");
    }
}
