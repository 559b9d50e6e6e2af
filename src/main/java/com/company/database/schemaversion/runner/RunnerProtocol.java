package com.company.database.schemaversion.runner;

import com.company.database.schemaversion.core.Migration;
import com.company.database.schemaversion.core.Observation;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.core.Version;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON spoken between the handler and the runner function (see guides/vpc-runner.md). Version 1.
 * Both sides live in this artifact, so they always agree; the version guards against a runner left
 * behind by an older type version whose code update has not finished yet.
 */
public final class RunnerProtocol {
    public static final int VERSION = 1;
    /** SSM parameters where asynchronous steps leave their outcome for the handler to collect. */
    public static final String STEP_PREFIX = "/company-database-schemaversion/runner-steps";
    static final ObjectMapper JSON = new ObjectMapper();

    private RunnerProtocol() {
    }

    /**
     * ADOPT: target is the baseline version. REPAIR: target is "version@installedRank" of the failed history row
     * (see repairTarget). Both answer ok with a "message" saying what the history was and became.
     */
    public enum Op { OBSERVE, APPLY, CLEAN, PING, ADOPT, REPAIR }

    public static String repairTarget(Version version, int installedRank) {
        return version + "@" + installedRank;
    }

    /** The answer's "message" (ADOPT, REPAIR), or the ReconcileException it carries. */
    public static String messageOf(JsonNode answer) {
        observationOf(answer);
        return text(answer, "message");
    }

    /** A successful ADOPT or REPAIR answer. */
    public static ObjectNode okWithMessage(String message) {
        ObjectNode n = ok(null);
        n.put("message", message);
        return n;
    }

    /**
     * One request. Holds parameter names, never secrets.
     *
     * @param budgetMillis for a synchronous apply: how long the runner may keep starting migrations (0: its own limit)
     */
    public record Request(Op op, String region, String host, int port, String database, String sslMode,
                          String usernameParameter, String passwordParameter, String secretParameter,
                          String schema, String migrationSet, Map<String, String> placeholders,
                          int lockTimeoutSeconds, int statementTimeoutSeconds, String target, String stepId,
                          long budgetMillis) {
        public Request {
            placeholders = placeholders == null ? Map.of() : Map.copyOf(placeholders);
        }

        public Request withOp(Op newOp, String newTarget, String newStepId, long newBudgetMillis) {
            return new Request(newOp, region, host, port, database, sslMode, usernameParameter, passwordParameter,
                    secretParameter, schema, migrationSet, placeholders, lockTimeoutSeconds, statementTimeoutSeconds,
                    newTarget, newStepId, newBudgetMillis);
        }
    }

    public static String stepParameter(String stepId) {
        return STEP_PREFIX + "/" + stepId;
    }

    public static byte[] encode(Request r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("protocol", VERSION);
        n.put("op", r.op().name().toLowerCase());
        n.put("region", r.region());
        ObjectNode c = n.putObject("connection");
        c.put("host", r.host());
        c.put("port", r.port());
        c.put("database", r.database());
        c.put("sslMode", r.sslMode());
        ObjectNode cr = n.putObject("credentials");
        cr.put("usernameParameter", r.usernameParameter());
        cr.put("passwordParameter", r.passwordParameter());
        cr.put("secretParameter", r.secretParameter());
        n.put("schema", r.schema());
        n.put("set", r.migrationSet());
        ObjectNode p = n.putObject("placeholders");
        r.placeholders().forEach(p::put);
        ObjectNode t = n.putObject("timeouts");
        t.put("lockSeconds", r.lockTimeoutSeconds());
        t.put("statementSeconds", r.statementTimeoutSeconds());
        n.put("target", r.target());
        n.put("stepId", r.stepId());
        n.put("budgetMillis", r.budgetMillis());
        return bytes(n);
    }

