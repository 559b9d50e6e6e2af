package com.company.database.schemaversion.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The time one handler call may spend. A new migration is started only before {@code startCutoff};
 * {@code deadline} bounds the statements themselves (the engine turns it into statement_timeout).
 */
public final class Budget {
    private final Clock clock;
    private final Instant startCutoff;
    private final Instant deadline;

    public Budget(Clock clock, Duration startWindow, Duration hardLimit) {
        this.clock = clock;
        Instant now = clock.instant();
        this.startCutoff = now.plus(startWindow);
        this.deadline = now.plus(hardLimit);
    }

    /** Now, on the clock the budget runs on (the handler's). */
    public Instant now() {
        return clock.instant();
    }

    public boolean mayStartAnother() {
        return clock.instant().isBefore(startCutoff);
    }

    /** How much longer a new migration may be started in this call (zero once the window is over). */
    public Duration startWindowLeft() {
        Duration d = Duration.between(clock.instant(), startCutoff);
        return d.isNegative() ? Duration.ZERO : d;
    }

    public Duration remaining() {
        Duration d = Duration.between(clock.instant(), deadline);
        return d.isNegative() ? Duration.ZERO : d;
    }
}
