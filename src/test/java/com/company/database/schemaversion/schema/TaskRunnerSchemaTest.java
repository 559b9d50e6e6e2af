package com.company.database.schemaversion.schema;

import com.company.database.schemaversion.ResourceModel;
import com.company.database.schemaversion.TypeConfigurationModel;
import com.fasterxml.jackson.core.type.TypeReference;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Execution.Mode TaskRunner and the TaskRunner type configuration as the schema draws them: the third cfn test
 * input set, and an image that can only be named by digest, so that what a task runs cannot change under a name.
 */
class TaskRunnerSchemaTest {
    private static final Serializer SERIALIZER = new Serializer();
    private static final String DIGEST = "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /** As the wrapper checks a model: strict deserialisation, serialisation back, then the resource schema. */
    private static void validateModel(String json) throws IOException {
        ResourceModel model = SERIALIZER.deserializeStrict(json, new TypeReference<ResourceModel>() {});
        new Validator().validateObject(new JSONObject(SERIALIZER.serialize(model)), ProjectFiles.classpathSchema());
    }

    /**
     * A type configuration against the configuration schema cfn submit packages (the schema's definitions and its
     * typeConfiguration properties, closed), after the same strict deserialisation into TypeConfigurationModel.
     */
    private static void validateTypeConfiguration(String json) throws IOException {
        TypeConfigurationModel model = SERIALIZER.deserializeStrict(json, new TypeReference<TypeConfigurationModel>() {});
        JSONObject schema = ProjectFiles.schema();
        JSONObject configuration = new JSONObject()
                .put("definitions", schema.getJSONObject("definitions"))
                .put("type", "object")
                .put("properties", schema.getJSONObject("typeConfiguration").getJSONObject("properties"))
                .put("additionalProperties", false);
        new Validator().validateObject(new JSONObject(SERIALIZER.serialize(model)), configuration);
    }

    private static String rejection(ThrowingCall call) {
        ValidationException e = catchThrowableOfType(ValidationException.class, call::run);
        assertThat(e).as("expected the schema to reject it").isNotNull();
        return ValidationException.buildFullExceptionMessage(e);
    }

    private interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void theThirdInputSetIsATaskRunnerSetWhoseInvalidInputFailsOnTheSchema() throws IOException {
        for (String kind : new String[] {"create", "update"}) {
            String input = ProjectFiles.read("inputs/inputs_3_" + kind + ".json");
            assertThat(input).contains("\"Mode\": \"TaskRunner\"").contains("\"Name\": \"orders_task\"");
            validateModel(input);
        }
        assertThat(rejection(() -> validateModel(ProjectFiles.read("inputs/inputs_3_invalid.json"))))
                .contains("#/Timeouts/StatementTimeoutSeconds");
    }

    @Test
    void modeAndPublicIp() {
        String model = ProjectFiles.read("inputs/inputs_3_create.json");
        assertThat(rejection(() -> validateModel(model.replace("\"TaskRunner\"", "\"Fargate\"")))).contains("#/Execution/Mode");
        assertThatCode(() -> validateModel(model.replace("\"AssignPublicIp\": false", "\"AssignPublicIp\": true")))
                .doesNotThrowAnyException();
    }

    @Test
    void theAccountsTestConfigurationIsValidWithoutAnImage() throws IOException {
        // cfn test's configuration names no image: serve writes one with the local image's digest (guides/local-runner.md).
        validateTypeConfiguration(ProjectFiles.read("inputs/typeconfig.json"));
        assertThat(ProjectFiles.read("inputs/typeconfig.json")).contains("\"TaskRunner\"").doesNotContain("sha256");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/schemaversion-runner" + DIGEST,
            "localhost:5000/schemaversion-runner" + DIGEST,
            "registry.example.com/team/schemaversion-runner:1.0" + DIGEST})
    void anImageNamedByDigestIsAccepted(String image) {
        assertThatCode(() -> validateTypeConfiguration("{\"TaskRunner\": {\"Image\": \"" + image + "\"}}"))
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/schemaversion-runner:latest",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/schemaversion-runner",
            "schemaversion-runner@sha256:0123",
            "schemaversion-runner@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
            "schemaversion-runner@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
            "schemaversion-runner@sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            " schemaversion-runner@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"})
    void anImageNotNamedByItsDigestIsRefused(String image) {
        assertThat(rejection(() -> validateTypeConfiguration("{\"TaskRunner\": {\"Image\": \"" + image + "\"}}")))
                .contains("#/TaskRunner/Image");
    }

    @Test
    void theOtherSettingsAreBounded() {
        assertThat(rejection(() -> validateTypeConfiguration("{\"TaskRunner\": {\"Cpu\": 300}}"))).contains("#/TaskRunner/Cpu");
        assertThat(rejection(() -> validateTypeConfiguration("{\"TaskRunner\": {\"MemoryMiB\": 256}}")))
                .contains("#/TaskRunner/MemoryMiB");
        assertThat(rejection(() -> validateTypeConfiguration("{\"TaskRunner\": {\"ExecutionRoleArn\": \"admin\"}}")))
                .contains("#/TaskRunner/ExecutionRoleArn");
        assertThat(rejection(() -> validateTypeConfiguration("{\"TaskRunner\": {\"Cluster\": \"a b\"}}")))
                .contains("#/TaskRunner/Cluster");
        assertThatThrownBy(() -> validateTypeConfiguration("{\"TaskRunner\": {\"Command\": [\"sh\"]}}"))
                .as("nothing else, such as a command, can be set").hasMessageContaining("Command");
        assertThatCode(() -> validateTypeConfiguration("""
                {"TaskRunner": {"Cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/migrations",
                 "ExecutionRoleArn": "arn:aws:iam::123456789012:role/schemaversion-task-execution",
                 "LogGroup": "/ecs/schemaversion", "Cpu": 4096, "MemoryMiB": 30720}}
                """)).doesNotThrowAnyException();
    }
}
