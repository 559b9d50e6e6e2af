package com.company.database.schemaversion.aws;

import com.company.database.schemaversion.core.Digests;
import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.runner.ConfiguredPolicy;
import com.company.database.schemaversion.runner.LambdaRunnerPackage;
import com.company.database.schemaversion.runner.RunnerConfig;
import com.company.database.schemaversion.runner.RunnerEntrypoint;
import com.company.database.schemaversion.runner.RunnerProtocol;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.Architecture;
import software.amazon.awssdk.services.lambda.model.CreateFunctionRequest;
import software.amazon.awssdk.services.lambda.model.DeadLetterConfig;
import software.amazon.awssdk.services.lambda.model.DeleteFunctionRequest;
import software.amazon.awssdk.services.lambda.model.Environment;
import software.amazon.awssdk.services.lambda.model.EphemeralStorage;
import software.amazon.awssdk.services.lambda.model.FunctionCode;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.GetFunctionEventInvokeConfigRequest;
import software.amazon.awssdk.services.lambda.model.GetFunctionEventInvokeConfigResponse;
import software.amazon.awssdk.services.lambda.model.GetFunctionRequest;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeRequest;
import software.amazon.awssdk.services.lambda.model.LastUpdateStatus;
import software.amazon.awssdk.services.lambda.model.ListVersionsByFunctionRequest;
import software.amazon.awssdk.services.lambda.model.ListVersionsByFunctionResponse;
import software.amazon.awssdk.services.lambda.model.LogFormat;
import software.amazon.awssdk.services.lambda.model.LoggingConfig;
import software.amazon.awssdk.services.lambda.model.PackageType;
import software.amazon.awssdk.services.lambda.model.PublishVersionRequest;
import software.amazon.awssdk.services.lambda.model.PutFunctionEventInvokeConfigRequest;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.Runtime;
import software.amazon.awssdk.services.lambda.model.SnapStart;
import software.amazon.awssdk.services.lambda.model.SnapStartApplyOn;
import software.amazon.awssdk.services.lambda.model.State;
import software.amazon.awssdk.services.lambda.model.TracingConfig;
import software.amazon.awssdk.services.lambda.model.TracingMode;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionCodeRequest;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionConfigurationRequest;
import software.amazon.awssdk.services.lambda.model.VpcConfig;
import software.amazon.cloudformation.proxy.ProxyClient;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The runner function's lifecycle through the Lambda API, as the caller: one GetFunction per handler call and
 * at most one change, so that waiting (Pending, an update in progress, a deletion) is a chain of IN_PROGRESS
 * answers rather than an SDK waiter that outlives the call.
 *
 * <p>One function per resource, named by a hash of the resource's Id: Delete then removes a function no other
 * resource uses, and a new type version or new settings update it in place.
 *
 * <p>The function is only ever invoked as the handler left it. Its code must have the CodeSha256 of the package
 * this handler builds (known to the handler, never read from the function); its configuration must be exactly the
 * handler's: the runner's settings in its environment (and nothing else there), no layers, no file systems, no
 * customer KMS key, dead-letter target, tracing, log destination or storage the handler did not choose; its
 * asynchronous invocations are never retried and expire after Lambda's shortest event age. Anything else is put
 * back (UpdateFunctionCode, UpdateFunctionConfiguration, PutFunctionEventInvokeConfig) before the next invocation,
 * or, for what Lambda cannot change in place (a container image, say), the function is deleted and created anew.
 */
public final class LambdaRunners {
    public static final String NAME_PREFIX = "schemaversion-runner-";
    public static final int TIMEOUT_SECONDS = 900;
    public static final int MEMORY_MB = 1024;
    static final Runtime RUNTIME = Runtime.JAVA21;
    /** Tiered compilation stopped at C1: a short-lived JVM starts faster. */
    static final Map<String, String> ENVIRONMENT = Map.of("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1");
    static final Architecture ARCHITECTURE = Architecture.X86_64;
    /** Lambda's shortest event age: an event the runner cannot take at once is dropped rather than delivered late. */
    public static final int MAXIMUM_EVENT_AGE_SECONDS = 60;
    /**
     * No retry of a failed asynchronous step: the handler sees its outcome (or its silence) and decides itself,
     * with a fresh step id and deadline.
     */
    public static final int MAXIMUM_RETRY_ATTEMPTS = 0;
    static final int EPHEMERAL_STORAGE_MB = 512;
    /**
     * How long a clean arm lasts: enough for the update that sets it to settle and for the clean itself (a
     * synchronous invocation of at most 40 s), short enough that an arm left by a Delete that failed in between
     * soon stops being usable by anyone else.
     */
    static final Duration ARM_LIFETIME = Duration.ofMinutes(10);
    /** IAM roles created in the same stack may not be assumable for a few seconds: retry CreateFunction that often. */
    public static final int ROLE_PROPAGATION_ATTEMPTS = 6;

