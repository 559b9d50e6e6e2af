package com.company.database.schemaversion.policy;

import com.company.database.schemaversion.TaskRunnerPolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The account's TaskRunner type configuration with its defaults filled in: what the handlers put in the task
 * definition and RunTask. Image and executionRoleArn stay null until the admin sets them; the mode is off until
 * then ({@link #enabled()}).
 *
 * @param image            the runner image, by digest (registry/repository@sha256:...)
 * @param cluster          the ECS cluster name or ARN
 * @param executionRoleArn the task execution role (image pull, log delivery), never the role the migrations run as
 * @param logGroup         the CloudWatch Logs group of the tasks' awslogs driver
 * @param cpu              the task's CPU units
 * @param memoryMiB        the task's memory in MiB
 */
public record TaskRunnerSettings(String image, String cluster, String executionRoleArn, String logGroup, int cpu,
                                 int memoryMiB) {
    public static final String DEFAULT_CLUSTER = "default";
    public static final String DEFAULT_LOG_GROUP = "/company-database-schemaversion/task-runner";
    public static final int DEFAULT_CPU = 512;
    public static final int DEFAULT_MEMORY_MIB = 1024;
    /**
     * The schema's TaskRunner.Image pattern, matched whole: a JSON-schema validator in Java lets $ match before a
     * trailing line break, which would let a name that is not exactly a digest reference through.
     */
    private static final Pattern IMAGE_BY_DIGEST = Pattern.compile("[a-z0-9][a-z0-9._/:-]*@sha256:[0-9a-f]{64}");

    /** The settings of a type configuration's TaskRunner section (null: none, so only defaults). */
    public static TaskRunnerSettings of(TaskRunnerPolicy p) {
        if (p == null) {
            return new TaskRunnerSettings(null, DEFAULT_CLUSTER, null, DEFAULT_LOG_GROUP, DEFAULT_CPU, DEFAULT_MEMORY_MIB);
        }
        return new TaskRunnerSettings(blankToNull(p.getImage()), orDefault(p.getCluster(), DEFAULT_CLUSTER),
                blankToNull(p.getExecutionRoleArn()), orDefault(p.getLogGroup(), DEFAULT_LOG_GROUP),
                p.getCpu() == null ? DEFAULT_CPU : p.getCpu(), p.getMemoryMiB() == null ? DEFAULT_MEMORY_MIB : p.getMemoryMiB());
    }

    /** Whether the admin has set what a task needs and the mode may be used. */
    public boolean enabled() {
        return image != null && executionRoleArn != null;
    }

    /** The settings the admin still has to give before TaskRunner works, by their type configuration names. */
    public List<String> missing() {
        List<String> missing = new ArrayList<>();
        if (image == null) missing.add("TaskRunner.Image");
        if (executionRoleArn == null) missing.add("TaskRunner.ExecutionRoleArn");
        return missing;
    }

    /** Whether an image reference names exactly one image by its sha256 digest (repository@sha256:64 hex digits). */
    public static boolean namedByDigest(String image) {
        return image != null && IMAGE_BY_DIGEST.matcher(image).matches();
    }

    /**
     * Why Fargate would refuse this task size, or null when it is one of Fargate's CPU and memory combinations
     * (guides/task-runner.md names the source). The schema bounds each value alone; RegisterTaskDefinition would
     * otherwise refuse the pair only once the resource is claimed.
     */
    public static String fargateSizeProblem(int cpu, int memoryMiB) {
        int[] range = switch (cpu) {
            case 256 -> new int[] {512, 2048};
            case 512 -> new int[] {1024, 4096};
            case 1024 -> new int[] {2048, 8192};
            case 2048 -> new int[] {4096, 16384};
            case 4096 -> new int[] {8192, 30720};
            default -> null;
        };
        if (range == null) {
            return "Cpu " + cpu + " is not a Fargate task size (256, 512, 1024, 2048 or 4096)";
        }
        // 256 CPU units take 512, 1024 or 2048 MiB; every other size whole GiB within its range.
        boolean step = cpu == 256 ? memoryMiB == 512 || memoryMiB % 1024 == 0 : memoryMiB % 1024 == 0;
        if (memoryMiB < range[0] || memoryMiB > range[1] || !step) {
            return "MemoryMiB " + memoryMiB + " does not go with Cpu " + cpu + " on Fargate, which takes "
                    + (cpu == 256 ? "512, 1024 or 2048" : range[0] + " to " + range[1] + " in steps of 1024")
                    + " MiB with it";
        }
        return null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String orDefault(String s, String fallback) {
        return s == null || s.isBlank() ? fallback : s;
    }
}
