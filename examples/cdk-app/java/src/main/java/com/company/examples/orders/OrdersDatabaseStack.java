package com.company.examples.orders;

import com.company.database.schemaversion.cdk.SchemaVersion;
import com.company.database.schemaversion.cdk.SchemaVersionTimeouts;
import com.company.database.schemaversion.cdk.TaskRunnerOptions;
import com.company.database.schemaversion.cdk.VpcRunnerOptions;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpointOptions;
import software.amazon.awscdk.services.ec2.IConnectable;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpoint;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointOptions;
import software.amazon.awscdk.services.ec2.IpAddresses;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.rds.AuroraPostgresClusterEngineProps;
import software.amazon.awscdk.services.rds.AuroraPostgresEngineVersion;
import software.amazon.awscdk.services.rds.ClusterInstance;
import software.amazon.awscdk.services.rds.DatabaseCluster;
import software.amazon.awscdk.services.rds.DatabaseClusterEngine;
import software.constructs.Construct;

/**
 * The orders database: an Aurora PostgreSQL cluster in private subnets (no internet access), its master
 * password managed by RDS, and its schema kept at targetVersion by a runner function inside the VPC (with
 * taskRunner, by ECS Fargate tasks in the same subnets). The same stack as ../lib/orders-database-stack.ts and
 * examples/vpc-aurora/template.yaml.
 */
public class OrdersDatabaseStack extends Stack {
    private final SchemaVersion schema;

    public OrdersDatabaseStack(final Construct scope, final String id, final String targetVersion) {
        this(scope, id, targetVersion, false);
    }

    /**
     * @param taskRunner run each migration as an ECS Fargate task (Execution.Mode TaskRunner) instead of in the
     *     runner function, for migrations longer than its 15 minutes; the stack then also has the endpoints the
     *     task needs
     */
    public OrdersDatabaseStack(final Construct scope, final String id, final String targetVersion, final boolean taskRunner) {
        super(scope, id);

        Vpc vpc = Vpc.Builder.create(this, "Vpc")
                .ipAddresses(IpAddresses.cidr("10.42.0.0/16"))
                .maxAzs(2)
                .natGateways(0)
                .subnetConfiguration(List.of(SubnetConfiguration.builder()
                        .name("private").subnetType(SubnetType.PRIVATE_ISOLATED).cidrMask(24).build()))
                .build();
        // The runner reads its login and reports its steps through SSM; the secret behind an
        // /aws/reference/secretsmanager/ parameter is fetched by SSM itself.
        InterfaceVpcEndpoint ssmEndpoint = vpc.addInterfaceEndpoint("Ssm",
                InterfaceVpcEndpointOptions.builder().service(InterfaceVpcEndpointAwsService.SSM).build());

        DatabaseCluster cluster = DatabaseCluster.Builder.create(this, "Cluster")
                .engine(DatabaseClusterEngine.auroraPostgres(AuroraPostgresClusterEngineProps.builder()
                        .version(AuroraPostgresEngineVersion.VER_16_6).build()))
                .vpc(vpc)
                .vpcSubnets(SubnetSelection.builder().subnetType(SubnetType.PRIVATE_ISOLATED).build())
                .writer(ClusterInstance.serverlessV2("writer"))
                .serverlessV2MinCapacity(0.5)
                .serverlessV2MaxCapacity(2)
                .defaultDatabaseName("orders")
                .manageMasterUserPassword(true)
                .storageEncrypted(true)
                .removalPolicy(RemovalPolicy.SNAPSHOT)
                .build();

        SchemaVersion.Builder builder = SchemaVersion.Builder.create(this, "OrdersSchema")
                .cluster(cluster)                        // host, port, and the RDS-managed secret as the login
                .databaseName("orders")
                .migrationSet("orders")
                .targetVersion(targetVersion)
                .placeholders(Map.of("AppRole", "orders_app"))
                .timeouts(SchemaVersionTimeouts.builder()
                        .connectWait(Duration.minutes(15))    // a serverless cluster may still be waking up
                        // The runner function stops at 15 minutes; a task only at the operation's 36 hours.
                        .statementTimeout(taskRunner ? Duration.hours(4) : Duration.minutes(14))
                        .build());
        if (taskRunner) {
            builder.taskRunner(TaskRunnerOptions.builder()
                    .vpc(vpc)
                    .ssmEndpoint(ssmEndpoint)
                    .endpoints(taskEndpoints(vpc))
                    .rolePath("/schema-runners/")
                    .build());
        } else {
            builder.vpcRunner(VpcRunnerOptions.builder()
                    .vpc(vpc)
                    .ssmEndpoint(ssmEndpoint)
                    .rolePath("/schema-runners/")    // the admin allows arn:aws:iam::<account>:role/schema-runners/*
                    .build());
        }
        schema = builder.build();

        CfnOutput.Builder.create(this, "AppliedVersion").value(schema.getAppliedVersion()).build();
        CfnOutput.Builder.create(this, "SchemaId").value(schema.getSchemaVersionId()).build();
        CfnOutput.Builder.create(this, "RunnerRoleName")
                .description("Retained on stack deletion; delete it an hour after the stack is gone.")
                .value(schema.getRunnerRole().getRoleName())
                .build();
    }

    /**
     * In isolated subnets, ECS pulls the runner image through ECR's two endpoints and its layers through S3's
     * gateway endpoint, and ships the task's output through the logs endpoint. With no internet gateway or NAT,
     * the runner's default 443 egress reaches these and S3 only. The image, cluster, task execution role and
     * log group are the account admin's (the type configuration's TaskRunner section).
     */
    private static List<IConnectable> taskEndpoints(final Vpc vpc) {
        vpc.addGatewayEndpoint("S3", GatewayVpcEndpointOptions.builder().service(GatewayVpcEndpointAwsService.S3).build());
        return List.of(
                vpc.addInterfaceEndpoint("EcrApi", InterfaceVpcEndpointOptions.builder().service(InterfaceVpcEndpointAwsService.ECR).build()),
                vpc.addInterfaceEndpoint("EcrDocker", InterfaceVpcEndpointOptions.builder().service(InterfaceVpcEndpointAwsService.ECR_DOCKER).build()),
                vpc.addInterfaceEndpoint("Logs", InterfaceVpcEndpointOptions.builder().service(InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS).build()));
    }

    public SchemaVersion getSchema() {
        return schema;
    }
}
