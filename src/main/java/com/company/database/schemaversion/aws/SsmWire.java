package com.company.database.schemaversion.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;

/**
 * SSM's AWS JSON 1.1 wire shapes, for the in-process SSM endpoints (the local runner's and the tests'): what
 * a Parameter looks like, what an error looks like, and how an answer is sent.
 */
public final class SsmWire {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SsmWire() {
    }

    public static ObjectNode parameter(String name, String type, String value, long version, String arnPrefix) {
        ObjectNode n = JSON.createObjectNode();
        n.put("Name", name);
        n.put("Type", type);
        n.put("Value", value);
        n.put("Version", version);
        n.put("ARN", arnPrefix + (name.startsWith("/") ? "" : "/") + name);
        n.put("DataType", "text");
        return n;
    }

    public static ObjectNode error(String type, String message) {
        ObjectNode n = JSON.createObjectNode();
        n.put("__type", type);
        n.put("message", message);
        return n;
    }

    public static void respond(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
