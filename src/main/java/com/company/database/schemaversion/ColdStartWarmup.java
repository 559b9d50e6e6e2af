package com.company.database.schemaversion;

import com.company.database.schemaversion.aws.AwsClients;
import com.company.database.schemaversion.engine.FlywayEngines;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The first call in a new Lambda container spends most of its time loading classes: the SSM client and its
 * first request alone are about a third of it, then the JDBC driver and Flyway. That work is the same whatever
 * the request says, so while the wrapper is still reading the request, a second thread does it (once per
 * JVM). It makes no network call, holds no credentials and changes nothing: the call thread finds the SSM
 * client built (AwsClients hands out one client per region, so it waits for this one rather than build a
 * second) and the engine waits for Flyway to be loaded (see FlywayEngines.warmUpTask): our code never races
 * the warm-up through one library's static initialisers, where a cycle could deadlock for good. The
 * wrapper's own SDK clients (CloudWatch, in the registry) may be built beside it: building SDK clients on
 * several threads at once is the SDK's everyday use. The schema library the wrapper uses is left alone.
 * Anything that goes wrong here is ignored; the call then does the work itself.
 *
 * <p>Off with the system property {@code schemaversion.warmup=false} (the benchmark measures both ways).
 */
final class ColdStartWarmup {
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private ColdStartWarmup() {
    }

    static void start() {
        if ("false".equalsIgnoreCase(System.getProperty("schemaversion.warmup"))
                || !STARTED.compareAndSet(false, true)) {
            return;
        }
        Runnable engines = FlywayEngines.warmUpTask();
        Thread warmup = new Thread(() -> run(engines), "schemaversion-warmup");
        warmup.setDaemon(true);
        try {
            warmup.start();
        } catch (RuntimeException | OutOfMemoryError e) {
            engines.run();
        }
    }

    private static void run(Runnable engines) {
        try {
            // Lambda always sets AWS_REGION, and a registry handler serves the region it runs in: the client
            // built here is the one the call asks for.
            String region = System.getenv("AWS_REGION");
            if (region != null && !region.isBlank()) {
                // First what the wrapper is about to need: its transform() looks up the region's partition,
                // which loads the SDK's endpoint metadata of every service (some 400 classes). The SSM client
                // needs the same metadata, so nothing is loaded twice.
                PartitionMetadata.of(Region.of(region));
                AwsClients.warmUpSsm(region);
            }
        } catch (Throwable ignored) {
            // Only a head start: the call builds whatever is missing.
        } finally {
            engines.run();
        }
    }
}
