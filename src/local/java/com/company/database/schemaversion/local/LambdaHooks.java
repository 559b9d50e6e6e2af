package com.company.database.schemaversion.local;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a host plugs into a {@link LocalLambda} when it builds one: the faults the real service produces (bad
 * subnets, roles not assumable yet, Failed states, timeouts, crashes, late or duplicate deliveries, changes made
 * outside the type's calls) and what it wants to see of the calls. {@link #NONE} is Lambda behaving well, which
 * is what the local runner uses; the tests implement the faults (testing/LambdaFaults). Every method is asked at
 * the moment Lambda would decide, so a host may change its answers while the Lambda runs.
 */
public interface LambdaHooks {
    LambdaHooks NONE = new LambdaHooks() {
    };

    /** What one invocation ran with: the configuration at the moment Lambda started it. */
    record Invocation(String type, String payload, Map<String, String> environment, List<String> layers,
                      String codeSha256, String version) {
    }

    /** How a synchronous invocation ends instead of running the function. */
    enum InvokeFault { NONE, TIMEOUT, CRASH }

    /** A state change that GetFunction sees in progress for some polls: Pending, InProgress, Deleting. */
    enum Transition { CREATE, UPDATE, DELETE }

    // ---- faults ----------------------------------------------------------------------------------------------

    /** GetFunction calls that still see the transition in progress. */
    default int polls(Transition transition) {
        return 1;
    }

    /** Whether the subnet exists (CreateFunction checks it as Lambda does through EC2). */
    default boolean subnetExists(String subnetId) {
        return true;
    }

    default boolean securityGroupExists(String groupId) {
        return true;
    }

    /** Whether Lambda can assume the role now (false: wrong trust policy, or IAM has not propagated it yet). */
    default boolean roleAssumable(String roleArn) {
        return true;
    }

    /** The StateReasonCode a new function fails with instead of becoming Active, or null. */
    default String activationFailure() {
        return null;
    }

    /** Asked whenever a call or a look reaches the function: Lambda reclaimed it as idle since the last one. */
    default boolean reclaimedAsIdle(String function) {
        return false;
    }

    /** Asked likewise: code someone uploaded by hand (in the console) since the last one, or null. */
    default byte[] codeReplacedByHand(String function) {
        return null;
    }

    /**
     * Someone else's change right after a caller's check: asked on each GetFunction of $LATEST that finds the
     * function Active with its last update done, with the answer taken; what it returns runs before the answer
     * is sent (null: nothing).
     */
    default Runnable afterReadyGetFunction(JsonNode configuration) {
        return null;
    }

    default InvokeFault syncInvokeFault() {
        return InvokeFault.NONE;
    }

    /** How many times Lambda's queue delivers one asynchronous event: 0 (the function dies first), 1, or 2. */
    default int eventDeliveries() {
        return 1;
    }

    /**
     * How late events reach the function (a queue backlog): its clock reads that much later when it runs, and an
     * event older than the function's MaximumEventAgeInSeconds is dropped.
     */
    default Duration eventDelay() {
        return Duration.ZERO;
    }

    /** Whether this attempt at an event ends in a function error (the runtime crashed) before the handler runs. */
    default boolean crashEventAttempt() {
        return false;
    }

    /** Someone else's change while an event waits in Lambda's queue: runs before each delivery. */
    default void beforeEventDelivery() {
    }

    /** How much later than the real time the functions' clock reads. */
    default Duration clockOffset() {
        return Duration.ZERO;
    }

    /** The timeout Lambda ends a run after, given the function's configured one. */
    default int timeoutSeconds(int configured) {
        return configured;
    }

    // ---- what the host sees -----------------------------------------------------------------------------------

    /** One API call, as "METHOD Operation function[:qualifier][ invocation type]". */
    default void called(String call) {
    }

    /** The payload of one Invoke call (DryRun included). */
    default void invokePayload(String payload) {
    }

    /** An invocation Lambda started (dropped events excluded). */
    default void started(Invocation invocation) {
    }

    /** One line the functions (or Lambda's queue) logged. */
    default void runnerLogged(String line) {
    }
}