    private final ProxyClient<LambdaClient> lambda;

    public LambdaRunners(ProxyClient<LambdaClient> lambda) {
        this.lambda = lambda;
    }

    /**
     * What the function must look like.
     *
     * @param config              what the runner acts on, carried in the function's environment
     * @param armClean            whether clean is armed (Delete with OnDelete: Clean, right before it invokes clean)
     * @param code     the code the function must run: the runner of this type version, with the account's extra
     *                 CA certificates in it (see {@link LambdaRunnerPackage#withExtraCa(String)})
     */
    public record Spec(String functionName, Set<String> subnetIds, Set<String> securityGroupIds, String roleArn,
                       RunnerConfig config, boolean armClean, LambdaRunnerPackage code, ConfiguredPolicy policy) {
        public Spec {
            subnetIds = Set.copyOf(subnetIds);
            securityGroupIds = Set.copyOf(securityGroupIds);
        }

        /**
         * Exactly the variables the function must have: ours, the runner's configuration and nothing else.
         *
         * @param arm the clean arm's value when {@link #armClean}, else ignored
         */
        Map<String, String> environment(String arm) {
            Map<String, String> variables = new TreeMap<>(ENVIRONMENT);
            variables.putAll(config.environment(armClean ? arm : null));
            variables.putAll(policy.environment());
            return variables;
        }

        public Spec armed(boolean arm) {
            return new Spec(functionName, subnetIds, securityGroupIds, roleArn, config, arm, code, policy);
        }
    }

    /**
     * Not there yet: answer IN_PROGRESS with this message and delay.
     *
     * @param roleNotAssumableYet CreateFunction said the role cannot be assumed (counted against ROLE_PROPAGATION_ATTEMPTS)
     */
    public record Wait(String message, int delaySeconds, boolean roleNotAssumableYet) {
    }

    /**
     * Where {@link #ensure} got: waiting, or ready with the version it published of the function exactly as checked.
     */
    public record Ensured(Wait waiting, String version) {
        static Ensured waiting(Wait wait) {
            return new Ensured(wait, null);
        }
    }

    public static String functionName(String resourceId) {
        return NAME_PREFIX + Digests.sha256Hex(resourceId).substring(0, 16);
    }

    /**
     * How many bytes of Lambda's 4 KB the function's environment takes for this configuration, counting the clean
     * arm too, so that a resource that could be created can also be cleaned.
     */
    public static int environmentBytes(RunnerConfig config) {
        return environmentBytes(config, null);
    }

    /** As above, with the account policy the runner is configured with (null: not counted). */
    public static int environmentBytes(RunnerConfig config, ConfiguredPolicy policy) {
        Map<String, String> variables = new TreeMap<>(ENVIRONMENT);
        variables.putAll(config.environment(RunnerConfig.armUntil(Instant.parse("2999-12-31T00:00:00Z"))));
        if (policy != null) {
            variables.putAll(policy.environment());
        }
        return RunnerConfig.environmentBytes(variables);
    }

    /**
     * One step towards an Active function with this type's code and exactly the spec's configuration.
     *
     * Once it is, publishes a version of exactly what was checked (PublishVersion with its CodeSha256 and RevisionId,
     * which Lambda refuses if anything changed since), confirms the version, and gives it: every invocation names
     * that immutable version, so a change made after the check (code, environment, layers) never runs.
     *
     * @param createAttempts how many CreateFunction calls already met a role that could not be assumed
     */
    public Ensured ensure(Spec spec, int createAttempts) {
        AtomicReference<String> version = new AtomicReference<>();
        Wait wait = bringUpToDate(spec, createAttempts, version);
        return wait != null ? Ensured.waiting(wait) : new Ensured(null, version.get());
    }

