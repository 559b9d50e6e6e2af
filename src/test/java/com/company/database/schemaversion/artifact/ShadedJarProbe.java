package com.company.database.schemaversion.artifact;

import com.company.database.schemaversion.local.CloudFormationDriver;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.DescribeLogGroupsRequest;
import software.amazon.cloudformation.injection.CloudWatchLogsProvider;
import software.amazon.cloudformation.injection.CloudWatchProvider;
import software.amazon.cloudformation.injection.SessionCredentialsProvider;
import software.amazon.cloudformation.proxy.Credentials;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs in a new JVM with the shaded handler jar first on its class path (ShadedJarIT): what CloudFormation and
 * the wrapper do with the artifact, through the real wrapper, one "STEP name result" line per step.
 * Arguments: a Direct-mode model file, a VpcRunner-mode model file.
 */
public final class ShadedJarProbe {
    private ShadedJarProbe() {
    }

    public static void main(String[] args) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode model = (ObjectNode) json.readTree(Files.readString(Path.of(args[0])));
        ObjectNode vpcModel = (ObjectNode) json.readTree(Files.readString(Path.of(args[1])));
        CloudFormationDriver driver = CloudFormationDriver.quiet().withTypeConfiguration(com.company.database.schemaversion.testing.TestModels.testAccount());

        // The schema validator's error path (a property the schema does not have).
        ObjectNode bad = model.deepCopy();
        bad.put("NoSuchProperty", "x");
        step("invalid", driver.run("CREATE", bad, null));

        ObjectNode at3 = model.deepCopy().put("TargetVersion", "3");
        CloudFormationDriver.Outcome created = step("create", driver.run("CREATE", at3, null));
        String id = created.model().path("Id").asText();
        ObjectNode latest = model.deepCopy().put("TargetVersion", "latest").put("Id", id);
        CloudFormationDriver.Outcome updated = step("update", driver.run("UPDATE", latest, created.model()));
        step("read", driver.run("READ", json.createObjectNode().put("Id", id), null));
        step("list", driver.run("LIST", json.createObjectNode(), null));
        step("delete", driver.run("DELETE", json.createObjectNode().put("Id", id), updated.model()));

        // VpcRunner mode: the Lambda client, and the runner package built from this jar.
        CloudFormationDriver.Outcome vpcCreated = step("vpc-create", driver.run("CREATE", vpcModel, null));
        String vpcId = vpcCreated.model().path("Id").asText();
        step("vpc-read", driver.run("READ", json.createObjectNode().put("Id", vpcId), null));
        step("vpc-delete", driver.run("DELETE", json.createObjectNode().put("Id", vpcId), vpcCreated.model()));

        wrapperClients();
        System.out.flush();
    }

    private static CloudFormationDriver.Outcome step(String name, CloudFormationDriver.Outcome outcome) {
        JsonNode m = outcome.model();
        System.out.println("STEP " + name + " " + outcome.status() + " " + outcome.errorCode() + " "
                + (m == null ? "-" : m.path("AppliedVersion").asText("-")) + " "
                + String.valueOf(outcome.message()).replace('\n', ' '));
        return outcome;
    }

    /**
     * In Lambda the wrapper publishes metrics to CloudWatch and the handler's log to CloudWatch Logs, with clients
     * on the Apache HTTP client, built by its providers: build them the same way and make one call each against
     * a local endpoint (aws.endpointUrl), so that a class the trimmed jar lacks on that path shows here.
     */
    private static void wrapperClients() throws Exception {
        List<String> requests = new ArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            synchronized (requests) {
                requests.add(ex.getRequestHeaders().getFirst("Content-Type") + " " + ex.getRequestHeaders().getFirst("X-Amz-Target"));
            }
            ex.getRequestBody().readAllBytes();
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        System.setProperty("aws.endpointUrl", "http://127.0.0.1:" + server.getAddress().getPort());
        try {
            SessionCredentialsProvider credentials = new SessionCredentialsProvider();
            Credentials c = new Credentials();
            c.setAccessKeyId("ASIAPROBE");
            c.setSecretAccessKey("probe-secret");
            c.setSessionToken("probe-token");
            credentials.setCredentials(c);
            SdkHttpClient http = ApacheHttpClient.builder().build();
            String metrics;
            try {
                new CloudWatchProvider(credentials, http).get().putMetricData(PutMetricDataRequest.builder()
                        .namespace("AWS/CloudFormation/Company/Database/SchemaVersion")
                        .metricData(MetricDatum.builder().metricName("HandlerInvocationCount").value(1.0).build()).build());
                metrics = "answered";
            } catch (SdkException e) {
                metrics = "reached (" + e.getClass().getSimpleName() + ")";
            }
            String logs;
            try {
                new CloudWatchLogsProvider(credentials, http).get().describeLogGroups(DescribeLogGroupsRequest.builder()
                        .logGroupNamePrefix("company-database-schemaversion").build());
                logs = "answered";
            } catch (SdkException e) {
                logs = "reached (" + e.getClass().getSimpleName() + ")";
            }
            synchronized (requests) {
                System.out.println("STEP wrapper-clients " + requests.size() + " cloudwatch " + metrics + "; logs " + logs
                        + "; requests " + requests);
            }
        } finally {
            server.stop(0);
        }
    }
}
