package com.company.database.schemaversion.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SSM endpoint of the local runner ({@link SsmEndpoint}: exactly the calls the type makes, so the real SDK
 * client and the real handler code run unchanged). Two layers:
 * <ul>
 *   <li>credential parameters, read-only, from the local parameters file (name to value);</li>
 *   <li>what the handlers write (the resource records), kept in a state file so that a later run of the
 *       runner finds the resources an earlier one created.</li>
 * </ul>
 * The process edge builds one and keeps it for every session ({@link LocalEndpoints}).
 */
public final class LocalSsm extends SsmEndpoint {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Map<String, Parameter> credentials = new TreeMap<>();
    private final Map<String, Parameter> written = new TreeMap<>();
    private Path stateFile;

    public LocalSsm() throws IOException {
        super("local-ssm", 2, "arn:aws:ssm:local:000000000000:parameter");
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

    /** Drops one handler-written parameter, if there (the lifecycle demo re-creates its database). */
    public synchronized void forget(String name) {
        try {
            delete(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected Parameter find(String name) {
        Parameter p = written.get(name);
        return p != null ? p : credentials.get(name);
    }

    @Override
    protected Collection<Parameter> all() {
        Map<String, Parameter> all = new TreeMap<>(credentials);
        all.putAll(written);
        return all.values();
    }

    @Override
    protected ObjectNode refusePut(String name, String value) {
        return credentials.containsKey(name) ? AwsJson.error("AccessDeniedException", name
                + " is a credential parameter of the local parameters file: read-only") : null;
    }

    @Override
    protected void store(Parameter p) throws IOException {
        written.put(p.name(), p);
        save();
    }

    @Override
    protected boolean delete(String name) throws IOException {
        if (written.remove(name) == null) {
            return false;
        }
        save();
        return true;
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
}
