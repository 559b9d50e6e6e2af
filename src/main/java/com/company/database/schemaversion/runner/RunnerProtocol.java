package com.company.database.schemaversion.runner;

import com.company.database.schemaversion.core.Claim;
import com.company.database.schemaversion.core.Claimant;
import com.company.database.schemaversion.core.Fact;
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
import java.util.List;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The JSON spoken between the handler and the runner function (see guides/vpc-runner.md, "Protocol and trust").
 * Both sides live in this artifact, so they always agree; the version guards against a runner left
 * behind by an older type version whose code update has not finished yet.
 */
public final class RunnerProtocol {
    /**
     * 2: the request carries only op, step, target and deadline; what to connect to comes from the function's
     * configuration ({@link RunnerConfig}). A version-1 runner would misread a version-2 request, hence the bump.
     * 3: every request but ping names a step the handler armed and carries its token; a version-2 runner would act
     * on a request without checking it.
     */
    public static final int VERSION = 3;
    /** The resource Id of a decoded request's claimant: the runner's configuration decides it. */
    public static final String CONFIGURED_RESOURCE = "configured";
    /** SSM parameters where asynchronous steps leave their outcome for the handler to collect. */
    public static final String STEP_PREFIX = "/company-database-schemaversion/runner-steps";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STEP_ID = Pattern.compile("^[A-Za-z0-9-]{1,64}$");
    private static final Pattern TARGET = Pattern.compile("^[0-9]+(\\.[0-9]+)*$");
    private static final Pattern TOKEN = Pattern.compile("^[A-Za-z0-9_-]{32,128}$");
    private static final Set<String> FIELDS = Set.of("protocol", "op", "stepId", "token", "target", "deadline", "claim",
            "cleanUncreated");
    /** The ops that act for a claimant: the runner holds them to the claim the database records. */
    private static final Set<Op> WITH_CLAIMANT = Set.of(Op.CLEAN, Op.CLAIM, Op.RELEASE);
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private RunnerProtocol() {
    }