    /** @param version set to the published version when the function is ready (the answer is then null) */
    private Wait bringUpToDate(Spec spec, int createAttempts, AtomicReference<String> version) {
        FunctionConfiguration f = get(spec.functionName());
        if (f == null) {
            return create(spec, createAttempts);
        }
        State state = f.state();
        if (state == State.PENDING) {
            return new Wait("Runner function " + spec.functionName() + " is Pending: Lambda is attaching it to"
                    + " subnets " + spec.subnetIds() + " (about a minute for a function in a VPC).", 10, false);
        }
        if (state == State.INACTIVE) {
            // Idle functions are reclaimed; an invocation starts their return to Active.
            wake(spec.functionName());
            return new Wait("Runner function " + spec.functionName() + " was Inactive (idle); waking it up.", 10, false);
        }
        if (state == State.FAILED) {
            if (!executionMatches(f, spec)) {
                delete(spec.functionName());
                return new Wait("Runner function " + spec.functionName() + " had failed (" + f.stateReasonCodeAsString()
                        + "); deleting it to create it again with the new Execution settings.", 5, false);
            }
            throw failedState(f, spec);
        }
        if (state != State.ACTIVE) {
            return new Wait("Runner function " + spec.functionName() + " is " + f.stateAsString() + "; waiting.", 10, false);
        }
        if (f.lastUpdateStatus() == LastUpdateStatus.IN_PROGRESS) {
            return new Wait("Runner function " + spec.functionName() + " is being updated.", 5, false);
        }
        List<String> unchangeable = unchangeable(f);
        if (!unchangeable.isEmpty()) {
            delete(spec.functionName());
            return new Wait("Runner function " + spec.functionName() + " was changed outside CloudFormation in a way"
                    + " Lambda cannot undo in place (" + String.join(", ", unchangeable) + "); deleting it to create it"
                    + " anew.", 5, false);
        }
        LambdaRunnerPackage code = spec.code();
        boolean codeCurrent = codeCurrent(f, code.codeSha256());
        Map<String, String> environment = spec.environment(arm(f, spec));
        List<String> deviations = deviations(f, spec, environment);
        if (f.lastUpdateStatus() == LastUpdateStatus.FAILED && codeCurrent && deviations.isEmpty()) {
            throw new ReconcileException(reasonOf(f.lastUpdateStatusReasonCodeAsString()), "The last update of runner"
                    + " function " + spec.functionName() + " failed (" + f.lastUpdateStatusReasonCodeAsString() + ": "
                    + f.lastUpdateStatusReason() + "). " + advice(f.lastUpdateStatusReasonCodeAsString()));
        }
        if (!codeCurrent) {
            call("update the code of runner function " + spec.functionName(), spec.functionName(), () ->
                    lambda.injectCredentialsAndInvokeV2(UpdateFunctionCodeRequest.builder()
                            .functionName(spec.functionName())
                            .zipFile(SdkBytes.fromByteArray(code.zip()))
                            .architectures(ARCHITECTURE)
                            .build(), lambda.client()::updateFunctionCode));
            return new Wait("Runner function " + spec.functionName() + " does not run this type version's code"
                    + (code.extraCaDigest() == null ? "" : " with the type configuration's Connections.ExtraCaCertificates")
                    + " (CodeSha256 " + f.codeSha256() + ", expected " + code.codeSha256() + "): uploading it.", 5, false);
        }
        if (!deviations.isEmpty()) {
            call("update the configuration of runner function " + spec.functionName(), spec.functionName(), () ->
                    lambda.injectCredentialsAndInvokeV2(reset(f, spec, environment), lambda.client()::updateFunctionConfiguration));
            return new Wait("Setting the configuration of runner function " + spec.functionName() + " ("
                    + String.join(", ", deviations) + ").", 5, false);
        }
        Ensured published = publish(f, spec, code.codeSha256(), environment);
        if (published.waiting() != null) {
            return published.waiting();
        }
        ensureEventInvokeConfig(spec.functionName(), published.version());
        version.set(published.version());
        return null;
    }

