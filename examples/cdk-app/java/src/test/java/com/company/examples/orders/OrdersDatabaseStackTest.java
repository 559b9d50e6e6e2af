package com.company.examples.orders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The Java app synthesizes the stack the TypeScript one does, and its schema resource passes the schema. */
class OrdersDatabaseStackTest {
    private static final Path REPO = Path.of("../../..").toAbsolutePath().normalize();
    private static Template template;

    @BeforeAll
    static void synth() {
        App app = new App();
        template = Template.fromStack(new OrdersDatabaseStack(app, "OrdersDatabase", "7"));
    }

    @Test
    void auroraClusterWithRdsManagedPasswordInIsolatedSubnets() {
        template.hasResourceProperties("AWS::RDS::DBCluster", Map.of(
                "Engine", "aurora-postgresql", "ManageMasterUserPassword", true, "DatabaseName", "orders"));
        template.resourceCountIs("AWS::EC2::NatGateway", 0);
        template.resourceCountIs("AWS::EC2::InternetGateway", 0);
    }

    @Test
    void schemaResourceUsesTheClusterItsSecretAndARunnerInTheVpc() {
        template.hasResource("Company::Database::SchemaVersion", Map.of(
                "DependsOn", Match.arrayWith(List.of(Match.stringLikeRegexp("^Clusterwriter"))),
                "Properties", Map.of(
                        "Database", Map.of(
                                "Host", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^Cluster"), "Endpoint.Address")),
                                "Port", 5432,
                                "Name", "orders"),
                        "MigrationSet", "orders",
                        "TargetVersion", "7",
                        "Placeholders", Map.of("AppRole", "orders_app"),
                        "Timeouts", Map.of("ConnectWaitMinutes", 15, "StatementTimeoutSeconds", 840),
                        "Execution", Match.objectLike(Map.of(
                                "Mode", "VpcRunner",
                                "RoleArn", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^OrdersSchemaRunnerRole"), "Arn")))))));
        template.hasResourceProperties("AWS::EC2::SecurityGroupIngress", Map.of(
                "FromPort", 5432, "ToPort", 5432,
                "GroupId", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^ClusterSecurityGroup"), "GroupId")),
                "SourceSecurityGroupId", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^OrdersSchemaRunnerSecurityGroup"), "GroupId"))));
        template.hasResourceProperties("AWS::IAM::Role", Map.of("Path", "/schema-runners/"));
    }

    @Test
    void taskRunnerRunsAsTheRunnerRoleTrustedByLambdaAndEcsTasksWithTheEndpointsATaskNeeds() {
        Template task = Template.fromStack(new OrdersDatabaseStack(new App(), "OrdersDatabase", "7", true));
        task.hasResourceProperties("Company::Database::SchemaVersion", Map.of(
                "Timeouts", Map.of("ConnectWaitMinutes", 15, "StatementTimeoutSeconds", 14400),
                "Execution", Match.objectLike(Map.of(
                        "Mode", "TaskRunner",
                        "RoleArn", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^OrdersSchemaRunnerRole"), "Arn"))))));
        task.hasResourceProperties("AWS::IAM::Role", Map.of(
                "Path", "/schema-runners/",
                "AssumeRolePolicyDocument", Map.of("Statement", List.of(
                        Match.objectLike(Map.of("Principal", Map.of("Service", "lambda.amazonaws.com"))),
                        Match.objectLike(Map.of("Principal", Map.of("Service", "ecs-tasks.amazonaws.com")))))));
        task.resourceCountIs("AWS::EC2::VPCEndpoint", 5);
        task.hasResourceProperties("AWS::EC2::VPCEndpoint", Map.of("VpcEndpointType", "Gateway"));
        for (String endpoint : List.of("VpcEcrApiSecurityGroup", "VpcEcrDockerSecurityGroup", "VpcLogsSecurityGroup")) {
            task.hasResourceProperties("AWS::EC2::SecurityGroupIngress", Map.of(
                    "FromPort", 443,
                    "GroupId", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^" + endpoint), "GroupId")),
                    "SourceSecurityGroupId", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^OrdersSchemaRunnerSecurityGroup"), "GroupId"))));
        }
        task.resourceCountIs("AWS::ECS::Cluster", 0);
    }

    @Test
    void schemaResourcePassesTheResourceTypesSchema() throws IOException, InterruptedException {
        Path file = Path.of("target", "OrdersDatabase.template.json");
        Files.createDirectories(file.getParent());
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), template.toJSON());
        Process check = new ProcessBuilder("node",
                REPO.resolve("cdk/testing/check-template.js").toString(),
                file.toString(),
                REPO.resolve("company-database-schemaversion.json").toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(120, TimeUnit.SECONDS), "schema check did not finish");
        assertEquals(0, check.exitValue(), output);
        assertTrue(output.contains("\"SecretParameter\":\"/aws/reference/secretsmanager/rds!cluster-"), output);
    }
}
