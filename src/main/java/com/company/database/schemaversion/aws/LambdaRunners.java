package com.company.database.schemaversion.aws;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.runner.RunnerEntrypoint;
import com.company.database.schemaversion.runner.RunnerProtocol;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateFunctionRequest;
import software.amazon.awssdk.services.lambda.model.DeleteFunctionRequest;
import software.amazon.awssdk.services.lambda.model.Environment;
import software.amazon.awssdk.services.lambda.model.FunctionCode;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.GetFunctionRequest;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeRequest;
import software.amazon.awssdk.services.lambda.model.LastUpdateStatus;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.Runtime;
import software.amazon.awssdk.services.lambda.model.State;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionCodeRequest;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionConfigurationRequest;
import software.amazon.awssdk.services.lambda.model.VpcConfig;
import software.amazon.cloudformation.proxy.ProxyClient;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The runner function's lifecycle through the Lambda API, as the caller: one GetFunction per handler call and
 * at most one change, so that waiting (Pending, an update in progress, a deletion) is a chain of IN_PROGRESS
 * answers rather than an SDK waiter that outlives the call.
 *
 * <p>One function per resource, named by a hash of the resource's Id: Delete then removes a function no other
 * resource uses, and a new type version or new VPC settings update it in place: code when the function does not
 * carry this version's code id (then its configuration, to record the id), configuration when subnets, security
 * groups or role differ.
 */
public final class LambdaRunners {
    public static final String NAME_PREFIX = "schemaversion-runner-";
    public static final int TIMEOUT_SECONDS = 900;
    public static final int MEMORY_MB = 1024;
    static final Runtime RUNTIME = Runtime.JAVA21;
    /** Tiered compilation stopped at C1: a short-lived JVM starts faster. */
    static final Map<String, String> ENVIRONMENT = Map.of("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1");
    /** The code id ({@link LambdaRunnerPackage#codeId()}) of the runner code the function was given. */
    public static final String CODE_ID_VARIABLE = "SCHEMAVERSION_RUNNER_CODE";
    /** The CodeSha256 Lambda reported for that code: a different one means the code was replaced by someone else. */
    public static final String CODE_SHA256_VARIABLE = "SCHEMAVERSION_RUNNER_CODE_SHA256";
    /** IAM roles created in the same stack may not be assumable for a few seconds: retry CreateFunction that often. */
    public static final int ROLE_PROPAGATION_ATTEMPTS = 6;

    private final ProxyClient<LambdaClient> lambda;

    public LambdaRunners(ProxyClient<LambdaClient> lambda) {
        this.lambda = lambda;
    }

    /** What the function must look like. */
    public record Spec(String functionName, Set<String> subnetIds, Set<String> securityGroupIds, String roleArn) {
        public Spec {
            subnetIds = Set.copyOf(subnetIds);
            securityGroupIds = Set.copyOf(securityGroupIds);
        }
    }

    /**
     * Not there yet: answer IN_PROGRESS with this message and delay.
     *
     * @param roleNotAssumableYet CreateFunction said the role cannot be assumed (counted against ROLE_PROPAGATION_ATTEMPTS)
     */
    public record Wait(String message, int delaySeconds, boolean roleNotAssumableYet) {
    }

