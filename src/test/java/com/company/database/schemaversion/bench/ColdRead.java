package com.company.database.schemaversion.bench;

import com.company.database.schemaversion.HandlerEnvironment;
import com.company.database.schemaversion.engine.MigrationSource;
import com.company.database.schemaversion.local.CloudFormationDriver;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cold-start probe: a new JVM with the shaded handler jar on its class path makes exactly one Read call
 * through the real HandlerWrapper, prints the answer's status on one line, and exits. The benchmark times
 * it from process start to that line. Arguments: the request JSON file, then optionally the migration folder
 * that stands in for the baked set.
 */
public final class ColdRead {
    private ColdRead() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 1) {
            HandlerEnvironment.setMigrationOverride(MigrationSource.directory(Path.of(args[1])));
        }
        JsonNode request = new ObjectMapper().readTree(Files.readString(Path.of(args[0])));
        JsonNode response = CloudFormationDriver.quiet().invoke(request);
        System.out.println("EVENT " + response.path("status").asText() + " "
                + response.path("resourceModel").path("AppliedCount").asText("-") + " "
                + response.path("message").asText("").replace('\n', ' '));
        System.out.flush();
    }
}
