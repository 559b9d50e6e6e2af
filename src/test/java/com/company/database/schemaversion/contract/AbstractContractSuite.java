package com.company.database.schemaversion.contract;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.testing.TestDatabase;
import com.company.database.schemaversion.testing.TestModels;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The resource contract tests of {@code cfn test} (cloudformation-cli's rpdk.core.contract.suite), run in
 * JUnit against the real wrapper, a real PostgreSQL and the SSM emulator, because the cfn CLI cannot run
 * here. Inputs come from the project's {@code inputs/inputs_1_*.json}, exactly as cfn test reads them, with
 * only Database.Host, Port, Name and SslMode pointed at the test database, as a user points cfn test at a
 * test database. Each test gets a fresh database, so the module fixtures of cfn (created_resource,
 * deleted_resource, updated_resource) are rebuilt per test.
 *
 * <p>Subclasses choose the execution mode through {@link #adjust(ObjectNode)}.
 */
public abstract class AbstractContractSuite extends AbstractHandlerTest {
    private static final Path PROJECT = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    protected static final ContractSchema SCHEMA = ContractSchema.load(PROJECT.resolve("company-database-schemaversion.json"));

    private ContractClient client;
    private ObjectNode createInput;
    private ObjectNode updateInput;
    private ObjectNode invalidInput;

    /** The one hook of a mode: change an input model (already pointed at the test database) for this mode. */
    protected ObjectNode adjust(ObjectNode model) {
        return model;
    }

    @BeforeEach
    void loadInputs() {
        createInput = forTestDatabase(input("inputs_1_create.json"));
        updateInput = forTestDatabase(input("inputs_1_update.json"));
        invalidInput = forTestDatabase(input("inputs_1_invalid.json"));
        // The credential parameters the inputs name, holding the test database's login.
        for (ObjectNode in : List.of(createInput, updateInput, invalidInput)) {
            JsonNode creds = in.path("Credentials");
            if (creds.hasNonNull("UsernameParameter")) {
                ssm().put(creds.get("UsernameParameter").asText(), "String", TestDatabase.USER);
            }
            if (creds.hasNonNull("PasswordParameter")) {
                ssm().put(creds.get("PasswordParameter").asText(), "SecureString", TestDatabase.PASSWORD);
            }
        }
        // cfn test names no stack: its requests are Cloud Control's, under what inputs/typeconfig.json lets those do.
        ObjectNode account = TestModels.testAccount();
        account.set("CloudControl", input("typeconfig.json").get("CloudControl"));
        driver.withStackId(null).withTypeConfiguration(account);
        client = new ContractClient(driver, SCHEMA);
    }

    private static ObjectNode input(String name) {
        try {
            return (ObjectNode) JSON.readTree(Files.readString(PROJECT.resolve("inputs").resolve(name)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectNode forTestDatabase(ObjectNode model) {
        ObjectNode db = (ObjectNode) model.get("Database");
        db.put("Host", "127.0.0.1");
        db.put("Port", TestDatabase.port());
        db.put("Name", database);
        db.put("SslMode", "disable");
        return adjust(model);
    }

    // ---- generators (ResourceClient.generate_*_example with inputs) ----

    private ObjectNode createExample() {
        return createInput.deepCopy();
    }

    /** generate_update_example: UPDATE input + the created identifiers + the created readOnly values. */
    private ObjectNode updateExample(JsonNode createdModel) {
        ObjectNode result = JSON.createObjectNode();
        for (String readOnly : SCHEMA.readOnlyTopLevel()) {
            if (createdModel.has(readOnly)) {
                result.set(readOnly, createdModel.get(readOnly));
            }
        }
        ObjectNode update = updateInput.deepCopy();
        for (List<String> pk : SCHEMA.primaryIdentifierPaths()) {
            String key = pk.get(0);
            if (createdModel.has(key)) {
                update.set(key, createdModel.get(key));
            }
        }
        result.setAll(update);
        return result;
    }

    // ---- shared steps (handler_commons) ----

    /** test_create_success: SUCCESS, primary identifier, no writeOnly properties, input equals output. */
    private JsonNode createSuccess(JsonNode input) {
        ContractClient.Result r = client.callAndAssert("CREATE", "SUCCESS", input, null);
        client.assertPrimaryIdentifier(r.model(), "CREATE response");
        SCHEMA.assertInputEqualsOutput(input, r.model());
        return r.model();
    }

    private void deleteSuccess(JsonNode model) {
        ContractClient.Result r = client.callAndAssert("DELETE", "SUCCESS", model, null);
        assertThat(r.response().has("resourceModel"))
                .as("The deletion handler's response object MUST NOT contain a model: %s", r.response()).isFalse();
    }

    private JsonNode readSuccess(JsonNode model) {
        ContractClient.Result r = client.callAndAssert("READ", "SUCCESS", model, null);
        client.assertPrimaryIdentifier(r.model(), "READ response");
        client.assertNoWriteOnly(r.model());
        return r.model();
    }

    private String failed(String action, JsonNode model, JsonNode previous) {
        return ContractClient.assertFailed(action, client.call(action, model, previous).response());
    }

    /** Every page of LIST, following nextToken; each SUCCESS page must carry resourceModels. */
    private List<JsonNode> listAll(JsonNode model) {
        List<JsonNode> all = new ArrayList<>();
        String next = null;
        do {
            ContractClient.Result r = client.callAndAssert("LIST", "SUCCESS", model, null, next,
                    UUID.randomUUID().toString());
            assertThat(r.response().has("resourceModels"))
                    .as("LIST SUCCESS must carry resourceModels: %s", r.response()).isTrue();
            r.response().get("resourceModels").forEach(all::add);
            next = r.response().path("nextToken").asText(null);
        } while (next != null);
        return all;
    }

    private static List<String> ids(List<JsonNode> models) {
        return models.stream().map(m -> m.path("Id").asText(null)).toList();
    }

    private static String id(JsonNode model) {
        return model.path("Id").asText();
    }

    /** deleted_resource: create, compare, delete (no model in the answer); finally a second delete is NotFound or SUCCESS. */
    private interface DeletedBody {
        void run(JsonNode deletedModel);
    }

    private void withDeletedResource(DeletedBody body) {
        JsonNode model = createSuccess(createExample());
        deleteSuccess(model);
        try {
            body.run(model);
        } finally {
            ContractClient.Result again = client.call("DELETE", model, null);
            if ("FAILED".equals(again.status())) {
                assertThat(again.errorCode()).isEqualTo("NotFound");
            } else {
                ContractClient.assertSuccess("DELETE", again.response());
            }
        }
    }

    private interface UpdatedBody {
        void run(JsonNode createdModel, JsonNode updateRequest, JsonNode updatedModel);
    }

    /** updated_resource: create, update with the update example, compare; finally delete. */
    private void withUpdatedResource(UpdatedBody body) {
        JsonNode created = createSuccess(createExample());
        try {
            ObjectNode updateRequest = updateExample(created);
            ContractClient.Result updated = client.callAndAssert("UPDATE", "SUCCESS", updateRequest, created);
            SCHEMA.assertInputEqualsOutput(updateRequest, updated.model());
            body.run(created, updateRequest, updated.model());
        } finally {
            deleteSuccess(created);
        }
    }

    // ---- the contract tests ----

    @Test
    void contract_create_delete() {
        JsonNode model = createSuccess(createExample());
        deleteSuccess(model);
    }

    /**
     * cfn skips this unless every primary identifier is createOnly; Id is readOnly here, but it is derived
     * from the createOnly Database and Schema, so a second Create of the same request must still collide.
     */
    @Test
    void contract_create_create() {
        ObjectNode input = createExample();
        JsonNode created = createSuccess(input);
        try {
            String code = failed("CREATE", input, null);
            assertThat(code).isEqualTo("AlreadyExists");
        } finally {
            deleteSuccess(created);
        }
    }

    @Test
    void contract_create_read() {
        ObjectNode input = createExample();
        JsonNode created = createSuccess(input);
        try {
            JsonNode read = readSuccess(created);
            SCHEMA.assertInputEqualsOutput(input, read);
        } finally {
            deleteSuccess(created);
        }
    }

    @Test
    void contract_create_list() {
        JsonNode created = createSuccess(createExample());
        try {
            List<JsonNode> listed = listAll(created);
            assertThat(ids(listed)).as("the created resource MUST be listed").contains(id(created));
            readSuccess(created);
        } finally {
            deleteSuccess(created);
        }
    }

    @Test
    void contract_update_read() {
        withUpdatedResource((created, updateRequest, updated) -> {
            assertThat(id(updated)).as("primary identifier unchanged by update").isEqualTo(id(created));
            JsonNode read = readSuccess(updated);
            SCHEMA.assertInputEqualsOutput(updateRequest, read);
        });
    }

    @Test
    void contract_update_list() {
        withUpdatedResource((created, updateRequest, updated) -> {
            assertThat(id(updated)).isEqualTo(id(created));
            assertThat(ids(listAll(updated))).as("A list handler MUST always return an updated model")
                    .contains(id(updated));
        });
    }

    @Test
    void contract_update_without_create() {
        ObjectNode createRequest = createExample();
        ObjectNode updateRequest = updateExample(createRequest);
        ContractClient.Result r = client.call("UPDATE", updateRequest, createRequest);
        assertThat(ContractClient.assertFailed("UPDATE", r.response())).isEqualTo("NotFound");
        assertThat(r.response().path("message").asText("")).isNotBlank();
        assertThat(tableExists("flyway_schema_history")).as("a failed update touches nothing").isFalse();
    }

    @Test
    void contract_delete_read() {
        withDeletedResource(deleted -> assertThat(failed("READ", deleted, null)).isEqualTo("NotFound"));
    }

    @Test
    void contract_delete_list() {
        withDeletedResource(deleted -> assertThat(ids(listAll(deleted)))
                .as("A list operation MUST NOT return the primaryIdentifier of any deleted resource instance")
                .doesNotContain(id(deleted)));
    }

    @Test
    void contract_delete_update() {
        withDeletedResource(deleted -> assertThat(failed("UPDATE", updateExample(deleted), deleted))
                .isEqualTo("NotFound"));
    }

    @Test
    void contract_delete_delete() {
        withDeletedResource(deleted -> assertThat(failed("DELETE", deleted, null)).isEqualTo("NotFound"));
    }

    /** Also skipped by cfn unless identifiers are createOnly; a deleted resource must be creatable again. */
    @Test
    void contract_delete_create() {
        ObjectNode input = createExample();
        withDeletedResource(deleted -> {
            JsonNode again = createSuccess(input);
            deleteSuccess(again);
        });
    }

    @Test
    void contract_read_without_create() {
        assertThat(failed("READ", createExample(), null)).isEqualTo("NotFound");
    }

    @Test
    void contract_invalid_create() {
        ContractClient.Result r = client.call("CREATE", invalidInput, null);
        assertThat(ContractClient.assertFailed("CREATE", r.response())).isEqualTo("InvalidRequest");
        assertThat(r.response().path("message").asText("")).isNotBlank();
        client.call("DELETE", invalidInput, null);
        assertThat(tableExists("flyway_schema_history")).as("an invalid create touches nothing").isFalse();
        assertThat(ssm().names()).as("an invalid create claims nothing").containsOnly(
                createInput.path("Credentials").path("UsernameParameter").asText(),
                createInput.path("Credentials").path("PasswordParameter").asText());
    }

    @Test
    void contract_update_create_only_property() {
        JsonNode created = createSuccess(createExample());
        try {
            List<String> before = history(schemaOf(created));
            ObjectNode update = updateExample(created);
            update.put("Schema", schemaOf(created) + "_moved");
            ContractClient.Result r = client.call("UPDATE", update, created);
            assertThat(ContractClient.assertFailed("UPDATE", r.response())).isEqualTo("NotUpdatable");
            assertThat(r.response().path("message").asText("")).contains("Schema");
            assertThat(history(schemaOf(created))).isEqualTo(before);
            assertThat(tableExists(schemaOf(created) + "_moved", "flyway_schema_history")).isFalse();
        } finally {
            deleteSuccess(created);
        }
    }

    // ---- database views ----

    private static String schemaOf(JsonNode model) {
        return model.path("Schema").asText("public");
    }

    private List<String> history(String schema) {
        return query("SELECT version FROM " + schema + ".flyway_schema_history WHERE success AND version IS NOT NULL"
                + " ORDER BY installed_rank");
    }

    private boolean tableExists(String table) {
        return tableExists(createInput.path("Schema").asText("public"), table);
    }

    private boolean tableExists(String schema, String table) {
        return !query("SELECT 1 FROM information_schema.tables WHERE table_schema = '" + schema
                + "' AND table_name = '" + table + "'").isEmpty();
    }
}
