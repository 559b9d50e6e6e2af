package com.company.database.schemaversion.local;

import com.company.database.schemaversion.core.Digests;
import com.company.database.schemaversion.core.Regions;
import com.company.database.schemaversion.runner.RunnerImage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A local stand-in for exactly the ECS calls the type makes (RegisterTaskDefinition, DescribeTaskDefinition,
 * DeregisterTaskDefinition, RunTask, DescribeTasks, StopTask, ListTasks) for Fargate tasks, speaking ECS's AWS JSON
 * 1.1 protocol (X-Amz-Target AmazonEC2ContainerServiceV20141113.Op) on 127.0.0.1 so the real SDK client talks to
 * it. It REALLY runs a task: each container's image, named by digest, is pulled from the host's image store (OCI
 * image layouts read by {@link RunnerImage#read}: every blob checked against its digest, every layer against its
 * diff_id), extracted into a fresh root, and its
 * entrypoint and command run as a local process with the container's environment, stdout and stderr going to an
 * awslogs-like file per stream. The images carry no JRE: {@code java} is this host's. Absolute paths in the
 * command line and environment that name something in the image's root are mapped into the extracted root, since
 * the process runs without a container of its own.
 *
 * <p>Tasks go PROVISIONING, PENDING (pulling), RUNNING (the processes started), DEPROVISIONING, STOPPED, with ECS's
 * timestamps and stop codes (EssentialContainerExited, UserInitiated, TaskFailedToStart). StopTask sends SIGTERM and,
 * after the container's stopTimeout, SIGKILL, as the container runtime does. Faults are the host's {@link EcsHooks}.
 * The handler artifact leaves this package out (pom: shade filters).
 */
public final class LocalEcs implements AutoCloseable {
    public static final String ACCOUNT = "000000000000";
    static final String TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113.";
    /** Fargate's RunTask failure when it has no capacity in the task's subnets' zones. */
    public static final String CAPACITY_UNAVAILABLE =
            "Capacity is unavailable at this time. Please try again later or in a different availability zone";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FAMILY = Pattern.compile("[A-Za-z0-9_-]{1,255}");
    private static final Pattern TASK_DEFINITION_ARN = Pattern.compile("^arn:aws[a-z-]*:ecs:[^:]*:[0-9]*:task-definition/(.+)$");
    private static final Pattern DIGEST_REFERENCE = Pattern.compile("^.+@sha256:([0-9a-f]{64})$");
    private static final Pattern LOG_NAME = Pattern.compile("[.\\-_/#A-Za-z0-9]+");
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(30);

    private final HttpServer server;
    private final EcsHooks hooks;
    /** Where tasks' roots and logs go; never under java.io.tmpdir, which the rpdk wrapper empties on every call. */
    private volatile Path workDir;
    private final ExecutorService lifecycles = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "local-ecs-task");
        t.setDaemon(true);
        return t;
    });
    /** family to its revisions, revision n at index n-1 */
    private final Map<String, List<ObjectNode>> definitions = new TreeMap<>();
    private final Map<String, JsonNode> definitionTags = new TreeMap<>();
    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private final Map<String, IdempotentRun> clientTokens = new TreeMap<>();
    private volatile List<Path> imageLayouts = List.of();
    private volatile Map<String, String> taskVariables = Map.of();
    private volatile String region = Regions.FALLBACK;

    /** ECS behaving well, with no work directory yet: tasks fail to start until a host gives one ({@link #useWorkDir}). */
    public LocalEcs() throws IOException {
        this(EcsHooks.NONE);
    }

    public LocalEcs(EcsHooks hooks) throws IOException {
        this.hooks = hooks;
        server = LocalServer.start(0, this::handle, 4, "local-ecs");
    }

    /** With the host's faults and work directory. */
    public LocalEcs(EcsHooks hooks, Path workDir) throws IOException {
        this(hooks);
        useWorkDir(workDir);
    }

    public String endpoint() {
        return LocalServer.endpoint(server);
    }

    // ---- knobs -------------------------------------------------------------------------------------------

    /**
     * Tasks started from now on extract their images under {@code dir}/tasks and write their logs under
     * {@code dir}/logs. Not under java.io.tmpdir: the rpdk wrapper empties that folder on every call.
     */
    public void useWorkDir(Path dir) {
        Path absolute = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(absolute.resolve("logs"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the local ECS's work directory " + absolute, e);
        }
        this.workDir = absolute;
    }

    /** The OCI image layout directories images are pulled from, searched in order. */
    public void imagesFrom(List<Path> layouts) {
        this.imageLayouts = List.copyOf(layouts);
    }

    /**
     * Variables every container gets beside its own, standing for what ECS and the task role give a task (the
     * role's credentials) and for endpoints of the host's (AWS_ENDPOINT_URL_SSM): see LocalLambda#hostRunnersIn.
     */
    public void hostTasksIn(Map<String, String> variables) {
        this.taskVariables = Map.copyOf(variables);
    }

    public Map<String, String> taskVariables() {
        return taskVariables;
    }

    /** The region of ARNs and of the tasks' AWS_REGION. */
    public void setRegion(String region) {
        this.region = region == null || region.isBlank() ? Regions.FALLBACK : region;
    }

    public String region() {
        return region;
    }

    /** Stops every task (SIGKILL), forgets every task definition and task, as a fresh account. */
    public void reset() {
        List<Task> all;
        synchronized (this) {
            all = new ArrayList<>(tasks.values());
            definitions.clear();
            definitionTags.clear();
            tasks.clear();
            clientTokens.clear();
        }
        all.forEach(Task::kill);
    }

    // ---- what a host may look at -----------------------------------------------------------------------------

    /** The awslogs stream's file: {@code <work dir>/logs/<group>/<stream>}, the stream being prefix/container/task id. */
    public Path logFile(String group, String stream) {
        Path dir = workDir;
        if (dir == null) {
            throw new IllegalStateException("the local ECS has no work directory (useWorkDir)");
        }
        return logFile(dir, group, stream);
    }

    private static Path logFile(Path workDir, String group, String stream) {
        Path logsDir = workDir.resolve("logs");
        Path file = logsDir.resolve(relative(group)).resolve(relative(stream)).normalize();
        if (!file.startsWith(logsDir)) {
            throw new IllegalArgumentException("not a log stream: " + group + " " + stream);
        }
        return file;
    }

    /** What the stream holds so far, or empty if nothing was written to it. */
    public Optional<String> logEvents(String group, String stream) {
        Path file = logFile(group, stream);
        try {
            return Files.exists(file) ? Optional.of(Files.readString(file)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until no task is still to stop (for tests' cleanup), at most {@code timeout}. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (this) {
                if (tasks.values().stream().allMatch(t -> "STOPPED".equals(t.lastStatus))) {
                    return true;
                }
            }
            Thread.sleep(50);
        }
        return false;
    }

    // ---- the API -------------------------------------------------------------------------------------------

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            JsonNode in = JSON.readTree(body.isEmpty() ? "{}" : body);
            String op = target != null && target.startsWith(TARGET_PREFIX) ? target.substring(TARGET_PREFIX.length()) : "";
            try {
                JsonNode out = switch (op) {
                    case "RegisterTaskDefinition" -> registerTaskDefinition(in);
                    case "DescribeTaskDefinition" -> describeTaskDefinition(in);
                    case "DeregisterTaskDefinition" -> deregisterTaskDefinition(in);
                    case "RunTask" -> runTask(in);
                    case "DescribeTasks" -> describeTasks(in);
                    case "StopTask" -> stopTask(in);
                    case "ListTasks" -> listTasks(in);
                    default -> throw new EcsError("UnknownOperationException", "Not served here: " + target);
                };
                AwsJson.respond(ex, 200, out);
            } catch (EcsError e) {
                ObjectNode error = AwsJson.error(e.type, e.getMessage());
                if (e.resourceIds != null) {
                    ArrayNode ids = error.putArray("resourceIds");
                    e.resourceIds.forEach(ids::add);
                }
                AwsJson.respond(ex, 400, error);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("local ECS: failed: " + e);
            e.printStackTrace();
            AwsJson.respond(ex, 500, AwsJson.error("ServerException", "The local ECS failed: " + e));
        }
    }

    /** An error answer: its __type is the SDK's exception (ClientException, InvalidParameterException, ...). */
    private static final class EcsError extends Exception {
        final String type;
        final List<String> resourceIds;

        EcsError(String type, String message) {
            this(type, message, null);
        }

        EcsError(String type, String message, List<String> resourceIds) {
            super(message);
            this.type = type;
            this.resourceIds = resourceIds;
        }
    }

    // ---- task definitions ------------------------------------------------------------------------------------

    private synchronized JsonNode registerTaskDefinition(JsonNode in) throws EcsError {
        String family = in.path("family").asText("");
        hooks.called("RegisterTaskDefinition " + family);
        if (!FAMILY.matcher(family).matches()) {
            throw new EcsError("ClientException", "Family contains invalid characters or is too long: letters, numbers,"
                    + " hyphens and underscores, up to 255.");
        }
        JsonNode containers = in.path("containerDefinitions");
        if (!containers.isArray() || containers.isEmpty()) {
            throw new EcsError("ClientException", "Container list cannot be empty.");
        }
        boolean fargate = strings(in.path("requiresCompatibilities")).contains("FARGATE");
        String networkMode = in.path("networkMode").asText(fargate ? "" : "bridge");
        if (fargate && !"awsvpc".equals(networkMode)) {
            throw new EcsError("ClientException", "Fargate only supports network mode 'awsvpc'.");
        }
        String cpu = in.path("cpu").asText(null);
        String memory = in.path("memory").asText(null);
        if (fargate) {
            fargateSize(cpu, memory);
        }
        boolean essential = false;
        Set<String> names = new HashSet<>();
        ArrayNode echoed = JSON.createArrayNode();
        for (JsonNode c : containers) {
            String name = c.path("name").asText("");
            if (name.isEmpty() || !name.matches("[A-Za-z0-9_-]{1,255}") || !names.add(name)) {
                throw new EcsError("ClientException", "Container name \"" + name + "\" is missing, invalid or repeated.");
            }
            if (c.path("image").asText("").isEmpty()) {
                throw new EcsError("ClientException", "Container.image should not be null or empty.");
            }
            JsonNode log = c.path("logConfiguration");
            if ("awslogs".equals(log.path("logDriver").asText())) {
                if (fargate && in.path("executionRoleArn").asText("").isEmpty()) {
                    throw new EcsError("ClientException",
                            "Fargate requires task definition to have execution role ARN to support log driver awslogs.");
                }
                if (!LOG_NAME.matcher(log.path("options").path("awslogs-group").asText("")).matches()) {
                    throw new EcsError("ClientException", "Log driver awslogs requires options: awslogs-group");
                }
            }
            ObjectNode d = ((ObjectNode) c).deepCopy();
            if (!d.has("essential")) {
                d.put("essential", true);
            }
            essential |= d.get("essential").asBoolean();
            for (String list : List.of("portMappings", "environment", "mountPoints", "volumesFrom", "systemControls")) {
                if (!d.has(list)) {
                    d.putArray(list);
                }
            }
            if (!d.has("cpu")) {
                d.put("cpu", 0);
            }
            echoed.add(d);
        }
        if (!essential) {
            throw new EcsError("ClientException", "Task definition must have at least one essential container.");
        }
        List<ObjectNode> revisions = definitions.computeIfAbsent(family, f -> new ArrayList<>());
        int revision = revisions.size() + 1;
        ObjectNode td = JSON.createObjectNode();
        td.put("taskDefinitionArn", taskDefinitionArn(family, revision));
        td.set("containerDefinitions", echoed);
        td.put("family", family);
        for (String f : List.of("taskRoleArn", "executionRoleArn")) {
            if (in.hasNonNull(f)) {
                td.put(f, in.get(f).asText());
            }
        }
        td.put("networkMode", networkMode);
        td.put("revision", revision);
        td.putArray("volumes");
        td.put("status", "ACTIVE");
        ArrayNode compatibilities = td.putArray("compatibilities");
        compatibilities.add("EC2");
        if ("awsvpc".equals(networkMode)) {
            compatibilities.add("FARGATE");
        }
        td.set("requiresCompatibilities", in.has("requiresCompatibilities") ? in.get("requiresCompatibilities") : JSON.createArrayNode());
        if (cpu != null) {
            td.put("cpu", cpu);
        }
        if (memory != null) {
            td.put("memory", memory);
        }
        if (in.has("runtimePlatform")) {
            td.set("runtimePlatform", in.get("runtimePlatform"));
        }
        td.put("registeredAt", seconds(Instant.now()));
        td.put("registeredBy", "arn:aws:iam::" + ACCOUNT + ":root");
        revisions.add(td);
        definitionTags.put(td.get("taskDefinitionArn").asText(),
                in.has("tags") ? in.get("tags").deepCopy() : JSON.createArrayNode());
        ObjectNode out = JSON.createObjectNode();
        out.set("taskDefinition", td.deepCopy());
        if (in.has("tags")) {
            out.set("tags", in.get("tags"));
        }
        return out;
    }

    /** Fargate's task sizes: the CPU units and the memory (MiB) each allows. */
    private static void fargateSize(String cpuText, String memoryText) throws EcsError {
        if (cpuText == null || memoryText == null) {
            throw new EcsError("ClientException", "Fargate requires that 'cpu' be defined at the task level.");
        }
        int cpu = units(cpuText, "vcpu", 1024);
        int memory = units(memoryText, "gb", 1024);
        boolean ok = switch (cpu) {
            case 256 -> memory == 512 || memory == 1024 || memory == 2048;
            case 512 -> memory >= 1024 && memory <= 4096 && memory % 1024 == 0;
            case 1024 -> memory >= 2048 && memory <= 8192 && memory % 1024 == 0;
            case 2048 -> memory >= 4096 && memory <= 16384 && memory % 1024 == 0;
            case 4096 -> memory >= 8192 && memory <= 30720 && memory % 1024 == 0;
            case 8192 -> memory >= 16384 && memory <= 61440 && memory % 4096 == 0;
            case 16384 -> memory >= 32768 && memory <= 122880 && memory % 8192 == 0;
            default -> false;
        };
        if (!ok) {
            throw new EcsError("ClientException", "No Fargate configuration exists for given values: " + cpuText
                    + " CPU, " + memoryText + " memory. See the Amazon ECS documentation for the valid values.");
        }
    }

    /** "1024", "1 vCPU", "2 GB", "0.5 GB" to CPU units or MiB. */
    private static int units(String text, String unit, int perUnit) throws EcsError {
        String t = text.trim().toLowerCase();
        try {
            if (t.endsWith(unit)) {
                return (int) Math.round(Double.parseDouble(t.substring(0, t.length() - unit.length()).trim()) * perUnit);
            }
            return Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw new EcsError("ClientException", "Invalid value \"" + text + "\".");
        }
    }

    private String taskDefinitionArn(String family, int revision) {
        return "arn:aws:ecs:" + region + ":" + ACCOUNT + ":task-definition/" + family + ":" + revision;
    }

    /** By family (its latest ACTIVE revision), family:revision, or ARN; null when unknown. */
    private ObjectNode findDefinition(String reference) {
        Matcher arn = TASK_DEFINITION_ARN.matcher(reference);
        String ref = arn.matches() ? arn.group(1) : reference;
        int colon = ref.lastIndexOf(':');
        if (colon < 0) {
            List<ObjectNode> revisions = definitions.get(ref);
            if (revisions == null) {
                return null;
            }
            for (int i = revisions.size() - 1; i >= 0; i--) {
                if ("ACTIVE".equals(revisions.get(i).path("status").asText())) {
                    return revisions.get(i);
                }
            }
            return null;
        }
        List<ObjectNode> revisions = definitions.get(ref.substring(0, colon));
        int revision;
        try {
            revision = Integer.parseInt(ref.substring(colon + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        return revisions == null || revision < 1 || revision > revisions.size() ? null : revisions.get(revision - 1);
    }

    private synchronized JsonNode describeTaskDefinition(JsonNode in) throws EcsError {
        String reference = in.path("taskDefinition").asText("");
        hooks.called("DescribeTaskDefinition " + reference);
        ObjectNode td = findDefinition(reference);
        if (td == null) {
            throw new EcsError("ClientException", "Unable to describe task definition.");
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("taskDefinition", td.deepCopy());
        if (strings(in.path("include")).contains("TAGS")) {
            out.set("tags", definitionTags.get(td.get("taskDefinitionArn").asText()).deepCopy());
        }
        return out;
    }

    private synchronized JsonNode deregisterTaskDefinition(JsonNode in) throws EcsError {
        String reference = in.path("taskDefinition").asText("");
        hooks.called("DeregisterTaskDefinition " + reference);
        Matcher arn = TASK_DEFINITION_ARN.matcher(reference);
        if (!(arn.matches() ? arn.group(1) : reference).contains(":")) {
            throw new EcsError("ClientException", "Invalid revision number. Number: " + reference);
        }
        ObjectNode td = findDefinition(reference);
        if (td == null) {
            throw new EcsError("ClientException", "The specified task definition does not exist.");
        }
        if ("ACTIVE".equals(td.path("status").asText())) {
            td.put("status", "INACTIVE");
            td.put("deregisteredAt", seconds(Instant.now()));
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("taskDefinition", td.deepCopy());
        return out;
    }

    // ---- tasks -----------------------------------------------------------------------------------------------

    private record IdempotentRun(String request, List<String> taskArns) {
    }

    private JsonNode runTask(JsonNode in) throws EcsError {
        String cluster = existingCluster(in);
        String reference = in.path("taskDefinition").asText("");
        hooks.called("RunTask " + reference + (in.hasNonNull("startedBy") ? " startedBy " + in.get("startedBy").asText() : ""));
        List<Task> started = new ArrayList<>();
        ObjectNode out = JSON.createObjectNode();
        synchronized (this) {
            String token = in.path("clientToken").asText("");
            if (token.length() > 64 || !token.chars().allMatch(ch -> ch >= 33 && ch <= 126)) {
                throw new EcsError("InvalidParameterException",
                        "clientToken: up to 64 characters in the range 33-126 (printable ASCII, no space).");
            }
            String fingerprint = Digests.sha256Hex(withoutToken(in).toString());
            if (!token.isEmpty() && clientTokens.containsKey(cluster + "/" + token)) {
                IdempotentRun earlier = clientTokens.get(cluster + "/" + token);
                if (!earlier.request().equals(fingerprint)) {
                    throw new EcsError("ConflictException", "The RunTask request could not be processed due to conflicts."
                            + " The provided clientToken is already in use with a different RunTask request. The"
                            + " resourceIds are the existing task ARNs which are already associated with the clientToken.",
                            earlier.taskArns());
                }
                ArrayNode list = out.putArray("tasks");
                for (String arn : earlier.taskArns()) {
                    Task t = tasks.get(arn);
                    if (t != null && !t.lost) {
                        list.add(t.json(false));
                    }
                }
                out.putArray("failures");
                return out;
            }
            ObjectNode td = findDefinition(reference);
            if (reference.isEmpty() || td == null) {
                throw new EcsError("ClientException", "TaskDefinition not found.");
            }
            if (!"ACTIVE".equals(td.path("status").asText())) {
                throw new EcsError("ClientException", "TaskDefinition is inactive");
            }
            String launchType = in.path("launchType").asText("EC2");
            if (!"FARGATE".equals(launchType)) {
                throw new EcsError("InvalidParameterException", "The local ECS runs launchType FARGATE only.");
            }
            if (!strings(td.path("compatibilities")).contains("FARGATE")) {
                throw new EcsError("InvalidParameterException", "Task definition does not support launch_type FARGATE.");
            }
            JsonNode vpc = in.path("networkConfiguration").path("awsvpcConfiguration");
            if (vpc.isMissingNode()) {
                throw new EcsError("InvalidParameterException",
                        "Network Configuration must be provided when networkMode 'awsvpc' is specified.");
            }
            List<String> subnets = strings(vpc.path("subnets"));
            if (subnets.isEmpty()) {
                throw new EcsError("InvalidParameterException", "subnets can not be empty.");
            }
            if (subnets.size() > 16 || strings(vpc.path("securityGroups")).size() > 5) {
                throw new EcsError("InvalidParameterException", "At most 16 subnets and 5 security groups are allowed.");
            }
            for (String subnet : subnets) {
                if (!hooks.subnetExists(subnet)) {
                    throw new EcsError("InvalidParameterException", "Error retrieving subnet information for [" + subnet
                            + "]: The subnet ID '" + subnet + "' does not exist");
                }
            }
            for (String group : strings(vpc.path("securityGroups"))) {
                if (!hooks.securityGroupExists(group)) {
                    throw new EcsError("InvalidParameterException", "Error retrieving security group information for ["
                            + group + "]: The security group '" + group + "' does not exist");
                }
            }
            String assignPublicIp = vpc.path("assignPublicIp").asText("DISABLED");
            if (!assignPublicIp.equals("ENABLED") && !assignPublicIp.equals("DISABLED")) {
                throw new EcsError("InvalidParameterException", "assignPublicIp must be ENABLED or DISABLED.");
            }
            int count = in.path("count").asInt(1);
            if (count < 1 || count > 10) {
                throw new EcsError("InvalidParameterException", "count must be between 1 and 10.");
            }
            String startedBy = in.hasNonNull("startedBy") ? in.get("startedBy").asText() : null;
            if (startedBy != null && !startedBy.matches("[A-Za-z0-9_/-]{1,36}")) {
                throw new EcsError("InvalidParameterException", "startedBy: up to 36 letters, numbers, hyphens (-),"
                        + " forward slashes (/) and underscores (_).");
            }
            // "A total of 8192 characters are allowed for overrides", the JSON formatting included
            if (in.has("overrides") && in.get("overrides").toString().length() > 8192) {
                throw new EcsError("InvalidParameterException", "Container Overrides length must be at most 8192");
            }
            Set<String> containerNames = new HashSet<>();
            td.path("containerDefinitions").forEach(c -> containerNames.add(c.path("name").asText()));
            for (JsonNode o : in.path("overrides").path("containerOverrides")) {
                if (!containerNames.contains(o.path("name").asText())) {
                    throw new EcsError("InvalidParameterException", "Override for container named "
                            + o.path("name").asText() + " is not a container in the TaskDefinition.");
                }
            }
            ArrayNode failures = JSON.createArrayNode();
            if (hooks.capacityUnavailable()) {
                ObjectNode f = failures.addObject();
                f.put("arn", td.path("taskDefinitionArn").asText());
                f.put("reason", CAPACITY_UNAVAILABLE);
            } else {
                for (int i = 0; i < count; i++) {
                    Task t = new Task(cluster, td, in, subnets.get(i % subnets.size()), startedBy,
                            hooks.taskFault(td.path("taskDefinitionArn").asText(), startedBy));
                    tasks.put(t.arn, t);
                    started.add(t);
                }
                if (!token.isEmpty()) {
                    clientTokens.put(cluster + "/" + token, new IdempotentRun(fingerprint,
                            started.stream().map(t -> t.arn).toList()));
                }
            }
            ArrayNode list = out.putArray("tasks");
            for (Task t : started) {
                list.add(t.json(true));
            }
            out.set("failures", failures);
        }
        for (Task t : started) {
            lifecycles.submit(t::live);
        }
        return out;
    }

    private static JsonNode withoutToken(JsonNode in) {
        ObjectNode copy = in.deepCopy();
        copy.remove("clientToken");
        return copy;
    }

    private JsonNode describeTasks(JsonNode in) throws EcsError {
        String cluster = existingCluster(in);
        List<String> wanted = strings(in.path("tasks"));
        hooks.called("DescribeTasks " + String.join(",", wanted));
        if (wanted.isEmpty() || wanted.size() > 100) {
            throw new EcsError("InvalidParameterException", "Tasks cannot be empty, and at most 100 are described at once.");
        }
        boolean withTags = strings(in.path("include")).contains("TAGS");
        ObjectNode out = JSON.createObjectNode();
        ArrayNode found = out.putArray("tasks");
        ArrayNode failures = out.putArray("failures");
        synchronized (this) {
            for (String ref : wanted) {
                Task t = find(cluster, ref);
                if (t == null) {
                    ObjectNode f = failures.addObject();
                    f.put("arn", ref.startsWith("arn:") ? ref : taskArn(cluster, ref));
                    f.put("reason", "MISSING");
                } else {
                    found.add(t.json(withTags));
                }
            }
        }
        return out;
    }

    private JsonNode stopTask(JsonNode in) throws EcsError {
        String cluster = existingCluster(in);
        String ref = in.path("task").asText("");
        hooks.called("StopTask " + ref);
        Task t;
        ObjectNode out = JSON.createObjectNode();
        synchronized (this) {
            t = find(cluster, ref);
            if (t == null) {
                throw new EcsError("InvalidParameterException", "The referenced task was not found.");
            }
            String reason = in.path("reason").asText("");
            if (reason.length() > 255) {
                throw new EcsError("InvalidParameterException", "reason can have at most 255 characters.");
            }
            t.requestStop(reason.isEmpty() ? "Task stopped by user" : reason);
            out.set("task", t.json(false));
        }
        return out;
    }

    private JsonNode listTasks(JsonNode in) throws EcsError {
        String cluster = existingCluster(in);
        String startedBy = in.hasNonNull("startedBy") ? in.get("startedBy").asText() : null;
        String family = in.hasNonNull("family") ? in.get("family").asText() : null;
        String desired = in.path("desiredStatus").asText("RUNNING");
        if (startedBy != null && (family != null || in.hasNonNull("desiredStatus") || in.hasNonNull("containerInstance")
                || in.hasNonNull("serviceName") || in.hasNonNull("launchType"))) {
            // ECS's own rule (its API reference: "it must be the only filter that you use")
            throw new EcsError("InvalidParameterException", "cannot specify startedBy with other arguments");
        }
        hooks.called("ListTasks" + (startedBy == null ? "" : " startedBy " + startedBy) + (family == null ? "" : " family " + family));
        int max = in.path("maxResults").asInt(100);
        if (max < 1 || max > 100) {
            throw new EcsError("InvalidParameterException", "maxResults must be between 1 and 100.");
        }
        int start;
        try {
            start = in.hasNonNull("nextToken") ? Integer.parseInt(in.get("nextToken").asText()) : 0;
        } catch (NumberFormatException e) {
            throw new EcsError("InvalidParameterException", "Invalid nextToken.");
        }
        List<String> matching = new ArrayList<>();
        synchronized (this) {
            for (Task t : tasks.values()) {
                if (!t.lost && t.cluster.equals(cluster) && desired.equals(t.desiredStatus)
                        && (startedBy == null || startedBy.equals(t.startedBy))
                        && (family == null || family.equals(t.family))) {
                    matching.add(t.arn);
                }
            }
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode arns = out.putArray("taskArns");
        int end = Math.min(matching.size(), start + max);
        for (int i = start; i < end; i++) {
            arns.add(matching.get(i));
        }
        if (end < matching.size()) {
            out.put("nextToken", Integer.toString(end));
        }
        return out;
    }

    private String existingCluster(JsonNode in) throws EcsError {
        String cluster = clusterName(in);
        if (!hooks.clusterExists(cluster)) {
            throw new EcsError("ClusterNotFoundException", "Cluster not found.");
        }
        return cluster;
    }

    /** The cluster's name from its name or ARN; "default" when none is given. */
    private static String clusterName(JsonNode in) {
        String c = in.path("cluster").asText("");
        if (c.isEmpty()) {
            return "default";
        }
        int slash = c.indexOf(":cluster/");
        return slash >= 0 ? c.substring(slash + ":cluster/".length()) : c;
    }

    private String taskArn(String cluster, String id) {
        return "arn:aws:ecs:" + region + ":" + ACCOUNT + ":task/" + cluster + "/" + id;
    }

    private Task find(String cluster, String ref) {
        for (Task t : tasks.values()) {
            if (!t.lost && t.cluster.equals(cluster) && (t.arn.equals(ref) || t.id.equals(ref))) {
                return t;
            }
        }
        return null;
    }

    // ---- one task ------------------------------------------------------------------------------------------

    /** One container of a task, and its local process once started. */
    private final class ContainerRun {
        final String name;
        final String image;
        final String arn;
        final boolean essential;
        final JsonNode definition;
        final Duration stopTimeout;
        String lastStatus = "PENDING";
        Integer exitCode;
        String reason;
        String imageDigest;
        Process process;
        Set<ProcessHandle> descendants = new HashSet<>();
        /** The exit code and reason a fault decides, instead of the process's own. */
        Integer faultExitCode;
        String faultReason;

        ContainerRun(Task task, JsonNode definition) {
            this.definition = definition;
            this.name = definition.path("name").asText();
            this.image = definition.path("image").asText();
            this.essential = definition.path("essential").asBoolean(true);
            this.arn = "arn:aws:ecs:" + region + ":" + ACCOUNT + ":container/" + task.cluster + "/" + task.id + "/"
                    + UUID.randomUUID();
            this.stopTimeout = definition.has("stopTimeout")
                    ? Duration.ofSeconds(definition.get("stopTimeout").asInt()) : DEFAULT_STOP_TIMEOUT;
        }
    }

    private final class Task {
        final String id = UUID.randomUUID().toString().replace("-", "");
        final String cluster;
        final String arn;
        final String taskDefinitionArn;
        final String family;
        final String startedBy;
        final String group;
        final String cpu;
        final String memory;
        final JsonNode overrides;
        /** StopTask deletes the task's tags, as ECS does. */
        JsonNode tags;
        final String subnet;
        final String privateIp;
        final EcsHooks.TaskFault fault;
        final List<ContainerRun> containers = new ArrayList<>();
        final Instant createdAt = Instant.now();
        /** null when the emulator had no work directory: the task fails to start */
        final Path workDir;
        final Path root;
        boolean lost;
        String lastStatus = "PROVISIONING";
        String desiredStatus = "RUNNING";
        String stopCode;
        String stoppedReason;
        Instant pullStartedAt;
        Instant pullStoppedAt;
        Instant startedAt;
        Instant stoppingAt;
        Instant executionStoppedAt;
        Instant stoppedAt;
        long version = 1;

        Task(String cluster, ObjectNode td, JsonNode in, String subnet, String startedBy, EcsHooks.TaskFault fault) {
            this.cluster = cluster;
            this.arn = taskArn(cluster, id);
            this.taskDefinitionArn = td.path("taskDefinitionArn").asText();
            this.family = td.path("family").asText();
            this.startedBy = startedBy;
            this.group = in.path("group").asText("family:" + family);
            this.cpu = in.path("overrides").path("cpu").asText(td.path("cpu").asText(null));
            this.memory = in.path("overrides").path("memory").asText(td.path("memory").asText(null));
            ObjectNode o = in.has("overrides") ? ((ObjectNode) in.get("overrides")).deepCopy() : JSON.createObjectNode();
            if (!o.has("containerOverrides")) {
                o.putArray("containerOverrides");
            }
            if (!o.has("inferenceAcceleratorOverrides")) {
                o.putArray("inferenceAcceleratorOverrides");
            }
            this.overrides = o;
            this.tags = in.has("tags") ? in.get("tags").deepCopy() : JSON.createArrayNode();
            this.subnet = subnet;
            this.privateIp = "10.0." + (Math.abs(id.hashCode()) % 250) + "." + (Math.abs(id.hashCode() / 250) % 250 + 2);
            this.fault = fault == null ? EcsHooks.TaskFault.NONE : fault;
            this.lost = this.fault.kind() == EcsHooks.TaskFault.Kind.LOST;
            this.workDir = LocalEcs.this.workDir;
            this.root = workDir == null ? null : workDir.resolve("tasks").resolve(id);
            td.path("containerDefinitions").forEach(c -> containers.add(new ContainerRun(this, c)));
        }

        /** ECS's view of the task, as DescribeTasks and RunTask answer it (callers hold the emulator's lock). */
        ObjectNode json(boolean withTags) {
            ObjectNode n = JSON.createObjectNode();
            ArrayNode attachments = n.putArray("attachments");
            ObjectNode eni = attachments.addObject();
            eni.put("id", UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8)).toString());
            eni.put("type", "ElasticNetworkInterface");
            eni.put("status", switch (lastStatus) {
                case "PROVISIONING" -> "PRECREATED";
                case "STOPPED" -> "DELETED";
                default -> "ATTACHED";
            });
            ArrayNode details = eni.putArray("details");
            details.addObject().put("name", "subnetId").put("value", subnet);
            details.addObject().put("name", "networkInterfaceId").put("value", "eni-" + id.substring(0, 17));
            details.addObject().put("name", "privateIPv4Address").put("value", privateIp);
            n.put("availabilityZone", region + "a");
            n.put("clusterArn", "arn:aws:ecs:" + region + ":" + ACCOUNT + ":cluster/" + cluster);
            if (startedAt != null) {
                n.put("connectivity", "CONNECTED");
                n.put("connectivityAt", seconds(startedAt));
            }
            ArrayNode cs = n.putArray("containers");
            for (ContainerRun c : containers) {
                ObjectNode j = cs.addObject();
                j.put("containerArn", c.arn);
                j.put("taskArn", arn);
                j.put("name", c.name);
                j.put("image", c.image);
                if (c.imageDigest != null) {
                    j.put("imageDigest", c.imageDigest);
                }
                j.put("lastStatus", c.lastStatus);
                if (c.exitCode != null) {
                    j.put("exitCode", c.exitCode);
                }
                if (c.reason != null) {
                    j.put("reason", c.reason);
                }
                j.putArray("networkBindings");
                ArrayNode interfaces = j.putArray("networkInterfaces");
                interfaces.addObject().put("attachmentId", eni.get("id").asText()).put("privateIpv4Address", privateIp);
                j.put("healthStatus", "UNKNOWN");
                j.put("cpu", c.definition.path("cpu").asText("0"));
            }
            if (cpu != null) {
                n.put("cpu", cpu);
            }
            n.put("createdAt", seconds(createdAt));
            n.put("desiredStatus", desiredStatus);
            n.put("enableExecuteCommand", false);
            if (executionStoppedAt != null) {
                n.put("executionStoppedAt", seconds(executionStoppedAt));
            }
            n.put("group", group);
            n.put("healthStatus", "UNKNOWN");
            n.put("lastStatus", lastStatus);
            n.put("launchType", "FARGATE");
            if (memory != null) {
                n.put("memory", memory);
            }
            n.set("overrides", overrides.deepCopy());
            n.put("platformVersion", "1.4.0");
            n.put("platformFamily", "Linux");
            if (pullStartedAt != null) {
                n.put("pullStartedAt", seconds(pullStartedAt));
            }
            if (pullStoppedAt != null) {
                n.put("pullStoppedAt", seconds(pullStoppedAt));
            }
            if (startedAt != null) {
                n.put("startedAt", seconds(startedAt));
            }
            if (startedBy != null) {
                n.put("startedBy", startedBy);
            }
            if (stopCode != null) {
                n.put("stopCode", stopCode);
            }
            if (stoppedAt != null) {
                n.put("stoppedAt", seconds(stoppedAt));
            }
            if (stoppedReason != null) {
                n.put("stoppedReason", stoppedReason);
            }
            if (stoppingAt != null) {
                n.put("stoppingAt", seconds(stoppingAt));
            }
            if (withTags) {
                n.set("tags", tags.deepCopy());
            }
            n.put("taskArn", arn);
            n.put("taskDefinitionArn", taskDefinitionArn);
            n.put("version", version);
            n.putObject("ephemeralStorage").put("sizeInGiB", 20);
            n.putObject("fargateEphemeralStorage").put("sizeInGiB", 20);
            return n;
        }

        /** StopTask (under the emulator's lock): SIGTERM now, SIGKILL after the stop timeout. */
        void requestStop(String reason) {
            if ("STOPPED".equals(desiredStatus)) {
                return;
            }
            desiredStatus = "STOPPED";
            stopCode = "UserInitiated";
            stoppedReason = reason;
            stoppingAt = Instant.now();
            tags = JSON.createArrayNode();
            version++;
            containers.forEach(this::terminate);
        }

        /** What "docker stop" does: SIGTERM to the container's process now, SIGKILL to all of it after the stop timeout. */
        private void terminate(ContainerRun c) {
            if (c.process != null && c.process.isAlive()) {
                snapshotDescendants(c);
                c.process.destroy();
                Duration grace = hooks.stopTimeout(c.stopTimeout);
                lifecycles.submit(() -> {
                    try {
                        if (!c.process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                            killAll(c);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
        }

        void kill() {
            synchronized (LocalEcs.this) {
                desiredStatus = "STOPPED";
            }
            for (ContainerRun c : containers) {
                if (c.process != null) {
                    snapshotDescendants(c);
                    killAll(c);
                }
            }
        }

        private void status(String status) {
            synchronized (LocalEcs.this) {
                lastStatus = status;
                version++;
            }
        }

        private boolean stopRequested() {
            synchronized (LocalEcs.this) {
                return "STOPPED".equals(desiredStatus);
            }
        }

        /** The task's life, on its own thread: pull, run, wait, stop. */
        void live() {
            try {
                sleep(hooks.startDelay());
                status("PENDING");
                if (fault.kind() == EcsHooks.TaskFault.Kind.NEVER_STARTS) {
                    sleep(fault.after());
                    String reason = "CannotPullContainerError: " + (fault.reason() != null ? fault.reason()
                            : "pull image manifest has been retried 5 time(s): failed to resolve ref "
                            + containers.get(0).image + ": not found");
                    failedToStart(reason);
                    return;
                }
                if (root == null) {
                    failedToStart("CannotStartContainerError: the local ECS has no work directory (LocalEcs.useWorkDir)");
                    return;
                }
                synchronized (LocalEcs.this) {
                    pullStartedAt = Instant.now();
                }
                Map<ContainerRun, ProcessBuilder> prepared = new LinkedHashMap<>();
                for (ContainerRun c : containers) {
                    try {
                        RunnerImage.Image image = pull(c.image);
                        Path containerRoot = root.resolve(c.name);
                        image.extractTo(containerRoot);
                        synchronized (LocalEcs.this) {
                            c.imageDigest = image.manifestDigest();
                        }
                        prepared.put(c, processFor(c, image, containerRoot.toRealPath()));
                    } catch (PullException | RunnerImage.LayoutException e) {
                        failedToStart("CannotPullContainerError: " + e.getMessage());
                        return;
                    } catch (UncheckedIOException e) {
                        failedToStart("CannotPullContainerError: " + e.getMessage());
                        return;
                    } catch (StartException e) {
                        failedToStart("CannotStartContainerError: " + e.getMessage());
                        return;
                    }
                }
                synchronized (LocalEcs.this) {
                    pullStoppedAt = Instant.now();
                }
                if (stopRequested()) {
                    stopped("STOPPED", null);
                    return;
                }
                run(prepared);
            } catch (IOException | RuntimeException e) {
                failedToStart("CannotStartContainerError: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                deleteRoot();
            }
        }

        private void run(Map<ContainerRun, ProcessBuilder> prepared) throws IOException, InterruptedException {
            boolean exitAtOnce = fault.kind() == EcsHooks.TaskFault.Kind.EXIT && fault.after().isZero();
            synchronized (LocalEcs.this) {
                for (Map.Entry<ContainerRun, ProcessBuilder> e : prepared.entrySet()) {
                    ContainerRun c = e.getKey();
                    if (!exitAtOnce) {
                        c.process = e.getValue().start();
                        hooks.started(new EcsHooks.Launch(arn, c.name, c.image, c.imageDigest,
                                List.copyOf(e.getValue().command()), Map.copyOf(e.getValue().environment())));
                    }
                    c.lastStatus = "RUNNING";
                }
                lastStatus = "RUNNING";
                startedAt = Instant.now();
                version++;
            }
            if (exitAtOnce) {
                ContainerRun essential = firstEssential();
                synchronized (LocalEcs.this) {
                    essential.exitCode = fault.exitCode();
                    essential.lastStatus = "STOPPED";
                }
                stopOthers(essential);
                awaitAll();
                stopped("STOPPED", essential);
                return;
            }
            long faultAt = fault.kind() == EcsHooks.TaskFault.Kind.EXIT || fault.kind() == EcsHooks.TaskFault.Kind.KILLED_FOR_MEMORY
                    ? System.nanoTime() + fault.after().toNanos() : Long.MAX_VALUE;
            ContainerRun exitedEssential = null;
            while (true) {
                boolean anyAlive = false;
                for (ContainerRun c : containers) {
                    if (c.process == null) {
                        continue;
                    }
                    if (c.process.isAlive()) {
                        anyAlive = true;
                        snapshotDescendants(c);
                        continue;
                    }
                    synchronized (LocalEcs.this) {
                        if (c.exitCode == null) {
                            c.exitCode = c.faultExitCode != null ? c.faultExitCode : c.process.exitValue();
                            c.reason = c.faultReason;
                            c.lastStatus = "STOPPED";
                            version++;
                            killAll(c);
                            if (c.essential && exitedEssential == null && !"STOPPED".equals(desiredStatus)) {
                                exitedEssential = c;
                            }
                        }
                    }
                }
                if (!anyAlive) {
                    break;
                }
                if (exitedEssential != null) {
                    stopOthers(exitedEssential);
                }
                if (System.nanoTime() >= faultAt) {
                    faultAt = Long.MAX_VALUE;
                    ContainerRun victim = firstEssential();
                    synchronized (LocalEcs.this) {
                        victim.faultExitCode = fault.exitCode();
                        victim.faultReason = fault.reason();
                    }
                    snapshotDescendants(victim);
                    killAll(victim);
                }
                Thread.sleep(50);
            }
            stopped("STOPPED", exitedEssential);
        }

        private ContainerRun firstEssential() {
            return containers.stream().filter(c -> c.essential).findFirst().orElse(containers.get(0));
        }

        /** An essential container exited: ECS stops the task's other containers (SIGTERM, then SIGKILL). */
        private void stopOthers(ContainerRun exited) {
            synchronized (LocalEcs.this) {
                if (!"STOPPED".equals(desiredStatus)) {
                    desiredStatus = "STOPPED";
                    stopCode = "EssentialContainerExited";
                    stoppedReason = "Essential container in task exited";
                    stoppingAt = Instant.now();
                    version++;
                    for (ContainerRun c : containers) {
                        if (c != exited) {
                            terminate(c);
                        }
                    }
                }
            }
        }

        private void awaitAll() throws InterruptedException {
            for (ContainerRun c : containers) {
                if (c.process != null) {
                    c.process.waitFor();
                }
            }
        }

        private void stopped(String status, ContainerRun exitedEssential) throws InterruptedException {
            synchronized (LocalEcs.this) {
                lastStatus = "DEPROVISIONING";
                executionStoppedAt = Instant.now();
                desiredStatus = "STOPPED";
                if (stopCode == null) {
                    stopCode = "EssentialContainerExited";
                    stoppedReason = "Essential container in task exited";
                }
                if (stoppingAt == null) {
                    stoppingAt = executionStoppedAt;
                }
                for (ContainerRun c : containers) {
                    c.lastStatus = "STOPPED";
                }
                version++;
            }
            sleep(hooks.deprovisioning());
            synchronized (LocalEcs.this) {
                lastStatus = status;
                stoppedAt = Instant.now();
                version++;
                forgetIfFaulted();
            }
        }

        private void failedToStart(String reason) {
            synchronized (LocalEcs.this) {
                lastStatus = "STOPPED";
                desiredStatus = "STOPPED";
                if (stopCode == null) {
                    stopCode = "TaskFailedToStart";
                    stoppedReason = reason;
                }
                Instant now = Instant.now();
                stoppingAt = stoppingAt == null ? now : stoppingAt;
                executionStoppedAt = now;
                stoppedAt = now;
                for (ContainerRun c : containers) {
                    c.lastStatus = "STOPPED";
                    c.reason = reason;
                }
                version++;
                forgetIfFaulted();
            }
        }

        private void forgetIfFaulted() {
            if (fault.kind() == EcsHooks.TaskFault.Kind.FORGOTTEN_ONCE_STOPPED) {
                lost = true;
            }
        }

        private void deleteRoot() {
            try {
                if (root != null && Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
                    try (Stream<Path> all = Files.walk(root)) {
                        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                            Files.deleteIfExists(p);
                        }
                    }
                }
            } catch (IOException e) {
                // left for the host's temporary directory cleaning; the task's outcome stands
            }
        }

        /** The container's local process: image config, definition and overrides, as a runtime merges them. */
        private ProcessBuilder processFor(ContainerRun c, RunnerImage.Image image, Path root) throws StartException, IOException {
            JsonNode override = null;
            for (JsonNode o : overrides.path("containerOverrides")) {
                if (c.name.equals(o.path("name").asText())) {
                    override = o;
                }
            }
            JsonNode d = c.definition;
            List<String> entrypoint = d.has("entryPoint") ? strings(d.get("entryPoint")) : image.entrypoint();
            List<String> command;
            if (override != null && override.has("command")) {
                command = strings(override.get("command"));
            } else if (d.has("command")) {
                command = strings(d.get("command"));
            } else {
                // a runtime drops the image's Cmd when the container names an entrypoint of its own
                command = d.has("entryPoint") ? List.of() : image.cmd();
            }
            List<String> argv = new ArrayList<>(entrypoint);
            argv.addAll(command);
            if (argv.isEmpty()) {
                throw new StartException("failed to create containerd task: no command specified");
            }
            List<String> mapped = hostCommand(argv, root);
            Map<String, String> env = new TreeMap<>();
            env.put("PATH", DEFAULT_PATH);
            for (String kv : image.env()) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    env.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
            d.path("environment").forEach(kv -> env.put(kv.path("name").asText(), kv.path("value").asText()));
            if (override != null) {
                override.path("environment").forEach(kv -> env.put(kv.path("name").asText(), kv.path("value").asText()));
            }
            env.replaceAll((k, v) -> mapPaths(v, root));
            env.put("AWS_REGION", region);
            env.put("AWS_DEFAULT_REGION", region);
            env.put("AWS_EXECUTION_ENV", "AWS_ECS_FARGATE");
            env.putAll(taskVariables);
            ProcessBuilder pb = new ProcessBuilder(mapped);
            // a container sees none of the host's environment: the handler's own credentials stay out
            pb.environment().clear();
            pb.environment().putAll(env);
            String workingDir = d.path("workingDirectory").asText(image.workingDir());
            Path cwd = workingDir.isEmpty() ? root : root.resolve(workingDir.replaceFirst("^/+", "")).normalize();
            pb.directory((cwd.startsWith(root) && Files.isDirectory(cwd) ? cwd : root).toFile());
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.redirectErrorStream(true);
            Path log = logFileFor(c);
            if (log == null) {
                pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            } else {
                Files.createDirectories(log.getParent());
                pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            }
            return pb;
        }

        /** awslogs: group / prefix / container name / task id; null without the awslogs driver. */
        private Path logFileFor(ContainerRun c) throws StartException {
            JsonNode log = c.definition.path("logConfiguration");
            if (!"awslogs".equals(log.path("logDriver").asText())) {
                return null;
            }
            String group = log.path("options").path("awslogs-group").asText("");
            String prefix = log.path("options").path("awslogs-stream-prefix").asText("");
            String stream = (prefix.isEmpty() ? "" : prefix + "/") + c.name + "/" + id;
            try {
                return logFile(workDir, group, stream);
            } catch (IllegalArgumentException e) {
                throw new StartException("invalid awslogs options: " + e.getMessage());
            }
        }
    }

    private static final class StartException extends Exception {
        StartException(String message) {
            super(message);
        }
    }

    /** Why an image cannot be pulled: the text after "CannotPullContainerError: ". */
    private static final class PullException extends Exception {
        PullException(String message) {
            super(message);
        }
    }

    /**
     * The image a container names, from the first layout that holds its manifest: only a digest reference
     * ({@code <repository>@sha256:<hex>}) is pulled, as the type names its image; a tag would be whatever the
     * registry says at pull time.
     */
    private RunnerImage.Image pull(String reference) throws PullException {
        Matcher m = DIGEST_REFERENCE.matcher(reference);
        if (!m.matches()) {
            throw new PullException("pull image manifest has been retried 1 time(s): failed to resolve ref " + reference
                    + ": the local image store serves images named by digest only (<repository>@sha256:<hex>)");
        }
        for (Path layout : imageLayouts) {
            if (Files.isRegularFile(layout.resolve("blobs").resolve("sha256").resolve(m.group(1)))) {
                return RunnerImage.read(layout, "sha256:" + m.group(1));
            }
        }
        throw new PullException("pull image manifest has been retried 1 time(s): failed to resolve ref " + reference
                + ": not found");
    }

    /**
     * A container's command as this host runs it from the image extracted at {@code root}: {@code java} is this
     * host's JVM (the image has no JRE base layer), and the image's paths map into its root.
     */
    public static List<String> hostCommand(List<String> argv, Path root) {
        List<String> mapped = new ArrayList<>();
        mapped.add(executable(argv.get(0), root));
        for (String a : argv.subList(1, argv.size())) {
            mapped.add(mapPaths(a, root));
        }
        return mapped;
    }

    /** The image's command: {@code java} is this host's JVM (the image has no JRE); image paths map into its root. */
    private static String executable(String argv0, Path root) {
        String base = argv0.substring(argv0.lastIndexOf('/') + 1);
        Path inImage = root.resolve(argv0.replaceFirst("^/+", "")).normalize();
        boolean fromImage = argv0.contains("/") && inImage.startsWith(root) && Files.isRegularFile(inImage);
        if (base.equals("java") && !fromImage) {
            return Path.of(System.getProperty("java.home"), "bin", "java").toString();
        }
        return fromImage ? inImage.toString() : argv0;
    }

    /**
     * Maps absolute paths that name something in the image (each part of a ':'-separated list, and the value of
     * a "-Dname=value" or "--option=value") into the extracted root; any other text is left as it is.
     */
    static String mapPaths(String value, Path root) {
        String prefix = "";
        String rest = value;
        int eq = value.indexOf('=');
        if (eq > 0 && !value.startsWith("/")) {
            prefix = value.substring(0, eq + 1);
            rest = value.substring(eq + 1);
        }
        String[] parts = rest.split(":", -1);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.startsWith("/") && p.length() > 1) {
                String first = p.substring(1).split("/", 2)[0];
                if (!first.isEmpty() && !first.equals("..") && Files.exists(root.resolve(first), LinkOption.NOFOLLOW_LINKS)) {
                    parts[i] = root + p;
                }
            }
        }
        return prefix + String.join(":", parts);
    }

    private static void snapshotDescendants(ContainerRun c) {
        if (c.process != null) {
            c.process.descendants().forEach(c.descendants::add);
        }
    }

    /** SIGKILL to the container's process and everything it started, as ending a container's namespace does. */
    private static void killAll(ContainerRun c) {
        if (c.process != null) {
            c.process.destroyForcibly();
            c.process.descendants().forEach(ProcessHandle::destroyForcibly);
        }
        c.descendants.forEach(ProcessHandle::destroyForcibly);
    }

    // ---- shapes ----------------------------------------------------------------------------------------------

    /** Seconds since the epoch, as AWS JSON 1.1 carries timestamps. */
    private static double seconds(Instant t) {
        return t.toEpochMilli() / 1000.0;
    }

    private static void sleep(Duration d) throws InterruptedException {
        if (!d.isZero() && !d.isNegative()) {
            Thread.sleep(d.toMillis());
        }
    }

    private static String relative(String name) {
        if (name == null || !LOG_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid log group or stream name: " + name);
        }
        String r = name.replaceFirst("^/+", "");
        for (String part : r.split("/")) {
            if (part.equals("..") || part.equals(".")) {
                throw new IllegalArgumentException("invalid log group or stream name: " + name);
            }
        }
        return r;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Override
    public void close() {
        List<Task> all;
        synchronized (this) {
            all = new ArrayList<>(tasks.values());
        }
        all.forEach(Task::kill);
        server.stop(0);
        lifecycles.shutdownNow();
        try {
            // the tasks' threads remove their extracted roots as they end
            lifecycles.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