    /**
     * PublishVersion of the configuration just checked: Lambda refuses when $LATEST is no longer that revision or
     * that code, and returns the last version instead of a new one when nothing changed since it was published.
     * The version Lambda answers with is checked once more (code, configuration, environment), as every invocation
     * will run exactly it.
     *
     * @return the version, or what to wait for when the function changed after the check
     */
    private Ensured publish(FunctionConfiguration f, Spec spec, String codeSha256, Map<String, String> environment) {
        String number;
        try {
            number = lambda.injectCredentialsAndInvokeV2(PublishVersionRequest.builder()
                    .functionName(spec.functionName())
                    .codeSha256(codeSha256)
                    .revisionId(f.revisionId())
                    .build(), lambda.client()::publishVersion).version();
        } catch (AwsServiceException e) {
            String code = LambdaErrors.code(e);
            if ("PreconditionFailedException".equals(code) || "InvalidParameterValueException".equals(code)
                    || "ResourceConflictException".equals(code)) {
                return Ensured.waiting(new Wait("Runner function " + spec.functionName() + " changed after the handler"
                        + " checked it (" + code + "); checking it again before any invocation.", 2, false));
            }
            throw LambdaErrors.translate(e, "publish a version of runner function " + spec.functionName(), spec.functionName());
        } catch (RuntimeException e) {
            throw LambdaErrors.translate(e, "publish a version of runner function " + spec.functionName(), spec.functionName());
        }
        FunctionConfiguration v = number == null ? null : get(spec.functionName(), number);
        if (v == null) {
            return Ensured.waiting(new Wait("Version " + number + " of runner function " + spec.functionName() + " is"
                    + " gone; checking the function again.", 2, false));
        }
        List<String> problems = new ArrayList<>(unchangeable(v));
        if (!codeCurrent(v, codeSha256)) {
            problems.add("code (CodeSha256 " + v.codeSha256() + ")");
        }
        problems.addAll(deviations(v, spec, environment));
        if (v.version() == null || !v.version().matches("^[0-9]+$") || !problems.isEmpty()) {
            throw new ReconcileException(Reason.RUNNER_FAILED, "Lambda published version " + v.version() + " of runner"
                    + " function " + spec.functionName() + " but it is not what the handler checked (" + String.join(", ", problems)
                    + "), so it was not invoked. Update the stack (any change) and the handler puts the runner back.");
        }
        if (v.state() != null && v.state() != State.ACTIVE) {
            // A new version can be Pending for a moment; invoking it then would answer ResourceNotReadyException.
            return Ensured.waiting(new Wait("Version " + v.version() + " of runner function " + spec.functionName()
                    + " is " + v.stateAsString() + "; waiting.", 2, false));
        }
        return new Ensured(null, v.version());
    }

    /**
     * Deletes every published version but {@code keep}: each holds a copy of the code, which counts against the
     * account's code storage. DeleteFunction removes the function with all its versions.
     */
    public void pruneVersions(String functionName, String keep) {
        List<String> older = new ArrayList<>();
        try {
            String marker = null;
            do {
                ListVersionsByFunctionResponse page = lambda.injectCredentialsAndInvokeV2(ListVersionsByFunctionRequest.builder()
                        .functionName(functionName).marker(marker).build(), lambda.client()::listVersionsByFunction);
                page.versions().stream().map(FunctionConfiguration::version)
                        .filter(n -> n != null && n.matches("^[0-9]+$") && !n.equals(keep))
                        .forEach(older::add);
                marker = page.nextMarker();
            } while (marker != null && !marker.isEmpty());
            for (String old : older) {
                try {
                    lambda.injectCredentialsAndInvokeV2(DeleteFunctionRequest.builder().functionName(functionName)
                            .qualifier(old).build(), lambda.client()::deleteFunction);
                } catch (ResourceNotFoundException gone) {
                    // removed already
                }
            }
        } catch (RuntimeException e) {
            throw LambdaErrors.translate(e, "remove older versions of runner function " + functionName, functionName);
        }
    }

    /**
     * The runner code a resource record names: what the handler uploaded at the last Create or Update that
     * succeeded (perhaps an earlier type version), and the digest of the extra CA certificates it carries (null:
     * none, the baked RDS bundle only).
     */
    public record RecordedCode(String codeSha256, String extraCaDigest) {
        /**
         * Whether a function running this code may be invoked while the account's extra CA certificates are
         * {@code current}: when it trusts no CA the admin has since removed. A package without extra certificates
         * trusts only the baked RDS bundle, which every configuration trusts too; one with the same bundle trusts
         * what the admin trusts now. One with another bundle might trust a CA the admin removed.
         */
        boolean trustedWith(LambdaRunnerPackage current) {
            return codeSha256 != null && (extraCaDigest == null || extraCaDigest.equals(current.extraCaDigest()));
        }
    }

