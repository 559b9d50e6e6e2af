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
    /** The resource record was written (Create) or brought up to the new desired properties (Update). */
    private boolean recordWritten;
    /** Handler calls made so far in this operation. */
    private int calls;
    /** When the database (or a lock, or SSM) first failed to answer in this operation, epoch millis. */
    private Long waitingSince;
    /** How many calls in a row found it unavailable. */
    private int waitAttempts;
}
