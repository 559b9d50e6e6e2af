package com.company.database.schemaversion.testing;

import com.company.database.schemaversion.local.EcsHooks;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The faults a test switches on in a {@link com.company.database.schemaversion.local.LocalEcs}, and a record of
 * what it was asked and what it started. Each test builds its own (no state shared between tests).
 */
public final class EcsFaults implements EcsHooks {
    private int capacityFailures;
    private final Deque<TaskFault> taskFaults = new ArrayDeque<>();
    private Duration startDelay = Duration.ZERO;
    private Duration stopTimeout;
    private Duration deprovisioning = Duration.ZERO;
    private final java.util.Set<String> missing = new java.util.HashSet<>();
    private final List<String> calls = new ArrayList<>();
    private final List<Launch> launches = new ArrayList<>();

    /** The next {@code n} RunTask calls find no Fargate capacity. */
    public synchronized EcsFaults capacityUnavailableFor(int n) {
        capacityFailures = n;
        return this;
    }

    /** The next task RunTask starts goes wrong this way (queued: one per task). */
    public synchronized EcsFaults nextTask(TaskFault fault) {
        taskFaults.add(fault);
        return this;
    }

    public synchronized EcsFaults startDelay(Duration delay) {
        startDelay = delay;
        return this;
    }

    /** StopTask's SIGKILL comes this long after SIGTERM, whatever the container's stopTimeout. */
    public synchronized EcsFaults killAfterSigterm(Duration timeout) {
        stopTimeout = timeout;
        return this;
    }

    /** A cluster, subnet or security group id that does not exist in the account. */
    public synchronized EcsFaults missing(String id) {
        missing.add(id);
        return this;
    }

    @Override
    public synchronized boolean clusterExists(String cluster) {
        return !missing.contains(cluster);
    }

    @Override
    public synchronized boolean subnetExists(String subnetId) {
        return !missing.contains(subnetId);
    }

    @Override
    public synchronized boolean securityGroupExists(String groupId) {
        return !missing.contains(groupId);
    }

    /** A stopping task stays DEPROVISIONING this long. */
    public synchronized EcsFaults deprovisioning(Duration time) {
        deprovisioning = time;
        return this;
    }

    @Override
    public synchronized Duration deprovisioning() {
        return deprovisioning;
    }

    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    public synchronized List<Launch> launches() {
        return List.copyOf(launches);
    }

    @Override
    public synchronized boolean capacityUnavailable() {
        if (capacityFailures > 0) {
            capacityFailures--;
            return true;
        }
        return false;
    }

    @Override
    public synchronized TaskFault taskFault(String taskDefinitionArn, String startedBy) {
        TaskFault f = taskFaults.poll();
        return f == null ? TaskFault.NONE : f;
    }

    @Override
    public synchronized Duration startDelay() {
        return startDelay;
    }

    @Override
    public synchronized Duration stopTimeout(Duration configured) {
        return stopTimeout == null ? configured : stopTimeout;
    }

    @Override
    public synchronized void called(String call) {
        calls.add(call);
    }

    @Override
    public synchronized void started(Launch launch) {
        launches.add(launch);
    }
}