    /**
     * For callers that may not wait (Read): the function is exactly as {@link #ensure} leaves it, or the type does
     * not invoke it. Publishes what it checked as {@link #ensure} does (Lambda returns the existing version when
     * nothing changed) and gives the version to invoke.
     *
     * @param recorded the code the resource record names, trusted besides this version's when its extra CA
     *                 certificates still are (see {@link RecordedCode#trustedWith}); null for none
     */
    public String verify(Spec spec, RecordedCode recorded) {
        FunctionConfiguration f = get(spec.functionName());
        if (f == null) {
            throw new ReconcileException(Reason.RUNNER_FAILED, "Runner function " + spec.functionName() + " does not"
                    + " exist (deleted outside CloudFormation?). Update the stack (any change) to have it created again.");
        }
        List<String> problems = new ArrayList<>(unchangeable(f));
        LambdaRunnerPackage code = spec.code();
        boolean recordedCode = recorded != null && recorded.codeSha256() != null && codeCurrent(f, recorded.codeSha256());
        if (!codeCurrent(f, code.codeSha256()) && !(recordedCode && recorded.trustedWith(code))) {
            problems.add(recordedCode
                    ? "code (CodeSha256 " + f.codeSha256() + "): it carries the Connections.ExtraCaCertificates the type"
                    + " configuration had at the resource's last update, and the account admin has changed them since"
                    : "code (CodeSha256 " + f.codeSha256() + ")");
        }
        Map<String, String> environment = new TreeMap<>(spec.environment(null));
        String policy = variables(f).get(ConfiguredPolicy.POLICY_VARIABLE);
        if (policy != null) {
            // The policy the function was configured with may predate the admin's last change: the handler has
            // checked the model against today's (VpcRunner.engine), and the runner checks it against that one.
            environment.put(ConfiguredPolicy.POLICY_VARIABLE, policy);
        }
        problems.addAll(deviations(f, spec, environment));
        if (problems.isEmpty() && (f.state() != State.ACTIVE || f.lastUpdateStatus() == LastUpdateStatus.IN_PROGRESS)) {
            if (f.state() == State.INACTIVE) {
                wake(spec.functionName());
            }
            // As an invocation of a function that is not Active would answer (ResourceNotReadyException).
            throw new ReconcileException(Reason.THROTTLED, "Runner function " + spec.functionName() + " is not ready"
                    + " (" + f.stateAsString() + ", last update " + f.lastUpdateStatusAsString() + "); try again in a minute.");
        }
        if (!problems.isEmpty()) {
            throw new ReconcileException(Reason.RUNNER_FAILED, "Runner function " + spec.functionName() + " is not as"
                    + " this type version configured it (" + String.join(", ", problems) + "), so it was not invoked."
                    + " A new type version, or a change made outside CloudFormation: update the stack (any change)"
                    + " and the handler puts the runner back.");
        }
        Ensured published = publish(f, spec, f.codeSha256(), environment);
        if (published.waiting() != null) {
            // As an invocation of a function in the middle of a change would answer: try again shortly.
            throw new ReconcileException(Reason.THROTTLED, published.waiting().message());
        }
        return published.version();
    }

    /**
     * One step towards no function: DeleteFunction once, then GetFunction until Lambda says it is gone.
     * The function's network interfaces are released by Lambda afterwards (see guides/vpc-runner.md).
     *
     * @return null when the function no longer exists
     */
    public Wait remove(String functionName, boolean deleteRequested) {
        FunctionConfiguration f = get(functionName);
        if (f == null) {
            return null;
        }
        if (!deleteRequested) {
            delete(functionName);
        }
        return new Wait("Deleting runner function " + functionName + "; waiting until Lambda reports it gone.", 5, false);
    }

    /** The function's configuration, or null when it does not exist. */
    public FunctionConfiguration get(String functionName) {
        return get(functionName, null);
    }

    /** The configuration of a version of the function ($LATEST when null), or null when it does not exist. */
    FunctionConfiguration get(String functionName, String qualifier) {
        try {
            return lambda.injectCredentialsAndInvokeV2(GetFunctionRequest.builder().functionName(functionName)
                            .qualifier(qualifier).build(), lambda.client()::getFunction).configuration();
        } catch (ResourceNotFoundException e) {
            return null;
        } catch (RuntimeException e) {
            throw LambdaErrors.translate(e, "describe runner function " + functionName, functionName);
        }
    }

    private Wait create(Spec spec, int createAttempts) {
        LambdaRunnerPackage runnerCode = spec.code();
        try {
            lambda.injectCredentialsAndInvokeV2(CreateFunctionRequest.builder()
                    .functionName(spec.functionName())
                    .description("Company::Database::SchemaVersion VPC runner (managed by the resource type; do not edit)")
                    .runtime(RUNTIME)
                    .handler(RunnerEntrypoint.HANDLER)
                    .role(spec.roleArn())
                    .timeout(TIMEOUT_SECONDS)
                    .memorySize(MEMORY_MB)
                    .architectures(ARCHITECTURE)
                    .packageType(PackageType.ZIP)
                    .environment(Environment.builder().variables(spec.armed(false).environment(null)).build())
                    .vpcConfig(vpc(spec))
                    .code(FunctionCode.builder().zipFile(SdkBytes.fromByteArray(runnerCode.zip())).build())
                    .build(), lambda.client()::createFunction);
            return new Wait("Creating runner function " + spec.functionName() + " in subnets " + spec.subnetIds() + ".", 10, false);
        } catch (AwsServiceException e) {
            String code = LambdaErrors.code(e);
            if ("ResourceConflictException".equals(code)) {
                return new Wait("Runner function " + spec.functionName() + " is being created.", 5, false);
            }
            boolean roleNotAssumable = LambdaErrors.roleNotYetAssumable(e);
            if (roleNotAssumable && createAttempts + 1 < ROLE_PROPAGATION_ATTEMPTS) {
                return new Wait("Lambda cannot assume role " + spec.roleArn() + " yet (a new role takes a few seconds"
                        + " to propagate); retrying CreateFunction.", 10, true);
            }
            throw LambdaErrors.translate(e, "create runner function " + spec.functionName(), spec.functionName());
        } catch (RuntimeException e) {
            throw LambdaErrors.translate(e, "create runner function " + spec.functionName(), spec.functionName());
        }
    }

