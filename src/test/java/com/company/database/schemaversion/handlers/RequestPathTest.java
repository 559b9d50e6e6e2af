package com.company.database.schemaversion.handlers;

import com.company.database.schemaversion.AbstractHandlerTest;
import com.company.database.schemaversion.local.CloudFormationDriver.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request path of one Direct-mode Create, seen from the database: every statement the JDBC driver sends is
 * caught at the driver's own trace point (its FINEST log record, written in the calling thread), with the stack
 * that sent it. From those stacks: how often the call observed the database, and which classes lie between the
 * wrapper and the SQL. guides/performance.md gives the figures and how they are read.
 */
class RequestPathTest extends AbstractHandlerTest {
    private static final String DRIVER_LOGGER = "org.postgresql.core.v3.QueryExecutorImpl";
    private final List<Sent> sent = new ArrayList<>();
    private final Handler probe = new Handler() {
        @Override
        public void publish(LogRecord r) {
            String text = r.getMessage() + " " + java.util.Arrays.toString(r.getParameters());
            if (text.contains("FE=> Parse") || text.contains("simple execute")) {
                List<String> frames = StackWalker.getInstance().walk(s -> s.map(f -> f.getClassName() + "#" + f.getMethodName()).toList());
                sent.add(new Sent(text, frames));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Level level;

    private record Sent(String text, List<String> frames) {
        /**
         * The frames from the wrapper's entry (the outermost frame of the generated HandlerWrapper or of
         * HandlerEntrypoint, its subclass that dispatches to the handlers) to the driver.
         */
        List<String> path() {
            int wrapper = -1;
            for (int i = 0; i < frames.size(); i++) {
                if (frames.get(i).contains(".HandlerWrapper#") || frames.get(i).contains(".HandlerEntrypoint#")) {
                    wrapper = i;
                }
            }
            return wrapper < 0 ? List.of() : frames.subList(0, wrapper + 1);
        }

        /** The engine's method nearest the driver (observe, apply, claim...), class#method. */
        String engineMethod() {
            return frames.stream().filter(f -> f.contains(".engine.")).findFirst()
                    .map(f -> f.substring(f.lastIndexOf('.') + 1)).orElse("-");
        }
    }

    @BeforeEach
    void catchStatements() {
        Logger driverLog = Logger.getLogger(DRIVER_LOGGER);
        level = driverLog.getLevel();
        driverLog.setLevel(Level.FINEST);
        driverLog.addHandler(probe);
    }

    @AfterEach
    void stopCatching() {
        Logger driverLog = Logger.getLogger(DRIVER_LOGGER);
        driverLog.removeHandler(probe);
        driverLog.setLevel(level);
    }

    @Test
    void oneDirectCreateObservesOnceBeforeAndOnceAfterApplying() {
        Outcome created = create(model("latest"));
        assertThat(created.status()).as(created.message()).isEqualTo("SUCCESS");
        assertThat(created.calls()).isEqualTo(1);

        List<Sent> handler = sent.stream().filter(s -> !s.path().isEmpty()).toList();
        long observes = handler.stream().filter(s -> s.text().contains("to_regclass")
                && s.engineMethod().equals("ObservationFingerprint#of")).count();
        java.util.Map<String, Long> historyReads = handler.stream().filter(s -> s.text().contains("flyway_schema_history")
                && s.text().contains("ORDER BY \"installed_rank\"")).collect(Collectors.groupingBy(Sent::engineMethod,
                TreeMap::new, Collectors.counting()));
        Set<String> all = new TreeSet<>();
        Set<String> ours = new TreeSet<>();
        for (Sent s : handler) {
            for (String method : s.path()) {
                String frame = method.substring(0, method.indexOf('#'));
                if (frame.equals(RequestPathTest.class.getName()) || frame.contains("RequestPathTest$")
                        || frame.startsWith("java.util.logging.")) {
                    continue;
                }
                String top = frame.contains("$") ? frame.substring(0, frame.indexOf('$')) : frame;
                all.add(top);
                if (top.startsWith("com.company.database.schemaversion.")) {
                    ours.add(top);
                }
            }
        }
        System.out.println("[request path] statements " + handler.size() + ", observations (history fingerprints) " + observes
                + ", Flyway history reads by engine method " + historyReads + ", classes wrapper-to-SQL " + all.size() + " (ours "
                + ours.size() + "): " + ours.stream().map(c -> c.substring(c.lastIndexOf('.') + 1))
                .collect(Collectors.joining(" ")));
        // One observation to decide (the claim and the history steps take none), one to report what was applied.
        assertThat(observes).isEqualTo(2);
    }
}
