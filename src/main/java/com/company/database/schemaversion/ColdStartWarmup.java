package com.company.database.schemaversion;

import com.company.database.schemaversion.aws.AwsClients;
import com.company.database.schemaversion.engine.FlywayEngines;
import org.json.JSONObject;
import org.json.JSONTokener;
import software.amazon.cloudformation.resource.ResourceTypeSchema;

import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The first call in a new Lambda container spends most of its time loading classes: the SSM client alone is
 * about a third of it, then the JDBC driver, Flyway, and the schema library the wrapper uses to strip
 * write-only properties from the answer. All of that is the same whatever the request says, so while the
 * wrapper is still reading the request, a second thread builds and loads it (once per JVM). It makes no
 * network call, holds no credentials and changes nothing: the call thread simply finds the classes loaded and
 * the SSM client built. Anything that goes wrong here is ignored; the call then does the work itself.
 *
 * <p>Off with the system property {@code schemaversion.warmup=false} (the benchmark measures both ways).
 */
final class ColdStartWarmup {
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private ColdStartWarmup() {
    }

    static void start(String schemaResource) {
        if ("false".equalsIgnoreCase(System.getProperty("schemaversion.warmup"))
                || !STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread warmup = new Thread(() -> run(schemaResource), "schemaversion-warmup");
        warmup.setDaemon(true);
        warmup.start();
    }

    private static void run(String schemaResource) {
        try {
            // Lambda always sets AWS_REGION, and a registry handler serves the region it runs in: the client
            // built here is the one the call asks for.
            String region = System.getenv("AWS_REGION");
            if (region != null && !region.isBlank()) {
                AwsClients.warmUpSsm(region);
            }
            FlywayEngines.warmUp();
            try (InputStream schema = ColdStartWarmup.class.getClassLoader().getResourceAsStream(schemaResource)) {
                if (schema != null) {
                    ResourceTypeSchema.load(new JSONObject(new JSONTokener(schema)));
                }
            }
        } catch (Throwable ignored) {
            // Only a head start: the call builds whatever is missing.
        }
    }
}
