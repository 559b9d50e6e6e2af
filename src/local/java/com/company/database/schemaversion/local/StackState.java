package com.company.database.schemaversion.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What CloudFormation remembers about each resource of a stack, kept in .schemaversion/stack.json: the
 * physical id (the type's Id) and the properties of the last successful Create or Update. Update sends them
 * as previousResourceProperties; Read and Delete send the Id.
 */
final class StackState {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Path file;
    private final ObjectNode resources;

    private StackState(Path file, ObjectNode resources) {
        this.file = file;
        this.resources = resources;
    }

    static Path file(Path home) {
        return home.resolve("stack.json");
    }

    static StackState load(Path home) {
        Path f = file(home);
        try {
            ObjectNode all = Files.exists(f) ? (ObjectNode) JSON.readTree(f.toFile()) : JSON.createObjectNode();
            return new StackState(f, all);
        } catch (IOException | ClassCastException e) {
            throw new IllegalStateException("cannot read " + f + ": delete it, or run with --reset", e);
        }
    }

    String id(String logicalId) {
        return resources.path(logicalId).path("Id").asText(null);
    }

    JsonNode properties(String logicalId) {
        JsonNode p = resources.path(logicalId).get("Properties");
        return p == null || p.isNull() ? null : p;
    }

    void remember(String logicalId, String id, JsonNode properties) {
        ObjectNode entry = resources.putObject(logicalId);
        entry.put("Id", id);
        entry.set("Properties", properties);
        save();
    }

    void forget(String logicalId) {
        resources.remove(logicalId);
        save();
    }

    private void save() {
        try {
            Files.createDirectories(file.getParent());
            JSON.writeValue(file.toFile(), resources);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
