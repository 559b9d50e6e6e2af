package com.company.database.schemaversion.runner;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.engine.FlywayLog;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The entry of the task runner's container (the image {@link RunnerImage} writes): runs one APPLY step exactly as
 * the Lambda runner runs an asynchronous one ({@link RunnerEntrypoint#forTask}), then exits.
 *
 * <ul>
 * <li>The request is the RunnerProtocol request the handler puts in the container override variable
 * {@link #REQUEST_VARIABLE} (op apply, step id, token, target, deadline). The configuration and the account
 * policy come from the same variables the Lambda runner reads ({@link RunnerConfig#CONFIG_VARIABLE},
 * {@link ConfiguredPolicy#POLICY_VARIABLE}); the admin's extra CA certificates, if any, from
 * {@link #EXTRA_CA_VARIABLE} (a task's code is an image the admin pushed, so they cannot travel in the code as
 * they do in the Lambda runner's package).</li>
 * <li>The request's deadline bounds only when the step may start (a task may take minutes to start); the step
 * itself runs to its target with no limit but the task's life: the handler stops the task when it gives up.</li>
 * <li>Before it reads a login or touches the database, it computes the code id of the files it runs (its
 * class-path root, {@link #ownCodeId(Path)}) and refuses the step, with an outcome that names both ids, unless
 * the handler armed the step for that id.</li>
 * <li>Exit code 0 when the step record holds the step's outcome (success or a typed failure), 1 when no outcome
 * could be written (a malformed, late or unarmed request, or SSM unreachable): then the handler learns from the
 * task's stop and its log. Logs go to stdout (awslogs); no login value and no token is ever written there.</li>
 * </ul>
 */
public final class RunnerTask {
    /** The request, as RunnerProtocol encodes it: set by the handler in the task's container overrides. */
    public static final String REQUEST_VARIABLE = "SCHEMAVERSION_RUNNER_REQUEST";
    /** The type configuration's Connections.ExtraCaCertificates (PEM), when it has any. */
    public static final String EXTRA_CA_VARIABLE = "SCHEMAVERSION_EXTRA_CA_PEM";
    public static final int OUTCOME_WRITTEN = 0;
    public static final int NO_OUTCOME = 1;

    private RunnerTask() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(System.getenv(), Clock.systemUTC(), () -> ownCodeId(RunnerPackageBuilder.codeRoot()), System.out);
        } catch (Throwable e) {
            System.out.println("schemaversion-runner: unexpected " + e.getClass().getName() + ": " + e.getMessage());
            code = NO_OUTCOME;
        }
        System.out.flush();
        System.exit(code);
    }

    /**
     * Runs the step the environment's request names; returns the process's exit code.
     *
     * @param ownCodeId the code id of the code this process runs (may throw a ReconcileException saying why there
     *                  is none): {@link #ownCodeId(Path)} of the class-path root in the container
     */
    public static int run(Map<String, String> environment, Clock clock, Supplier<String> ownCodeId, PrintStream log) {
        Context context = context(log);
        String request = environment.get(REQUEST_VARIABLE);
        if (request == null || request.isBlank()) {
            log(log, "refused: the task has no " + REQUEST_VARIABLE + " variable; nothing was done");
            return NO_OUTCOME;
        }
        byte[] payload = request.getBytes(StandardCharsets.UTF_8);
        try {
            RunnerProtocol.Op op = RunnerProtocol.decodeRequest(RunnerProtocol.parse(payload)).op();
            if (op != RunnerProtocol.Op.APPLY) {
                log(log, "refused: a task runs only apply steps, and was sent " + op.name().toLowerCase()
                        + "; nothing was done");
                return NO_OUTCOME;
            }
        } catch (ReconcileException e) {
            log(log, "refused: " + e.getMessage());
            return NO_OUTCOME;
        }
        if (isBlank(environment.get("AWS_REGION")) && !isBlank(environment.get("AWS_DEFAULT_REGION"))) {
            // The runner finds its Region (its SSM endpoint, an IAM token's signature) in AWS_REGION, as Lambda sets
            // it; a task may have only AWS_DEFAULT_REGION.
            environment = new java.util.HashMap<>(environment);
            environment.put("AWS_REGION", environment.get("AWS_DEFAULT_REGION"));
        }
        String pem = environment.get(EXTRA_CA_VARIABLE);
        byte[] extraCa = pem == null || pem.isBlank() ? null : pem.getBytes(StandardCharsets.UTF_8);
        RunnerEntrypoint runner = RunnerEntrypoint.forTask(environment, clock,
                name -> RunnerEntrypoint.EXTRA_CA_ENTRY.equals(name) ? extraCa : null, ownCodeId);
        AtomicBoolean recorded = new AtomicBoolean();
        JsonNode answer;
        try (FlywayLog.Route flywayLines = FlywayLog.routeTo(line -> log(log, line))) {
            answer = runner.handle(payload, context, recorded);
        } finally {
            runner.closeAfterInvocation();
        }
        if (!recorded.get()) {
            log(log, "no step outcome was written: " + answer.path("error").path("message").asText("(no message)"));
            return NO_OUTCOME;
        }
        log(log, "done: " + (answer.path("ok").asBoolean() ? "ok" : answer.path("error").path("reason").asText()));
        return OUTCOME_WRITTEN;
    }

    /**
     * The runner code id of the files under a class-path root, as {@link LambdaRunnerPackage#of(Path)} computes it
     * for the handler's code: the same id as the handler's own when the directory holds exactly the runner's files.
     * A file the selection does not cover (a class, a jar or a service file another layer put there) would run
     * unidentified, so any such file is refused too.
     */
    public static String ownCodeId(Path root) {
        TreeMap<String, RunnerPackageBuilder.FileEntry> files;
        try {
            files = RunnerPackageBuilder.select(root);
        } catch (RuntimeException e) {
            throw new ReconcileException(Reason.RUNNER_FAILED, "its code at " + root + " is no runner package: "
                    + e.getMessage());
        }
        if (Files.isDirectory(root)) {
            List<String> uncovered = new ArrayList<>();
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(p -> !Files.isDirectory(p)).forEach(p -> {
                    String name = root.relativize(p).toString().replace('\\', '/');
                    if (!files.containsKey(name)) {
                        uncovered.add(name);
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (!uncovered.isEmpty()) {
                throw new ReconcileException(Reason.RUNNER_FAILED, "its code at " + root + " holds files the runner"
                        + " code id does not cover: " + (uncovered.size() > 5 ? uncovered.subList(0, 5) + " and "
                        + (uncovered.size() - 5) + " more" : uncovered));
            }
        }
        return RunnerPackageBuilder.codeId(files);
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    private static void log(PrintStream log, String line) {
        log.println("schemaversion-runner: " + line);
    }

    /** What the shared runner code logs through: the task's stdout, which awslogs sends to CloudWatch Logs. */
    private static Context context(PrintStream out) {
        LambdaLogger logger = new LambdaLogger() {
            @Override
            public void log(String message) {
                out.print(message);
            }

            @Override
            public void log(byte[] message) {
                out.print(new String(message, StandardCharsets.UTF_8));
            }
        };
        return new Context() {
            @Override
            public String getAwsRequestId() {
                return null;
            }

            @Override
            public String getLogGroupName() {
                return null;
            }

            @Override
            public String getLogStreamName() {
                return null;
            }

            @Override
            public String getFunctionName() {
                return null;
            }

            @Override
            public String getFunctionVersion() {
                return null;
            }

            @Override
            public String getInvokedFunctionArn() {
                return null;
            }

            @Override
            public CognitoIdentity getIdentity() {
                return null;
            }

            @Override
            public ClientContext getClientContext() {
                return null;
            }

            @Override
            public int getRemainingTimeInMillis() {
                return Integer.MAX_VALUE; // a task's step has no limit of its own (RunnerEntrypoint#forTask)
            }

            @Override
            public int getMemoryLimitInMB() {
                return 0;
            }

            @Override
            public LambdaLogger getLogger() {
                return logger;
            }
        };
    }
}