    public static Request decodeRequest(JsonNode n) {
        int protocol = n.path("protocol").asInt(-1);
        if (protocol != VERSION) {
            throw new ReconcileException(Reason.RUNNER_FAILED, "The runner speaks protocol " + VERSION
                    + " but was sent protocol " + protocol + ": its code and the type's differ. Deploy again so the"
                    + " handler updates the runner's code.");
        }
        Op op;
        try {
            op = Op.valueOf(n.path("op").asText("").toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new ReconcileException(Reason.RUNNER_FAILED, "Unknown runner operation '" + n.path("op").asText() + "'.");
        }
        JsonNode c = n.path("connection");
        JsonNode cr = n.path("credentials");
        Map<String, String> placeholders = new LinkedHashMap<>();
        n.path("placeholders").fields().forEachRemaining(e -> placeholders.put(e.getKey(), e.getValue().asText()));
        return new Request(op, text(n, "region"), text(c, "host"), c.path("port").asInt(5432), text(c, "database"),
                text(c, "sslMode"), text(cr, "usernameParameter"), text(cr, "passwordParameter"),
                text(cr, "secretParameter"), text(n, "schema"), text(n, "set"), placeholders,
                n.path("timeouts").path("lockSeconds").asInt(10), n.path("timeouts").path("statementSeconds").asInt(40),
                text(n, "target"), text(n, "stepId"), n.path("budgetMillis").asLong(0));
    }

    /** What an asynchronous step's parameter holds while the step runs: no "ok" yet. */
    public static ObjectNode running() {
        ObjectNode n = JSON.createObjectNode();
        n.put("protocol", VERSION);
        n.put("running", true);
        return n;
    }

    /** The step's parameter says it has started but not finished. */
    public static boolean isRunning(JsonNode stepValue) {
        return stepValue != null && !stepValue.has("ok") && stepValue.path("running").asBoolean(false);
    }

    /** A successful answer (or step outcome). */
    public static ObjectNode ok(Observation o) {
        ObjectNode n = JSON.createObjectNode();
        n.put("protocol", VERSION);
        n.put("ok", true);
        if (o != null) {
            n.set("observation", toJson(o));
        }
        return n;
    }

    /** A typed failure: the reason survives the hop, the message is the operator's. */
    public static ObjectNode error(Reason reason, String message) {
        ObjectNode n = JSON.createObjectNode();
        n.put("protocol", VERSION);
        n.put("ok", false);
        ObjectNode e = n.putObject("error");
        e.put("reason", reason.name());
        e.put("message", message);
        return n;
    }

    /** The observation of an answer, or the ReconcileException it carries. */
    public static Observation observationOf(JsonNode answer) {
        if (!answer.path("ok").asBoolean(false)) {
            JsonNode e = answer.path("error");
            Reason reason;
            try {
                reason = Reason.valueOf(e.path("reason").asText("RUNNER_FAILED"));
            } catch (IllegalArgumentException unknown) {
                reason = Reason.RUNNER_FAILED;
            }
            throw new ReconcileException(reason, e.path("message").asText("The runner failed without a message."));
        }
        JsonNode o = answer.get("observation");
        return o == null || o.isNull() ? null : fromJson(o);
    }

    static ObjectNode toJson(Observation o) {
        ObjectNode n = JSON.createObjectNode();
        n.put("appliedVersion", o.appliedVersion() == null ? null : o.appliedVersion().toString());
        n.put("appliedCount", o.appliedCount());
        migrations(n.putArray("pending"), o.pending());
        migrations(n.putArray("available"), o.available());
        n.put("checksum", o.checksum());
        n.put("lastAppliedAt", o.lastAppliedAt() == null ? null : o.lastAppliedAt().toString());
        o.drift().forEach(n.putArray("drift")::add);
        o.failed().forEach(n.putArray("failed")::add);
        return n;
    }

    static Observation fromJson(JsonNode n) {
        String applied = text(n, "appliedVersion");
        String at = text(n, "lastAppliedAt");
        return new Observation(applied == null ? null : Version.parse(applied), n.path("appliedCount").asInt(),
                migrations(n.path("pending")), migrations(n.path("available")), text(n, "checksum"),
                at == null ? null : Instant.parse(at), strings(n.path("drift")), strings(n.path("failed")));
    }

    private static void migrations(ArrayNode into, List<Migration> list) {
        for (Migration m : list) {
            ObjectNode j = into.addObject();
            j.put("version", m.version() == null ? null : m.version().toString());
            if (m.kind() != Migration.Kind.VERSIONED) {
                j.put("kind", m.kind().name());
            }
            j.put("description", m.description());
            j.put("script", m.script());
            if (m.transactional() != null) {
                j.put("transactional", m.transactional());
            }
            j.put("checksum", m.checksum());
        }
    }

    private static List<Migration> migrations(JsonNode array) {
        List<Migration> out = new ArrayList<>();
        for (JsonNode j : array) {
            String version = text(j, "version");
            out.add(new Migration(version == null ? null : Version.parse(version), text(j, "description"), text(j, "script"),
                    j.hasNonNull("transactional") ? j.get("transactional").asBoolean() : null,
                    j.hasNonNull("checksum") ? j.get("checksum").asInt() : null,
                    j.hasNonNull("kind") ? Migration.Kind.valueOf(j.get("kind").asText()) : Migration.Kind.VERSIONED));
        }
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(s -> out.add(s.asText()));
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static byte[] bytes(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode parse(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new ReconcileException(Reason.RUNNER_FAILED, "The runner's answer is not JSON: "
                    + new String(bytes, 0, Math.min(bytes.length, 300), java.nio.charset.StandardCharsets.UTF_8), e);
        }
    }
}
