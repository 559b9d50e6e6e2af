package com.company.database.schemaversion.schema;

import com.company.database.schemaversion.ResourceModel;
import com.company.database.schemaversion.TypeConfigurationModel;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every number the schema accepts fits the Java field the generated model reads it into: CloudFormation validates
 * a template against the schema, so a value the schema allows but the model cannot hold would reach the handler
 * wrapper, whose parser fails on it. Walks every property of the resource, its definitions and the type
 * configuration, and finds each integer's field in the generated classes by its JSON name.
 */
class NumberBoundsTest {

    @Test
    void everyIntegerIsBoundedToWhatItsJavaFieldHolds() {
        JsonNode schema = ProjectFiles.schemaTree();
        List<String> problems = new ArrayList<>();
        int[] integers = {0};
        walk(schema.path("properties"), ResourceModel.class, "", schema, problems, integers);
        walk(schema.path("typeConfiguration").path("properties"), TypeConfigurationModel.class, "TypeConfiguration.",
                schema, problems, integers);
        assertThat(problems).isEmpty();
        assertThat(integers[0]).as("integers found (Port, the three timeouts, InstalledRank, the two counts)")
                .isGreaterThanOrEqualTo(7);
    }

    private void walk(JsonNode properties, Class<?> model, String prefix, JsonNode schema, List<String> problems,
                      int[] integers) {
        for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = prefix + e.getKey();
            JsonNode property = resolve(e.getValue(), schema);
            Field field = field(model, e.getKey());
            if (field == null) {
                problems.add(name + ": no field in " + model.getSimpleName());
                continue;
            }
            Class<?> javaType = field.getType();
            JsonNode items = resolve(property.path("items"), schema);
            if ("array".equals(property.path("type").asText()) && field.getGenericType() instanceof ParameterizedType p) {
                javaType = (Class<?>) p.getActualTypeArguments()[0];
                property = items;
            }
            String type = property.path("type").asText();
            if ("integer".equals(type) || "number".equals(type)) {
                integers[0]++;
                long[] range = range(javaType);
                if (range == null) {
                    problems.add(name + ": " + type + " read into " + javaType.getSimpleName());
                } else if (!property.has("minimum") || !property.has("maximum")) {
                    problems.add(name + ": no minimum or no maximum (the field is a " + javaType.getSimpleName() + ")");
                } else if (property.get("minimum").asLong() < range[0] || property.get("maximum").asLong() > range[1]
                        || !property.get("maximum").canConvertToLong()) {
                    problems.add(name + ": bounds " + property.get("minimum") + ".." + property.get("maximum")
                            + " exceed a " + javaType.getSimpleName());
                }
            } else if ("object".equals(type) && property.has("properties")) {
                walk(property.get("properties"), javaType, name + ".", schema, problems, integers);
            }
        }
    }

    private static long[] range(Class<?> type) {
        if (type == Integer.class || type == int.class) {
            return new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE};
        }
        if (type == Long.class || type == long.class) {
            return new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
        }
        return null;
    }

    private static JsonNode resolve(JsonNode node, JsonNode schema) {
        if (node.has("$ref")) {
            String[] parts = node.get("$ref").asText().substring(2).split("/");
            JsonNode target = schema;
            for (String part : parts) {
                target = target.path(part);
            }
            return target;
        }
        return node;
    }

    private static Field field(Class<?> type, String jsonName) {
        for (Field f : type.getDeclaredFields()) {
            JsonProperty p = f.getAnnotation(JsonProperty.class);
            if (p != null && p.value().equals(jsonName)) {
                return f;
            }
        }
        return null;
    }
}
