import * as cdk from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SECRET_REFERENCE_PREFIX } from './credentials';
import {
  CfnSchemaVersion,
  CfnSchemaVersionTypeConfiguration,
  toJson_CfnSchemaVersionLoginBinding,
  toJson_CfnSchemaVersionTypeConfiguration,
} from './generated/cfn-schema-version';

const DEFAULT_CREDENTIAL_PREFIX = '/company-database-schemaversion/credentials/';
/** aws/LambdaRunners.NAME_PREFIX: every runner function the handlers create is named so. */
const RUNNER_FUNCTIONS = 'schemaversion-runner-*';
/** The family prefix of the runner's task definitions (Execution.Mode TaskRunner), as the runner functions'. */
const RUNNER_TASK_DEFINITIONS = 'schemaversion-runner-*';
/** The log group the schema names as TaskRunner.LogGroup's default. */
const TASK_LOG_GROUP = '/company-database-schemaversion/task-runner';
/** TaskRunner.Image: a repository named by digest only, as the schema's pattern says. */
const IMAGE_BY_DIGEST = /^[a-z0-9][a-z0-9._/:-]*@sha256:[0-9a-f]{64}$/;
/** aws/RecordIntegrity.DEFAULT_KEY_ALIAS: the handlers sign with the key behind it when the configuration names none. */
const RECORD_KEY_ALIAS = 'alias/company-database-schemaversion/records';

/** Properties of a `SchemaVersionRegistration`. */
export interface SchemaVersionRegistrationProps {
  /**
   * S3 URL of the handler package `cfn submit` builds (s3://bucket/company-database-schemaversion-....zip).
   * @default none: the roles, the log group and the record key only (for `cfn submit --role-arn`)
   */
  readonly schemaHandlerPackage?: string;
  /**
   * SSM parameter name prefixes the handlers may read credentials from (each starts with /). Set the type
   * configuration's Credentials.AllowedParameterPrefixes to the same list (`typeConfiguration` does).
   * @default ["/company-database-schemaversion/credentials/"]
   */
  readonly credentialParameterPrefixes?: string[];
  /**
   * Secrets Manager secret name prefixes (e.g. `rds!cluster-`) the handlers may read through
   * /aws/reference/secretsmanager/.
   * @default none
   */
  readonly secretNamePrefixes?: string[];
  /**
   * Roles (ARNs, or ARN prefixes ending in *) the handlers may pass to runner functions (VpcRunner and
   * TaskRunner modes) and, with `taskRunnerCluster`, to the migration tasks as their task role.
   * @default none: VpcRunner and TaskRunner cannot create functions
   */
  readonly runnerRoleArns?: string[];
  /**
   * Name of the ECS cluster the handlers may run migration tasks in (Execution.Mode TaskRunner); the type
   * configuration's TaskRunner.Cluster is set to it.
   * @default none: no ECS permissions, so TaskRunner cannot start tasks
   */
  readonly taskRunnerCluster?: string;
  /**
   * The task execution role ECS pulls the runner image and writes the tasks' logs with (TaskRunner mode, with
   * `taskRunnerCluster`); the type configuration's TaskRunner.ExecutionRoleArn is set to it. Name the image
   * (by digest) in `typeConfiguration.taskRunner.image`.
   * @default none
   */
  readonly taskExecutionRoleArn?: string;
  /**
   * Create what the migration tasks run in (Execution.Mode TaskRunner), for every resource of the type in the
   * account: an ECS cluster (Fargate), the task execution role (trusts ecs-tasks.amazonaws.com of this account,
   * AmazonECSTaskExecutionRolePolicy) and the log group `/company-database-schemaversion/task-runner` (retained
   * on stack deletion, with `logRetention`). The execution role may run tasks in that cluster and pass that role, and the type
   * configuration names all three (TaskRunner.Cluster, ExecutionRoleArn, LogGroup). Name the image by digest in
   * `typeConfiguration.taskRunner.image`. Not with `taskRunnerCluster` or `taskExecutionRoleArn`.
   * @default false
   */
  readonly taskRunnerResources?: boolean;
  /**
   * Database users the handlers may log in as with IAM database authentication (`Credentials.IamUsername`,
   * Direct mode), as `rds-db:connect` resources: `arn:aws:rds-db:<region>:<account>:dbuser:<resource id>/<user>`
   * (for a cluster of this app, its `clusterResourceIdentifier` is the resource id).
   * Bind the same users to their hosts in `typeConfiguration.credentials.bindings` (`iamUsers`).
   * @default none: no IAM database login in Direct mode
   */
  readonly iamDatabaseUsers?: string[];
  /**
   * The servers the logins under `credentialParameterPrefixes` and `secretNamePrefixes` may be sent to: the
   * type configuration gets one `Credentials.Bindings` entry binding those prefixes (except the type's own
   * path, whose host folders bind each login to its host) to these hosts (exact
   * names or IPv4 addresses, or `*.domain`, e.g. `*.cluster-abc123.eu-west-1.rds.amazonaws.com`). Add finer
   * bindings (per database, IAM users) in `typeConfiguration.credentials.bindings`.
   * @default no binding of the prefixes: a login is bound only by its path
   * (`/company-database-schemaversion/credentials/<host>/...`), by `typeConfiguration.credentials.bindings`,
   * or, without bindings, to `typeConfiguration.connections.allowedHosts`
   */
  readonly databaseHosts?: string[];
  /**
   * Retention of the handlers' log group (and of the tasks', with `taskRunnerResources`).
   * @default 90 days
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Make the registered version the type's default version.
   * @default true
   */
  readonly setAsDefaultVersion?: boolean;
  /**
   * The rest of the type configuration (e.g. `connections: { allowedHosts: [...] }`), as the schema's
   * typeConfiguration spells it. Credentials.AllowedParameterPrefixes, Runner.AllowedRoleArns and
   * Records.IntegrityKeyArn come from this construct's own properties and key, so that the configuration
   * allows no more than the execution role may do; other settings of those sections are kept
   * (`credentials.bindings` too, with the binding of `databaseHosts` added).
   * @default none
   */
  readonly typeConfiguration?: CfnSchemaVersionTypeConfiguration;
}

