package com.company.database.schemaversion.schema;

import com.company.database.schemaversion.ResourceModel;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.cloudformation.resource.Serializer;
import software.amazon.cloudformation.resource.Validator;
import software.amazon.cloudformation.resource.exceptions.ValidationException;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Runs models through the same steps the rpdk wrapper takes before any handler sees them (AbstractWrapper
 * .validateModel in plugin 2.2.5): strict deserialisation into ResourceModel, serialisation back, then
 * Validator.validateObject against the schema from the classpath. A model rejected here fails with
 * InvalidRequest and never reaches the database.
 */
class ModelValidationAgainstSchemaTest {
    private static final Serializer SERIALIZER = new Serializer();

    private static void validateLikeTheWrapper(String modelJson) throws IOException {
        ResourceModel model;
        try {
            model = SERIALIZER.deserializeStrict(modelJson, new TypeReference<ResourceModel>() {});
        } catch (UnrecognizedPropertyException e) {
            throw new ValidationException(String.format("#: extraneous key [%s] is not permitted", e.getPropertyName()),
                    "additionalProperties", "#");
        }
        new Validator().validateObject(new JSONObject(SERIALIZER.serialize(model)), ProjectFiles.classpathSchema());
    }

    /** A valid model with one value replaced: {@code with("Port", "0")} puts 0 where the template has "Port". */
    private static String model(String credentials, String database, String extra) {
        return """
                {"Database": %s,
                 "Credentials": %s,
                 "Schema": "app",
                 "MigrationSet": "orders",
                 "TargetVersion": "7"%s}
                """.formatted(database, credentials, extra);
    }

    private static final String DATABASE = "{\"Host\": \"orders.cluster-abc.eu-west-1.rds.amazonaws.com\", \"Port\": 5432, \"Name\": \"orders\"}";
    private static final String LOGIN = "{\"UsernameParameter\": \"/orders/db/username\", \"PasswordParameter\": \"/orders/db/password\"}";
    private static final String SECRET = "{\"SecretParameter\": \"/aws/reference/secretsmanager/rds!cluster-1a2b3c4d\"}";

    private static String rejectionOf(String modelJson) {
        ValidationException e = catchThrowableOfType(ValidationException.class, () -> validateLikeTheWrapper(modelJson));
        assertThat(e).as("expected the wrapper to reject %s", modelJson).isNotNull();
        return ValidationException.buildFullExceptionMessage(e);
    }

    @Test
    void validModelsPass() {
        assertThatCode(() -> validateLikeTheWrapper(model(LOGIN, DATABASE, ""))).doesNotThrowAnyException();
        assertThatCode(() -> validateLikeTheWrapper(model(SECRET, DATABASE, ""))).doesNotThrowAnyException();
        assertThatCode(() -> validateLikeTheWrapper(model(LOGIN, DATABASE, """
                , "Placeholders": {"AppRole": "orders_app"},
                  "Execution": {"Mode": "VpcRunner", "SubnetIds": ["subnet-0a1b2c3d4e5f60718"],
                                "SecurityGroupIds": ["sg-0123456789abcdef0"],
                                "RoleArn": "arn:aws:iam::123456789012:role/schema-runner"},
                  "Timeouts": {"ConnectWaitMinutes": 0, "LockTimeoutSeconds": 5, "StatementTimeoutSeconds": 900},
                  "OnDelete": "Clean"
                """))).doesNotThrowAnyException();
    }

