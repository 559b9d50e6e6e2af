package com.company.database.schemaversion.runner;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import com.company.database.schemaversion.engine.Login;
import com.company.database.schemaversion.engine.LoginParameters;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.PutParameterRequest;

/**
 * The runner's own SSM access, with the runner role's credentials: it reads the database login (so no secret
 * ever travels in an invocation payload) and leaves the outcome of asynchronous steps for the handler.
 * The same login shapes as the handler's, read by engine/LoginParameters. Values never reach a message or a log.
 */
public final class RunnerLogins {
    private final SsmClient ssm;

    RunnerLogins(SsmClient ssm) {
        this.ssm = ssm;
    }

    Login resolve(RunnerConfig r) {
        return LoginParameters.read(r.usernameParameter(), r.passwordParameter(), r.secretParameter(), this::read,
                " (read by the VPC runner)");
    }

    /**
     * The runner role's credentials, as Lambda gives them to the function (its environment), to sign an IAM
     * database authentication token with: those the runner was handed, or (null) the SDK's default chain.
     */
    static AwsCredentialsIdentity ownCredentials(AwsCredentialsProvider provider) {
        if (provider != null) {
            return provider.resolveCredentials();
        }
        try (DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build()) {
            return chain.resolveCredentials();
        } catch (RuntimeException e) {
            throw new ReconcileException(Reason.RUNNER_FAILED, "The VPC runner has no credentials of its role to sign"
                    + " an IAM database authentication token with (" + e.getClass().getSimpleName() + ").");
        }
    }

    void writeStep(String stepId, String value) {
        try {
            ssm.putParameter(PutParameterRequest.builder()
                    .name(RunnerProtocol.stepParameter(stepId))
                    .value(value)
                    .type(ParameterType.STRING)
                    .tier(ParameterTier.INTELLIGENT_TIERING)
                    .description("Company::Database::SchemaVersion runner step outcome (removed by the handler)")
                    .overwrite(true)
                    .build());
        } catch (RuntimeException e) {
            throw translate(e, "write the step outcome " + RunnerProtocol.stepParameter(stepId));
        }
    }

    /** The step's outcome when an earlier delivery of the same step already finished it, else null. */
    String readStep(String stepId) {
        try {
            return ssm.getParameter(GetParameterRequest.builder().name(RunnerProtocol.stepParameter(stepId)).build())
                    .parameter().value();
        } catch (ParameterNotFoundException e) {
            return null;
        } catch (RuntimeException e) {
            throw translate(e, "read the step outcome " + RunnerProtocol.stepParameter(stepId));
        }
    }

    private String read(String name, String property) {
        try {
            return ssm.getParameter(GetParameterRequest.builder().name(name).withDecryption(true).build())
                    .parameter().value();
        } catch (ParameterNotFoundException e) {
            throw new ReconcileException(Reason.CREDENTIALS_NOT_FOUND, "SSM parameter " + name + " (" + property
                    + ") does not exist in this account and region (read by the VPC runner). Create it, or fix the"
                    + " name in the template.", e);
        } catch (RuntimeException e) {
            throw translate(e, "read SSM parameter " + name + " (" + property + ")");
        }
    }

    private static ReconcileException translate(RuntimeException e, String what) {
        if (e instanceof AwsServiceException a) {
            String code = a.awsErrorDetails() == null ? "" : a.awsErrorDetails().errorCode();
            if (a.isThrottlingException()) {
                return new ReconcileException(Reason.THROTTLED, "SSM throttled the VPC runner trying to " + what + ".", e);
            }
            if ("AccessDeniedException".equals(code) || a.statusCode() == 403) {
                return new ReconcileException(Reason.ACCESS_DENIED, "The VPC runner's role (Execution.RoleArn) may not "
                        + what + " (" + code + "). Give it ssm:GetParameter on the credential parameters,"
                        + " ssm:PutParameter and ssm:GetParameter on " + RunnerProtocol.STEP_PREFIX + "/*, kms:Decrypt"
                        + " (and secretsmanager:GetSecretValue for a SecretParameter).", e);
            }
            return new ReconcileException(Reason.RUNNER_FAILED, "SSM refused the VPC runner's request to " + what + ": "
                    + code + " " + a.statusCode(), e);
        }
        if (e instanceof SdkClientException) {
            return new ReconcileException(Reason.RUNNER_FAILED, "The VPC runner cannot reach SSM to " + what + " ("
                    + e.getMessage() + "). Functions in private subnets need an SSM interface endpoint"
                    + " (com.amazonaws.<region>.ssm, private DNS on, 443 allowed from the runner's security group) or a NAT.", e);
        }
        return new ReconcileException(Reason.INTERNAL, "The VPC runner failed to " + what + ": " + e, e);
    }
}
