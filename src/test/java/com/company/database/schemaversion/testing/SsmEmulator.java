package com.company.database.schemaversion.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.company.database.schemaversion.aws.SsmWire;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * A local stand-in for exactly the SSM calls the type makes (GetParameter, PutParameter, DeleteParameter,
 * GetParametersByPath), speaking the AWS JSON 1.1 protocol on 127.0.0.1 so the real SDK client talks to it.
 * It records every request body (to check that no secret travels where it should not) and can be told to
 * fail a target with an AWS error.
 */
public final class SsmEmulator implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Map<String, Parameter> parameters = new TreeMap<>();
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> failures = new ConcurrentHashMap<>();

    public record Parameter(String name, String type, String value, long version) {
    }

    public SsmEmulator() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "ssm-emulator");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public synchronized void put(String name, String type, String value) {
        Parameter old = parameters.get(name);
        parameters.put(name, new Parameter(name, type, value, old == null ? 1 : old.version() + 1));
    }

    public synchronized Parameter get(String name) {
        return parameters.get(name);
    }

    public synchronized List<String> names() {
        return new ArrayList<>(parameters.keySet());
    }

    public synchronized void remove(String name) {
        parameters.remove(name);
    }

    public synchronized void reset() {
        parameters.clear();
        requests.clear();
        failures.clear();
    }

    /** The next calls of {@code target} (e.g. "GetParameter") answer with this AWS error code until cleared. */
    public void failWith(String target, String errorCode) {
        failures.put(target, errorCode);
    }

    public void clearFailures() {
        failures.clear();
    }

    public List<String> requests() {
        synchronized (requests) {
            return new ArrayList<>(requests);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(target + " " + body);
            String op = target == null ? "" : target.substring(target.indexOf('.') + 1);
            String failure = failures.get(op);
            if (failure != null) {
                respond(exchange, 400, error(failure, "Injected failure for " + op));
                return;
            }
            JsonNode in = JSON.readTree(body.isEmpty() ? "{}" : body);
            synchronized (this) {
                switch (op) {
                    case "GetParameter" -> getParameter(exchange, in);
                    case "PutParameter" -> putParameter(exchange, in);
                    case "DeleteParameter" -> deleteParameter(exchange, in);
                    case "GetParametersByPath" -> getParametersByPath(exchange, in);
                    default -> respond(exchange, 400, error("InvalidAction", "Not emulated: " + target));
                }
            }
        }
    }

    private void getParameter(HttpExchange ex, JsonNode in) throws IOException {
        Parameter p = parameters.get(in.path("Name").asText());
        if (p == null) {
            respond(ex, 400, error("ParameterNotFound", ""));
            return;
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("Parameter", toJson(p));
        respond(ex, 200, out);
    }

    private void putParameter(HttpExchange ex, JsonNode in) throws IOException {
        String name = in.path("Name").asText();
        Parameter old = parameters.get(name);
        if (old != null && !in.path("Overwrite").asBoolean(false)) {
            respond(ex, 400, error("ParameterAlreadyExists", "The parameter already exists."));
            return;
        }
        if (in.path("Value").asText().length() > 8192) {
            respond(ex, 400, error("ValidationException", "Value too long"));
            return;
        }
        put(name, in.path("Type").asText(old == null ? "String" : old.type()), in.path("Value").asText());
        ObjectNode out = JSON.createObjectNode();
        out.put("Version", parameters.get(name).version());
        out.put("Tier", "Standard");
        respond(ex, 200, out);
    }

    private void deleteParameter(HttpExchange ex, JsonNode in) throws IOException {
        if (parameters.remove(in.path("Name").asText()) == null) {
            respond(ex, 400, error("ParameterNotFound", ""));
            return;
        }
        respond(ex, 200, JSON.createObjectNode());
    }

    private void getParametersByPath(HttpExchange ex, JsonNode in) throws IOException {
        String path = in.path("Path").asText();
        String prefix = path.endsWith("/") ? path : path + "/";
        boolean recursive = in.path("Recursive").asBoolean(false);
        int max = in.path("MaxResults").asInt(10);
        int start = in.hasNonNull("NextToken") ? Integer.parseInt(in.get("NextToken").asText()) : 0;
        List<Parameter> matching = new ArrayList<>();
        for (Parameter p : parameters.values()) {
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
        respond(ex, 200, out);
    }

    private static ObjectNode toJson(Parameter p) {
        return SsmWire.parameter(p.name(), p.type(), p.value(), p.version(), "arn:aws:ssm:us-east-1:123456789012:parameter");
    }

    private static ObjectNode error(String type, String message) {
        return SsmWire.error(type, message);
    }

    private static void respond(HttpExchange ex, int status, JsonNode body) throws IOException {
        SsmWire.respond(ex, status, body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
