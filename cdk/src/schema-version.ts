import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct, IDependable } from 'constructs';
import { Credentials } from './credentials';
import {
  CfnSchemaVersion,
  CfnSchemaVersionAdoption,
  CfnSchemaVersionDatabaseSslMode,
  CfnSchemaVersionExecutionMode,
  CfnSchemaVersionPropsOnDelete,
  CfnSchemaVersionRepair,
  CfnSchemaVersionTimeouts,
} from './generated/cfn-schema-version';

/** The longest statement timeout outside TaskRunner mode: a runner function's 15 minutes (policy/ModelValidation). */
const MAX_STATEMENT_SECONDS_OUTSIDE_TASKS = 900;

/** Where the runner function reports each migration step (aws/LambdaRunners in the handler). */
const RUNNER_STEPS_PARAMETERS = 'company-database-schemaversion/runner-steps/*';

/** Bounds on waiting for the database. */
export interface SchemaVersionTimeouts {
  /**
   * How long to keep retrying a database that does not answer yet (an Aurora cluster waking up), whole minutes.
   * @default 10 minutes
   */
  readonly connectWait?: cdk.Duration;
  /**
   * How long one migration statement may wait for a lock, whole seconds.
   * @default 10 seconds
   */
  readonly lockTimeout?: cdk.Duration;
  /**
   * How long one migration statement may run, whole seconds: at most 15 minutes, except with `taskRunner`
   * (up to 36 hours).
   * @default 40 seconds
   */
  readonly statementTimeout?: cdk.Duration;
}

/**
 * Run the migrations from a runner Lambda function in your VPC (`Execution.Mode: VpcRunner`).
 *
 * The construct gives the runner a role and a security group (or takes yours), and lets the runner's
 * security group reach the database port and SSM.
 */
export interface VpcRunnerOptions {
  /** The VPC of the database. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets for the runner function (at most 16).
   * @default the VPC's private subnets (CDK's default subnet selection)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The runner's security group. When given, the construct adds the database's ingress rule and, when
   * `ssmEndpoint` is given, the endpoint's (and, if the group restricts egress, the matching egress rules);
   * any other egress it needs is yours.
   * @default a new security group with egress only to the database port and to 443
   */
  readonly securityGroup?: ec2.ISecurityGroup;
  /**
   * The runner's execution role. When given, the construct adds its grants to it (a no-op for an imported
   * role: it must already trust lambda.amazonaws.com and have AWSLambdaVPCAccessExecutionRole and the reads
   * of `Credentials.grantRead`).
   * @default a new role, retained when the stack is deleted (Lambda removes the runner's network interfaces
   * with it, up to 45 minutes after the function is gone)
   */
  readonly role?: iam.IRole;
  /**
   * IAM path of the role the construct creates, so that the account admin can allow a prefix of roles in
   * the type configuration (`Runner.AllowedRoleArns`, e.g. `arn:aws:iam::<account>:role/schema-runners/*`).
   * @default "/"
   */
  readonly rolePath?: string;
  /**
   * The SSM interface endpoint the runner reaches SSM through: the endpoint's security group is opened to
   * the runner on 443, and the runner's to the endpoint only.
   * @default egress on 443 to anywhere (an endpoint or a NAT gateway)
   */
  readonly ssmEndpoint?: ec2.IConnectable;
}

/**
 * Run the migrations as ECS Fargate tasks in your VPC (`Execution.Mode: TaskRunner`), for migrations longer
 * than the runner function's 15 minutes.
 *
 * The runner function stays for the short operations; the steps that apply migrations run as a task in the
 * same subnets, with the same security group and the same role (its task role). The image, cluster, task
 * execution role and log group are the account admin's, in the type configuration's TaskRunner section: a
 * template cannot choose what runs.
 */
export interface TaskRunnerOptions extends VpcRunnerOptions {
  /**
   * Give the migration task a public IP: only for subnets whose route to SSM, ECR and CloudWatch Logs is an
   * internet gateway (then also choose those subnets in `vpcSubnets`). Leave it out in private subnets.
   * @default false
   */
  readonly assignPublicIp?: boolean;
  /**
   * The interface endpoints the task's network interface reaches besides SSM (`ssmEndpoint`): `ecr.api`,
   * `ecr.dkr` and `logs`. Each one's security group is opened to the runner on 443 (and, if the runner's group
   * restricts egress, the runner's to it).
   * @default none: their 443 is covered by `s3Egress`
   */
  readonly endpoints?: ec2.IConnectable[];
  /**
   * Where a new security group may reach on 443 for the image layers ECR serves from S3 (and for any service
   * above without an interface endpoint), e.g. `ec2.Peer.prefixList(...)` with the S3 gateway endpoint's
   * prefix list. Unused with your own `securityGroup`.
   * @default anywhere on 443 (an S3 gateway endpoint, the interface endpoints or a NAT gateway)
   */
  readonly s3Egress?: ec2.IPeer;
}

