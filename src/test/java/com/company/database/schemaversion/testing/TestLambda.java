package com.company.database.schemaversion.testing;

import com.company.database.schemaversion.engine.MigrationSource;
import com.company.database.schemaversion.local.LambdaHooks;
import com.company.database.schemaversion.local.LambdaHooks.Invocation;
import com.company.database.schemaversion.local.LambdaHooks.InvokeFault;
import com.company.database.schemaversion.local.LambdaHooks.Transition;
import com.company.database.schemaversion.local.LocalLambda;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The test JVM's Lambda: the local runner's {@link LocalLambda}, built with the faults the tests switch on and a
 * record of what it was asked. The JVM has one, whose endpoint the tests hand the handlers in their environment
 * (AbstractHandlerTest), and {@link #reset()} puts it back to a fresh account that behaves well between tests.
 * The runners it hosts get the runner role's placeholder credentials and their SSM endpoint in their environment
 * ({@link #hostRunnersReading}), as a function gets its role's credentials from Lambda's runtime.
 */
public final class TestLambda {
    private static final class Jvm {
        static final TestLambda LAMBDA = new TestLambda();
    }

    private final Faults faults = new Faults();
    private final LocalLambda lambda;

    private TestLambda() {
        try {
            lambda = new LocalLambda(faults);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TestLambda shared() {
        return Jvm.LAMBDA;
    }

    /**
     * The runners this Lambda hosts read SSM at this endpoint with the runner role's placeholder credentials,
     * handed in with their environment (AWS_ENDPOINT_URL_SSM, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
     */
    public void hostRunnersReading(String ssmEndpoint) {
        lambda.hostRunnersIn(Map.of("AWS_ENDPOINT_URL_SSM", ssmEndpoint,
                "AWS_ACCESS_KEY_ID", LocalLambda.RUNNER_ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", LocalLambda.RUNNER_SECRET_KEY));
    }

    /** The Lambda itself, for a host that runs on it (the local runner's endpoints). */
    public LocalLambda local() {
        return lambda;
    }

    public String endpoint() {
        return lambda.endpoint();
    }

    /** No function, no fault, nothing recorded: a fresh account, once the running invocations ended. */
    public void reset() {
        lambda.reset();
        faults.reset();
    }

    public void awaitIdle() {
        lambda.awaitIdle();
    }

    public void hostRunnersWith(MigrationSource migrations) {
        lambda.hostRunnersWith(migrations);
    }

    public void setRegion(String region) {
        lambda.setRegion(region);
    }

    public String region() {
        return lambda.region();
    }

    // ---- faults ------------------------------------------------------------------------------------------------

    /** GetFunction calls that see Pending after a create, InProgress after an update, Deleting after a delete. */
    public void setPolls(int pending, int update, int delete) {
        synchronized (faults) {
            faults.polls.put(Transition.CREATE, pending);
            faults.polls.put(Transition.UPDATE, update);
            faults.polls.put(Transition.DELETE, delete);
        }
    }

    /** Only these subnets and security groups exist (CreateFunction checks them as Lambda does through EC2). */
    public void setNetwork(Set<String> subnets, Set<String> securityGroups) {
        synchronized (faults) {
            faults.subnets = Set.copyOf(subnets);
            faults.securityGroups = Set.copyOf(securityGroups);
        }
    }

    /** Lambda can never assume this role (wrong trust policy). */
    public void rejectRole(String roleArn) {
        synchronized (faults) {
            faults.unassumableRoles.add(roleArn);
        }
    }

    /** The next CreateFunction calls meet a role that is not assumable yet (IAM propagation). */
    public void rejectRoleTimes(int times) {
        synchronized (faults) {
            faults.roleRejectionsLeft = times;
        }
    }

    /** New functions end in State Failed with this StateReasonCode instead of Active (null: they become Active). */
    public void failActivation(String stateReasonCode) {
        synchronized (faults) {
            faults.activationFailure = stateReasonCode;
        }
    }

    /** Lambda reclaimed the idle function: invocations fail and move it back to Pending. */
    public void makeInactive(String name) {
        synchronized (faults) {
            faults.reclaimed.add(name);
        }
    }

    /** Replaces the function's code by hand, as someone in the console would. */
    public void replaceCodeByHand(String name, byte[] zip) {
        synchronized (faults) {
            faults.codeByHand.put(name, zip.clone());
        }
    }

    public void setSyncFault(InvokeFault fault) {
        synchronized (faults) {
            faults.syncFault = fault;
        }
    }

    /** Asynchronous events are accepted but the function dies before doing anything. */
    public void dropAsyncInvocations(boolean drop) {
        synchronized (faults) {
            faults.dropEvents = drop;
        }
    }

    /** Every asynchronous event is delivered twice, as Lambda's at-least-once queue may. */
    public void deliverAsyncTwice(boolean twice) {
        synchronized (faults) {
            faults.eventsTwice = twice;
        }
    }

    /**
     * Asynchronous events reach the function this late (a queue backlog): the function's clock reads that much
     * later when it runs, and an event older than the function's MaximumEventAgeInSeconds is dropped, as Lambda does.
     */
    public void delayAsync(Duration delay) {
        synchronized (faults) {
            faults.eventDelay = delay;
        }
    }

    /** Time passes for the functions: their clock reads this much later from now on (zero: the real time). */
    public void setFunctionClockOffset(Duration offset) {
        synchronized (faults) {
            faults.clockOffset = offset;
        }
    }

    /** The next asynchronous attempts end in a function error (the runtime crashed) before the handler runs. */
    public void crashAsyncAttempts(int attempts) {
        synchronized (faults) {
            faults.eventCrashesLeft = attempts;
        }
    }

    /**
     * Someone else's change right after a caller's check: runs once, on the next GetFunction of $LATEST that finds
     * the function Active with its last update done and its configuration as {@code when} says, after the answer is
     * taken and before it is sent.
     */
    public void afterNextReadyGetFunction(Predicate<JsonNode> when, Runnable change) {
        synchronized (faults) {
            faults.afterReadyWhen = when;
            faults.afterReady = change;
        }
    }

    /** Someone else's change while an event waits in Lambda's queue: runs once, before the next event is delivered. */
    public void beforeNextEventDelivery(Runnable change) {
        synchronized (faults) {
            faults.beforeDelivery = change;
        }
    }

    /** Runs functions with this timeout instead of their configured one (Lambda ends them after it). */
    public void setTimeoutOverride(int seconds) {
        synchronized (faults) {
            faults.timeoutOverride = seconds;
        }
    }

    // ---- what tests look at ----------------------------------------------------------------------------------

    /** "METHOD operation function" per API call, in order. */
    public List<String> calls() {
        synchronized (faults) {
            return new ArrayList<>(faults.calls);
        }
    }

    public long count(String operation) {
        return calls().stream().filter(c -> c.split(" ")[1].equals(operation)).count();
    }

    public List<String> invocationPayloads() {
        synchronized (faults) {
            return new ArrayList<>(faults.payloads);
        }
    }

    /** Every invocation Lambda started (dropped events excluded), with the configuration it ran with. */
    public List<Invocation> invocations() {
        synchronized (faults) {
            return new ArrayList<>(faults.invocations);
        }
    }

    public List<String> runnerLog() {
        synchronized (faults) {
            return new ArrayList<>(faults.runnerLog);
        }
    }

    public Set<String> functionNames() {
        return lambda.functionNames();
    }

    public JsonNode configuration(String name) {
        return lambda.configuration(name);
    }

    /** The function's deployment package as it is now (what GetFunction's Code.Location would download). */
    public byte[] code(String name) {
        return lambda.code(name);
    }

    /** The numbers of the function's published versions. */
    public List<String> versions(String name) {
        return lambda.versions(name);
    }

    public Map<String, String> environment(String name) {
        Map<String, String> out = new TreeMap<>();
        lambda.configuration(name).path("Environment").path("Variables").fields()
                .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return Map.copyOf(out);
    }

    /** The faults and the record, guarded by this object's lock; the Lambda asks at the moment it decides. */
    private static final class Faults implements LambdaHooks {
        final Map<Transition, Integer> polls = new HashMap<>();
        Set<String> subnets;
        Set<String> securityGroups;
        final Set<String> unassumableRoles = new HashSet<>();
        int roleRejectionsLeft;
        String activationFailure;
        final Set<String> reclaimed = new HashSet<>();
        final Map<String, byte[]> codeByHand = new HashMap<>();
        InvokeFault syncFault = InvokeFault.NONE;
        boolean dropEvents;
        boolean eventsTwice;
        Duration eventDelay = Duration.ZERO;
        Duration clockOffset = Duration.ZERO;
        int eventCrashesLeft;
        Predicate<JsonNode> afterReadyWhen;
        Runnable afterReady;
        Runnable beforeDelivery;
        int timeoutOverride;
        final List<String> calls = new ArrayList<>();
        final List<String> payloads = new ArrayList<>();
        final List<Invocation> invocations = new ArrayList<>();
        final List<String> runnerLog = new ArrayList<>();

        synchronized void reset() {
            polls.clear();
            subnets = null;
            securityGroups = null;
            unassumableRoles.clear();
            roleRejectionsLeft = 0;
            activationFailure = null;
            reclaimed.clear();
            codeByHand.clear();
            syncFault = InvokeFault.NONE;
            dropEvents = false;
            eventsTwice = false;
            eventDelay = Duration.ZERO;
            clockOffset = Duration.ZERO;
            eventCrashesLeft = 0;
            afterReadyWhen = null;
            afterReady = null;
            beforeDelivery = null;
            timeoutOverride = 0;
            calls.clear();
            payloads.clear();
            invocations.clear();
            runnerLog.clear();
        }

        @Override
        public synchronized int polls(Transition transition) {
            return polls.getOrDefault(transition, 1);
        }

        @Override
        public synchronized boolean subnetExists(String subnetId) {
            return subnets == null || subnets.contains(subnetId);
        }

        @Override
        public synchronized boolean securityGroupExists(String groupId) {
            return securityGroups == null || securityGroups.contains(groupId);
        }

        @Override
        public synchronized boolean roleAssumable(String roleArn) {
            if (unassumableRoles.contains(roleArn)) {
                return false;
            }
            if (roleRejectionsLeft > 0) {
                roleRejectionsLeft--;
                return false;
            }
            return true;
        }

        @Override
        public synchronized String activationFailure() {
            return activationFailure;
        }

        @Override
        public synchronized boolean reclaimedAsIdle(String function) {
            return reclaimed.remove(function);
        }

        @Override
        public synchronized byte[] codeReplacedByHand(String function) {
            return codeByHand.remove(function);
        }

        @Override
        public synchronized Runnable afterReadyGetFunction(JsonNode configuration) {
            if (afterReady == null || !afterReadyWhen.test(configuration)) {
                return null;
            }
            Runnable change = afterReady;
            afterReady = null;
            return change;
        }

        @Override
        public synchronized InvokeFault syncInvokeFault() {
            return syncFault;
        }

        @Override
        public synchronized int eventDeliveries() {
            return dropEvents ? 0 : eventsTwice ? 2 : 1;
        }

        @Override
        public synchronized Duration eventDelay() {
            return eventDelay;
        }

        @Override
        public synchronized boolean crashEventAttempt() {
            if (eventCrashesLeft > 0) {
                eventCrashesLeft--;
                return true;
            }
            return false;
        }

        @Override
        public void beforeEventDelivery() {
            Runnable change;
            synchronized (this) {
                change = beforeDelivery;
                beforeDelivery = null;
            }
            if (change != null) {
                change.run();
            }
        }

        @Override
        public synchronized Duration clockOffset() {
            return clockOffset;
        }

        @Override
        public synchronized int timeoutSeconds(int configured) {
            return timeoutOverride > 0 ? timeoutOverride : configured;
        }

        @Override
        public synchronized void called(String call) {
            calls.add(call);
        }

        @Override
        public synchronized void invokePayload(String payload) {
            payloads.add(payload);
        }

        @Override
        public synchronized void started(Invocation invocation) {
            invocations.add(invocation);
        }

        @Override
        public synchronized void runnerLogged(String line) {
            runnerLog.add(line);
        }
    }
}
