package com.company.database.schemaversion.aws;

import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;

import java.net.URI;
import java.time.Duration;

/**
 * How a Lambda client for Invoke only is built (the environment's {@link AwsClients} keeps them). A synchronous
 * invocation waits for the runner, so it gets a read timeout that fits one handler call, and no SDK retry:
 * retrying after a read timeout would invoke the runner again while the first invocation still runs. Credentials
 * come from the rpdk proxy, as for every other client.
 */
public final class LambdaInvokers {
    static final Duration READ_TIMEOUT = Duration.ofSeconds(40);

    private LambdaInvokers() {
    }

    static SdkHttpClient httpClient() {
        return UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(5))
                .socketTimeout(READ_TIMEOUT)
                .build();
    }

    static LambdaClient build(String region, URI endpoint, SdkHttpClient http) {
        return AwsClients.endpoint(LambdaClient.builder(), endpoint)
                .region(Region.of(region))
                .httpClient(http)
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallTimeout(READ_TIMEOUT.plusSeconds(5))
                        .build())
                .build();
    }
}