    /**
     * ADOPT and REPAIR act on the Adoption and Repair the runner's configuration names (RunnerConfig), never on
     * payload fields. Both answer ok with a "message" saying what the history was and became.
     */
    public enum Op { OBSERVE, APPLY, CLEAN, PING, ADOPT, REPAIR, CLAIM, CLAIMED, RELEASE }

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
     * One request: what to do, never on what. The database, credentials, schema, set, placeholders and timeouts
     * are the function's configuration, so a payload forged by anyone who may invoke the function cannot point
     * the runner elsewhere.
     *
     * @param stepId   every op but ping: the step record the handler armed for this request (see {@link #armed});
     *                 apply: also the asynchronous step's idempotency key (where its outcome goes)
     * @param target   apply: the version to reach (never "latest": the handler resolves it)
     * @param deadline when the request stops being valid: a late asynchronous event (a retry, a queue backlog)
     *                 must not migrate after the handler gave up on it
     * @param claim    clean, claim, release: the owner of the resource the runner acts for, whose claim the
     *                 database must record. The payload carries no resource Id (nothing that names the database):
     *                 a decoded request has {@link #CONFIGURED_RESOURCE} there, which the runner replaces with the
     *                 Id of the schema it is configured for
     * @param cleanUncreated clean: the account admin allows dropping what the resource did not create
     * @param token    the secret whose digest the armed step record holds: proof that the handler sent the request
     */
    public record Request(Op op, String stepId, String target, Instant deadline, Claimant claim, boolean cleanUncreated,
                          String token) {
        public Request(Op op, String stepId, String target, Instant deadline) {
            this(op, stepId, target, deadline, null, false, null);
        }

        public Request(Op op, String stepId, String target, Instant deadline, Claimant claim, boolean cleanUncreated) {
            this(op, stepId, target, deadline, claim, cleanUncreated, null);
        }

        public Request(Op op, String stepId, String target, Instant deadline, String token) {
            this(op, stepId, target, deadline, null, false, token);
        }

        @Override
        public String toString() {
            return "Request[op=" + op + ", stepId=" + stepId + ", target=" + target + ", deadline=" + deadline
                    + ", claim=" + claim + ", cleanUncreated=" + cleanUncreated + "]";
        }
    }

    /** A fresh step token: 256 random bits, URL-safe. */
    public static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** What a step record holds of its token: its SHA-256, hex. The token itself is never stored. */
    public static String digest(String token) {
        return com.company.database.schemaversion.core.Digests.sha256Hex(token);
    }

    /**
     * The step record the handler writes (only the handler: it creates the parameter, the runner never does)
     * before it invokes the runner: the op it may be used for and the digest of the request's token.
     */
    public static ObjectNode armed(Op op, String tokenDigest) {
        return armed(op, tokenDigest, null);
    }

    /**
     * As above, with the code id of the runner that must run the step ({@link LambdaRunnerPackage#codeId()} of the
     * handler's own code): a task runner whose own code has another id refuses the step (see {@link RunnerTask}).
     * The Lambda runner ignores it: Lambda's CodeSha256, which the handler checks before invoking, fixes its code.
     */
    public static ObjectNode armed(Op op, String tokenDigest, String codeId) {
        ObjectNode n = JSON.createObjectNode();
        n.put("protocol", VERSION);
        n.put("armed", op.name().toLowerCase());
        n.put("digest", tokenDigest);
        if (codeId != null) {
            n.put("code", codeId);
        }
        return n;
    }

    /** The runner code id an armed step record names, or null when it names none. */
    public static String armedCode(JsonNode stepValue) {
        return stepValue == null ? null : text(stepValue, "code");
    }

    /** The step record is armed and not yet taken by the runner. */
    public static boolean isArmed(JsonNode stepValue) {
        return stepValue != null && stepValue.hasNonNull("armed") && !stepValue.has("ok") && !stepValue.has("running")
                && !stepValue.has("taken");
    }

    /** What a synchronous request's step record holds once the runner took it: it cannot be used again. */
    public static ObjectNode taken(Op op, String tokenDigest) {
        ObjectNode n = JSON.createObjectNode();
        n.put("protocol", VERSION);
        n.put("taken", op.name().toLowerCase());
        n.put("digest", tokenDigest);
        return n;
    }

    /** Whether the step record was armed for this op and this request's token (compared in constant time). */
    public static boolean matches(JsonNode stepValue, Op op, String token) {
        if (stepValue == null || token == null || !stepValue.path("digest").isTextual()) {
            return false;
        }
        boolean digest = java.security.MessageDigest.isEqual(
                stepValue.path("digest").asText().getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                digest(token).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String recordedOp = stepValue.has("armed") ? stepValue.path("armed").asText()
                : stepValue.has("taken") ? stepValue.path("taken").asText() : "apply";
        boolean sameOp = op.name().toLowerCase().equals(recordedOp);
        return digest && sameOp;
    }

    public static String stepParameter(String stepId) {
        return STEP_PREFIX + "/" + stepId;
    }

    public static byte[] encode(Request r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("protocol", VERSION);
        n.put("op", r.op().name().toLowerCase());
        if (r.stepId() != null) {
            n.put("stepId", r.stepId());
        }
        if (r.token() != null) {
            n.put("token", r.token());
        }
        if (r.target() != null) {
            n.put("target", r.target());
        }
        if (r.deadline() != null) {
            n.put("deadline", r.deadline().toEpochMilli());
        }
        if (r.claim() != null) {
            ObjectNode c = n.putObject("claim");
            c.put("stackId", r.claim().stackId());
            c.put("logicalId", r.claim().logicalId());
            c.put("createRequest", r.claim().createRequest());
            c.put("onDelete", r.claim().onDelete());
        }
        if (r.cleanUncreated()) {
            n.put("cleanUncreated", true);
        }
        return bytes(n);
    }

    /** The request, checked: a field or op this runner does not know, or a malformed value, is refused. */
    public static Request decodeRequest(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw refused("the payload is not a JSON object");
        }
        int protocol = n.path("protocol").asInt(-1);
        if (protocol != VERSION) {
            throw new ReconcileException(Reason.RUNNER_FAILED, "The runner speaks protocol " + VERSION
                    + " but was sent protocol " + protocol + ": its code and the type's differ. Deploy again so the"
                    + " handler updates the runner's code.");
        }
        for (Iterator<String> names = n.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw refused("unknown field '" + name + "' (a request names only op, stepId, token, target, deadline"
                        + " and a claimant;"
                        + " what to connect to is the function's configuration)");
            }
        }
        Op op;
        try {
            op = Op.valueOf(n.path("op").asText("").toUpperCase());
        } catch (IllegalArgumentException e) {
            throw refused("unknown operation '" + n.path("op").asText() + "'");
        }
        String stepId = text(n, "stepId");
        String token = text(n, "token");
        String target = text(n, "target");
        JsonNode d = n.get("deadline");
        if (stepId != null && !STEP_ID.matcher(stepId).matches()) {
            throw refused("malformed stepId");
        }
        if (token != null && !TOKEN.matcher(token).matches()) {
            throw refused("malformed token");
        }
        if (target != null && (target.length() > 64 || !TARGET.matcher(target).matches())) {
            throw refused("malformed target '" + target + "'");
        }
        if (d != null && !d.isIntegralNumber()) {
            throw refused("deadline is not epoch milliseconds");
        }
        Instant deadline = d == null ? null : Instant.ofEpochMilli(d.asLong());
        if (op == Op.APPLY && target == null) {
            throw refused("apply needs a target");
        }
        if (op != Op.APPLY && target != null) {
            throw refused(op.name().toLowerCase() + " takes no target");
        }
        if (op == Op.PING && (stepId != null || token != null)) {
            throw refused("ping takes no stepId or token");
        }
        if (op != Op.PING && (stepId == null || token == null)) {
            throw refused(op.name().toLowerCase() + " needs the stepId and token of a step the handler armed (only the"
                    + " type's handler may ask this runner to act)");
        }
        if (op != Op.PING && deadline == null) {
            throw refused(op.name().toLowerCase() + " needs a deadline");
        }
        JsonNode c = n.get("claim");
        if (WITH_CLAIMANT.contains(op) != (c != null)) {
            throw refused(op.name().toLowerCase() + (c == null ? " needs" : " takes no") + " claim");
        }
        JsonNode uncreated = n.get("cleanUncreated");
        if (uncreated != null && (op != Op.CLEAN || !uncreated.isBoolean())) {
            throw refused("cleanUncreated is a boolean of clean only");
        }
        Claimant claimant = null;
        if (c != null) {
            if (!c.isObject()) {
                throw refused("claim is not an object");
            }
            for (Iterator<String> names = c.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!Set.of("stackId", "logicalId", "createRequest", "onDelete").contains(name)) {
                    throw refused("unknown claim field '" + name + "'");
                }
            }
            try {
                claimant = new Claimant(CONFIGURED_RESOURCE, text(c, "stackId"), text(c, "logicalId"),
                        text(c, "createRequest"), text(c, "onDelete"));
            } catch (ReconcileException e) {
                throw refused(e.getMessage());
            }
        }
        return new Request(op, stepId, target, deadline, claimant, uncreated != null && uncreated.asBoolean(), token);
    }

    private static ReconcileException refused(String why) {
        return new ReconcileException(Reason.RUNNER_FAILED, "The runner refused the request: " + why + ".");
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

    /** A successful CLAIM or CLAIMED answer: the claim the database records, if any. */
    public static ObjectNode okWithClaim(Claim claim) {
        ObjectNode n = ok(null);
        if (claim != null) {
            ObjectNode c = n.putObject("claim");
            c.put("resourceId", claim.resourceId());
            c.put("stackId", claim.stackId());
            c.put("logicalId", claim.logicalId());
            c.put("createRequest", claim.createRequest());
            c.put("createdHistory", claim.createdHistory());
            c.put("onDelete", claim.onDelete());
            c.put("claimedAt", claim.claimedAt() == null ? null : claim.claimedAt().toString());
        }
        return n;
    }

    /** The claim of a CLAIM or CLAIMED answer (null when none), or the ReconcileException the answer carries. */
    public static Claim claimOf(JsonNode answer) {
        observationOf(answer);
        JsonNode c = answer.get("claim");
        if (c == null || c.isNull()) {
            return null;
        }
        String at = text(c, "claimedAt");
        return new Claim(text(c, "resourceId"), text(c, "stackId"), text(c, "logicalId"), text(c, "createRequest"),
                c.path("createdHistory").asBoolean(false), text(c, "onDelete"), at == null ? null : Instant.parse(at));
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
        return error(reason, message, null);
    }

    /**
     * A typed failure with what the runner observed: the reason and the fact survive the hop, so the handler
     * chooses the advice for the runner's mode from the fact, as it does for its own failures.
     */
    public static ObjectNode error(Reason reason, String message, Fact fact) {
        ObjectNode n = JSON.createObjectNode();
        n.put("protocol", VERSION);
        n.put("ok", false);
        ObjectNode e = n.putObject("error");
        e.put("reason", reason.name());
        e.put("message", message);
        if (fact != null) {
            e.set("fact", FactJson.toJson(fact));
        }
        return n;
    }

    /** The observation of an answer, or the ReconcileException it carries (with its fact, when it has one). */
    public static Observation observationOf(JsonNode answer) {
        if (!answer.path("ok").asBoolean(false)) {
            JsonNode e = answer.path("error");
            Reason reason;
            try {
                reason = Reason.valueOf(e.path("reason").asText("RUNNER_FAILED"));
            } catch (IllegalArgumentException unknown) {
                reason = Reason.RUNNER_FAILED;
            }
            throw new ReconcileException(reason, e.path("message").asText("The runner failed without a message."), null,
                    FactJson.fromJson(e.get("fact")));
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