/** Properties of a `SchemaVersion`. */
export interface SchemaVersionProps {
  /** An Aurora PostgreSQL cluster: the database is at its writer endpoint. Give one of cluster, instance, host. */
  readonly cluster?: rds.IDatabaseCluster;
  /** An RDS for PostgreSQL instance. Give one of cluster, instance, host. */
  readonly instance?: rds.IDatabaseInstance;
  /** Any PostgreSQL server's DNS name or IPv4 address. Give one of cluster, instance, host. */
  readonly host?: string;
  /**
   * The server's port. Give it for an imported cluster or instance that listens elsewhere than 5432.
   * @default the port the cluster or instance of this app was given, otherwise 5432
   */
  readonly port?: number;
  /** The database to migrate. */
  readonly databaseName: string;
  /**
   * For a `host`, what controls access to it (e.g. its security group), for the VPC runner's ingress rule.
   * @default the cluster's or instance's connections; none for a host
   */
  readonly databaseConnections?: ec2.IConnectable;
  /**
   * TLS mode of the connection.
   * @default verify-full
   */
  readonly sslMode?: CfnSchemaVersionDatabaseSslMode;
  /**
   * Where the login is.
   * @default the cluster's or instance's secret (`rds.DatabaseCluster.secret`): `fromRdsManagedSecret` when RDS
   * manages it, `fromSecret` otherwise
   */
  readonly credentials?: Credentials;
  /**
   * The schema whose migrations this resource manages.
   * @default public
   */
  readonly schema?: string;
  /**
   * The migration set baked into the type's artifact.
   * @default the only set, when the artifact carries exactly one
   */
  readonly migrationSet?: string;
  /** The version to reach, e.g. "7", "2.1", or "latest". */
  readonly targetVersion: string;
  /**
   * Values for Flyway ${...} placeholders in the migration scripts.
   * @default none
   */
  readonly placeholders?: { [key: string]: string };
  /**
   * What Delete does to the database.
   * @default Retain
   */
  readonly onDelete?: CfnSchemaVersionPropsOnDelete;
  /**
   * Bounds on waiting for the database.
   * @default the type's defaults
   */
  readonly timeouts?: SchemaVersionTimeouts;
  /**
   * Run the migrations from a runner function in your VPC.
   * @default the handler connects directly (Execution.Mode Direct)
   */
  readonly vpcRunner?: VpcRunnerOptions;
  /**
   * Run the migrations as ECS Fargate tasks in your VPC, the short operations from the runner function.
   * Give vpcRunner or taskRunner, not both.
   * @default the handler connects directly (Execution.Mode Direct)
   */
  readonly taskRunner?: TaskRunnerOptions;
  /**
   * Take over a schema that has objects but no Flyway history. Create-only.
   * @default none
   */
  readonly adoption?: CfnSchemaVersionAdoption;
  /**
   * Remove one failed row from Flyway's history.
   * @default none
   */
  readonly repair?: CfnSchemaVersionRepair;
}

/**
 * A `Company::Database::SchemaVersion`: keeps a PostgreSQL database at `targetVersion` of a migration set
 * baked into the type.
 *
 * It fills in what the L1 (`CfnSchemaVersion`) needs from what a CDK app has in hand (the cluster, its
 * secret), and in VPC runner and task runner mode creates what the runner needs: its role, with no more than the reads of
 * the login (or `rds-db:connect` on the IAM database user) and its step reports, and the security group rules
 * to the database and to SSM.
 */
export class SchemaVersion extends Construct {
  /** The L1 resource, for escape hatches (`addPropertyOverride`). */
  public readonly resource: CfnSchemaVersion;
  /** The resource's Id (its Ref). */
  public readonly schemaVersionId: string;
  /** The latest applied version, or none. */
  public readonly appliedVersion: string;
  /** What TargetVersion resolved to at the last deploy. */
  public readonly resolvedTargetVersion: string;
  /** The runner's role, in VPC runner and task runner mode (in task runner mode also the task's role). */
  public readonly runnerRole?: iam.IRole;
  /** The runner's security group, in VPC runner and task runner mode (in task runner mode also the task's). */
  public readonly runnerSecurityGroup?: ec2.ISecurityGroup;

