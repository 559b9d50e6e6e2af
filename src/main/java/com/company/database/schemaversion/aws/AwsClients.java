package com.company.database.schemaversion.aws;

import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * AWS clients, one per service and region for the life of the JVM. They carry no credentials of their own:
 * every call goes through the rpdk proxy, which injects the caller's. Endpoints follow the SDK's standard
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_SSM / AWS_ENDPOINT_URL_LAMBDA variables (and the aws.endpointUrl*
 * system properties), which is how tests and the local runner point them at emulators.
 */
public final class AwsClients {
    private static final SdkHttpClient HTTP = UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(Duration.ofSeconds(20))
            .build();
    private static final Map<String, SsmClient> SSM = new ConcurrentHashMap<>();
    private static final Map<String, LambdaClient> LAMBDA = new ConcurrentHashMap<>();

    private AwsClients() {
    }

    public static SsmClient ssm(String region) {
        return SSM.computeIfAbsent(region(region), r -> ssmClient(r, HTTP));
    }

    private static SsmClient ssmClient(String region, SdkHttpClient http) {
        return SsmClient.builder()
                .region(Region.of(region))
                .httpClient(http)
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(RetryMode.STANDARD)
                        .apiCallTimeout(Duration.ofSeconds(25))
                        .build())
                .build();
    }

    /**
     * Builds the region's SSM client and runs one GetParameter through a twin of it whose HTTP client answers
     * from memory, so the first real call finds the request pipeline (marshalling, signing, retries,
     * unmarshalling) loaded. A call that asks for the client meanwhile waits for both rather than build a second
     * client beside it. Nothing leaves the process; the credentials are a placeholder.
     */
    public static void warmUpSsm(String region) {
        SSM.computeIfAbsent(region(region), r -> {
            SsmClient client = ssmClient(r, HTTP);
            try (SsmClient twin = ssmClient(r, new InMemoryHttpClient(WARMUP_ANSWER))) {
                twin.getParameter(GetParameterRequest.builder()
                        .name(WARMUP_PARAMETER)
                        .withDecryption(true)
                        .overrideConfiguration(AwsRequestOverrideConfiguration.builder()
                                .credentialsProvider(StaticCredentialsProvider.create(
                                        AwsBasicCredentials.create("WARMUP", "warm-up-placeholder")))
                                .build())
                        .build());
            } catch (RuntimeException ignored) {
                // Only a head start; the client itself is fine.
            }
            return client;
        });
    }

    private static final String WARMUP_PARAMETER = "/company-database-schemaversion/warm-up";
    private static final byte[] WARMUP_ANSWER = ("{\"Parameter\":{\"Name\":\"" + WARMUP_PARAMETER
            + "\",\"Type\":\"String\",\"Value\":\"-\",\"Version\":1}}").getBytes(StandardCharsets.UTF_8);

    /** An HTTP client that answers every request with one fixed 200 response. */
    private record InMemoryHttpClient(byte[] answer) implements SdkHttpClient {
        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() {
                    return HttpExecuteResponse.builder()
                            .response(SdkHttpResponse.builder()
                                    .statusCode(200)
                                    .putHeader("Content-Type", "application/x-amz-json-1.1")
                                    .putHeader("Content-Length", String.valueOf(answer.length))
                                    .build())
                            .responseBody(AbortableInputStream.create(new ByteArrayInputStream(answer)))
                            .build();
                }

                @Override
                public void abort() {
                }
            };
        }

        @Override
        public void close() {
        }
    }

    /** Lambda calls that wait for the runner get their own timeouts (see the runner client). */
    public static LambdaClient lambda(String region) {
        return LAMBDA.computeIfAbsent(region(region), r -> LambdaClient.builder()
                .region(Region.of(r))
                .httpClient(HTTP)
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .build());
    }

    private static String region(String region) {
        if (region != null && !region.isBlank()) {
            return region;
        }
        String env = System.getenv("AWS_REGION");
        return env != null && !env.isBlank() ? env : "us-east-1";
    }
}
