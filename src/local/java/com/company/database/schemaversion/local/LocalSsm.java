package com.company.database.schemaversion.local;

import com.company.database.schemaversion.aws.SsmWire;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;

/**
 * The SSM endpoint of the local runner: exactly the calls the type makes (GetParameter, PutParameter,
 * DeleteParameter, GetParametersByPath) over the AWS JSON 1.1 protocol, so the real SDK client and the real
 * handler code run unchanged. Two layers:
 * <ul>
 *   <li>credential parameters, read-only, from the local parameters file (name to value);</li>
 *   <li>what the handlers write (the resource records), kept in a state file so that a later run of the
 *       runner finds the resources an earlier one created.</li>
 * </ul>
 * One server per JVM: the SDK keeps its SSM client (and so the endpoint) for the life of the JVM.
 */
public final class LocalSsm implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static LocalSsm shared;

    private final HttpServer server;
    private final Map<String, Parameter> credentials = new TreeMap<>();
    private final Map<String, Parameter> written = new TreeMap<>();
    private Path stateFile;

    record Parameter(String name, String type, String value, long version) {
    }

    private LocalSsm() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "local-ssm");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** The JVM's local SSM endpoint, started on first use. */
    public static synchronized LocalSsm shared() {
        if (shared == null) {
            try {
                shared = new LocalSsm();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the local SSM endpoint", e);
            }
        }
        return shared;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Serves these credential parameters, and keeps handler-written parameters in {@code stateFile}. */
    public synchronized void use(Map<String, String> credentialValues, Path stateFile) {
        credentials.clear();
        credentialValues.forEach((name, value) -> credentials.put(name, new Parameter(name,
                name.toLowerCase().contains("password") || name.toLowerCase().contains("secret") ? "SecureString" : "String",
                value, 1)));
        this.stateFile = stateFile;
        written.clear();
        if (stateFile != null && Files.exists(stateFile)) {
            try {
                JsonNode all = JSON.readTree(stateFile.toFile());
                for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    written.put(e.getKey(), new Parameter(e.getKey(), e.getValue().path("Type").asText("String"),
                            e.getValue().path("Value").asText(), e.getValue().path("Version").asLong(1)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + stateFile + " (delete it, or run with --reset)", e);
            }
        }
    }

    /** Names of the handler-written parameters (the resource records). */
    public synchronized List<String> writtenNames() {
        return new ArrayList<>(written.keySet());
    }

    /** Drops one handler-written parameter, if there (the lifecycle demo re-creates its database). */
    public synchronized void forget(String name) {
        if (written.remove(name) != null) {
            try {
                save();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String op = target == null ? "" : target.substring(target.indexOf('.') + 1);
            JsonNode in = JSON.readTree(body.isEmpty() ? "{}" : body);
            synchronized (this) {
                switch (op) {
                    case "GetParameter" -> getParameter(exchange, in);
                    case "PutParameter" -> putParameter(exchange, in);
                    case "DeleteParameter" -> deleteParameter(exchange, in);
                    case "GetParametersByPath" -> getParametersByPath(exchange, in);
                    default -> respond(exchange, 400, error("InvalidAction", "The local SSM endpoint does not serve " + target));
                }
            }
        }
    }

    private Parameter find(String name) {
        Parameter p = written.get(name);
        return p != null ? p : credentials.get(name);
    }

    private void getParameter(HttpExchange ex, JsonNode in) throws IOException {
        Parameter p = find(in.path("Name").asText());
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
        Parameter old = find(name);
        if (old != null && !in.path("Overwrite").asBoolean(false)) {
            respond(ex, 400, error("ParameterAlreadyExists", "The parameter already exists."));
            return;
        }
        if (credentials.containsKey(name)) {
            respond(ex, 400, error("AccessDeniedException", name + " is a credential parameter of the local parameters file: read-only"));
            return;
        }
        Parameter p = new Parameter(name, in.path("Type").asText(old == null ? "String" : old.type()),
                in.path("Value").asText(), old == null ? 1 : old.version() + 1);
        written.put(name, p);
        save();
        ObjectNode out = JSON.createObjectNode();
        out.put("Version", p.version());
        out.put("Tier", "Standard");
        respond(ex, 200, out);
    }

    private void deleteParameter(HttpExchange ex, JsonNode in) throws IOException {
        if (written.remove(in.path("Name").asText()) == null) {
            respond(ex, 400, error("ParameterNotFound", ""));
            return;
        }
        save();
        respond(ex, 200, JSON.createObjectNode());
    }

    private void getParametersByPath(HttpExchange ex, JsonNode in) throws IOException {
        String path = in.path("Path").asText();
        String prefix = path.endsWith("/") ? path : path + "/";
        boolean recursive = in.path("Recursive").asBoolean(false);
        int max = in.path("MaxResults").asInt(10);
        int start = in.hasNonNull("NextToken") ? Integer.parseInt(in.get("NextToken").asText()) : 0;
        Map<String, Parameter> all = new TreeMap<>(credentials);
        all.putAll(written);
        List<Parameter> matching = new ArrayList<>();
        for (Parameter p : all.values()) {
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

    private void save() throws IOException {
        if (stateFile == null) {
            return;
        }
        ObjectNode all = JSON.createObjectNode();
        for (Parameter p : written.values()) {
            ObjectNode n = all.putObject(p.name());
            n.put("Type", p.type());
            n.put("Value", p.value());
            n.put("Version", p.version());
        }
        Files.createDirectories(stateFile.getParent());
        Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), all);
        Files.move(tmp, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static ObjectNode toJson(Parameter p) {
        return SsmWire.parameter(p.name(), p.type(), p.value(), p.version(), "arn:aws:ssm:local:000000000000:parameter");
    }

    private static ObjectNode error(String type, String message) {
        return SsmWire.error(type, message);
    }

    private static void respond(HttpExchange ex, int status, JsonNode body) throws IOException {
        SsmWire.respond(ex, status, body);
    }

    @Override
    public void close() {
        // shared for the JVM's life: the SDK client keeps pointing here
    }
}
