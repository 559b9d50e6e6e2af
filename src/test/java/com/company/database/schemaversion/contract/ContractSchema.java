package com.company.database.schemaversion.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The parts of cfn test's ResourceClient that judge models, ported from cloudformation-cli
 * (contract/resource_client.py and suite/contract_asserts): property paths from the schema, {@code prune},
 * {@code prune_properties_if_not_exist_in_path} and the one-directional {@code compare}, where lists of a
 * property with {@code insertionOrder: false} are compared as sets.
 */
public final class ContractSchema {
    static final String MISMATCH = "All properties specified in the request MUST be present in the model returned,"
            + " and they MUST match exactly, with the exception of properties defined as writeOnlyProperties in the"
            + " resource schema";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode schema;
    private final List<List<String>> readOnly;
    private final List<List<String>> writeOnly;
    private final List<List<String>> createOnly;
    private final List<List<String>> primaryIdentifier;

    public ContractSchema(JsonNode schema) {
        this.schema = schema;
        this.readOnly = paths(schema, "readOnlyProperties");
        this.writeOnly = paths(schema, "writeOnlyProperties");
        this.createOnly = paths(schema, "createOnlyProperties");
        this.primaryIdentifier = paths(schema, "primaryIdentifier");
    }

    public static ContractSchema load(Path file) {
        try {
            return new ContractSchema(JSON.readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "/properties/Database/Host" -> [Database, Host]: cfn drops the leading "properties" (path[1:]). */
    private static List<List<String>> paths(JsonNode schema, String key) {
        List<List<String>> out = new ArrayList<>();
        for (JsonNode p : schema.path(key)) {
            List<String> parts = new ArrayList<>(Arrays.asList(p.asText().substring(1).split("/")));
            if (!parts.isEmpty() && "properties".equals(parts.get(0))) {
                parts.remove(0);
            }
            // Nested pointers name "properties" between object levels; the model has no such key.
            List<String> modelPath = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++) {
                if (i % 2 == 1 && "properties".equals(parts.get(i)) && i + 1 < parts.size()) {
                    continue;
                }
                modelPath.add(parts.get(i));
            }
            out.add(List.copyOf(modelPath));
        }
        return List.copyOf(out);
    }

    public List<List<String>> primaryIdentifierPaths() {
        return primaryIdentifier;
    }

    public List<List<String>> writeOnlyPaths() {
        return writeOnly;
    }

    public List<List<String>> createOnlyPaths() {
        return createOnly;
    }

    public boolean hasCreateOnlyProperties() {
        return !createOnly.isEmpty();
    }

    /** has_only_writable_identifiers: every primary identifier is createOnly (create_create, delete_create). */
    public boolean hasOnlyWritableIdentifiers() {
        return createOnly.containsAll(primaryIdentifier);
    }

    public List<String> readOnlyTopLevel() {
        return readOnly.stream().filter(p -> p.size() == 1).map(p -> p.get(0)).toList();
    }

    /** test_input_equals_output: prune, then compare one way. Throws AssertionError on a mismatch. */
    public void assertInputEqualsOutput(JsonNode input, JsonNode output) {
        if (output == null || !output.isObject()) {
            throw new AssertionError(MISMATCH + ": no resourceModel returned for input " + input);
        }
        Set<List<String>> inputPrune = new LinkedHashSet<>(readOnly);
        inputPrune.addAll(writeOnly);
        ObjectNode prunedInput = prune(input.deepCopy(), inputPrune);
        ObjectNode prunedOutput = prune(output.deepCopy(), readOnly);
        prunedOutput = pruneIfNotExistInPath(prunedOutput, prunedInput, createOnly);
        compare(prunedInput, prunedOutput);
    }

    /** prune_properties_from_model: deletes each path that exists. */
    public static ObjectNode prune(ObjectNode model, Iterable<List<String>> paths) {
        for (List<String> path : paths) {
            JsonNode parent = model;
            for (int i = 0; i < path.size() - 1 && parent != null; i++) {
                parent = parent.get(path.get(i));
            }
            if (parent instanceof ObjectNode o) {
                o.remove(path.get(path.size() - 1));
            }
        }
        return model;
    }

    /** prune_properties_if_not_exist_in_path: drops from the output each path the input does not have. */
    public static ObjectNode pruneIfNotExistInPath(ObjectNode output, JsonNode input, Iterable<List<String>> paths) {
        for (List<String> path : paths) {
            JsonNode in = input;
            for (String key : path) {
                in = in == null ? null : in.get(key);
            }
            if (in == null) {
                prune(output, List.of(path));
            }
        }
        return output;
    }

    /** compare(inputs, outputs): every input key is in the output with an equal value; extra output keys allowed. */
    public void compare(JsonNode inputs, JsonNode outputs) {
        compareModel(inputs, outputs, List.of());
    }

    private void compareModel(JsonNode inputs, JsonNode outputs, List<String> path) {
        if (inputs.isObject()) {
            var fields = inputs.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> e = fields.next();
                List<String> newPath = new ArrayList<>(path);
                newPath.add(e.getKey());
                if (outputs == null || !outputs.isObject() || !outputs.has(e.getKey())) {
                    throw new AssertionError(MISMATCH + ": key " + String.join("/", newPath) + " missing in output "
                            + outputs);
                }
                JsonNode in = e.getValue();
                JsonNode out = outputs.get(e.getKey());
                if (in.isObject()) {
                    compareModel(in, out, newPath);
                } else if (in.isArray()) {
                    if (!out.isArray() || in.size() != out.size()) {
                        throw new AssertionError(MISMATCH + ": " + String.join("/", newPath) + " is " + in
                                + " in the input but " + out + " in the output");
                    }
                    compareCollection((ArrayNode) in, (ArrayNode) out, insertionOrder(newPath), newPath);
                } else {
                    assertScalarEquals(in, out, newPath);
                }
            }
        } else {
            assertScalarEquals(inputs, outputs, path);
        }
    }

    private void compareCollection(ArrayNode in, ArrayNode out, boolean ordered, List<String> path) {
        if (ordered) {
            for (int i = 0; i < in.size(); i++) {
                compareModel(in.get(i), out.get(i), path);
            }
        } else {
            Map<JsonNode, Integer> inCounts = counts(in);
            Map<JsonNode, Integer> outCounts = counts(out);
            if (!inCounts.equals(outCounts)) {
                throw new AssertionError(MISMATCH + ": " + String.join("/", path) + " (insertionOrder false) is "
                        + in + " in the input but " + out + " in the output");
            }
        }
    }

    private static Map<JsonNode, Integer> counts(ArrayNode a) {
        Map<JsonNode, Integer> m = new HashMap<>();
        a.forEach(n -> m.merge(n, 1, Integer::sum));
        return m;
    }

    /** Python's ==: types must match, except that int and float compare by value. */
    private static void assertScalarEquals(JsonNode in, JsonNode out, List<String> path) {
        boolean equal;
        if (in.isNumber() && out != null && out.isNumber()) {
            equal = in.decimalValue().compareTo(out.decimalValue()) == 0;
        } else {
            equal = Objects.equals(in, out);
        }
        if (!equal) {
            throw new AssertionError(MISMATCH + ": " + String.join("/", path) + " is " + in + " in the input but "
                    + out + " in the output");
        }
    }

    /** traverse_raw_schema(...).get("insertionOrder", True), following $ref and array items. */
    boolean insertionOrder(List<String> modelPath) {
        JsonNode node = schema;
        for (String key : modelPath) {
            node = resolve(node);
            if (node.has("items")) {
                node = resolve(node.get("items"));
            }
            node = node.path("properties").path(key);
            if (node.isMissingNode()) {
                return true;
            }
        }
        node = resolve(node);
        return node.path("insertionOrder").asBoolean(true);
    }

    private JsonNode resolve(JsonNode node) {
        while (node.has("$ref")) {
            String ref = node.get("$ref").asText();
            node = schema.at(ref.substring(1));
        }
        return node;
    }
}
