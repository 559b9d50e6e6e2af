import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { SchemaVersion, TaskRunnerOptions, VpcRunnerOptions } from '@company/schemaversion-cdk';
import { Construct } from 'constructs';

export interface OrdersDatabaseStackProps extends cdk.StackProps {
  /** Version of the orders migration set to keep the database at, or "latest". */
  readonly targetVersion: string;
  /**
   * Run each migration as an ECS Fargate task (Execution.Mode TaskRunner) instead of in the runner function,
   * for migrations longer than its 15 minutes; the stack then also has the endpoints the task needs.
   * @default false (VpcRunner)
   */
  readonly taskRunner?: boolean;
}

/**
 * The orders database: an Aurora PostgreSQL cluster in private subnets (no internet access), its master
 * password managed by RDS, and its schema kept at targetVersion by a runner function inside the VPC (with
 * taskRunner, by ECS Fargate tasks in the same subnets). The same stack as examples/vpc-aurora/template.yaml,
 * written with the CDK.
 */
export class OrdersDatabaseStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: OrdersDatabaseStackProps) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.42.0.0/16'),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
    });
    // The runner reads its login and reports its steps through SSM; the secret behind an
    // /aws/reference/secretsmanager/ parameter is fetched by SSM itself.
    const ssmEndpoint = vpc.addInterfaceEndpoint('Ssm', { service: ec2.InterfaceVpcEndpointAwsService.SSM });

    const cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_6 }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      writer: rds.ClusterInstance.serverlessV2('writer'),
      serverlessV2MinCapacity: 0.5,
      serverlessV2MaxCapacity: 2,
      defaultDatabaseName: 'orders',
      manageMasterUserPassword: true,
      storageEncrypted: true,
      removalPolicy: cdk.RemovalPolicy.SNAPSHOT,
    });

    const runner: VpcRunnerOptions = {
      vpc,
      ssmEndpoint,
      rolePath: '/schema-runners/',            // the admin allows arn:aws:iam::<account>:role/schema-runners/*
    };
    const schema = new SchemaVersion(this, 'OrdersSchema', {
      cluster,                                 // host, port, and the RDS-managed secret as the login
      databaseName: 'orders',
      migrationSet: 'orders',
      targetVersion: props.targetVersion,
      placeholders: { AppRole: 'orders_app' },
      timeouts: {
        connectWait: cdk.Duration.minutes(15),    // a serverless cluster may still be waking up
        // The runner function stops at 15 minutes; a task only at the operation's 36 hours.
        statementTimeout: props.taskRunner ? cdk.Duration.hours(4) : cdk.Duration.minutes(14),
      },
      ...(props.taskRunner ? { taskRunner: this.taskRunner(vpc, runner) } : { vpcRunner: runner }),
    });

    new cdk.CfnOutput(this, 'AppliedVersion', { value: schema.appliedVersion });
    new cdk.CfnOutput(this, 'SchemaId', { value: schema.schemaVersionId });
    new cdk.CfnOutput(this, 'RunnerRoleName', {
      description: 'Retained on stack deletion; delete it an hour after the stack is gone.',
      value: schema.runnerRole!.roleName,
    });
  }

  /**
   * In isolated subnets, ECS pulls the runner image through ECR's two endpoints and its layers through S3's
   * gateway endpoint, and ships the task's output through the logs endpoint. The image, cluster, task
   * execution role and log group are the account admin's (the type configuration's TaskRunner section).
   */
  private taskRunner(vpc: ec2.Vpc, runner: VpcRunnerOptions): TaskRunnerOptions {
    const endpoints = [
      vpc.addInterfaceEndpoint('EcrApi', { service: ec2.InterfaceVpcEndpointAwsService.ECR }),
      vpc.addInterfaceEndpoint('EcrDocker', { service: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER }),
      vpc.addInterfaceEndpoint('Logs', { service: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS }),
    ];
    vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    // With no internet gateway or NAT, the default 443 egress reaches these endpoints and S3 only.
    return { ...runner, endpoints };
  }
}