/**
 * The platform team's side: `Company::Database::SchemaVersion` registered with a least-privilege execution
 * role, as registration/registration.yaml does (same statements; test/registration.test.js compares them).
 *
 * Creates the handlers' execution role (scoped to the type's own records and runner functions, the
 * credential locations and runner roles you allow), the KMS HMAC key that signs the resource records (and
 * its alias, which the handlers find it by), the log group with its delivery role, and, with `schemaHandlerPackage`, the type version (the default one).
 * Then set the type configuration it renders (`typeConfiguration`, also a stack output).
 */
export class SchemaVersionRegistration extends Construct {
  /** The handlers' execution role. */
  public readonly executionRole: iam.Role;
  /** The role CloudFormation delivers the handlers' logs and metrics with. */
  public readonly loggingRole: iam.Role;
  /** The handlers' log group. */
  public readonly logGroup: logs.LogGroup;
  /** The HMAC key of the resource records (type configuration Records.IntegrityKeyArn). */
  public readonly recordKey: kms.Key;
  /** `alias/company-database-schemaversion/records` on the record key: the key the handlers sign with by default. */
  public readonly recordKeyAlias: kms.Alias;
  /** The registered version, with `schemaHandlerPackage`. */
  public readonly resourceVersion?: cloudformation.CfnResourceVersion;
  /** The cluster the migration tasks run in, with `taskRunnerResources`. */
  public readonly taskCluster?: ecs.CfnCluster;
  /** The task execution role ECS pulls the runner image and writes the tasks' logs with, with `taskRunnerResources`. */
  public readonly taskExecutionRole?: iam.Role;
  /** The migration tasks' log group, with `taskRunnerResources`. */
  public readonly taskLogGroup?: logs.LogGroup;
  /** The type configuration to set (JSON) for the prefixes, runner roles and record key above. */
  public readonly typeConfiguration: string;