    @Test
    void numbersSentAsStringsPass() {
        // CloudFormation passes template scalars as strings; the wrapper's deserialisation turns them into Integer.
        String database = "{\"Host\": \"10.0.12.7\", \"Port\": \"6432\", \"Name\": \"orders\"}";
        assertThatCode(() -> validateLikeTheWrapper(model(LOGIN, database, ""))).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"public; DROP SCHEMA public CASCADE", "app\"; DROP TABLE orders; --", "App", "1app", ""})
    void schemaNamesThatAreNotPlainIdentifiersFail(String schemaName) {
        String json = model(LOGIN, DATABASE, "").replace("\"Schema\": \"app\"", "\"Schema\": " + JSONObject.quote(schemaName));
        assertThat(rejectionOf(json)).contains("#/Schema");
    }

    @ParameterizedTest
    @ValueSource(strings = {"orders db/username", "/orders//username", "/orders/username/", "orders;username", ""})
    void badParameterNamesFail(String name) {
        String json = model(LOGIN.replace("/orders/db/username", name), DATABASE, "");
        assertThat(rejectionOf(json)).contains("#/Credentials");
    }

    @Test
    void secretReferenceWithoutASecretNameFails() {
        assertThat(rejectionOf(model("{\"SecretParameter\": \"/aws/reference/secretsmanager/\"}", DATABASE, "")))
                .contains("#/Credentials");
    }

    @Test
    void credentialsMustBeOneLoginOrOneSecret() {
        String both = "{\"UsernameParameter\": \"/u\", \"PasswordParameter\": \"/p\", \"SecretParameter\": \"/s\"}";
        assertThat(rejectionOf(model(both, DATABASE, ""))).contains("#/Credentials");
        assertThat(rejectionOf(model("{\"UsernameParameter\": \"/u\"}", DATABASE, ""))).contains("#/Credentials");
        assertThat(rejectionOf(model("{}", DATABASE, ""))).contains("#/Credentials");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 70000, -1})
    void portsOutsideTcpRangeFail(int port) {
        String json = model(LOGIN, DATABASE.replace("5432", Integer.toString(port)), "");
        assertThat(rejectionOf(json)).contains("#/Database/Port");
    }

    @Test
    void unknownPropertiesFailAtEveryLevel() {
        assertThat(rejectionOf(model(LOGIN, DATABASE, ", \"MigrationsPath\": \"s3://bucket/x\"")))
                .contains("MigrationsPath");
        assertThat(rejectionOf(model(LOGIN, DATABASE.replace("}", ", \"User\": \"postgres\"}"), "")))
                .contains("User");
    }

    @ParameterizedTest
    @ValueSource(strings = {"subnet-xyz", "subnet-0A1B2C3D", "sg-0123456789abcdef0", "subnet-"})
    void executionWithABadSubnetIdFails(String subnet) {
        String json = model(LOGIN, DATABASE, """
                , "Execution": {"Mode": "VpcRunner", "SubnetIds": [%s],
                                "SecurityGroupIds": ["sg-0123456789abcdef0"],
                                "RoleArn": "arn:aws:iam::123456789012:role/schema-runner"}
                """.formatted(JSONObject.quote(subnet)));
        assertThat(rejectionOf(json)).contains("#/Execution/SubnetIds");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "1.", ".1", "v7", "latest; DROP TABLE x", "LATEST", "7-beta"})
    void targetVersionsThatAreNotFlywayVersionsFail(String version) {
        String json = model(LOGIN, DATABASE, "").replace("\"TargetVersion\": \"7\"",
                "\"TargetVersion\": " + JSONObject.quote(version));
        assertThat(rejectionOf(json)).contains("#/TargetVersion");
    }

    @ParameterizedTest
    @ValueSource(strings = {"latest", "1", "2.1", "2026.11.25.1"})
    void targetVersionsFlywayUnderstandsPass(String version) {
        String json = model(LOGIN, DATABASE, "").replace("\"TargetVersion\": \"7\"",
                "\"TargetVersion\": " + JSONObject.quote(version));
        assertThatCode(() -> validateLikeTheWrapper(json)).doesNotThrowAnyException();
    }

    @Test
    void missingRequiredPropertiesFail() {
        String noTarget = model(LOGIN, DATABASE, "").replace(",\n \"TargetVersion\": \"7\"", "");
        assertThat(noTarget).doesNotContain("TargetVersion");
        assertThat(rejectionOf(noTarget)).contains("TargetVersion");
        assertThat(rejectionOf(model(LOGIN, "{\"Host\": \"db\"}", ""))).contains("Name");
    }

    @Test
    void otherBoundsHold() {
        assertThat(rejectionOf(model(LOGIN, DATABASE, ", \"OnDelete\": \"Destroy\""))).contains("#/OnDelete");
        assertThat(rejectionOf(model(LOGIN, DATABASE, ", \"Placeholders\": {\"1role\": \"x\"}"))).contains("#/Placeholders");
        assertThat(rejectionOf(model(LOGIN, DATABASE, ", \"Placeholders\": {\"AppRole\": \"" + "x".repeat(257) + "\"}")))
                .contains("#/Placeholders");
        assertThat(rejectionOf(model(LOGIN, DATABASE, ", \"Timeouts\": {\"StatementTimeoutSeconds\": 0}")))
                .contains("#/Timeouts/StatementTimeoutSeconds");
        assertThat(rejectionOf(model(LOGIN, DATABASE, ", \"Execution\": {\"RoleArn\": \"arn:aws:iam::123:role/x\"}")))
                .contains("#/Execution/RoleArn");
        assertThat(rejectionOf(model(LOGIN, DATABASE.replace("orders.cluster", "orders_cluster"), "")))
                .contains("#/Database/Host");
    }
}