    public static String functionName(String resourceId) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(resourceId.getBytes(StandardCharsets.UTF_8));
            return NAME_PREFIX + HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One step towards an Active function with this type's code and the spec's configuration.
     *
     * @param createAttempts how many CreateFunction calls already met a role that could not be assumed
     * @return null when the function is ready to be invoked
     */
    public Wait ensure(Spec spec, int createAttempts) {
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
            if (!matches(f, spec)) {
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
        LambdaRunnerPackage code = LambdaRunnerPackage.get();
        boolean codeCurrent = codeCurrent(f, code.codeId());
        boolean configCurrent = matches(f, spec);
        if (f.lastUpdateStatus() == LastUpdateStatus.FAILED && codeCurrent && configCurrent) {
            throw new ReconcileException(reasonOf(f.lastUpdateStatusReasonCodeAsString()), "The last update of runner"
                    + " function " + spec.functionName() + " failed (" + f.lastUpdateStatusReasonCodeAsString() + ": "
                    + f.lastUpdateStatusReason() + "). " + advice(f.lastUpdateStatusReasonCodeAsString()));
        }
        if (!codeCurrent && !code.codeSha256().equals(f.codeSha256())) {
            call("update the code of runner function " + spec.functionName(), spec.functionName(), () ->
                    lambda.injectCredentialsAndInvokeV2(UpdateFunctionCodeRequest.builder()
                            .functionName(spec.functionName())
                            .zipFile(SdkBytes.fromByteArray(code.zip()))
                            .build(), lambda.client()::updateFunctionCode));
            return new Wait("Updating the code of runner function " + spec.functionName() + " to this type version's.", 5, false);
        }
        if (!codeCurrent || !configCurrent) {
            // Also when only the code changed: an earlier call uploaded it; the environment records it.
            call("update the configuration of runner function " + spec.functionName(), spec.functionName(), () ->
                    lambda.injectCredentialsAndInvokeV2(UpdateFunctionConfigurationRequest.builder()
                            .functionName(spec.functionName())
                            .role(spec.roleArn())
                            .handler(RunnerEntrypoint.HANDLER)
                            .runtime(RUNTIME)
                            .timeout(TIMEOUT_SECONDS)
                            .memorySize(MEMORY_MB)
                            .environment(environment(code.codeId(), f.codeSha256()))
                            .vpcConfig(vpc(spec))
                            .build(), lambda.client()::updateFunctionConfiguration));
            return new Wait(configCurrent
                    ? "Recording on runner function " + spec.functionName() + " that it runs this type version's code."
                    : "Updating runner function " + spec.functionName() + " to subnets " + spec.subnetIds()
                    + ", security groups " + spec.securityGroupIds() + " and role " + spec.roleArn() + ".", 5, false);
        }
        return null;
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
        try {
            return lambda.injectCredentialsAndInvokeV2(GetFunctionRequest.builder().functionName(functionName).build(),
                    lambda.client()::getFunction).configuration();
        } catch (ResourceNotFoundException e) {
            return null;
        } catch (RuntimeException e) {
            throw LambdaErrors.translate(e, "describe runner function " + functionName, functionName);
        }
    }

    private Wait create(Spec spec, int createAttempts) {
        LambdaRunnerPackage runnerCode = LambdaRunnerPackage.get();
        try {
            lambda.injectCredentialsAndInvokeV2(CreateFunctionRequest.builder()
                    .functionName(spec.functionName())
                    .description("Company::Database::SchemaVersion VPC runner (managed by the resource type; do not edit)")
                    .runtime(RUNTIME)
                    .handler(RunnerEntrypoint.HANDLER)
                    .role(spec.roleArn())
                    .timeout(TIMEOUT_SECONDS)
                    .memorySize(MEMORY_MB)
                    .environment(environment(runnerCode.codeId(), runnerCode.codeSha256()))
                    .vpcConfig(vpc(spec))
                    .code(FunctionCode.builder().zipFile(SdkBytes.fromByteArray(runnerCode.zip())).build())
                    .build(), lambda.client()::createFunction);
            return new Wait("Creating runner function " + spec.functionName() + " in subnets " + spec.subnetIds() + ".", 10, false);
        } catch (AwsServiceException e) {
            String code = LambdaErrors.code(e);
            if ("ResourceConflictException".equals(code)) {
                return new Wait("Runner function " + spec.functionName() + " is being created.", 5, false);
            }
            boolean roleNotAssumable = "InvalidParameterValueException".equals(code)
                    && LambdaErrors.message(e).toLowerCase().contains("cannot be assumed");
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
     * The function runs this type version's runner code: it carries this code id, and the code Lambda reports is
     * the code that id was recorded with (so a package uploaded by hand is replaced). Two string comparisons:
     * no package is built for them.
     */
    static boolean codeCurrent(FunctionConfiguration f, String codeId) {
        Map<String, String> variables = f.environment() == null || !f.environment().hasVariables()
                ? Map.of() : f.environment().variables();
        return codeId.equals(variables.get(CODE_ID_VARIABLE)) && f.codeSha256() != null
                && f.codeSha256().equals(variables.get(CODE_SHA256_VARIABLE));
    }

    /** The runner's environment, with which code it runs. */
    static Environment environment(String codeId, String codeSha256) {
        Map<String, String> variables = new TreeMap<>(ENVIRONMENT);
        variables.put(CODE_ID_VARIABLE, codeId);
        variables.put(CODE_SHA256_VARIABLE, codeSha256);
        return Environment.builder().variables(variables).build();
    }

    static boolean matches(FunctionConfiguration f, Spec spec) {
        Set<String> subnets = f.vpcConfig() == null ? Set.of() : new HashSet<>(f.vpcConfig().subnetIds());
        Set<String> groups = f.vpcConfig() == null ? Set.of() : new HashSet<>(f.vpcConfig().securityGroupIds());
        return subnets.equals(spec.subnetIds()) && groups.equals(spec.securityGroupIds())
                && Objects.equals(f.role(), spec.roleArn()) && Objects.equals(f.handler(), RunnerEntrypoint.HANDLER)
                && f.runtime() == RUNTIME && Objects.equals(f.timeout(), TIMEOUT_SECONDS)
                && Objects.equals(f.memorySize(), MEMORY_MB);
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
