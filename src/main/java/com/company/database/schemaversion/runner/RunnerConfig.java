package com.company.database.schemaversion.runner;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.core.Version;
import com.company.database.schemaversion.engine.PlaceholderValues;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What the runner may act on, as the handler configured it on the function (its environment variables, set
 * through CreateFunction/UpdateFunctionConfiguration by the type's execution role): the database, the credential
 * parameter names, the schema, the migration set, the placeholders, the timeouts and the highest version a step
 * may reach. Nothing of this travels in an invocation payload, so whoever may invoke the function can only ask
 * it to observe or migrate the one database it was configured for, up to the configured target.
 *
 * <p>The runner checks every value with the schema's own rules even though only the handler writes them: a value
 * that would not pass the handler is refused, whoever put it there.
 */
public record RunnerConfig(String host, int port, String database, String sslMode, String usernameParameter,
                           String passwordParameter, String secretParameter, String schema, String migrationSet,
                           Map<String, String> placeholders, int lockTimeoutSeconds, int statementTimeoutSeconds,
                           String targetVersion, String adoptBaseline, String repair, String iamUsername) {
    /** The runner's configuration, as one compact JSON value. */
    public static final String CONFIG_VARIABLE = "SCHEMAVERSION_RUNNER_CONFIG";
    /**
     * Present only while the handler wants the schema cleaned, holding the epoch milliseconds until which clean is
     * armed. Delete with OnDelete: Clean sets it, invokes clean, and deletes the function; if anything between
     * fails, the arm expires by itself, so it is never left for someone else to use later.
     */
    public static final String CLEAN_VARIABLE = "SCHEMAVERSION_RUNNER_CLEAN";
    /** Lambda's limit on all environment variables of a function together (names and values). */
    public static final int MAX_ENVIRONMENT_BYTES = 4096;

    // The schema's patterns (company-database-schemaversion.json), repeated here because the runner package
    // carries no handler class.
    private static final Pattern HOST = Pattern.compile(
            "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$");
    private static final Pattern IDENTIFIER = Pattern.compile("^[a-z_][a-z0-9_]{0,62}$");
    private static final Pattern PARAMETER = Pattern.compile("^/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$");
    private static final Pattern SECRET = Pattern.compile(
            "^(/aws/reference/secretsmanager/[A-Za-z0-9/_+=.@!-]{1,512}|/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*)$");
    private static final Pattern SET = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,62}$");
    private static final Pattern TARGET = Pattern.compile("^(latest|[0-9]+([._][0-9]+)*)$");
    private static final Pattern VERSION = Pattern.compile("^[0-9]+([._][0-9]+)*$");
    private static final Pattern REPAIR = Pattern.compile("^[0-9]+([._][0-9]+)*@[0-9]{1,9}$");
    private static final Pattern PLACEHOLDER_KEY = Pattern.compile("^[A-Za-z][A-Za-z0-9_]{0,63}$");
    private static final Set<String> SSL_MODES = Set.of("disable", "require", "verify-ca", "verify-full");
    private static final Set<String> FIELDS = Set.of("host", "port", "database", "sslMode", "usernameParameter",
            "passwordParameter", "secretParameter", "schema", "set", "placeholders", "lockSeconds", "statementSeconds",
            "target", "adopt", "repair", "iamUsername");
    private static final Pattern DATABASE_USER = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]{0,62}$");

    public RunnerConfig {
        placeholders = placeholders == null ? Map.of() : Map.copyOf(new TreeMap<>(placeholders));
        sslMode = sslMode == null ? "verify-full" : sslMode;
        validate(host, port, database, sslMode, usernameParameter, passwordParameter, secretParameter, iamUsername,
                schema, migrationSet, placeholders, lockTimeoutSeconds, statementTimeoutSeconds, targetVersion);
        // Adoption and Repair change the history itself: like everything the runner acts on, they come from the
        // template through the handler, never from a payload.
        check(adoptBaseline == null || adoptBaseline.length() <= 64 && VERSION.matcher(adoptBaseline).matches(), "adopt");
        check(repair == null || repair.length() <= 80 && REPAIR.matcher(repair).matches(), "repair");
    }

    /** A configuration with a login read from SSM (no IAM database authentication). */
    public RunnerConfig(String host, int port, String database, String sslMode, String usernameParameter,
                        String passwordParameter, String secretParameter, String schema, String migrationSet,
                        Map<String, String> placeholders, int lockTimeoutSeconds, int statementTimeoutSeconds,
                        String targetVersion, String adoptBaseline, String repair) {
        this(host, port, database, sslMode, usernameParameter, passwordParameter, secretParameter, schema, migrationSet,
                placeholders, lockTimeoutSeconds, statementTimeoutSeconds, targetVersion, adoptBaseline, repair, null);
    }

    /**
     * The function's environment variables for this configuration (the handler adds its own, e.g. JVM options).
     *
     * @param cleanArmedUntil the arm's value ({@link #armUntil}), or null when clean is not armed
     */
    public Map<String, String> environment(String cleanArmedUntil) {
        Map<String, String> variables = new TreeMap<>();
        variables.put(CONFIG_VARIABLE, toJson());
        if (cleanArmedUntil != null) {
            variables.put(CLEAN_VARIABLE, cleanArmedUntil);
        }
        return variables;
    }

    /** The arm's value: until when clean may run. */
    public static String armUntil(Instant until) {
        return Long.toString(until.toEpochMilli());
    }

    /** Until when an arm's value allows clean, or null when the value is no arm. */
    public static Instant armedUntil(String value) {
        if (value == null || !value.matches("^[0-9]{1,15}$")) {
            return null;
        }
        return Instant.ofEpochMilli(Long.parseLong(value));
    }

    /** What Lambda counts against its 4 KB: every name and value, in UTF-8. */
    public static int environmentBytes(Map<String, String> variables) {
        int bytes = 0;
        for (Map.Entry<String, String> v : variables.entrySet()) {
            bytes += v.getKey().getBytes(StandardCharsets.UTF_8).length + v.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        return bytes;
    }

    /** The configuration the handler left on this function, checked; refused when absent or malformed. */
    public static RunnerConfig fromEnvironment(Map<String, String> environment) {
        String json = environment.get(CONFIG_VARIABLE);
        if (json == null || json.isBlank()) {
            throw refused("it has no " + CONFIG_VARIABLE + " variable");
        }
        JsonNode n;
        try {
            n = RunnerProtocol.JSON.readTree(json);
        } catch (IOException e) {
            throw refused(CONFIG_VARIABLE + " is not JSON");
        }
        if (n == null || !n.isObject()) {
            throw refused(CONFIG_VARIABLE + " is not a JSON object");
        }
        for (Iterator<String> names = n.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw refused(CONFIG_VARIABLE + " has a field the runner does not know: " + name);
            }
        }
        JsonNode p = n.path("placeholders");
        Map<String, String> placeholders = new LinkedHashMap<>();
        if (!p.isMissingNode() && !p.isNull()) {
            if (!p.isObject()) {
                throw refused("placeholders is not an object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw refused("placeholder " + e.getKey() + " is not a string");
                }
                placeholders.put(e.getKey(), e.getValue().asText());
            }
        }
        try {
            return new RunnerConfig(text(n, "host"), integer(n, "port"), text(n, "database"), text(n, "sslMode"),
                    text(n, "usernameParameter"), text(n, "passwordParameter"), text(n, "secretParameter"),
                    text(n, "schema"), text(n, "set"), placeholders, integer(n, "lockSeconds"),
                    integer(n, "statementSeconds"), text(n, "target"), text(n, "adopt"), text(n, "repair"),
                    text(n, "iamUsername"));
        } catch (ReconcileException e) {
            throw refused(e.getMessage());
        }
    }

    /** Whether the handler armed clean on this function, and the arm has not expired. */
    public static boolean cleanArmed(Map<String, String> environment, Instant now) {
        Instant until = armedUntil(environment.get(CLEAN_VARIABLE));
        return until != null && now.isBefore(until);
    }

    /** A step may reach at most the configured target ("latest": any version of the set). */
    public boolean allows(Version target) {
        return "latest".equals(targetVersion) || target.compareTo(Version.parse(targetVersion)) <= 0;
    }

    String toJson() {
        ObjectNode n = RunnerProtocol.JSON.createObjectNode();
        n.put("host", host);
        n.put("port", port);
        n.put("database", database);
        n.put("sslMode", sslMode);
        if (usernameParameter != null) n.put("usernameParameter", usernameParameter);
        if (passwordParameter != null) n.put("passwordParameter", passwordParameter);
        if (secretParameter != null) n.put("secretParameter", secretParameter);
        if (iamUsername != null) n.put("iamUsername", iamUsername);
        n.put("schema", schema);
        if (migrationSet != null) n.put("set", migrationSet);
        if (!placeholders.isEmpty()) {
            ObjectNode p = n.putObject("placeholders");
            new TreeMap<>(placeholders).forEach(p::put);
        }
        n.put("lockSeconds", lockTimeoutSeconds);
        n.put("statementSeconds", statementTimeoutSeconds);
        n.put("target", targetVersion);
        if (adoptBaseline != null) n.put("adopt", adoptBaseline);
        if (repair != null) n.put("repair", repair);
        return new String(RunnerProtocol.bytes(n), StandardCharsets.UTF_8);
    }

    private static void validate(String host, int port, String database, String sslMode, String usernameParameter,
                                 String passwordParameter, String secretParameter, String iamUsername, String schema,
                                 String migrationSet, Map<String, String> placeholders, int lockSeconds,
                                 int statementSeconds, String target) {
        check(host != null && host.length() <= 253 && HOST.matcher(host).matches(), "host");
        check(port >= 1 && port <= 65535, "port");
        check(database != null && IDENTIFIER.matcher(database).matches(), "database");
        check(SSL_MODES.contains(sslMode), "sslMode");
        boolean pair = usernameParameter != null && passwordParameter != null;
        boolean iam = iamUsername != null;
        check((pair ? 1 : 0) + (secretParameter != null ? 1 : 0) + (iam ? 1 : 0) == 1,
                "credentials (UsernameParameter and PasswordParameter, or SecretParameter, or IamUsername)");
        if (iam) {
            check(usernameParameter == null && passwordParameter == null, "credentials");
            check(DATABASE_USER.matcher(iamUsername).matches(), "iamUsername");
            // The token is a login for this host: it goes only to a server that proved it is the host.
            check(sslMode.equals("verify-full"), "sslMode (IamUsername needs verify-full)");
        } else if (pair) {
            check(usernameParameter.length() <= 1011 && PARAMETER.matcher(usernameParameter).matches(), "usernameParameter");
            check(passwordParameter.length() <= 1011 && PARAMETER.matcher(passwordParameter).matches(), "passwordParameter");
        } else {
            check(usernameParameter == null && passwordParameter == null, "credentials");
            check(secretParameter.length() <= 1011 && SECRET.matcher(secretParameter).matches(), "secretParameter");
        }
        check(schema != null && IDENTIFIER.matcher(schema).matches(), "schema");
        check(migrationSet == null || SET.matcher(migrationSet).matches(), "set");
        check(placeholders.size() <= 32, "placeholders (at most 32)");
        for (Map.Entry<String, String> e : placeholders.entrySet()) {
            check(PLACEHOLDER_KEY.matcher(e.getKey()).matches() && e.getValue() != null && e.getValue().length() <= 256
                    && !PlaceholderValues.reservedRole(e.getValue()), "placeholder " + e.getKey());
        }
        check(lockSeconds >= 1 && lockSeconds <= 600, "lockSeconds");
        // The schema's bound: a task step may run one statement for as long as the operation allows; a function
        // stops it at its own limit anyway.
        check(statementSeconds >= 1 && statementSeconds <= 129_600, "statementSeconds");
        check(target != null && target.length() <= 64 && TARGET.matcher(target).matches(), "target");
    }

    private static void check(boolean ok, String field) {
        if (!ok) {
            throw new ReconcileException(Reason.RUNNER_FAILED, "invalid or missing " + field);
        }
    }

    private static ReconcileException refused(String why) {
        return new ReconcileException(Reason.RUNNER_FAILED, "The runner refuses to run: its configuration (set by the"
                + " handler on the function) is not valid: " + why + ". Deploy again so the handler configures it anew.");
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw refused(field + " is not a string");
        }
        return v.asText();
    }

    private static int integer(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw refused(field + " is not an integer");
        }
        return v.asInt();
    }
}