  constructor(scope: Construct, id: string, props: SchemaVersionProps) {
    super(scope, id);
    const targets = [props.cluster, props.instance, props.host].filter((t) => t !== undefined);
    if (targets.length !== 1) {
      throw new Error(`SchemaVersion ${this.node.path}: give exactly one of cluster, instance or host (got ${targets.length}).`,
      );
    }
    const endpoint = props.cluster?.clusterEndpoint ?? props.instance?.instanceEndpoint;
    const host = props.host ?? endpoint!.hostname;
    const port = props.port ?? knownPort(endpoint, props.cluster ?? props.instance) ?? 5432;
    const connections = props.databaseConnections ?? props.cluster ?? props.instance;
    const credentials = props.credentials ?? this.defaultCredentials(props);
    const iamUsername = credentials.bind(this).properties.iamUsername;
    if (iamUsername !== undefined && props.sslMode !== undefined && props.sslMode !== CfnSchemaVersionDatabaseSslMode.VERIFY_HYPHEN_FULL) {
      throw new Error(`SchemaVersion ${this.node.path}: an IAM database login (Credentials.IamUsername) is sent only over `
        + `sslMode verify-full (got ${props.sslMode}); leave sslMode out or set it to verify-full.`);
    }

    if (props.vpcRunner && props.taskRunner) {
      throw new Error(`SchemaVersion ${this.node.path}: give vpcRunner or taskRunner, not both (taskRunner also runs the `
        + 'runner function, in the same subnets, with the same role and security group).');
    }
    let execution;
    const dependencies: IDependable[] = [];
    const runner: VpcRunnerOptions | undefined = props.taskRunner ?? props.vpcRunner;
    const task = props.taskRunner;
    if (runner) {
      const optionName = task ? 'taskRunner' : 'vpcRunner';
      const role = runner.role ?? this.createRunnerRole(runner, task !== undefined);
      if (task && runner.role) this.checkTaskTrust(runner.role);
      credentials.grantRead(role);
      if (iamUsername !== undefined) this.grantIamLogin(role, iamUsername, props, runner, optionName);
      iam.Grant.addToPrincipal({
        grantee: role,
        actions: ['ssm:GetParameter', 'ssm:PutParameter'],
        resourceArns: [cdk.Stack.of(this).formatArn({ service: 'ssm', resource: 'parameter', resourceName: RUNNER_STEPS_PARAMETERS })],
      });
      const securityGroup = runner.securityGroup ?? new ec2.SecurityGroup(this, 'RunnerSecurityGroup', {
        vpc: runner.vpc,
        description: `SchemaVersion runner of ${this.node.path}`,
        allowAllOutbound: false,
      });
      if (connections) {
        // The database's ingress rule, and the runner's matching egress rule where its group restricts egress.
        connections.connections.allowFrom(securityGroup, ec2.Port.tcp(port), 'SchemaVersion runner');
      } else if (runner.securityGroup === undefined) {
        securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(port), 'database');
      }
      if (runner.ssmEndpoint) {
        runner.ssmEndpoint.connections.allowFrom(securityGroup, ec2.Port.tcp(443), 'SchemaVersion runner to SSM');
      } else if (runner.securityGroup === undefined && task === undefined) {
        securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'SSM (through an endpoint or NAT)');
      }
      if (task) {
        // ECS pulls the image and ships the task's output over the task's own network interface, in this group.
        for (const endpoint of task.endpoints ?? []) {
          endpoint.connections.allowFrom(securityGroup, ec2.Port.tcp(443), 'SchemaVersion task runner to ECR and CloudWatch Logs');
        }
        if (runner.securityGroup === undefined) {
          securityGroup.addEgressRule(task.s3Egress ?? ec2.Peer.anyIpv4(), ec2.Port.tcp(443),
            task.s3Egress ? 'S3 (image layers)' : 'SSM, ECR, S3 and CloudWatch Logs (through endpoints or NAT)');
        }
      }
      const subnets = runner.vpc.selectSubnets(runner.vpcSubnets);
      execution = {
        mode: task ? CfnSchemaVersionExecutionMode.TASK_RUNNER : CfnSchemaVersionExecutionMode.VPC_RUNNER,
        subnetIds: subnets.subnetIds,
        securityGroupIds: [securityGroup.securityGroupId],
        roleArn: role.roleArn,
        assignPublicIp: task?.assignPublicIp,
      };
      this.runnerRole = role;
      this.runnerSecurityGroup = securityGroup;
      // The runner must be able to reach the database and SSM, and read the login, before its first step.
      dependencies.push(role, securityGroup, subnets.internetConnectivityEstablished);
      dependencies.push(...(connections?.connections.securityGroups ?? []));
      if (runner.ssmEndpoint) dependencies.push(runner.ssmEndpoint);
      // The task's image pull and logs go through the endpoints from its first step.
      for (const endpoint of task?.endpoints ?? []) dependencies.push(endpoint);
    }
    // The cluster's endpoint exists before its writer instance does: wait for the whole cluster.
    if (props.cluster) dependencies.push(props.cluster);
    if (props.instance) dependencies.push(props.instance);

    const resolvedTimeouts = timeouts(this, props.timeouts);
    const statementSeconds = resolvedTimeouts?.statementTimeoutSeconds;
    if (statementSeconds !== undefined && statementSeconds > MAX_STATEMENT_SECONDS_OUTSIDE_TASKS && !task) {
      // The handler refuses it too, but only when the stack is deployed.
      throw new Error(`SchemaVersion ${this.node.path}: timeouts.statementTimeout of ${statementSeconds} seconds is more than `
        + `${MAX_STATEMENT_SECONDS_OUTSIDE_TASKS} (15 minutes), which only taskRunner allows: no migration runs longer than `
        + 'a Lambda function\'s 15 minutes in Direct or VpcRunner mode. Lower it, or use taskRunner.');
    }
    this.resource = new CfnSchemaVersion(this, 'Resource', {
      database: { host, port, name: props.databaseName, sslMode: props.sslMode },
      credentials: credentials.bind(this).properties,
      schema: props.schema,
      migrationSet: props.migrationSet,
      targetVersion: props.targetVersion,
      placeholders: props.placeholders,
      execution,
      timeouts: resolvedTimeouts,
      onDelete: props.onDelete,
      adoption: props.adoption,
      repair: props.repair,
    });
    // On the resource only: the runner's own security group must not wait for the rules that name it.
    this.resource.node.addDependency(...dependencies);
    this.schemaVersionId = this.resource.ref;
    this.appliedVersion = this.resource.attrAppliedVersion;
    this.resolvedTargetVersion = this.resource.attrResolvedTargetVersion;
  }

  private defaultCredentials(props: SchemaVersionProps): Credentials {
    const database = props.cluster ?? props.instance;
    const secret = database && (database as rds.DatabaseCluster).secret;
    if (!secret) {
      throw new Error(`SchemaVersion ${this.node.path}: no credentials given and ${database ? 'the database has no secret CDK knows of' : 'a host has no secret'}; `
          + 'pass credentials: Credentials.fromSecret(...), fromParameters(...) or fromParameterNames(...).',
      );
    }
    // By type name, not instanceof: an app may load another copy of aws-cdk-lib than this library.
    const cfn = database.node.defaultChild;
    const managed = cfn !== undefined && cdk.CfnResource.isCfnResource(cfn)
      && ['AWS::RDS::DBCluster', 'AWS::RDS::DBInstance'].includes(cfn.cfnResourceType)
      && (cfn as rds.CfnDBCluster).manageMasterUserPassword === true;
    return managed ? Credentials.fromRdsManagedSecret(secret) : Credentials.fromSecret(secret);
  }

  /**
   * The runner signs the IAM database token with its own role: `rds-db:connect` on exactly this user of the
   * cluster or instance (their `grantConnect`). A host has no resource id CDK knows of: bring a role that has it.
   */
  private grantIamLogin(role: iam.IRole, username: string, props: SchemaVersionProps, runner: VpcRunnerOptions, optionName: string): void {
    if (props.cluster) {
      props.cluster.grantConnect(role, username);
    } else if (props.instance) {
      props.instance.grantConnect(role, username);
    } else if (runner.role === undefined) {
      throw new Error(`SchemaVersion ${this.node.path}: an IAM database login (Credentials.IamUsername ${username}) on a host `
        + 'needs rds-db:connect on arn:aws:rds-db:<region>:<account>:dbuser:<resource id>/' + username + ' for the runner role, '
        + `and the construct cannot tell the resource id of a host: give cluster or instance, or ${optionName}.role with that grant.`);
    }
    const database = (props.cluster ?? props.instance)?.node.defaultChild;
    if (database !== undefined && cdk.CfnResource.isCfnResource(database)
      && (database as rds.CfnDBCluster).enableIamDatabaseAuthentication !== true) {
      cdk.Annotations.of(this).addWarningV2('@company/schemaversion-cdk:iamAuthentication',
        `Credentials.IamUsername ${username}: the database does not enable IAM database authentication `
        + '(iamAuthentication: true), so the login will be refused.');
    }
  }

  /**
   * A role of this app given as `taskRunner.role` must let both services assume it: a task could not start as a
   * role that trusts Lambda only. Checked when synthesizing, after the app has finished the role; an imported
   * role's trust policy is not known here.
   */
  private checkTaskTrust(role: iam.IRole): void {
    const trust = (role as iam.Role).assumeRolePolicy;
    if (trust === undefined) return;
    this.node.addValidation({
      validate: () => {
        const rendered = JSON.stringify(cdk.Stack.of(this).resolve(trust));
        const missing = ['lambda.amazonaws.com', 'ecs-tasks.amazonaws.com'].filter((service) => !rendered.includes(`"${service}"`));
        return missing.length === 0 ? [] : [`taskRunner.role ${role.node.path} must trust lambda.amazonaws.com (the runner function) `
          + `and ecs-tasks.amazonaws.com (the migration task); it does not trust ${missing.join(' or ')}: `
          + 'add it to the role\'s assumedBy (an iam.CompositePrincipal), or leave role out for one that trusts both.'];
      },
    });
  }

  private createRunnerRole(runner: VpcRunnerOptions, task: boolean): iam.Role {
    const role = new iam.Role(this, 'RunnerRole', {
      description: `SchemaVersion runner of ${this.node.path}`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      path: runner.rolePath,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole')],
    });
    if (task) {
      // Execution.RoleArn is the runner function's role and the migration task's role at once. A statement of
      // its own: a CompositePrincipal cannot carry the condition, which keeps tasks of other accounts out.
      role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
        actions: ['sts:AssumeRole'],
        principals: [new iam.ServicePrincipal('ecs-tasks.amazonaws.com')],
        conditions: { StringEquals: { 'aws:SourceAccount': cdk.Stack.of(this).account } },
      }));
    }
    // Lambda deletes the runner's network interfaces with this role after the function is gone.
    role.applyRemovalPolicy(cdk.RemovalPolicy.RETAIN);
    return role;
  }
}

