package com.company.database.schemaversion.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Answers in the AWS JSON 1.1 protocol (SSM, KMS), for the in-process endpoints the local runner and the tests
 * point the real SDK clients at: how an error looks, and how an answer is sent.
 */
public final class AwsJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AwsJson() {
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
