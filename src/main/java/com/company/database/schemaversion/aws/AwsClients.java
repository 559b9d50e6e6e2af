package com.company.database.schemaversion.aws;

import com.company.database.schemaversion.core.Regions;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.ssm.SsmClient;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The AWS clients of one handler environment, one per service and region, built on first use and kept as long as
 * the environment (in Lambda: the container's entrypoint). They carry no credentials of their own: every call goes
 * through the rpdk proxy, which injects the caller's. Endpoints are the environment's {@link AwsEndpoints}; where
 * those name none, the SDK's own resolution applies.
 */
public final class AwsClients {
    private final AwsEndpoints endpoints;
    private final Map<String, SsmClient> ssm = new ConcurrentHashMap<>();
    private final Map<String, LambdaClient> lambda = new ConcurrentHashMap<>();
    private final Map<String, LambdaClient> invokers = new ConcurrentHashMap<>();
    private final Map<String, KmsClient> kms = new ConcurrentHashMap<>();
    private final Map<String, EcsClient> ecs = new ConcurrentHashMap<>();
    private SdkHttpClient http;
    private SdkHttpClient invokeHttp;

    public AwsClients(AwsEndpoints endpoints) {
        this.endpoints = endpoints == null ? AwsEndpoints.SDK_DEFAULT : endpoints;
    }

    public AwsEndpoints endpoints() {
        return endpoints;
    }

    public SsmClient ssm(String region) {
        return ssm.computeIfAbsent(region(region), r -> shortCalls(SsmClient.builder(), r, endpoints.ssm()));
    }

    /** Lambda calls that wait for the runner get their own timeouts (see {@link #invoker}). */
    public LambdaClient lambda(String region) {
        return lambda.computeIfAbsent(region(region), r -> endpoint(LambdaClient.builder(), endpoints.lambda())
                .region(Region.of(r))
                .httpClient(http())
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .build());
    }

    /** For Invoke only: see {@link LambdaInvokers}. */
    public LambdaClient invoker(String region) {
        return invokers.computeIfAbsent(region(region), r -> LambdaInvokers.build(r, endpoints.lambda(), invokeHttp()));
    }

    /** For the resource records' MACs (GenerateMac, VerifyMac): short calls, like SSM's. */
    public KmsClient kms(String region) {
        return kms.computeIfAbsent(region(region), r -> shortCalls(KmsClient.builder(), r, endpoints.kms()));
    }

    /** For Execution.Mode TaskRunner's task definitions and tasks: short calls. */
    public EcsClient ecs(String region) {
        return ecs.computeIfAbsent(region(region), r -> shortCalls(EcsClient.builder(), r, endpoints.ecs()));
    }

    private synchronized SdkHttpClient http() {
        if (http == null) {
            http = UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(5))
                    .socketTimeout(Duration.ofSeconds(20))
                    .build();
        }
        return http;
    }

    private synchronized SdkHttpClient invokeHttp() {
        if (invokeHttp == null) {
            invokeHttp = LambdaInvokers.httpClient();
        }
        return invokeHttp;
    }

    /** A client for short calls: standard retries, 25 s per call, no credentials of its own. */
    private <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C shortCalls(B builder, String region,
                                                                                          URI endpoint) {
        return endpoint(builder, endpoint)
                .region(Region.of(region))
                .httpClient(http())
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(RetryMode.STANDARD)
                        .apiCallTimeout(Duration.ofSeconds(25))
                        .build())
                .build();
    }

    static <B extends AwsClientBuilder<B, C>, C> B endpoint(B builder, URI endpoint) {
        return endpoint == null ? builder : builder.endpointOverride(endpoint);
    }

    static String region(String region) {
        return Regions.resolve(region, System.getenv("AWS_REGION"));
    }
}
