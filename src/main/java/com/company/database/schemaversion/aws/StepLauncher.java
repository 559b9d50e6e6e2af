package com.company.database.schemaversion.aws;

import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.core.Step;

import java.time.Duration;
import java.util.Optional;

/**
 * How a runner step's request reaches the code that applies it: an asynchronous invocation of the runner function,
 * or an ECS task. The step record protocol (armed by the handler, marked running and then overwritten with the
 * outcome by the runner) is the same for both; what differs is how the step is started, what can be seen of it
 * while it reports nothing, and how it is stopped.
 */
public interface StepLauncher {

    /** A step that still runs from a call whose answer was lost: its id, and where it runs. */
    record Found(String stepId, String where) {
    }

    /**
     * A step of this resource that is still running, when the launcher can see one (an ECS task): it is watched
     * instead of starting another. Empty when none runs, or when the launcher cannot tell.
     */
    default Optional<Found> running() {
        return Optional.empty();
    }

    /**
     * Delivers the request of an armed step.
     *
     * @return where the step runs when that can be named (a task's ARN), else null
     */
    String launch(String stepId, byte[] request);

    /**
     * What the launcher sees of a step that has reported no outcome yet: the failure when it is gone for good (the
     * task stopped, could not start), empty while it may still report (or when the launcher cannot see it at all).
     */
    Optional<ReconcileException> lost(Step step);

    /**
     * The runner code id the step record names, which the runner checks against the code it runs before it does
     * anything (a task's image is the admin's, not checked by Lambda's CodeSha256); null when the launcher's runner
     * is checked otherwise.
     */
    default String expectedCode() {
        return null;
    }

    /** Stops the step if it still runs (best effort; never throws for a step already gone). */
    void stop(Step step);

    /** How long a request stays valid after the handler sends it: the runner refuses to start it later. */
    Duration requestLifetime();

    /** How long a step may take to begin before that silence is a failure. */
    Duration startDeadline();

    /** How long a begun step may run without an outcome before the handler gives up; null: no limit but the operation's. */
    Duration stepDeadline();

    /** How long CloudFormation should wait before the next call looks at a running step again. */
    int pollDelaySeconds();

    /** The runner, as a stack event names it ("runner function X", "ECS task Y"). */
    String describe(Step step);

    /** Where the step's log is, for a failure message. */
    String logs(Step step);
}
