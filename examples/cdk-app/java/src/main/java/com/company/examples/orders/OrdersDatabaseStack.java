package com.company.examples.orders;

import com.company.database.schemaversion.cdk.SchemaVersion;
import com.company.database.schemaversion.cdk.SchemaVersionTimeouts;
import com.company.database.schemaversion.cdk.VpcRunnerOptions;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
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
 * password managed by RDS, and its schema kept at targetVersion by a runner function inside the VPC.
 * The same stack as ../lib/orders-database-stack.ts and examples/vpc-aurora/template.yaml.
 */
public class OrdersDatabaseStack extends Stack {
    private final SchemaVersion schema;

    public OrdersDatabaseStack(final Construct scope, final String id, final String targetVersion) {
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

        schema = SchemaVersion.Builder.create(this, "OrdersSchema")
                .cluster(cluster)                        // host, port, and the RDS-managed secret as the login
                .databaseName("orders")
                .migrationSet("orders")
                .targetVersion(targetVersion)
                .placeholders(Map.of("AppRole", "orders_app"))
                .timeouts(SchemaVersionTimeouts.builder()
                        .connectWait(Duration.minutes(15))    // a serverless cluster may still be waking up
                        .statementTimeout(Duration.minutes(14))
                        .build())
                .vpcRunner(VpcRunnerOptions.builder()
                        .vpc(vpc)
                        .ssmEndpoint(ssmEndpoint)
                        .rolePath("/schema-runners/")    // the admin allows arn:aws:iam::<account>:role/schema-runners/*
                        .build())
                .build();

        CfnOutput.Builder.create(this, "AppliedVersion").value(schema.getAppliedVersion()).build();
        CfnOutput.Builder.create(this, "SchemaId").value(schema.getSchemaVersionId()).build();
        CfnOutput.Builder.create(this, "RunnerRoleName")
                .description("Retained on stack deletion; delete it an hour after the stack is gone.")
                .value(schema.getRunnerRole().getRoleName())
                .build();
    }

    public SchemaVersion getSchema() {
        return schema;
    }
}
