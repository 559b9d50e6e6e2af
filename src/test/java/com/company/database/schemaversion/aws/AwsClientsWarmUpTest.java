package com.company.database.schemaversion.aws;

import com.company.database.schemaversion.testing.SsmEmulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cold-start warm-up runs a GetParameter through a twin of the SSM client whose HTTP client answers from
 * memory: nothing may reach SSM, and the region's real client must come out of it built and working.
 */
class AwsClientsWarmUpTest {
    private static SsmEmulator ssm;
    private static String previousEndpoint;

    @BeforeAll
    static void start() throws Exception {
        ssm = new SsmEmulator();
        previousEndpoint = System.getProperty("aws.endpointUrlSsm");
        System.setProperty("aws.endpointUrlSsm", ssm.endpoint());
    }

    @AfterAll
    static void stop() {
        if (previousEndpoint == null) {
            System.clearProperty("aws.endpointUrlSsm");
        } else {
            System.setProperty("aws.endpointUrlSsm", previousEndpoint);
        }
        ssm.close();
    }

    @Test
    void theWarmUpSendsNothingAndLeavesAWorkingClient() {
        // A region no other test uses, so this test sees the client being built.
        String region = "ap-southeast-4";
        AwsClients.warmUpSsm(region);
        assertThat(ssm.requests()).as("requests that reached SSM during the warm-up").isEmpty();

        ssm.put("/warm-up-test/user", "String", "app_user");
        String value = AwsClients.ssm(region).getParameter(GetParameterRequest.builder()
                .name("/warm-up-test/user")
                .overrideConfiguration(AwsRequestOverrideConfiguration.builder()
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "test-secret")))
                        .build())
                .build()).parameter().value();
        assertThat(value).isEqualTo("app_user");
        assertThat(ssm.requests()).hasSize(1);
        assertThat(ssm.requests().get(0)).contains("/warm-up-test/user");
    }
}
