package com.company.database.schemaversion.vpc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the runner attack tests share: an attacker's own Lambda client (other credentials than the handler's),
 * another team's secret in SSM, and a server of the attacker's choosing that only counts who connects to it.
 */
abstract class AbstractRunnerAttackTest extends AbstractVpcRunnerTest {
    static final String OTHER_SECRET_PARAM = "/prod/payments/api-key";
    static final String OTHER_SECRET = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
    LambdaClient attacker;
    ServerSocket otherHost;
    final AtomicInteger connectionsToOtherHost = new AtomicInteger();

    @BeforeEach
    void setUpAttacker() throws IOException {
        attacker = LambdaClient.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(java.net.URI.create(lambda().endpoint()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAATTACKER", "attacker")))
                .build();
        ssm().put(OTHER_SECRET_PARAM, "SecureString", OTHER_SECRET);
        otherHost = new ServerSocket(0);
        Thread accept = new Thread(() -> {
            while (!otherHost.isClosed()) {
                try (Socket s = otherHost.accept()) {
                    connectionsToOtherHost.incrementAndGet();
                } catch (IOException closed) {
                    return;
                }
            }
        }, "other-host");
        accept.setDaemon(true);
        accept.start();
    }

    @AfterEach
    void tearDownAttacker() throws IOException {
        otherHost.close();
        attacker.close();
    }
}
