package com.company.database.schemaversion.aws;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;
import software.amazon.awssdk.awscore.util.AwsHeader;
import software.amazon.awssdk.awscore.DefaultAwsResponseMetadata;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;
import software.amazon.awssdk.services.ssm.model.GetParameterResponse;
import software.amazon.awssdk.utils.CompletableFutureUtils;
import software.amazon.cloudformation.proxy.ProxyClient;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The credentials CloudFormation hands the handler for this request (the type's execution role), to sign an IAM
 * database authentication token with: the same credentials the rpdk proxy puts on every AWS call the handler
 * makes. The proxy offers them only through that injection, so this asks it to inject them into a request that
 * is never sent and takes them from there. Never stored, logged or put into a message.
 */
public final class CallerCredentials {
    private CallerCredentials() {
    }

    public static AwsCredentialsIdentity of(ProxyClient<SsmClient> proxy) {
        AtomicReference<AwsCredentialsIdentity> found = new AtomicReference<>();
        proxy.injectCredentialsAndInvokeV2(GetParameterRequest.builder().name("/company-database-schemaversion").build(),
                injected -> {
                    IdentityProvider<? extends AwsCredentialsIdentity> provider = injected.overrideConfiguration()
                            .flatMap(o -> o.credentialsIdentityProvider()).orElse(null);
                    if (provider != null) {
                        found.set(CompletableFutureUtils.joinLikeSync(provider.resolveIdentity()));
                    }
                    // The proxy logs each call's request id: this one says it was never sent.
                    return (GetParameterResponse) GetParameterResponse.builder().responseMetadata(
                            DefaultAwsResponseMetadata.create(Map.of(AwsHeader.AWS_REQUEST_ID,
                                    "none, not sent: the execution role's credentials for an IAM database token"))).build();
                });
        if (found.get() == null) {
            throw new ReconcileException(Reason.INTERNAL, "The request carries no credentials of the execution role,"
                    + " so no IAM database authentication token can be signed. Register the type with an execution role.");
        }
        return found.get();
    }
}
