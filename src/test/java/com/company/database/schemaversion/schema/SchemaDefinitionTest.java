package com.company.database.schemaversion.schema;

import com.fasterxml.jackson.databind.JsonNode;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import software.amazon.cloudformation.resource.Validator;
import software.amazon.cloudformation.resource.exceptions.ValidationException;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static com.company.database.schemaversion.schema.ProjectFiles.SCHEMA_FILE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The schema is what the registry accepts at RegisterType, and what the cfn CLI and the wrapper read. */
class SchemaDefinitionTest {

    /**
     * The registry runs the same check on RegisterType. validateResourceDefinition is package-private in
     * resource-schema 2.0.10, so it is called reflectively rather than re-implemented.
     */
    private static void validateResourceDefinition(JSONObject definition) throws Throwable {
        Method validate = Validator.class.getDeclaredMethod("validateResourceDefinition", JSONObject.class);
        validate.setAccessible(true);
        try {
            validate.invoke(new Validator(), definition);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static String describe(ValidationException e) {
        return ValidationException.buildFullExceptionMessage(e);
    }

    @Test
    void schemaPassesTheRegistryMetaSchema() throws Throwable {
        try {
            validateResourceDefinition(ProjectFiles.schema());
        } catch (ValidationException e) {
            throw new AssertionError("Registry meta-schema rejects " + SCHEMA_FILE + ": " + describe(e), e);
        }
    }

    @Test
    void metaSchemaCheckRejectsASchemaTheRegistryWouldRefuse() {
        // Guards the test above against a validator that accepts anything.
        JSONObject open = ProjectFiles.schema().put("additionalProperties", true);
        assertThatThrownBy(() -> validateResourceDefinition(open)).isInstanceOf(ValidationException.class);

        JSONObject badTimeout = ProjectFiles.schema();
        badTimeout.getJSONObject("handlers").getJSONObject("create").put("timeoutInMinutes", 5000);
        assertThatThrownBy(() -> validateResourceDefinition(badTimeout)).isInstanceOf(ValidationException.class);
    }

    @Test
    void schemaJsonIsASymlinkToTheSchemaFile() throws Exception {
        Path root = ProjectFiles.root();
        Path link = root.resolve("schema.json");
        assertThat(Files.isSymbolicLink(link)).as("schema.json must be a symlink").isTrue();
        assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of(SCHEMA_FILE));
        assertThat(Files.isSameFile(link, root.resolve(SCHEMA_FILE))).isTrue();
    }

    @Test
    void wrapperReadsTheSameSchemaFromTheClasspath() {
        assertThat(ProjectFiles.classpathSchema().similar(ProjectFiles.schema()))
                .as("the schema on the classpath (target/classes) differs from " + SCHEMA_FILE + "; rebuild")
                .isTrue();
    }

    @Test
    void readOnlyCreateOnlyAndIdentifierPointersNameRealProperties() {
        JsonNode schema = ProjectFiles.schemaTree();
        List<String> dangling = new ArrayList<>();
        for (String list : List.of("readOnlyProperties", "createOnlyProperties", "primaryIdentifier",
                "writeOnlyProperties", "deprecatedProperties", "conditionalCreateOnlyProperties")) {
            for (String pointer : ProjectFiles.strings(schema.path(list))) {
                if (ProjectFiles.resolveProperty(schema, pointer) == null) dangling.add(list + ": " + pointer);
            }
        }
        assertThat(dangling).as("pointers to properties that do not exist").isEmpty();
        assertThat(ProjectFiles.strings(schema.path("primaryIdentifier"))).containsExactly("/properties/Id");
    }

    @Test
    void readOnlyPropertiesAreNeitherRequiredNorCreateOnly() {
        JsonNode schema = ProjectFiles.schemaTree();
        List<String> readOnly = ProjectFiles.strings(schema.path("readOnlyProperties"));
        List<String> required = ProjectFiles.strings(schema.path("required")).stream()
                .map(name -> "/properties/" + name).toList();
        assertThat(readOnly).doesNotContainAnyElementsOf(required)
                .doesNotContainAnyElementsOf(ProjectFiles.strings(schema.path("createOnlyProperties")));
        assertThat(readOnly).contains("/properties/Id");
    }

    @Test
    void everyPropertyIsDescribed() {
        List<String> undescribed = new ArrayList<>();
        ProjectFiles.objectsWithProperties(ProjectFiles.schemaTree()).forEach((object, node) ->
                node.path("properties").fields().forEachRemaining(property -> {
                    if (!property.getValue().has("description") && !property.getValue().has("$ref")) {
                        undescribed.add(object.isEmpty() ? property.getKey() : object + "." + property.getKey());
                    }
                }));
        assertThat(undescribed).as("properties without a description (the docs and the console show it)").isEmpty();
    }
}
