package com.company.database.schemaversion.aws;

import com.company.database.schemaversion.core.Regions;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lambda clients for Invoke only. A synchronous invocation waits for the runner, so it gets a read timeout
 * that fits one handler call, and no SDK retry: retrying after a read timeout would invoke the runner again
 * while the first invocation still runs. Credentials come from the rpdk proxy, as for every other client.
 */
public final class LambdaInvokers {
    static final Duration READ_TIMEOUT = Duration.ofSeconds(40);
    private static final SdkHttpClient HTTP = UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(5))
            .socketTimeout(READ_TIMEOUT)
            .build();
    private static final Map<String, LambdaClient> CLIENTS = new ConcurrentHashMap<>();

    private LambdaInvokers() {
    }

    public static LambdaClient forRegion(String region) {
        String r = Regions.resolve(region, System.getenv("AWS_REGION"));
        return CLIENTS.computeIfAbsent(r, name -> LambdaClient.builder()
                .region(Region.of(name))
                .httpClient(HTTP)
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallTimeout(READ_TIMEOUT.plusSeconds(5))
                        .build())
                .build());
    }
}
