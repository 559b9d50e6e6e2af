package com.company.database.schemaversion;

import com.company.database.schemaversion.core.Step;
import com.company.database.schemaversion.core.StepLedger;
import software.amazon.cloudformation.proxy.StdCallbackContext;

/**
 * What one handler call hands to the next. The migration position is not here: it is the database's own
 * history, so a call that repeats after a crash simply observes it again. Only the steps that are not
 * visible in the database are checkpointed: how far the operation got ({@link Phase}), the step now running in a
 * runner ({@link #running()}, in every mode: one that applies here leaves none), the runner function's state
 * ({@link Runner}), and how long the database has been unavailable.
 *
 * <p>The wrapper serializes it into the callback as a bean (Jackson): every field has a getter and a setter,
 * and the helpers below are named so that Jackson does not take them for properties.
 */
@lombok.Getter
@lombok.Setter
@lombok.ToString
@lombok.EqualsAndHashCode(callSuper = true)
public class CallbackContext extends StdCallbackContext implements StepLedger {

    /**
     * How far Create and Update got before the reconcile, in order: a call resumes after the last phase reached.
     * Delete needs none: it acts on the record, which stays until the Delete is done.
     */
    public enum Phase {
        /** The operation's first call: nothing done yet. */
        NEW,
        /** The template's model was validated (later calls carry the model a handler returned, with its Id). */
        VALIDATED,
        /** Create: the resource record (the claim on the Id) is written. */
        CLAIMED,
        /** Create: the database records this resource's claim on the schema; Update: it was checked. */
        DATABASE_CLAIMED,
        /** Adoption and Repair were done, or there was none to do: only reconcile steps remain. */
        RECONCILING
    }

    /** What became of the runner function when the resource leaves VpcRunner mode (Delete, or an Update to Direct). */
    public enum Removal {
        /** Delete: OnDelete Clean and the claim were handled through the runner (or could not be). */
        CLEANED,
        /** DeleteFunction was called; waiting for the function to be gone. */
        DELETE_REQUESTED,
        /** Update to Direct: the function is gone. */
        GONE
    }

    /** VpcRunner and TaskRunner modes: the function this operation ensured. */
    @lombok.Getter
    @lombok.Setter
    @lombok.ToString
    @lombok.EqualsAndHashCode
    public static class Runner {
        /** CreateFunction calls that met a role Lambda could not assume yet. */
        private int createAttempts;
        /** The version of the runner function this operation last published, checked and invoked. */
        private String version;
        /** Null while the function is kept. */
        private Removal removal;

        public boolean removalReached(Removal r) {
            return removal != null && removal.compareTo(r) >= 0;
        }
    }

    private Phase phase = Phase.NEW;
    /** When the database (or a lock, or SSM) first failed to answer in this operation, epoch millis. */
    private Long waitingSince;
    /** How many calls in a row found it unavailable. */
    private int waitAttempts;
    /** The step now running outside this call (a runner's), null when none. */
    private Step step;
    /** VpcRunner and TaskRunner modes only, null otherwise. */
    private Runner runner;
    /** Update: the OnDelete the database's claim recorded when the operation began. */
    private String claimOnDelete;
    /** Delete: what was done with the schema and its claim, for the final message. */
    private String deleteNote;

    /** Whether the operation got at least as far as {@code p}. */
    public boolean reached(Phase p) {
        return (phase == null ? Phase.NEW : phase).compareTo(p) >= 0;
    }

    /** Records that the operation got as far as {@code p}; never moves back. */
    public void advanceTo(Phase p) {
        if (!reached(p)) {
            phase = p;
        }
    }

    /** The runner's state, created on first use. */
    public Runner runnerState() {
        if (runner == null) {
            runner = new Runner();
        }
        return runner;
    }

    @Override
    public Step running() {
        return step;
    }

    @Override
    public void running(Step s) {
        step = s;
    }
}
