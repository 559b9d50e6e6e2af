package com.company.database.schemaversion.hardening;

import com.company.database.schemaversion.HandlerEnvironment;
import com.company.database.schemaversion.engine.MigrationSource;
import com.company.database.schemaversion.local.CloudFormationDriver;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * A handler host that can be SIGKILLed: a separate JVM that plays CloudFormation for one operation, starting
 * from a request file, and after every answered call writes the answer (atomically) to last.json and a line to
 * calls.log. The kill harness reads last.json to decide what CloudFormation would send next.
 *
 * <p>Arguments: request.json stateDir. System properties: harness.migrations (folder), harness.startWindowMillis,
 * aws.endpointUrlSsm, aws.endpointUrlKms.
 */
public final class HandlerProcess {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HandlerProcess() {
    }

    public static void main(String[] args) throws Exception {
        ObjectNode request = (ObjectNode) JSON.readTree(Path.of(args[0]).toFile());
        Path state = Path.of(args[1]);
        CloudFormationDriver driver = CloudFormationDriver.quiet().withEnvironment(HandlerEnvironment.lambda()
                .withMigrations(MigrationSource.directory(Path.of(System.getProperty("harness.migrations"))))
                .withCallBudget(Duration.ofMillis(Long.getLong("harness.startWindowMillis", 400)), Duration.ofSeconds(50)));
        while (true) {
            long start = System.nanoTime();
            JsonNode response = driver.invoke(request);
            long millis = (System.nanoTime() - start) / 1_000_000;
            Path tmp = state.resolve("last.json.tmp");
            Files.write(tmp, JSON.writeValueAsBytes(response));
            Files.move(tmp, state.resolve("last.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(state.resolve("calls.log"), response.path("status").asText() + " " + millis + " "
                            + response.path("message").asText().replace('\n', ' ') + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            if (!"IN_PROGRESS".equals(response.path("status").asText())) {
                return;
            }
            if (response.hasNonNull("resourceModel")) {
                ((ObjectNode) request.get("requestData")).set("resourceProperties", response.get("resourceModel"));
            }
            request.set("callbackContext", response.get("callbackContext"));
        }
    }
}