/**
 * The database's port when it is known when synthesizing: CDK's endpoints carry Endpoint.Port as a token, but
 * a cluster or instance of this app has the port it was given (if any) in its CloudFormation properties.
 * The schema wants an integer, so the token itself cannot be passed on.
 */
function knownPort(endpoint: rds.Endpoint | undefined, database: Construct | undefined): number | undefined {
  if (endpoint && !cdk.Token.isUnresolved(endpoint.port)) return endpoint.port;
  const cfn = database?.node.defaultChild;
  if (cfn === undefined || !cdk.CfnResource.isCfnResource(cfn)) return undefined;
  const port = Number((cfn as rds.CfnDBCluster | rds.CfnDBInstance).port);
  return (cfn as { port?: unknown }).port !== undefined && Number.isInteger(port) ? port : undefined;
}

function timeouts(scope: Construct, t?: SchemaVersionTimeouts): CfnSchemaVersionTimeouts | undefined {
  if (!t) return undefined;
  const whole = (d: cdk.Duration | undefined, unit: 'minutes' | 'seconds', name: string) => {
    if (d === undefined) return undefined;
    const value = unit === 'minutes' ? d.toMinutes({ integral: false }) : d.toSeconds({ integral: false });
    if (!Number.isInteger(value)) {
      throw new Error(`SchemaVersion ${scope.node.path}: timeouts.${name} must be whole ${unit} (got ${d.toHumanString()}).`);
    }
    return value;
  };
  return {
    connectWaitMinutes: whole(t.connectWait, 'minutes', 'connectWait'),
    lockTimeoutSeconds: whole(t.lockTimeout, 'seconds', 'lockTimeout'),
    statementTimeoutSeconds: whole(t.statementTimeout, 'seconds', 'statementTimeout'),
  };
}
