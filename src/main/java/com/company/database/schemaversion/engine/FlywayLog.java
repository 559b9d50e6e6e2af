package com.company.database.schemaversion.engine;

import org.flywaydb.core.api.logging.Log;
import org.flywaydb.core.api.logging.LogCreator;

import java.util.function.Consumer;

/**
 * Flyway's log lines, one line each, in the log of the call that runs the engine (the handler's request logger,
 * the runner's Lambda log), instead of java.util.logging's two-line records on the process's stderr, where the
 * local runner prints its event table.
 *
 * <p>Flyway offers no logger per configuration object: the configuration names a {@link LogCreator} class
 * ({@code loggers}, set in FlywayEngine's configuration), which Flyway instantiates by name and installs in its
 * process-wide LogFactory whenever a Flyway is built. The only thing that tells which call a line belongs to is
 * the thread the engine runs on, so the caller routes its thread's lines with {@link #routeTo} for the length
 * of the call. On a thread nobody routed, only warnings are written, to stderr, one line each.
 *
 * <p>Errors are left out: every Flyway failure reaches the caller as the engine's exception, which the caller
 * logs and answers with, so Flyway's own line would only say it twice. Debug lines are left out as well.
 */
public final class FlywayLog implements LogCreator {
    private static final ThreadLocal<Consumer<String>> ROUTE = new ThreadLocal<>();

    /** Instantiated by Flyway, by the class name the configuration gives. */
    public FlywayLog() {
    }

    /** Where this thread's Flyway lines go until the route is closed (which restores the previous one). */
    public static Route routeTo(Consumer<String> lines) {
        Consumer<String> previous = ROUTE.get();
        ROUTE.set(lines);
        return () -> {
            if (previous == null) {
                ROUTE.remove();
            } else {
                ROUTE.set(previous);
            }
        };
    }

    /** A routing in force; closing it ends it. */
    @FunctionalInterface
    public interface Route extends AutoCloseable {
        @Override
        void close();
    }

    @Override
    public Log createLogger(Class<?> clazz) {
        return new Line();
    }

    private static void line(String level, String message, boolean warning) {
        Consumer<String> route = ROUTE.get();
        if (route == null && !warning) {
            return;
        }
        // One line per event: a multi-line message (Flyway's tables) is joined, never read.
        String text = "Flyway " + level + ": " + (message == null ? ""
                : String.join(" ", message.strip().lines().map(String::strip).toList()));
        if (route != null) {
            route.accept(text);
        } else {
            System.err.println(text);
        }
    }

    private static final class Line implements Log {
        @Override
        public boolean isDebugEnabled() {
            return false;
        }

        @Override
        public void debug(String message) {
        }

        @Override
        public void info(String message) {
            line("info", message, false);
        }

        @Override
        public void warn(String message) {
            line("warning", message, true);
        }

        @Override
        public void error(String message) {
        }

        @Override
        public void error(String message, Exception e) {
        }

        @Override
        public void notice(String message) {
            line("notice", message, false);
        }
    }
}
