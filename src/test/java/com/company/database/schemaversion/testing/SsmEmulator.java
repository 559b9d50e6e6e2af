package com.company.database.schemaversion.testing;

import com.company.database.schemaversion.local.AwsJson;
import com.company.database.schemaversion.local.SsmEndpoint;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tests' SSM ({@link SsmEndpoint}: exactly the calls the type makes), in memory. It records every request
 * body (to check that no secret travels where it should not) and can be told to fail a target with an AWS error.
 */
public final class SsmEmulator extends SsmEndpoint {
    /** SSM's limit for a value: 8 KB, an advanced parameter's, which Intelligent-Tiering (what the type asks for) picks above 4 KB. */
    private static final int MAX_VALUE = 8192;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Parameter> parameters = new TreeMap<>();
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> failures = new ConcurrentHashMap<>();
    private final Map<String, BeforePut> beforePuts = new ConcurrentHashMap<>();

    private record BeforePut(AtomicInteger remaining, Runnable action) {
    }

    public SsmEmulator() throws IOException {
        super("ssm-emulator", 4, "arn:aws:ssm:us-east-1:123456789012:parameter");
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
        beforePuts.clear();
    }

    /**
     * Runs {@code action} just before each of the next {@code times} PutParameter requests for {@code name} is
     * served: another writer racing the type's own write (0 or a null action: no more).
     */
    public void beforeNextPuts(String name, int times, Runnable action) {
        if (times <= 0 || action == null) {
            beforePuts.remove(name);
        } else {
            beforePuts.put(name, new BeforePut(new AtomicInteger(times), action));
        }
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

    @Override
    protected ObjectNode intercept(String operation, String target, String body) {
        requests.add(target + " " + body);
        if ("PutParameter".equals(operation)) {
            BeforePut before = beforePuts.get(nameIn(body));
            if (before != null && before.remaining().getAndDecrement() > 0) {
                before.action().run();
            }
        }
        String failure = failures.get(operation);
        return failure == null ? null : AwsJson.error(failure, "Injected failure for " + operation);
    }

    private static String nameIn(String body) {
        try {
            return JSON.readTree(body).path("Name").asText();
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    protected Parameter find(String name) {
        return parameters.get(name);
    }

    @Override
    protected Collection<Parameter> all() {
        return new ArrayList<>(parameters.values());
    }

    @Override
    protected ObjectNode refusePut(String name, String value) {
        return value.length() > MAX_VALUE ? AwsJson.error("ValidationException", "Value too long") : null;
    }

    @Override
    protected void store(Parameter p) {
        parameters.put(p.name(), p);
    }

    @Override
    protected boolean delete(String name) {
        return parameters.remove(name) != null;
    }
}
