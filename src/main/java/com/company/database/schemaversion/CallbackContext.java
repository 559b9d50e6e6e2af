package com.company.database.schemaversion;

import software.amazon.cloudformation.proxy.StdCallbackContext;

/**
 * What one handler call hands to the next. The migration position is not here: it is the database's own
 * history, so a call that repeats after a crash simply observes it again. Only the steps that are not
 * visible in the database are checkpointed.
 */
@lombok.Getter
@lombok.Setter
@lombok.ToString
@lombok.EqualsAndHashCode(callSuper = true)
public class CallbackContext extends StdCallbackContext {
    /** Create: the resource record (the claim on the database schema) is written. */
    private boolean claimed;
    /** Handler calls made so far in this operation. */
    private int calls;
    /** When the database (or a lock, or SSM) first failed to answer in this operation, epoch millis. */
    private Long waitingSince;
    /** How many calls in a row found it unavailable. */
    private int waitAttempts;
    /** VpcRunner: CreateFunction calls that met a role Lambda could not assume yet. */
    private int runnerCreateAttempts;
    /** VpcRunner: the asynchronous step now running (its idempotency key), null when none. */
    private String runnerStepId;
    /** VpcRunner: the version of the runner function this operation last published, checked and invoked. */
    private String runnerVersion;
    /** VpcRunner: the runner marked that step as started (it received the event). */
    private boolean runnerStepStarted;
    /** VpcRunner: when that step was started, epoch millis. */
    private Long runnerStepStartedAt;
    /** VpcRunner: the applied version when the last step was started (what its progress messages start from). */
    private String runnerStepFrom;
    /** VpcRunner: the applied count and checksum then; a step that changed neither applied nothing, an error. */
    private String runnerStepFromHistory;
    /** VpcRunner Delete: OnDelete Clean was done through the runner. */
    private boolean runnerCleaned;
    /** VpcRunner Delete: DeleteFunction was called; waiting for the function to be gone. */
    private boolean runnerDeleteRequested;
    /** Update to Direct: the runner function of the VpcRunner mode is gone. */
    private boolean runnerRetired;
    /** Adoption and Repair (HistoryActions) were done in this operation, or there was none to do. */
    private boolean historyActionsDone;
    /** Create: the database records this resource's claim on the schema; Update: it was checked. */
    private boolean databaseClaimed;
    /** Update: the OnDelete the database's claim recorded when the operation began. */
    private String claimOnDelete;
    /** Delete: what was done with the schema and its claim, for the final message. */
    private String deleteNote;
}
