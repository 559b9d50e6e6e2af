package com.company.database.schemaversion.bench;

import com.company.database.schemaversion.HandlerEnvironment;
import com.company.database.schemaversion.engine.MigrationSource;
import com.company.database.schemaversion.local.CloudFormationDriver;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
        if ("lifecycle".equals(args[0])) {
            lifecycle(Path.of(args[1]));
            return;
        }
        CloudFormationDriver driver = CloudFormationDriver.quiet();
        if (args.length > 1) {
            driver.withEnvironment(HandlerEnvironment.lambda().withMigrations(MigrationSource.directory(Path.of(args[1]))));
        }
        JsonNode request = new ObjectMapper().readTree(Files.readString(Path.of(args[0])));
        JsonNode response = Boolean.getBoolean("coldread.wrapperOnly") ? WrapperOnly.invoke(request)
                : driver.invoke(request);
        System.out.println("EVENT " + response.path("status").asText() + " "
                + response.path("resourceModel").path("AppliedCount").asText("-") + " "
                + response.path("message").asText("").replace('\n', ' '));
        System.out.flush();
        // After the timed line: the CPU time this JVM has used so far (all threads, JIT and GC included), which
        // the machine's other load moves far less than the wall time; then the marker class whose loading ends
        // the class-load log's count of classes loaded for the Read.
        System.out.println("CPU " + cpuMillis());
        System.out.flush();
        Answered.mark();
    }

    /** utime + stime of this process from /proc/self/stat, in ms (clock ticks of 10 ms); -1 off Linux. */
    private static long cpuMillis() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // Fields 14 and 15 of stat(5), counted from the state field (3): indexes 11 and 12.
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
        } catch (Exception e) {
            return -1;
        }
    }

    /** Loaded only after the ProgressEvent is printed: the benchmark's class-load count stops at it. */
    static final class Answered {
        private Answered() {
        }

        static void mark() {
        }
    }

    /**
     * The shaded jar's smoke run: Create (schema validation included), Read, Update and Delete of the model
     * in the given file through the real wrapper, each followed to its end. Prints one LIFECYCLE line.
     */
    private static void lifecycle(Path modelFile) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode model = (ObjectNode) json.readTree(Files.readString(modelFile));
        CloudFormationDriver driver = CloudFormationDriver.quiet().withTypeConfiguration(com.company.database.schemaversion.testing.TestModels.testAccount());
        List<String> steps = new ArrayList<>();
        CloudFormationDriver.Outcome created = driver.run("CREATE", model, null);
        steps.add("CREATE " + created.status() + " " + created.calls());
        String id = created.model() == null ? null : created.model().path("Id").asText(null);
        if (id != null) {
            CloudFormationDriver.Outcome read = driver.run("READ", json.createObjectNode().put("Id", id), null);
            steps.add("READ " + read.status() + " " + read.model().path("AppliedVersion").asText());
            CloudFormationDriver.Outcome updated = driver.run("UPDATE", model.deepCopy().put("Id", id), created.model());
            steps.add("UPDATE " + updated.status());
            CloudFormationDriver.Outcome deleted = driver.run("DELETE", json.createObjectNode().put("Id", id), null);
            steps.add("DELETE " + deleted.status());
        }
        boolean ok = steps.stream().allMatch(s -> s.contains("SUCCESS"));
        System.out.println("LIFECYCLE " + (ok ? "SUCCESS" : "FAILED") + " " + String.join("; ", steps));
        System.out.flush();
    }
}
