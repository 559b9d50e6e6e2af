package com.company.database.schemaversion;

import com.company.database.schemaversion.core.Budget;
import com.company.database.schemaversion.engine.MigrationSource;

import java.time.Clock;
import java.time.Duration;

/**
 * The few things a handler takes from its surroundings rather than from the request: the clock, the
 * per-call time budget, and (for the local runner) a migration folder that replaces the baked set.
 * Lambda uses the defaults; tests and the local runner set them before driving the handlers.
 */
public final class HandlerEnvironment {
    private static volatile Clock clock = Clock.systemUTC();
    private static volatile Duration startWindow = Duration.ofSeconds(25);
    private static volatile Duration hardLimit = Duration.ofSeconds(50);
    private static volatile MigrationSource migrationOverride;

    private HandlerEnvironment() {
    }

    public static Clock clock() {
        return clock;
    }

    public static Budget newCallBudget() {
        return new Budget(clock, startWindow, hardLimit);
    }

    public static MigrationSource migrationOverride() {
        return migrationOverride;
    }

    public static void setClock(Clock c) {
        clock = c;
    }

    /** How long a call may keep starting migrations, and when its statements must stop. */
    public static void setCallBudget(Duration start, Duration hard) {
        startWindow = start;
        hardLimit = hard;
    }

    public static void setMigrationOverride(MigrationSource source) {
        migrationOverride = source;
    }

    public static void reset() {
        clock = Clock.systemUTC();
        startWindow = Duration.ofSeconds(25);
        hardLimit = Duration.ofSeconds(50);
        migrationOverride = null;
    }
}
