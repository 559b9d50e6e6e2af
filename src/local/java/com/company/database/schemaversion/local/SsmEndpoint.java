package com.company.database.schemaversion.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Exactly the SSM calls the type makes (GetParameter, PutParameter, DeleteParameter, GetParametersByPath) over the
 * AWS JSON 1.1 protocol on 127.0.0.1, so the real SDK client talks to it as to SSM. Where the parameters live is
 * the subclass's: the local runner keeps them in a file beside read-only credentials ({@link LocalSsm}), the tests
 * in memory with failures they inject.
 */
public abstract class SsmEndpoint implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final String arnPrefix;

    public record Parameter(String name, String type, String value, long version) {
    }

    /** @param arnPrefix what a parameter's ARN starts with, before its name */
    protected SsmEndpoint(String threadName, int threads, String arnPrefix) throws IOException {
        this.arnPrefix = arnPrefix;
        server = LocalServer.start(0, this::handle, threads, threadName);
    }

    public String endpoint() {
        return LocalServer.endpoint(server);
    }

    /** The parameter of that name, or null. */
    protected abstract Parameter find(String name);

    /** Every parameter, ordered by name. */
    protected abstract Collection<Parameter> all();

    /** Stores a new or overwritten parameter, its version already counted. */
    protected abstract void store(Parameter p) throws IOException;

    /** Removes it; false when there was none. */
    protected abstract boolean delete(String name) throws IOException;

    /** An error to answer a PutParameter the store refuses (after the overwrite check), or null to accept it. */
    protected ObjectNode refusePut(String name, String value) {
        return null;
    }

    /** Sees each request as it arrives, and may answer it with an error instead (null: serve it). */
    protected ObjectNode intercept(String operation, String target, String body) {
        return null;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String op = target == null ? "" : target.substring(target.indexOf('.') + 1);
            ObjectNode failure = intercept(op, target, body);
            if (failure != null) {
                AwsJson.respond(exchange, 400, failure);
                return;
            }
            JsonNode in = JSON.readTree(body.isEmpty() ? "{}" : body);
            synchronized (this) {
                switch (op) {
                    case "GetParameter" -> getParameter(exchange, in);
                    case "PutParameter" -> putParameter(exchange, in);
                    case "DeleteParameter" -> deleteParameter(exchange, in);
                    case "GetParametersByPath" -> getParametersByPath(exchange, in);
                    default -> AwsJson.respond(exchange, 400, AwsJson.error("InvalidAction", "Not served here: " + target));
                }
            }
        }
    }

    private void getParameter(HttpExchange ex, JsonNode in) throws IOException {
        Parameter p = find(in.path("Name").asText());
        if (p == null) {
            AwsJson.respond(ex, 400, AwsJson.error("ParameterNotFound", ""));
            return;
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("Parameter", toJson(p));
        AwsJson.respond(ex, 200, out);
    }

    private void putParameter(HttpExchange ex, JsonNode in) throws IOException {
        String name = in.path("Name").asText();
        String value = in.path("Value").asText();
        Parameter old = find(name);
        if (old != null && !in.path("Overwrite").asBoolean(false)) {
            AwsJson.respond(ex, 400, AwsJson.error("ParameterAlreadyExists", "The parameter already exists."));
            return;
        }
        ObjectNode refused = refusePut(name, value);
        if (refused != null) {
            AwsJson.respond(ex, 400, refused);
            return;
        }
        Parameter p = new Parameter(name, in.path("Type").asText(old == null ? "String" : old.type()), value,
                old == null ? 1 : old.version() + 1);
        store(p);
        ObjectNode out = JSON.createObjectNode();
        out.put("Version", p.version());
        out.put("Tier", "Standard");
        AwsJson.respond(ex, 200, out);
    }

    private void deleteParameter(HttpExchange ex, JsonNode in) throws IOException {
        if (!delete(in.path("Name").asText())) {
            AwsJson.respond(ex, 400, AwsJson.error("ParameterNotFound", ""));
            return;
        }
        AwsJson.respond(ex, 200, JSON.createObjectNode());
    }

    private void getParametersByPath(HttpExchange ex, JsonNode in) throws IOException {
        String path = in.path("Path").asText();
        String prefix = path.endsWith("/") ? path : path + "/";
        boolean recursive = in.path("Recursive").asBoolean(false);
        int max = in.path("MaxResults").asInt(10);
        int start = in.hasNonNull("NextToken") ? Integer.parseInt(in.get("NextToken").asText()) : 0;
        List<Parameter> matching = new ArrayList<>();
        for (Parameter p : all()) {
            if (p.name().startsWith(prefix) && (recursive || p.name().indexOf('/', prefix.length()) < 0)) {
                matching.add(p);
            }
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode list = out.putArray("Parameters");
        int end = Math.min(matching.size(), start + max);
        for (int i = start; i < end; i++) {
            list.add(toJson(matching.get(i)));
        }
        if (end < matching.size()) {
            out.put("NextToken", Integer.toString(end));
        }
        AwsJson.respond(ex, 200, out);
    }

    private ObjectNode toJson(Parameter p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("Name", p.name());
        n.put("Type", p.type());
        n.put("Value", p.value());
        n.put("Version", p.version());
        n.put("ARN", arnPrefix + (p.name().startsWith("/") ? "" : "/") + p.name());
        n.put("DataType", "text");
        return n;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
