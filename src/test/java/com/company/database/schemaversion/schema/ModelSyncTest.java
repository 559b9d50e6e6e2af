package com.company.database.schemaversion.schema;

import com.company.database.schemaversion.ResourceModel;
import com.company.database.schemaversion.TypeConfigurationModel;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The model classes are what `cfn generate` would write from the schema. Nothing regenerates them in this build,
 * so this test is what keeps a schema change and the classes together.
 */
class ModelSyncTest {
    private static final String MODEL_PACKAGE = ResourceModel.class.getPackageName();

    /** The class cfn generate writes for each object: ResourceModel for the resource, the definition's name otherwise. */
    private static Class<?> modelClassFor(String definition) throws ClassNotFoundException {
        return definition.isEmpty() ? ResourceModel.class : Class.forName(MODEL_PACKAGE + "." + definition);
    }

    private static Map<String, Field> jsonFields(Class<?> type) {
        Map<String, Field> fields = new LinkedHashMap<>();
        for (Field field : type.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) || field.isAnnotationPresent(JsonIgnore.class)) continue;
            JsonProperty json = field.getAnnotation(JsonProperty.class);
            assertThat(json).as("%s.%s has no @JsonProperty", type.getSimpleName(), field.getName()).isNotNull();
            fields.put(json.value(), field);
        }
        return fields;
    }

    /** The Java type the java plugin's resolver gives a property schema. */
    static String expectedJavaType(JsonNode schema, JsonNode property) {
        if (property.has("$ref")) {
            return MODEL_PACKAGE + "." + property.get("$ref").asText().substring("#/definitions/".length());
        }
        String type = property.path("type").asText("object");
        switch (type) {
            case "string": return "java.lang.String";
            case "integer": return "java.lang.Integer";
            case "boolean": return "java.lang.Boolean";
            case "number": return "java.lang.Double";
            case "array": {
                // insertionOrder false + uniqueItems true is a set; anything else keeps order or duplicates.
                boolean set = !property.path("insertionOrder").asBoolean(true) && property.path("uniqueItems").asBoolean(false);
                return (set ? "java.util.Set<" : "java.util.List<") + expectedJavaType(schema, property.get("items")) + ">";
            }
            case "object": {
                JsonNode patterns = property.path("patternProperties");
                if (patterns.size() == 1 && !property.has("properties")) {
                    return "java.util.Map<java.lang.String, " + expectedJavaType(schema, patterns.elements().next()) + ">";
                }
                return "java.lang.Object";
            }
            default:
                throw new AssertionError("No Java type for schema type " + type);
        }
    }

    @Test
    void everySchemaObjectHasAModelClassWithTheSameProperties() throws Exception {
        JsonNode schema = ProjectFiles.schemaTree();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, JsonNode> object : ProjectFiles.objectsWithProperties(schema).entrySet()) {
            Class<?> type = modelClassFor(object.getKey());
            Map<String, Field> fields = jsonFields(type);
            JsonNode properties = object.getValue().path("properties");
            properties.fields().forEachRemaining(property -> {
                Field field = fields.get(property.getKey());
                if (field == null) {
                    problems.add(type.getSimpleName() + " lacks a field for schema property " + property.getKey());
                    return;
                }
                String expected = expectedJavaType(schema, property.getValue());
                String actual = field.getGenericType().getTypeName();
                if (!expected.equals(actual)) {
                    problems.add(type.getSimpleName() + "." + field.getName() + " is " + actual + ", schema says " + expected);
                }
            });
            fields.keySet().stream().filter(name -> !properties.has(name))
                    .forEach(name -> problems.add(type.getSimpleName() + " has " + name + ", which is not in the schema"));
        }
        JsonNode typeConfiguration = schema.path("typeConfiguration").path("properties");
        Map<String, Field> configurationFields = jsonFields(TypeConfigurationModel.class);
        typeConfiguration.fields().forEachRemaining(property -> {
            Field field = configurationFields.get(property.getKey());
            if (field == null) {
                problems.add("TypeConfigurationModel lacks a field for typeConfiguration property " + property.getKey());
            } else if (!expectedJavaType(schema, property.getValue()).equals(field.getGenericType().getTypeName())) {
                problems.add("TypeConfigurationModel." + field.getName() + " does not have the schema's type");
            }
        });
        configurationFields.keySet().stream().filter(name -> !typeConfiguration.has(name))
                .forEach(name -> problems.add("TypeConfigurationModel has " + name + ", which is not in typeConfiguration"));
        assertThat(problems).isEmpty();
    }

    @Test
    void everyDefinitionIsUsedAndEveryReferenceResolves() {
        JsonNode schema = ProjectFiles.schemaTree();
        List<String> referenced = new ArrayList<>();
        collectRefs(schema.path("properties"), referenced);
        collectRefs(schema.path("typeConfiguration"), referenced);
        collectRefs(schema.path("definitions"), referenced);
        schema.path("definitions").fieldNames().forEachRemaining(name ->
                assertThat(referenced).as("definition %s is never used", name).contains("#/definitions/" + name));
        referenced.forEach(ref -> ProjectFiles.dereference(schema,
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("$ref", ref)));
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            if (node.has("$ref")) refs.add(node.get("$ref").asText());
            node.forEach(child -> collectRefs(child, refs));
        } else if (node.isArray()) {
            node.forEach(child -> collectRefs(child, refs));
        }
    }

    @Test
    void typeMappingFollowsThePluginsRules() {
        // Guards expectedJavaType itself: a mapping that returned the field's own type would make the test above vacuous.
        JsonNode schema = ProjectFiles.schemaTree();
        JsonNode subnets = ProjectFiles.resolveProperty(schema, "/properties/Execution/SubnetIds");
        assertThat(expectedJavaType(schema, subnets)).isEqualTo("java.util.Set<java.lang.String>");
        assertThat(expectedJavaType(schema, schema.path("properties").path("Placeholders")))
                .isEqualTo("java.util.Map<java.lang.String, java.lang.String>");
        assertThat(expectedJavaType(schema, schema.path("properties").path("Timeouts")))
                .isEqualTo(MODEL_PACKAGE + ".Timeouts");
        assertThat(expectedJavaType(schema, schema.path("properties").path("AppliedCount"))).isEqualTo("java.lang.Integer");
        Type generic = jsonFields(ResourceModel.class).get("Placeholders").getGenericType();
        assertThat(generic).isInstanceOf(ParameterizedType.class);
    }
}