  constructor(scope: Construct, id: string, props: SchemaVersionRegistrationProps = {}) {
    super(scope, id);
    const stack = cdk.Stack.of(this);
    const typeName = CfnSchemaVersion.CFN_RESOURCE_TYPE_NAME;
    const credentialPrefixes = props.credentialParameterPrefixes ?? [DEFAULT_CREDENTIAL_PREFIX];
    const secretPrefixes = props.secretNamePrefixes ?? [];
    const runnerRoles = props.runnerRoleArns ?? [];
    const iamDatabaseUsers = props.iamDatabaseUsers ?? [];
    for (const prefix of credentialPrefixes) {
      if (!cdk.Token.isUnresolved(prefix) && !prefix.startsWith('/')) {
        throw new Error(`SchemaVersionRegistration ${this.node.path}: credential parameter prefix ${prefix} must start with /.`);
      }
    }

    let taskRunnerCluster = props.taskRunnerCluster;
    let taskExecutionRoleArn = props.taskExecutionRoleArn;
    if (props.taskRunnerResources) {
      if (taskRunnerCluster || taskExecutionRoleArn) {
        throw new Error(`SchemaVersionRegistration ${this.node.path}: taskRunnerResources creates the cluster and the task `
          + 'execution role; leave out taskRunnerCluster and taskExecutionRoleArn, or give them without taskRunnerResources.');
      }
      // Fargate needs no instances: a cluster is a name the tasks are grouped under.
      this.taskCluster = new ecs.CfnCluster(this, 'TaskCluster', { capacityProviders: ['FARGATE'] });
      this.taskExecutionRole = new iam.Role(this, 'TaskExecutionRole', {
        description: `Pulls the ${typeName} runner image and writes its migration tasks' logs; the migrations never run with it`,
        assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': stack.account } }),
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonECSTaskExecutionRolePolicy')],
      });
      this.taskLogGroup = new logs.LogGroup(this, 'TaskLogGroup', {
        logGroupName: TASK_LOG_GROUP,
        retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      });
      taskRunnerCluster = this.taskCluster.ref;
      taskExecutionRoleArn = this.taskExecutionRole.roleArn;
    }
    const image = props.typeConfiguration?.taskRunner?.image;
    if (image !== undefined && !cdk.Token.isUnresolved(image) && !IMAGE_BY_DIGEST.test(image)) {
      throw new Error(`SchemaVersionRegistration ${this.node.path}: typeConfiguration.taskRunner.image ${image} must name the image `
        + 'by digest (<repository>@sha256:<64 hex digits>), so that what runs cannot change under the same name.');
    }

    const cloudFormation = () => new iam.ServicePrincipal('resources.cloudformation.amazonaws.com', {
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        StringLike: {
          'aws:SourceArn': stack.formatArn({ service: 'cloudformation', resource: 'type/resource', resourceName: `${typeName.replace(/::/g, '-')}/*` }),
        },
      },
    });
    const parameter = (path: string) => `arn:${stack.partition}:ssm:${stack.region}:${stack.account}:parameter${path}`;
    const statements = [
      new iam.PolicyStatement({
        sid: 'OwnRecordsAndRunnerSteps',
        actions: ['ssm:GetParameter', 'ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:GetParametersByPath'],
        resources: [
          parameter('/company-database-schemaversion/resources'),
          parameter('/company-database-schemaversion/resources/*'),
          parameter('/company-database-schemaversion/runner-steps/*'),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'CredentialParameters',
        actions: ['ssm:GetParameter'],
        resources: credentialPrefixes.map((prefix) => parameter(`${prefix}*`)),
      }),
    ];
    if (secretPrefixes.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'SecretReferences',
          actions: ['ssm:GetParameter'],
          resources: secretPrefixes.map((prefix) => parameter(`${SECRET_REFERENCE_PREFIX}${prefix}*`)),
        }),
        new iam.PolicyStatement({
          sid: 'Secrets',
          actions: ['secretsmanager:GetSecretValue'],
          resources: secretPrefixes.map((prefix) => `arn:${stack.partition}:secretsmanager:${stack.region}:${stack.account}:secret:${prefix}*`),
        }),
      );
    }
    statements.push(
      new iam.PolicyStatement({
        sid: 'DecryptCredentialsThroughSsmAndSecretsManager',
        actions: ['kms:Decrypt'],
        resources: [stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' })],
        conditions: {
          StringEquals: { 'kms:ViaService': [`ssm.${stack.region}.amazonaws.com`, `secretsmanager.${stack.region}.amazonaws.com`] },
        },
      }),
      new iam.PolicyStatement({
        sid: 'RunnerFunctions',
        actions: [
          'lambda:CreateFunction', 'lambda:GetFunction', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration',
          'lambda:PutFunctionEventInvokeConfig', 'lambda:GetFunctionEventInvokeConfig', 'lambda:InvokeFunction',
          'lambda:DeleteFunction', 'lambda:PublishVersion', 'lambda:ListVersionsByFunction',
        ],
        // The trailing * also covers qualified ARNs (name:version).
        resources: [stack.formatArn({ service: 'lambda', resource: 'function', resourceName: RUNNER_FUNCTIONS, arnFormat: cdk.ArnFormat.COLON_RESOURCE_NAME })],
      }),
    );
    if (runnerRoles.length > 0) {
      statements.push(new iam.PolicyStatement({
        sid: 'RunnerRoles',
        actions: ['iam:PassRole'],
        resources: runnerRoles,
        conditions: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
      }));
    }
    if (taskRunnerCluster !== undefined && taskRunnerCluster !== '') {
      const cluster = taskRunnerCluster;
      const inCluster = { ArnEquals: { 'ecs:cluster': stack.formatArn({ service: 'ecs', resource: 'cluster', resourceName: cluster }) } };
      statements.push(
        new iam.PolicyStatement({
          sid: 'RunnerTaskDefinitions',
          // IAM has no resource type for these three actions.
          actions: ['ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition', 'ecs:DeregisterTaskDefinition'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'RunnerTasks',
          actions: ['ecs:RunTask'],
          resources: [stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: RUNNER_TASK_DEFINITIONS })],
          conditions: inCluster,
        }),
        new iam.PolicyStatement({
          sid: 'RunnerTaskWatch',
          actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
          resources: [stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${cluster}/*` })],
          conditions: inCluster,
        }),
        new iam.PolicyStatement({
          sid: 'RunnerTaskLookup',
          // IAM authorizes ListTasks on the cluster's container instances, with the ecs:cluster key.
          actions: ['ecs:ListTasks'],
          resources: [stack.formatArn({ service: 'ecs', resource: 'container-instance', resourceName: `${cluster}/*` })],
          conditions: inCluster,
        }),
      );
      if (runnerRoles.length > 0) {
        statements.push(new iam.PolicyStatement({
          sid: 'RunnerRolesForTasks',
          actions: ['iam:PassRole'],
          resources: runnerRoles,
          conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        }));
      }
      if (taskExecutionRoleArn !== undefined && taskExecutionRoleArn !== '') {
        statements.push(new iam.PolicyStatement({
          sid: 'TaskExecutionRole',
          actions: ['iam:PassRole'],
          resources: [taskExecutionRoleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        }));
      }
    }
    if (iamDatabaseUsers.length > 0) {
      statements.push(new iam.PolicyStatement({
        sid: 'IamDatabaseLogins',
        // Signs IAM database authentication tokens (engine/IamAuthTokens) for exactly these users.
        actions: ['rds-db:connect'],
        resources: iamDatabaseUsers,
      }));
    }
    statements.push(new iam.PolicyStatement({
      sid: 'RunnerNetworkChecksMadeByLambda',
      // Lambda checks these on the caller of CreateFunction with a VpcConfig; they have no resource-level
      // permissions.
      actions: ['ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs'],
      resources: ['*'],
    }));

    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      description: `${typeName} handlers (SchemaVersionRegistration)`,
      maxSessionDuration: cdk.Duration.hours(12),
      assumedBy: cloudFormation(),
      inlinePolicies: { SchemaVersionHandlers: new iam.PolicyDocument({ statements }) },
    });

    this.recordKey = new kms.Key(this, 'RecordKey', {
      description: `${typeName} resource records' integrity MACs (Records.IntegrityKeyArn)`,
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'AccountAdministersTheKey',
            principals: [new iam.AccountRootPrincipal()],
            actions: ['kms:*'],
            resources: ['*'],
          }),
          new iam.PolicyStatement({
            sid: 'OnlyTheHandlersMakeRecordMacs',
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: ['kms:GenerateMac'],
            resources: ['*'],
            conditions: { ArnNotEquals: { 'aws:PrincipalArn': this.executionRole.roleArn } },
          }),
        ],
      }),
    });
    // The handlers sign records with the key behind this alias when the type configuration names none. The
    // execution role may use this key only, so an alias moved to another key fails rather than trusts that key.
    this.recordKeyAlias = new kms.Alias(this, 'RecordKeyAlias', { aliasName: RECORD_KEY_ALIAS, targetKey: this.recordKey });
    // A policy of its own: the key's policy names the role, so the role's own policy cannot name the key.
    const recordKeyAccess = new iam.Policy(this, 'RecordKeyAccess', {
      roles: [this.executionRole],
      statements: [new iam.PolicyStatement({
        sid: 'RecordMacs',
        actions: ['kms:GenerateMac', 'kms:VerifyMac'],
        resources: [this.recordKey.keyArn],
      })],
    });

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: 'company-database-schemaversion-logs',
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    this.loggingRole = new iam.Role(this, 'LoggingRole', {
      description: `Delivers ${typeName} handler logs and metrics`,
      maxSessionDuration: cdk.Duration.hours(12),
      assumedBy: cloudFormation(),
      inlinePolicies: {
        LogAndMetricsDelivery: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'HandlerLogs',
              actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
              resources: [this.logGroup.logGroupArn, `${this.logGroup.logGroupArn}:log-stream:*`],
            }),
            new iam.PolicyStatement({ sid: 'LogGroupLookup', actions: ['logs:DescribeLogGroups'], resources: ['*'] }),
            new iam.PolicyStatement({
              sid: 'HandlerMetrics',
              actions: ['cloudwatch:PutMetricData'],
              resources: ['*'],
              conditions: { StringEquals: { 'cloudwatch:namespace': `AWS/CloudFormation/${typeName.replace(/::/g, '/')}` } },
            }),
          ],
        }),
      },
    });

    if (props.schemaHandlerPackage !== undefined) {
      this.resourceVersion = new cloudformation.CfnResourceVersion(this, 'ResourceVersion', {
        typeName,
        schemaHandlerPackage: props.schemaHandlerPackage,
        executionRoleArn: this.executionRole.roleArn,
        loggingConfig: { logGroupName: this.logGroup.logGroupName, logRoleArn: this.loggingRole.roleArn },
      });
      // Registered only once the handlers can sign: before the alias exists they would write plain records.
      this.resourceVersion.node.addDependency(recordKeyAccess, this.recordKeyAlias);
      if (props.setAsDefaultVersion ?? true) {
        new cloudformation.CfnResourceDefaultVersion(this, 'ResourceDefaultVersion', {
          typeVersionArn: this.resourceVersion.ref,
        });
      }
    }

    const configuration: { [key: string]: any } = toJson_CfnSchemaVersionTypeConfiguration(props.typeConfiguration) ?? {};
    // A secret prefix is a name prefix (rds!cluster-), not a path: the type matches on path boundaries unless
    // the entry ends in *.
    const allowedPrefixes = [
      ...credentialPrefixes,
      ...secretPrefixes.map((prefix) => `${SECRET_REFERENCE_PREFIX}${prefix}${prefix.endsWith('*') ? '' : '*'}`),
    ];
    // The type's own path binds each login to the host its folder names; binding the whole path to
    // databaseHosts would send a login stored for one host to all of them.
    const boundPrefixes = allowedPrefixes.filter((prefix) => !prefix.startsWith(DEFAULT_CREDENTIAL_PREFIX));
    const bindings: any[] = [...(configuration.Credentials?.Bindings ?? [])];
    if (props.databaseHosts !== undefined && props.databaseHosts.length > 0 && boundPrefixes.length > 0) {
      bindings.push(toJson_CfnSchemaVersionLoginBinding({ parameters: boundPrefixes, hosts: props.databaseHosts }));
    } else if (bindings.length === 0 && configuration.Connections?.AllowedHosts === undefined && boundPrefixes.length > 0) {
      cdk.Annotations.of(this).addWarningV2('@company/schemaversion-cdk:unboundLogins',
        `The type configuration binds the logins under ${allowedPrefixes.join(', ')} to no server, so the type refuses `
        + 'them (Credentials.Bindings): give databaseHosts, or typeConfiguration.credentials.bindings.');
    }
    configuration.Credentials = {
      ...configuration.Credentials,
      AllowedParameterPrefixes: allowedPrefixes,
      ...(bindings.length > 0 ? { Bindings: bindings } : {}),
    };
    configuration.Records = { ...configuration.Records, IntegrityKeyArn: this.recordKey.keyArn };
    if (runnerRoles.length > 0) {
      configuration.Runner = { ...configuration.Runner, AllowedRoleArns: runnerRoles };
    } else if (configuration.Runner) {
      // No runner roles for the execution role to pass: none for templates to name either.
      delete configuration.Runner.AllowedRoleArns;
      if (Object.keys(configuration.Runner).length === 0) delete configuration.Runner;
    }
    if (taskRunnerCluster !== undefined && taskRunnerCluster !== '') {
      configuration.TaskRunner = {
        ...configuration.TaskRunner,
        Cluster: taskRunnerCluster,
        ...(taskExecutionRoleArn ? { ExecutionRoleArn: taskExecutionRoleArn } : {}),
        ...(this.taskLogGroup ? { LogGroup: this.taskLogGroup.logGroupName } : {}),
      };
    }
    this.typeConfiguration = stack.toJsonString(configuration);
    // The outputs of registration/registration.yaml, for the same commands.
    new cdk.CfnOutput(this, 'ExecutionRoleArn', {
      description: 'For cfn submit --role-arn, or ./schemaversion release --execution-role-arn',
      value: this.executionRole.roleArn,
    });
    new cdk.CfnOutput(this, 'LogRoleArn', {
      description: "For ./schemaversion release --log-role-arn (the handlers' log delivery role)",
      value: this.loggingRole.roleArn,
    });
    new cdk.CfnOutput(this, 'LogGroupName', {
      description: 'For ./schemaversion release --log-group (its default)',
      value: this.logGroup.logGroupName,
    });
    new cdk.CfnOutput(this, 'RecordKeyArn', {
      description: 'The record key. The handlers find it through its alias; the TypeConfiguration output also names it '
        + 'in Records.IntegrityKeyArn, which pins it: deleting or moving the alias then changes nothing.',
      value: this.recordKey.keyArn,
    });
    new cdk.CfnOutput(this, 'TypeConfiguration', {
      description: `aws cloudformation set-type-configuration --type RESOURCE --type-name ${typeName} --configuration '<this value>'`,
      value: this.typeConfiguration,
    });
    if (this.resourceVersion) {
      new cdk.CfnOutput(this, 'ResourceVersionArn', { value: this.resourceVersion.ref });
    }
  }
}
