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
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.ssm.SsmClient;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * AWS clients, one per service and region for the life of the JVM. They carry no credentials of their own:
 * every call goes through the rpdk proxy, which injects the caller's. Endpoints follow the SDK's standard
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_SSM / AWS_ENDPOINT_URL_LAMBDA / AWS_ENDPOINT_URL_KMS variables (and the aws.endpointUrl*
 * system properties), which is how tests and the local runner point them at emulators.
 */
public final class AwsClients {
    private static final SdkHttpClient HTTP = UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(Duration.ofSeconds(20))
            .build();
    private static final Map<String, SsmClient> SSM = new ConcurrentHashMap<>();
    private static final Map<String, LambdaClient> LAMBDA = new ConcurrentHashMap<>();
    private static final Map<String, KmsClient> KMS = new ConcurrentHashMap<>();

    private AwsClients() {
    }

    public static SsmClient ssm(String region) {
        return SSM.computeIfAbsent(region(region), r -> shortCalls(SsmClient.builder(), r));
    }

    /** Lambda calls that wait for the runner get their own timeouts (see the runner client). */
    public static LambdaClient lambda(String region) {
        return LAMBDA.computeIfAbsent(region(region), r -> LambdaClient.builder()
                .region(Region.of(r))
                .httpClient(HTTP)
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .build());
    }

    /** For the resource records' MACs (GenerateMac, VerifyMac): short calls, like SSM's. */
    public static KmsClient kms(String region) {
        return KMS.computeIfAbsent(region(region), r -> shortCalls(KmsClient.builder(), r));
    }

    /** A client for short calls: standard retries, 25 s per call, no credentials of its own. */
    private static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C shortCalls(B builder, String region) {
        return builder
                .region(Region.of(region))
                .httpClient(HTTP)
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(RetryMode.STANDARD)
                        .apiCallTimeout(Duration.ofSeconds(25))
                        .build())
                .build();
    }

    private static String region(String region) {
        return Regions.resolve(region, System.getenv("AWS_REGION"));
    }
}
