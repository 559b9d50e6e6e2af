package com.company.database.schemaversion.contract;

import com.company.database.schemaversion.local.CloudFormationDriver;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * cfn test's ResourceClient.call / call_and_assert on top of the real wrapper: one bearer token per
 * operation, the returned model and CallbackContext fed back while IN_PROGRESS, and the per-event
 * assertions (assert_in_progress with the primary identifier, assert_success, assert_failed, no writeOnly
 * properties in a final SUCCESS model). Delays are not slept: CloudFormation's wait is not what is tested.
 */
final class ContractClient {
    static final Set<String> HANDLER_ERROR_CODES = Set.of("NotUpdatable", "InvalidRequest", "AccessDenied",
            "UnauthorizedTaggingOperation", "InvalidCredentials", "AlreadyExists", "NotFound", "ResourceConflict",
            "Throttling", "ServiceLimitExceeded", "NotStabilized", "GeneralServiceException", "ServiceInternalError",
            "NetworkFailure", "InternalFailure", "InvalidTypeConfiguration", "HandlerInternalFailure",
            "NonCompliant", "Unknown", "UnsupportedTarget");
    private static final int MAX_CALLS = 500;

    private final CloudFormationDriver driver;
    private final ContractSchema schema;

    /** Every response of every call, in order: for checks across a whole run (no secrets, identifiers). */
    final List<JsonNode> responses = new ArrayList<>();

    ContractClient(CloudFormationDriver driver, ContractSchema schema) {
        this.driver = driver;
        this.schema = schema;
    }

    /** The final response of one operation. */
    record Result(String status, JsonNode response) {
        String errorCode() {
            return response.path("errorCode").asText(null);
        }

        JsonNode model() {
            return response.get("resourceModel");
        }
    }

    Result call(String action, JsonNode current, JsonNode previous) {
        return call(action, current, previous, null, UUID.randomUUID().toString());
    }

    Result call(String action, JsonNode current, JsonNode previous, String nextToken, String bearerToken) {
        ObjectNode request = driver.request(action, current, previous, null, bearerToken, nextToken);
        JsonNode response = timedCall(request, action);
        String status = statusOf(response);
        if ("READ".equals(action) || "LIST".equals(action)) {
            if ("IN_PROGRESS".equals(status)) {
                throw new AssertionError(action + " must not return IN_PROGRESS: " + response);
            }
            return new Result(status, response);
        }
        int calls = 1;
        while ("IN_PROGRESS".equals(status)) {
            assertInProgress(response);
            assertPrimaryIdentifier(response.get("resourceModel"), "IN_PROGRESS event of " + action);
            if (++calls > MAX_CALLS) {
                throw new AssertionError(action + " still IN_PROGRESS after " + MAX_CALLS + " calls");
            }
            ObjectNode data = (ObjectNode) request.get("requestData");
            data.set("resourceProperties", response.get("resourceModel"));
            request.set("callbackContext", response.get("callbackContext"));
            response = timedCall(request, action);
            status = statusOf(response);
        }
        if ("SUCCESS".equals(status) && response.has("resourceModel")) {
            assertNoWriteOnly(response.get("resourceModel"));
        }
        return new Result(status, response);
    }

    /** call_and_assert: the operation must end in the asserted status, with that status's checks. */
    Result callAndAssert(String action, String assertStatus, JsonNode current, JsonNode previous) {
        return callAndAssert(action, assertStatus, current, previous, null, UUID.randomUUID().toString());
    }

    Result callAndAssert(String action, String assertStatus, JsonNode current, JsonNode previous, String nextToken,
                         String bearerToken) {
        Result r = call(action, current, previous, nextToken, bearerToken);
        if ("SUCCESS".equals(assertStatus)) {
            assertSuccess(action, r.response());
        } else if ("FAILED".equals(assertStatus)) {
            assertFailed(action, r.response());
        } else {
            throw new IllegalArgumentException("Assert status " + assertStatus + " not supported.");
        }
        return r;
    }

    private JsonNode timedCall(ObjectNode request, String action) {
        long start = System.nanoTime();
        JsonNode response = driver.invoke(request);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        responses.add(response);
        // cfn test's own limit is generous (240 s); CloudFormation's real per-call limit is the one that matters.
        if (took.compareTo(CloudFormationDriver.limitFor(action)) > 0) {
            throw new AssertionError("Handler '" + action + "' timed out: " + took.toMillis() + " ms");
        }
        return response;
    }

    private static String statusOf(JsonNode response) {
        String status = response.path("status").asText(null);
        if (!Set.of("SUCCESS", "FAILED", "IN_PROGRESS", "PENDING").contains(status)) {
            throw new AssertionError("Response has no valid status: " + response);
        }
        return status;
    }

    static void assertInProgress(JsonNode response) {
        if (response.hasNonNull("errorCode") && !"0".equals(response.get("errorCode").asText())) {
            throw new AssertionError("IN_PROGRESS with an errorCode: " + response);
        }
        if (response.hasNonNull("resourceModels")) {
            throw new AssertionError("IN_PROGRESS with resourceModels: " + response);
        }
    }

    static void assertSuccess(String action, JsonNode response) {
        if (!"SUCCESS".equals(response.path("status").asText())) {
            throw new AssertionError(action + " expected SUCCESS but got " + response);
        }
        if (response.hasNonNull("errorCode")) {
            throw new AssertionError(action + " SUCCESS with an errorCode: " + response);
        }
        if (response.path("callbackDelaySeconds").asInt(0) != 0) {
            throw new AssertionError(action + " SUCCESS with a callbackDelaySeconds: " + response);
        }
    }

    static String assertFailed(String action, JsonNode response) {
        if (!"FAILED".equals(response.path("status").asText())) {
            throw new AssertionError(action + " expected FAILED but got " + response);
        }
        String code = response.path("errorCode").asText(null);
        if (code == null || !HANDLER_ERROR_CODES.contains(code)) {
            throw new AssertionError(action + " FAILED without a valid errorCode: " + response);
        }
        if (response.path("callbackDelaySeconds").asInt(0) != 0) {
            throw new AssertionError(action + " FAILED with a callbackDelaySeconds: " + response);
        }
        if (response.hasNonNull("resourceModels")) {
            throw new AssertionError(action + " FAILED with resourceModels: " + response);
        }
        return code;
    }

    /** response_contains_primary_identifier. */
    void assertPrimaryIdentifier(JsonNode model, String where) {
        for (List<String> path : schema.primaryIdentifierPaths()) {
            JsonNode n = model;
            for (String key : path) {
                n = n == null ? null : n.get(key);
            }
            if (n == null || n.isNull() || n.asText().isEmpty()) {
                throw new AssertionError("Every returned model MUST include the primaryIdentifier ("
                        + String.join("/", path) + "), missing in " + where + ": " + model);
            }
        }
    }

    void assertNoWriteOnly(JsonNode model) {
        ObjectNode copy = model.deepCopy();
        int before = copy.toString().length();
        ContractSchema.prune(copy, schema.writeOnlyPaths());
        if (copy.toString().length() != before) {
            throw new AssertionError("writeOnlyProperties MUST NOT be returned: " + model);
        }
    }
}
