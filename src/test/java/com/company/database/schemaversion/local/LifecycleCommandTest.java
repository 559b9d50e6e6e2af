package com.company.database.schemaversion.local;

import com.company.database.schemaversion.local.LocalRunnerHarness.Run;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's main command, on its own embedded PostgreSQL (any free port), from an empty home. */
class LifecycleCommandTest {

    @Test
    void lifecycleTakesTheSampleSetThroughEveryOperationAndExplainsIt() {
        LocalRunnerHarness h = new LocalRunnerHarness();

        Run run = h.raw("lifecycle", "--embedded-port", "0");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        String out = run.out();
        assertThat(out).contains("Embedded PostgreSQL is listening on 127.0.0.1:", "What you are about to see");
        assertThat(out).contains("Type configuration (the local runner's own", "\"AllowedHosts\":[\"127.0.0.1\",\"localhost\"]");
        assertThat(out).contains("would apply 3 migration(s)", "Nothing was changed.");
        assertThat(out).contains("Step 2. Create the resource at version 3", "CREATE_COMPLETE");
        assertThat(out).contains("tables:              customers, order_lines, orders",
                "Flyway's history:    V1, V2, V3 ");
        assertThat(out).contains("Step 3. Update to the latest version", "UPDATE_COMPLETE", "new since last step: order_events",
                "Flyway's history:    V1, V2, V3, V4, V5, V6, V7 ");
        assertThat(out).contains("Step 4. Read the resource", "READ_COMPLETE");
        assertThat(out).contains("Step 5. A rollback", "below the applied version 7",
                "The schema is untouched: same tables, same history as before the rollback.");
        assertThat(out).contains("Step 6. Delete the resource", "DELETE_COMPLETE", "Kept the schema and its data");
        // Steps happen in order.
        assertThat(out.indexOf("CREATE_COMPLETE")).isLessThan(out.indexOf("UPDATE_COMPLETE"));
        assertThat(out.indexOf("READ_COMPLETE")).isLessThan(out.indexOf("below the applied version 7"));
        assertThat(out.indexOf("below the applied version 7")).isLessThan(out.indexOf("DELETE_COMPLETE"));

        // Run twice: the demo starts from a fresh database each time.
        Run again = h.raw("lifecycle", "--embedded-port", "0");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).contains("CREATE_COMPLETE", "DELETE_COMPLETE");
    }
}