    private void delete(String functionName) {
        try {
            lambda.injectCredentialsAndInvokeV2(DeleteFunctionRequest.builder().functionName(functionName).build(),
                    lambda.client()::deleteFunction);
        } catch (ResourceNotFoundException e) {
            // Gone already: what we wanted.
        } catch (RuntimeException e) {
            throw LambdaErrors.translate(e, "delete runner function " + functionName, functionName);
        }
    }

    private void wake(String functionName) {
        try {
            lambda.injectCredentialsAndInvokeV2(InvokeRequest.builder().functionName(functionName)
                    .invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String("{\"protocol\":" + RunnerProtocol.VERSION + ",\"op\":\"ping\"}"))
                    .build(), lambda.client()::invoke);
        } catch (RuntimeException e) {
            // Expected while it is not Active (ResourceNotReadyException): the attempt is what wakes it.
        }
    }

    private static void call(String what, String functionName, Runnable call) {
        try {
            call.run();
        } catch (AwsServiceException e) {
            if ("ResourceConflictException".equals(LambdaErrors.code(e))) {
                return; // another update is in progress: the next call sees it and waits
            }
            throw LambdaErrors.translate(e, what, functionName);
        } catch (RuntimeException e) {
            throw LambdaErrors.translate(e, what, functionName);
        }
    }

    /**
     * The clean arm to expect: the one already on the function while it has at least a minute left (so that
     * the calls of one Delete agree on it), else a new one valid for {@link #ARM_LIFETIME}. Wall-clock time: the
     * runner compares it with its own clock.
     */
    static String arm(FunctionConfiguration f, Spec spec) {
        if (!spec.armClean()) {
            return null;
        }
        Instant now = Instant.now();
        Instant current = RunnerConfig.armedUntil(variables(f).get(RunnerConfig.CLEAN_VARIABLE));
        if (current != null && current.isAfter(now.plus(Duration.ofMinutes(1))) && !current.isAfter(now.plus(ARM_LIFETIME))) {
            return RunnerConfig.armUntil(current);
        }
        return RunnerConfig.armUntil(now.plus(ARM_LIFETIME));
    }

    /** Its code is the package this handler builds: the handler knows that CodeSha256, the function does not tell it. */
    static boolean codeCurrent(FunctionConfiguration f, String expectedCodeSha256) {
        List<Architecture> architectures = f.hasArchitectures() ? f.architectures() : List.of(ARCHITECTURE);
        return expectedCodeSha256.equals(f.codeSha256()) && architectures.equals(List.of(ARCHITECTURE));
    }

    /** Subnets, security groups and role: the template's Execution settings. */
    static boolean executionMatches(FunctionConfiguration f, Spec spec) {
        Set<String> subnets = f.vpcConfig() == null ? Set.of() : new HashSet<>(f.vpcConfig().subnetIds());
        Set<String> groups = f.vpcConfig() == null ? Set.of() : new HashSet<>(f.vpcConfig().securityGroupIds());
        return subnets.equals(spec.subnetIds()) && groups.equals(spec.securityGroupIds())
                && Objects.equals(f.role(), spec.roleArn());
    }

    /**
     * What differs from the configuration the handler sets, by field: everything UpdateFunctionConfiguration can
     * put back. An empty list: exactly the handler's configuration.
     */
    static List<String> deviations(FunctionConfiguration f, Spec spec, Map<String, String> environment) {
        List<String> out = new ArrayList<>();
        if (!executionMatches(f, spec)) out.add("VpcConfig/Role");
        if (!Objects.equals(f.handler(), RunnerEntrypoint.HANDLER)) out.add("Handler");
        if (f.runtime() != RUNTIME) out.add("Runtime");
        if (!Objects.equals(f.timeout(), TIMEOUT_SECONDS)) out.add("Timeout");
        if (!Objects.equals(f.memorySize(), MEMORY_MB)) out.add("MemorySize");
        if (!variables(f).equals(environment)) out.add(environmentChange(variables(f), environment));
        if (f.hasLayers() && !f.layers().isEmpty()) out.add("Layers");
        if (f.hasFileSystemConfigs() && !f.fileSystemConfigs().isEmpty()) out.add("FileSystemConfigs");
        if (f.kmsKeyArn() != null && !f.kmsKeyArn().isEmpty()) out.add("KMSKeyArn");
        if (f.deadLetterConfig() != null && f.deadLetterConfig().targetArn() != null
                && !f.deadLetterConfig().targetArn().isEmpty()) out.add("DeadLetterConfig");
        if (f.tracingConfig() != null && f.tracingConfig().mode() != null
                && f.tracingConfig().mode() != TracingMode.PASS_THROUGH) out.add("TracingConfig");
        if (f.ephemeralStorage() != null && f.ephemeralStorage().size() != null
                && f.ephemeralStorage().size() != EPHEMERAL_STORAGE_MB) out.add("EphemeralStorage");
        if (f.snapStart() != null && f.snapStart().applyOn() != null
                && f.snapStart().applyOn() != SnapStartApplyOn.NONE) out.add("SnapStart");
        if (!loggingIsDefault(f)) out.add("LoggingConfig");
        return out;
    }

    /** Names the variables that differ (never their values: an added variable may hold anything). */
    private static String environmentChange(Map<String, String> actual, Map<String, String> expected) {
        Set<String> names = new java.util.TreeSet<>(actual.keySet());
        names.addAll(expected.keySet());
        names.removeIf(n -> Objects.equals(actual.get(n), expected.get(n)));
        return "Environment " + names;
    }

    private static boolean loggingIsDefault(FunctionConfiguration f) {
        LoggingConfig l = f.loggingConfig();
        if (l == null) {
            return true;
        }
        boolean format = l.logFormat() == null || l.logFormat() == LogFormat.TEXT;
        boolean group = l.logGroup() == null || l.logGroup().equals(logGroup(f.functionName()));
        return format && group;
    }

    static String logGroup(String functionName) {
        return "/aws/lambda/" + functionName;
    }

    /**
     * Lambda cannot change these in place: a container image, a capacity provider, a durable configuration. The
     * function is ours (named by the type), so it is deleted and created again.
     */
    static List<String> unchangeable(FunctionConfiguration f) {
        List<String> out = new ArrayList<>();
        if (f.packageType() != null && f.packageType() != PackageType.ZIP) out.add("PackageType " + f.packageTypeAsString());
        if (f.capacityProviderConfig() != null) out.add("CapacityProviderConfig");
        if (f.durableConfig() != null) out.add("DurableConfig");
        return out;
    }

    /**
     * Puts back everything the handler sets. Handler, runtime, limits, the whole environment and the layers
     * always; role and VPC only when they differ (they need iam:PassRole and ec2:Describe*, which arming clean on
     * Delete should not); the rest only when it differs from Lambda's default, so that an untouched function gets
     * no field it never had.
     */
    static UpdateFunctionConfigurationRequest reset(FunctionConfiguration f, Spec spec, Map<String, String> environment) {
        UpdateFunctionConfigurationRequest.Builder b = UpdateFunctionConfigurationRequest.builder()
                .functionName(spec.functionName())
                .handler(RunnerEntrypoint.HANDLER)
                .runtime(RUNTIME)
                .timeout(TIMEOUT_SECONDS)
                .memorySize(MEMORY_MB)
                .environment(Environment.builder().variables(environment).build())
                .layers(List.of());
        if (!executionMatches(f, spec)) {
            b.role(spec.roleArn()).vpcConfig(vpc(spec));
        }
        if (f.hasFileSystemConfigs() && !f.fileSystemConfigs().isEmpty()) b.fileSystemConfigs(List.of());
        // An empty string reverts to Lambda's own key / removes the target (UpdateFunctionConfiguration's rules).
        if (f.kmsKeyArn() != null && !f.kmsKeyArn().isEmpty()) b.kmsKeyArn("");
        if (f.deadLetterConfig() != null && f.deadLetterConfig().targetArn() != null
                && !f.deadLetterConfig().targetArn().isEmpty()) b.deadLetterConfig(DeadLetterConfig.builder().targetArn("").build());
        if (f.tracingConfig() != null && f.tracingConfig().mode() != null && f.tracingConfig().mode() != TracingMode.PASS_THROUGH) {
            b.tracingConfig(TracingConfig.builder().mode(TracingMode.PASS_THROUGH).build());
        }
        if (f.ephemeralStorage() != null && f.ephemeralStorage().size() != null && f.ephemeralStorage().size() != EPHEMERAL_STORAGE_MB) {
            b.ephemeralStorage(EphemeralStorage.builder().size(EPHEMERAL_STORAGE_MB).build());
        }
        if (f.snapStart() != null && f.snapStart().applyOn() != null && f.snapStart().applyOn() != SnapStartApplyOn.NONE) {
            b.snapStart(SnapStart.builder().applyOn(SnapStartApplyOn.NONE).build());
        }
        if (!loggingIsDefault(f)) {
            b.loggingConfig(LoggingConfig.builder().logFormat(LogFormat.TEXT).logGroup(logGroup(spec.functionName())).build());
        }
        return b.build();
    }

    private static Map<String, String> variables(FunctionConfiguration f) {
        return f.environment() == null || !f.environment().hasVariables() ? Map.of() : f.environment().variables();
    }

    /**
     * Asynchronous steps: no retry, and Lambda's shortest event age, so an event is run at once or never (the
     * runner also refuses one past the deadline in its payload). Also removes any destination someone added: a
     * destination would receive the invocation records. Lambda keeps these settings per version: set on the version
     * the handler invokes.
     */
    private void ensureEventInvokeConfig(String functionName, String version) {
        GetFunctionEventInvokeConfigResponse current;
        try {
            current = lambda.injectCredentialsAndInvokeV2(GetFunctionEventInvokeConfigRequest.builder()
                    .functionName(functionName).qualifier(version).build(), lambda.client()::getFunctionEventInvokeConfig);
        } catch (ResourceNotFoundException e) {
            current = null;
        } catch (RuntimeException e) {
            throw LambdaErrors.translate(e, "read the asynchronous invocation settings of runner function " + functionName, functionName);
        }
        boolean destinations = current != null && current.destinationConfig() != null
                && ((current.destinationConfig().onFailure() != null && current.destinationConfig().onFailure().destination() != null)
                || (current.destinationConfig().onSuccess() != null && current.destinationConfig().onSuccess().destination() != null));
        if (current != null && Objects.equals(current.maximumRetryAttempts(), MAXIMUM_RETRY_ATTEMPTS)
                && Objects.equals(current.maximumEventAgeInSeconds(), MAXIMUM_EVENT_AGE_SECONDS) && !destinations) {
            return;
        }
        try {
            // Put replaces the whole configuration (Update would keep a destination).
            lambda.injectCredentialsAndInvokeV2(PutFunctionEventInvokeConfigRequest.builder()
                    .functionName(functionName)
                    .qualifier(version)
                    .maximumRetryAttempts(MAXIMUM_RETRY_ATTEMPTS)
                    .maximumEventAgeInSeconds(MAXIMUM_EVENT_AGE_SECONDS)
                    .build(), lambda.client()::putFunctionEventInvokeConfig);
        } catch (RuntimeException e) {
            throw LambdaErrors.translate(e, "set the asynchronous invocation settings of runner function " + functionName, functionName);
        }
    }

    private static VpcConfig vpc(Spec spec) {
        return VpcConfig.builder().subnetIds(spec.subnetIds()).securityGroupIds(spec.securityGroupIds()).build();
    }

    private static ReconcileException failedState(FunctionConfiguration f, Spec spec) {
        String code = f.stateReasonCodeAsString();
        return new ReconcileException(reasonOf(code), "Runner function " + spec.functionName() + " failed to start ("
                + code + ": " + f.stateReason() + "). " + advice(code));
    }

    /** Causes the template can fix are the template's fault; the rest is the runner's. */
    static Reason reasonOf(String stateReasonCode) {
        if (stateReasonCode == null) {
            return Reason.RUNNER_FAILED;
        }
        return switch (stateReasonCode) {
            case "InvalidSubnet", "InvalidSecurityGroup", "SubnetOutOfIPAddresses", "InsufficientRolePermissions",
                 "InvalidConfiguration" -> Reason.INVALID_INPUT;
            default -> Reason.RUNNER_FAILED;
        };
    }

    private static String advice(String code) {
        if (code == null) {
            return "See the function in the Lambda console.";
        }
        return switch (code) {
            case "InvalidSubnet" -> "Check Execution.SubnetIds: each must exist in this account and region.";
            case "InvalidSecurityGroup" -> "Check Execution.SecurityGroupIds: each must exist in the subnets' VPC.";
            case "SubnetOutOfIPAddresses" -> "The subnets in Execution.SubnetIds have no free IP address: add subnets or free addresses.";
            case "InsufficientRolePermissions" -> "The role in Execution.RoleArn needs AWSLambdaVPCAccessExecutionRole"
                    + " (ec2:CreateNetworkInterface and friends).";
            case "EniLimitExceeded" -> "The account's network interface limit is reached: free ENIs or raise the quota.";
            default -> "Fix the cause, then deploy again (the function is deleted and created anew when Execution changes).";
        };
    }
}
