package com.company.database.schemaversion.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.json.JSONObject;
import org.json.JSONTokener;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files the cfn CLI reads from the project root, and the schema as the wrapper reads it. Tests in this
 * package keep them in step with each other and with the model classes.
 */
final class ProjectFiles {
    static final String SCHEMA_FILE = "company-database-schemaversion.json";

    private ProjectFiles() {
    }

    /** Surefire runs with the module's base directory as working directory and also passes it as basedir. */
    static Path root() {
        String basedir = System.getProperty("basedir");
        Path root = basedir != null ? Path.of(basedir) : Path.of("").toAbsolutePath();
        if (!Files.isRegularFile(root.resolve(SCHEMA_FILE))) {
            throw new IllegalStateException("Run from the project root: " + SCHEMA_FILE + " not found in " + root);
        }
        return root;
    }

    static String read(String relativePath) {
        try {
            return Files.readString(root().resolve(relativePath), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh copy each call, because the registry validator writes $schema into the object it checks. */
    static JSONObject schema() {
        return new JSONObject(read(SCHEMA_FILE));
    }

    /** The schema the way HandlerWrapper loads it: from the classpath. */
    static JSONObject classpathSchema() {
        try (InputStream in = ProjectFiles.class.getClassLoader().getResourceAsStream(SCHEMA_FILE)) {
            if (in == null) throw new IllegalStateException(SCHEMA_FILE + " is not on the classpath");
            return new JSONObject(new JSONTokener(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The schema as a tree that keeps the file's key order (the generated docs follow that order). */
    static JsonNode schemaTree() {
        try {
            return new ObjectMapper().readTree(read(SCHEMA_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every object in the schema that has properties of its own: "" for the resource, then each definition by
     * name, in the schema's order.
     */
    static Map<String, JsonNode> objectsWithProperties(JsonNode schema) {
        Map<String, JsonNode> objects = new LinkedHashMap<>();
        objects.put("", schema);
        schema.path("definitions").fields().forEachRemaining(definition -> {
            if (definition.getValue().has("properties")) objects.put(definition.getKey(), definition.getValue());
        });
        return objects;
    }

    static List<String> propertyNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.path("properties").fieldNames().forEachRemaining(names::add);
        return names;
    }

    static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    /**
     * Resolves a pointer such as /properties/Database/Host the way CloudFormation does: nested property names
     * after /properties, following $ref into definitions. Returns null when any step is missing.
     */
    static JsonNode resolveProperty(JsonNode schema, String pointer) {
        if (!pointer.startsWith("/properties/")) return null;
        JsonNode current = schema;
        for (String step : pointer.substring("/properties/".length()).split("/")) {
            JsonNode properties = dereference(schema, current).path("properties");
            if (!properties.has(step)) return null;
            current = properties.get(step);
        }
        return dereference(schema, current);
    }

    static JsonNode dereference(JsonNode schema, JsonNode node) {
        if (!node.has("$ref")) return node;
        String ref = node.get("$ref").asText();
        if (!ref.startsWith("#/definitions/")) throw new IllegalArgumentException("Unexpected $ref " + ref);
        JsonNode definition = schema.path("definitions").path(ref.substring("#/definitions/".length()));
        if (definition.isMissingNode()) throw new IllegalArgumentException("Dangling $ref " + ref);
        return definition;
    }
}
