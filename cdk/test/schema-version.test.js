'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const cdk = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const iam = require('aws-cdk-lib/aws-iam');
const kms = require('aws-cdk-lib/aws-kms');
const rds = require('aws-cdk-lib/aws-rds');
const ssm = require('aws-cdk-lib/aws-ssm');
const { Template, Match, Annotations } = require('aws-cdk-lib/assertions');
const { SchemaVersion, Credentials, CfnSchemaVersionPropsOnDelete } = require('../lib');
const { checkTemplate } = require('../testing/schema-check');

const TYPE = 'Company::Database::SchemaVersion';

function stack() {
  const app = new cdk.App();
  return new cdk.Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
}

function cluster(scope, extra = {}) {
  const vpc = new ec2.Vpc(scope, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const db = new rds.DatabaseCluster(scope, 'Cluster', {
    engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_6 }),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    writer: rds.ClusterInstance.serverlessV2('writer'),
    defaultDatabaseName: 'orders',
    ...extra,
  });
  return { vpc, db };
}

/** The statements of the runner role's policies (inline and separate), as synthesized. */
function runnerStatements(template, roleLogicalId) {
  return Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role) => role.Ref === roleLogicalId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

function onlyResource(template) {
  const found = Object.entries(template.findResources(TYPE));
  assert.equal(found.length, 1);
  return { logicalId: found[0][0], resource: found[0][1] };
}

function assertValid(template) {
  for (const { logicalId, properties, errors } of checkTemplate(template.toJSON())) {
    assert.equal(errors, null, `${logicalId} ${JSON.stringify(properties)} fails the schema: ${JSON.stringify(errors)}`);
  }
}

test('Direct mode against a cluster: its writer endpoint, its generated secret by name through SSM, no runner', () => {
  const s = stack();
  const { db } = cluster(s);
  new SchemaVersion(s, 'Orders', { cluster: db, databaseName: 'orders', migrationSet: 'orders', targetVersion: '7', placeholders: { AppRole: 'orders_app' } });
  const t = Template.fromStack(s);
  t.hasResourceProperties(TYPE, {
    Database: { Host: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Cluster'), 'Endpoint.Address'] }, Port: 5432, Name: 'orders' },
    Credentials: { SecretParameter: { 'Fn::Join': ['', ['/aws/reference/secretsmanager/', Match.anyValue()]] } },
    MigrationSet: 'orders',
    TargetVersion: '7',
    Placeholders: { AppRole: 'orders_app' },
    Execution: Match.absent(),
  });
  t.resourceCountIs('AWS::IAM::Role', 0);
  // It waits for the cluster's writer, not only the cluster (Endpoint.Address exists before the writer does).
  const { resource } = onlyResource(t);
  assert.ok(resource.DependsOn.some((d) => /^Clusterwriter/.test(d)), JSON.stringify(resource.DependsOn));
  const [checked] = checkTemplate(t.toJSON());
  assert.equal(checked.errors, null, JSON.stringify(checked.errors));
  assert.match(checked.properties.Credentials.SecretParameter, /^\/aws\/reference\/secretsmanager\/ClusterSecret[A-Za-z0-9]+-[0-9a-f]{12}$/);
});

test('an RDS-managed master secret: the name is rebuilt from the ARN without the 6 characters Secrets Manager appends', () => {
  const s = stack();
  const { db } = cluster(s, { manageMasterUserPassword: true });
  new SchemaVersion(s, 'Orders', { cluster: db, databaseName: 'orders', targetVersion: 'latest' });
  const t = Template.fromStack(s);
  const [checked] = checkTemplate(t.toJSON());
  assert.equal(checked.errors, null, JSON.stringify(checked.errors));
  assert.match(checked.properties.Credentials.SecretParameter, /^\/aws\/reference\/secretsmanager\/rds!cluster-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});

test('VpcRunner: a role that may read exactly the login and its step reports, and the database port opened to the runner only', () => {
  const s = stack();
  const { vpc, db } = cluster(s, { manageMasterUserPassword: true });
  const endpoint = vpc.addInterfaceEndpoint('Ssm', { service: ec2.InterfaceVpcEndpointAwsService.SSM });
  const schema = new SchemaVersion(s, 'Orders', {
    cluster: db, databaseName: 'orders', targetVersion: '7',
    vpcRunner: { vpc, ssmEndpoint: endpoint },
    timeouts: { connectWait: cdk.Duration.minutes(15), statementTimeout: cdk.Duration.minutes(14) },
  });
  const t = Template.fromStack(s);
  const role = s.resolve(schema.runnerRole.node.defaultChild.logicalId);
  const sg = s.resolve(schema.runnerSecurityGroup.node.defaultChild.logicalId);

  t.hasResourceProperties(TYPE, {
    Execution: {
      Mode: 'VpcRunner',
      SubnetIds: [{ Ref: Match.stringLikeRegexp('^Vpcdb') }, { Ref: Match.stringLikeRegexp('^Vpcdb') }],
      SecurityGroupIds: [{ 'Fn::GetAtt': [sg, 'GroupId'] }],
      RoleArn: { 'Fn::GetAtt': [role, 'Arn'] },
    },
    Timeouts: { ConnectWaitMinutes: 15, StatementTimeoutSeconds: 840 },
  });
  t.hasResource('AWS::IAM::Role', {
    DeletionPolicy: 'Retain',
    Properties: {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }] },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole']] }],
    },
  });

  // Exactly three grants: the secret's SSM reference, the secret, the step reports. No wildcard action,
  // no resource wider than those.
  const statements = runnerStatements(t.toJSON(), role);
  const resolved = require('../testing/schema-check').resolve(t.toJSON(), statements);
  const byAction = Object.fromEntries(resolved.map((st) => [[].concat(st.Action).sort().join(','), [].concat(st.Resource)]));
  assert.deepEqual(Object.keys(byAction).sort(), ['secretsmanager:GetSecretValue', 'ssm:GetParameter', 'ssm:GetParameter,ssm:PutParameter']);
  assert.match(byAction['ssm:GetParameter'][0], /^arn:aws:ssm:eu-west-1:123456789012:parameter\/aws\/reference\/secretsmanager\/rds!cluster-[0-9a-f-]{36}$/);
  assert.equal(byAction['ssm:GetParameter'].length, 1);
  assert.match(byAction['secretsmanager:GetSecretValue'][0], /^arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-[0-9a-f-]{36}-AbCdEf$/);
  assert.deepEqual(byAction['ssm:GetParameter,ssm:PutParameter'], ['arn:aws:ssm:eu-west-1:123456789012:parameter/company-database-schemaversion/runner-steps/*']);
  assert.ok(resolved.every((st) => st.Effect === 'Allow' && ![].concat(st.Action).some((a) => a.includes('*'))));

  // The database's security group admits the runner's on 5432; the runner's may reach only the database
  // and the SSM endpoint.
  const dbSg = s.resolve(db.connections.securityGroups[0].node.defaultChild.logicalId);
  t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
    GroupId: { 'Fn::GetAtt': [dbSg, 'GroupId'] }, SourceSecurityGroupId: { 'Fn::GetAtt': [sg, 'GroupId'] }, FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp',
  });
  const egress = Object.values(t.findResources('AWS::EC2::SecurityGroupEgress'))
    .filter((r) => JSON.stringify(r.Properties.GroupId) === JSON.stringify({ 'Fn::GetAtt': [sg, 'GroupId'] }))
    .map((r) => `${r.Properties.FromPort}->${r.Properties.DestinationSecurityGroupId['Fn::GetAtt'][0]}`);
  const endpointSg = s.resolve(endpoint.connections.securityGroups[0].node.defaultChild.logicalId);
  assert.deepEqual(egress.sort(), [`443->${endpointSg}`, `5432->${dbSg}`].sort());
  t.hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('SchemaVersion runner'), SecurityGroupEgress: Match.absent() });

  // Deployed only once the runner can read its login and reach the database.
  const { resource } = onlyResource(t);
  const policy = Object.keys(t.findResources('AWS::IAM::Policy')).find((id) => id.startsWith('OrdersRunnerRole'));
  for (const needed of [role, policy, sg]) assert.ok(resource.DependsOn.includes(needed), `DependsOn lacks ${needed}: ${resource.DependsOn}`);
  assert.ok(resource.DependsOn.some((d) => d.startsWith(dbSg.replace(/[0-9A-F]{8}$/, ''))), `no dependency on the ingress rule: ${resource.DependsOn}`);
  assertValid(t);
});

test('VpcRunner with an IAM database login: rds-db:connect on exactly that user of the cluster, no login to read', () => {
  const s = stack();
  const { vpc, db } = cluster(s, { iamAuthentication: true });
  const schema = new SchemaVersion(s, 'Orders', {
    cluster: db, databaseName: 'orders', targetVersion: '7',
    credentials: Credentials.fromIamUsername('app_migrator'),
    vpcRunner: { vpc },
  });
  const t = Template.fromStack(s);
  t.hasResourceProperties(TYPE, { Credentials: { IamUsername: 'app_migrator' } });
  assertValid(t);
  const role = s.resolve(schema.runnerRole.node.defaultChild.logicalId);
  const resolved = require('../testing/schema-check').resolve(t.toJSON(), runnerStatements(t.toJSON(), role));
  const byAction = Object.fromEntries(resolved.map((st) => [[].concat(st.Action).sort().join(','), [].concat(st.Resource)]));
  assert.deepEqual(Object.keys(byAction).sort(), ['rds-db:connect', 'ssm:GetParameter,ssm:PutParameter']);
  assert.equal(byAction['rds-db:connect'].length, 1);
  assert.match(byAction['rds-db:connect'][0], /^arn:aws:rds-db:eu-west-1:123456789012:dbuser:[^/*]+\/app_migrator$/);
  // The resource id is the cluster's own (its DbClusterResourceId), not a wildcard.
  const connect = runnerStatements(t.toJSON(), role).find((st) => st.Action === 'rds-db:connect');
  assert.match(JSON.stringify(connect.Resource), /"Fn::GetAtt":\["Cluster[A-Za-z0-9]+","DBClusterResourceId"\]/);
  assert.deepEqual(byAction['ssm:GetParameter,ssm:PutParameter'], ['arn:aws:ssm:eu-west-1:123456789012:parameter/company-database-schemaversion/runner-steps/*']);
  Annotations.fromStack(s).hasNoWarning('*', Match.anyValue());
});

test('an IAM database login: verify-full only, a cluster without IAM authentication warned of, a host needs the caller\'s role', () => {
  const s = stack();
  const { vpc, db } = cluster(s);
  assert.throws(() => new SchemaVersion(s, 'Tls', {
    cluster: db, databaseName: 'orders', targetVersion: '7', credentials: Credentials.fromIamUsername('app_migrator'),
    sslMode: 'require',
  }), /only over sslMode verify-full/);
  new SchemaVersion(s, 'NoIamAuth', {
    cluster: db, databaseName: 'orders', targetVersion: '7', credentials: Credentials.fromIamUsername('app_migrator'), vpcRunner: { vpc },
  });
  assert.equal(Annotations.fromStack(s).findWarning('*', Match.stringLikeRegexp('does not enable IAM database authentication')).length, 1);
  assert.throws(() => new SchemaVersion(s, 'Host', {
    host: 'db.example.com', databaseName: 'orders', targetVersion: '7', credentials: Credentials.fromIamUsername('app_migrator'), vpcRunner: { vpc },
  }), /give cluster or instance, or vpcRunner.role/);
  const own = new iam.Role(s, 'OwnRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  new SchemaVersion(s, 'HostOwnRole', {
    host: 'db.example.com', databaseName: 'orders', targetVersion: '7', credentials: Credentials.fromIamUsername('app_migrator'),
    vpcRunner: { vpc, role: own },
  });
});

test('VpcRunner with the caller\'s role and parameters: grants go to that role, KMS decrypt only through SSM', () => {
  const s = stack();
  const { vpc, db } = cluster(s);
  const role = new iam.Role(s, 'MyRunner', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), path: '/schema-runners/' });
  const key = new kms.Key(s, 'ParamKey');
  const username = ssm.StringParameter.fromStringParameterName(s, 'U', '/orders/db/username');
  const password = ssm.StringParameter.fromSecureStringParameterAttributes(s, 'P', { parameterName: '/orders/db/password' });
  new SchemaVersion(s, 'Orders', {
    cluster: db, databaseName: 'orders', targetVersion: '3',
    credentials: Credentials.fromParameters(username, password, { encryptionKey: key }),
    vpcRunner: { vpc, role },
    onDelete: CfnSchemaVersionPropsOnDelete.CLEAN,
  });
  const t = Template.fromStack(s);
  t.resourceCountIs('AWS::IAM::Role', 1);
  t.hasResourceProperties(TYPE, {
    Credentials: { UsernameParameter: '/orders/db/username', PasswordParameter: '/orders/db/password' },
    Execution: { RoleArn: { 'Fn::GetAtt': [s.resolve(role.node.defaultChild.logicalId), 'Arn'] } },
    OnDelete: 'Clean',
  });
  const statements = require('../testing/schema-check').resolve(t.toJSON(), runnerStatements(t.toJSON(), s.resolve(role.node.defaultChild.logicalId)));
  const read = statements.find((st) => st.Action === 'ssm:GetParameter');
  assert.deepEqual([].concat(read.Resource).sort(), [
    'arn:aws:ssm:eu-west-1:123456789012:parameter/orders/db/password',
    'arn:aws:ssm:eu-west-1:123456789012:parameter/orders/db/username',
  ]);
  const decrypt = statements.filter((st) => [].concat(st.Action).includes('kms:Decrypt'));
  assert.equal(decrypt.length, 1);
  assert.match(decrypt[0].Resource, /^arn:aws:kms:eu-west-1:123456789012:key\/[0-9a-f]{32}$/);
  assert.deepEqual(decrypt[0].Condition, { StringEquals: { 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com' } });
  assert.equal(statements.some((st) => [].concat(st.Action).includes('secretsmanager:GetSecretValue')), false);
  // The caller's security group choice is absent: the construct made one with egress to the db and 443.
  assertValid(t);
});

test('an RDS instance and its generated secret', () => {
  const s = stack();
  const vpc = new ec2.Vpc(s, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const instance = new rds.DatabaseInstance(s, 'Db', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
    vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  });
  new SchemaVersion(s, 'Orders', { instance, databaseName: 'orders', targetVersion: 'latest', vpcRunner: { vpc } });
  const t = Template.fromStack(s);
  t.hasResourceProperties(TYPE, { Database: { Host: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Db'), 'Endpoint.Address'] }, Port: 5432 } });
  t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 5432, GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbSecurityGroup'), 'GroupId'] } });
  const [checked] = checkTemplate(t.toJSON());
  assert.equal(checked.errors, null, JSON.stringify(checked.errors));
  assert.match(checked.properties.Credentials.SecretParameter, /^\/aws\/reference\/secretsmanager\/DbSecret[A-Za-z0-9]+-[0-9a-f]{12}$/);
});

test('VpcRunner with the caller\'s security group: the database admits it, and the construct makes no group of its own', () => {
  const s = stack();
  const { vpc, db } = cluster(s);
  const mine = new ec2.SecurityGroup(s, 'MyRunnerSg', { vpc, allowAllOutbound: false });
  new SchemaVersion(s, 'Orders', { cluster: db, databaseName: 'orders', targetVersion: '1', vpcRunner: { vpc, securityGroup: mine } });
  const t = Template.fromStack(s);
  const mineId = s.resolve(mine.node.defaultChild.logicalId);
  t.hasResourceProperties(TYPE, { Execution: { SecurityGroupIds: [{ 'Fn::GetAtt': [mineId, 'GroupId'] }] } });
  t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
    FromPort: 5432, ToPort: 5432,
    GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ClusterSecurityGroup'), 'GroupId'] },
    SourceSecurityGroupId: { 'Fn::GetAtt': [mineId, 'GroupId'] },
  });
  t.resourceCountIs('AWS::EC2::SecurityGroup', 2); // the cluster's and mine
  assertValid(t);
});

test('an RDS-managed secret encrypted with an imported key: decrypt with exactly that key, through Secrets Manager', () => {
  const s = stack();
  const key = kms.Key.fromKeyArn(s, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
  const { vpc, db } = cluster(s, { manageMasterUserPassword: true, credentials: rds.Credentials.fromUsername('postgres', { encryptionKey: key }) });
  const schema = new SchemaVersion(s, 'Orders', { cluster: db, databaseName: 'orders', targetVersion: '1', vpcRunner: { vpc } });
  const t = Template.fromStack(s);
  const statements = require('../testing/schema-check').resolve(t.toJSON(), runnerStatements(t.toJSON(), s.resolve(schema.runnerRole.node.defaultChild.logicalId)));
  const decrypt = statements.filter((st) => [].concat(st.Action).includes('kms:Decrypt'));
  assert.deepEqual(decrypt, [{
    Action: 'kms:Decrypt', Effect: 'Allow', Resource: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
  }]);
});

test('a cluster on another port: that port in Database.Port and in the ingress rule', () => {
  const s = stack();
  const { vpc, db } = cluster(s, { port: 6543 });
  new SchemaVersion(s, 'Orders', { cluster: db, databaseName: 'orders', targetVersion: '1', vpcRunner: { vpc } });
  const t = Template.fromStack(s);
  t.hasResourceProperties(TYPE, { Database: { Port: 6543 } });
  t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 6543, ToPort: 6543, GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ClusterSecurityGroup'), 'GroupId'] } });
  assertValid(t);
});

test('a host and parameter names, Direct mode: nothing but the resource', () => {
  const s = stack();
  new SchemaVersion(s, 'Orders', {
    host: 'db.internal.example.com', port: 6432, databaseName: 'orders', targetVersion: '2.1',
    credentials: Credentials.fromParameterNames('/orders/db/username', '/orders/db/password'),
  });
  const t = Template.fromStack(s);
  assert.deepEqual(Object.keys(t.toJSON().Resources).length, 1);
  t.hasResourceProperties(TYPE, { Database: { Host: 'db.internal.example.com', Port: 6432, Name: 'orders' } });
  assertValid(t);
});

test('fromProperties passes any Credentials shape through and grants the parameters it names', () => {
  const s = stack();
  const { vpc } = cluster(s);
  const dbSg = new ec2.SecurityGroup(s, 'DbSg', { vpc });
  new SchemaVersion(s, 'Orders', {
    host: 'db.internal.example.com', databaseName: 'orders', targetVersion: '1', databaseConnections: dbSg,
    credentials: Credentials.fromProperties({ secretParameter: '/aws/reference/secretsmanager/orders/db' }),
    vpcRunner: { vpc },
  });
  const t = Template.fromStack(s);
  t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 5432, GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbSg'), 'GroupId'] } });
  const role = Object.keys(t.findResources('AWS::IAM::Role'))[0];
  const statements = require('../testing/schema-check').resolve(t.toJSON(), runnerStatements(t.toJSON(), role));
  const resources = statements.flatMap((st) => [].concat(st.Resource));
  assert.ok(resources.includes('arn:aws:ssm:eu-west-1:123456789012:parameter/aws/reference/secretsmanager/orders/db'));
  assert.ok(resources.includes('arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/db-??????'));
  assertValid(t);
});

test('mistakes are refused when synthesizing, with what to do', () => {
  const s = stack();
  const { db } = cluster(s);
  assert.throws(() => new SchemaVersion(s, 'Two', { cluster: db, host: 'x.example.com', databaseName: 'orders', targetVersion: '1' }),
    /give exactly one of cluster, instance or host \(got 2\)/);
  assert.throws(() => new SchemaVersion(s, 'NoLogin', { host: 'x.example.com', databaseName: 'orders', targetVersion: '1' }),
    /no credentials given.*pass credentials: Credentials\.fromSecret/);
  assert.throws(() => new SchemaVersion(s, 'Frac', { cluster: db, databaseName: 'orders', targetVersion: '1', timeouts: { connectWait: cdk.Duration.seconds(90) } }),
    /timeouts\.connectWait must be whole minutes \(got 1 minute 30 seconds\)/);
});

test('a property the schema refuses is caught by the schema check (the check is not vacuous)', () => {
  const s = stack();
  new SchemaVersion(s, 'Orders', {
    host: 'db.example.com', databaseName: 'Orders-DB', targetVersion: 'newest',
    credentials: Credentials.fromParameterNames('/orders/db/username', '/orders/db/password'),
  });
  const [checked] = checkTemplate(Template.fromStack(s).toJSON());
  const paths = checked.errors.map((e) => e.instancePath).sort();
  assert.deepEqual(paths, ['/Database/Name', '/TargetVersion']);
});

test('TaskRunner: one runner role trusted by Lambda and by ECS tasks of this account, the runner\'s grants, Execution in TaskRunner mode', () => {
  const s = stack();
  const { vpc, db } = cluster(s, { manageMasterUserPassword: true });
  const ssmEndpoint = vpc.addInterfaceEndpoint('Ssm', { service: ec2.InterfaceVpcEndpointAwsService.SSM });
  const endpoints = [
    vpc.addInterfaceEndpoint('EcrApi', { service: ec2.InterfaceVpcEndpointAwsService.ECR }),
    vpc.addInterfaceEndpoint('EcrDocker', { service: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER }),
    vpc.addInterfaceEndpoint('Logs', { service: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS }),
  ];
  const schema = new SchemaVersion(s, 'Orders', {
    cluster: db, databaseName: 'orders', targetVersion: '7',
    taskRunner: { vpc, ssmEndpoint, endpoints, s3Egress: ec2.Peer.prefixList('pl-6da54004'), rolePath: '/schema-runners/' },
    timeouts: { statementTimeout: cdk.Duration.hours(4) },
  });
  const t = Template.fromStack(s);
  const role = s.resolve(schema.runnerRole.node.defaultChild.logicalId);
  const sg = s.resolve(schema.runnerSecurityGroup.node.defaultChild.logicalId);

  const { resource } = onlyResource(t);
  assert.deepEqual(resource.Properties.Execution, {
    Mode: 'TaskRunner',
    SubnetIds: resource.Properties.Execution.SubnetIds,
    SecurityGroupIds: [{ 'Fn::GetAtt': [sg, 'GroupId'] }],
    RoleArn: { 'Fn::GetAtt': [role, 'Arn'] },
  });
  assert.equal(resource.Properties.Execution.SubnetIds.length, 2);
  assert.equal(resource.Properties.Timeouts.StatementTimeoutSeconds, 14400);

  // One role for the function and the task: both services, the task's only from this account.
  t.hasResource('AWS::IAM::Role', {
    DeletionPolicy: 'Retain',
    Properties: {
      Path: '/schema-runners/',
      AssumeRolePolicyDocument: {
        Statement: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } },
        ],
      },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole']] }],
    },
  });
  t.resourceCountIs('AWS::IAM::Role', 1);

  // The same grants as the Lambda runner's, nothing for ECR or logs (the task execution role's, the admin's).
  const resolved = require('../testing/schema-check').resolve(t.toJSON(), runnerStatements(t.toJSON(), role));
  const byAction = Object.fromEntries(resolved.map((st) => [[].concat(st.Action).sort().join(','), [].concat(st.Resource)]));
  assert.deepEqual(Object.keys(byAction).sort(), ['secretsmanager:GetSecretValue', 'ssm:GetParameter', 'ssm:GetParameter,ssm:PutParameter']);
  assert.deepEqual(byAction['ssm:GetParameter,ssm:PutParameter'], ['arn:aws:ssm:eu-west-1:123456789012:parameter/company-database-schemaversion/runner-steps/*']);

  // Egress: the database port to the database, 443 to each endpoint and to S3's prefix list, nothing else.
  const dbSg = s.resolve(db.connections.securityGroups[0].node.defaultChild.logicalId);
  const endpointSgs = [ssmEndpoint, ...endpoints].map((e) => s.resolve(e.connections.securityGroups[0].node.defaultChild.logicalId));
  const egress = Object.values(t.findResources('AWS::EC2::SecurityGroupEgress'))
    .filter((r) => JSON.stringify(r.Properties.GroupId) === JSON.stringify({ 'Fn::GetAtt': [sg, 'GroupId'] }))
    .map((r) => `${r.Properties.FromPort}->${r.Properties.DestinationPrefixListId ?? r.Properties.DestinationSecurityGroupId['Fn::GetAtt'][0]}`);
  assert.deepEqual(egress.sort(), [`5432->${dbSg}`, '443->pl-6da54004', ...endpointSgs.map((e) => `443->${e}`)].sort());
  t.hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('SchemaVersion runner'), SecurityGroupEgress: Match.absent() });
  for (const endpointSg of endpointSgs) {
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: { 'Fn::GetAtt': [endpointSg, 'GroupId'] }, SourceSecurityGroupId: { 'Fn::GetAtt': [sg, 'GroupId'] }, FromPort: 443 });
  }
  // Deployed once the task could pull its image and write its logs.
  for (const e of endpoints) {
    const id = s.resolve(e.node.defaultChild.logicalId);
    assert.ok(resource.DependsOn.includes(id), `DependsOn lacks ${id}: ${resource.DependsOn}`);
  }
  // No cluster, task execution role or log group: those are the account admin's (type configuration).
  t.resourceCountIs('AWS::ECS::Cluster', 0);
  t.resourceCountIs('AWS::Logs::LogGroup', 0);
  assertValid(t);
});

test('TaskRunner with defaults: 443 to anywhere (endpoints or NAT), a public IP only when asked', () => {
  const s = stack();
  const { vpc, db } = cluster(s);
  new SchemaVersion(s, 'Private', { cluster: db, databaseName: 'orders', targetVersion: '1', taskRunner: { vpc } });
  const publicVpc = new ec2.Vpc(s, 'PublicVpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'pub', subnetType: ec2.SubnetType.PUBLIC }] });
  new SchemaVersion(s, 'Public', {
    host: 'db.example.com', databaseName: 'orders', targetVersion: '1',
    credentials: Credentials.fromParameterNames('/orders/db/username', '/orders/db/password'),
    taskRunner: { vpc: publicVpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC }, assignPublicIp: true },
  });
  const t = Template.fromStack(s);
  const byId = t.findResources(TYPE);
  const privateExecution = Object.entries(byId).find(([id]) => id.startsWith('Private'))[1].Properties.Execution;
  const publicExecution = Object.entries(byId).find(([id]) => id.startsWith('Public'))[1].Properties.Execution;
  assert.equal(privateExecution.Mode, 'TaskRunner');
  assert.equal(privateExecution.AssignPublicIp, undefined);
  assert.equal(publicExecution.Mode, 'TaskRunner');
  assert.equal(publicExecution.AssignPublicIp, true);
  assert.deepEqual(publicExecution.SubnetIds.map((r) => r.Ref).every((id) => id.startsWith('PublicVpcpub')), true);
  t.hasResourceProperties('AWS::EC2::SecurityGroup', {
    GroupDescription: 'SchemaVersion runner of Test/Private',
    SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: Match.stringLikeRegexp('^SSM, ECR, S3 and CloudWatch Logs') }],
  });
  // A host without databaseConnections: the database port to anywhere, as in VpcRunner mode.
  t.hasResourceProperties('AWS::EC2::SecurityGroup', {
    GroupDescription: 'SchemaVersion runner of Test/Public',
    SecurityGroupEgress: Match.arrayWith([Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 5432 }), Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443 })]),
  });
  assertValid(t);
});

test('TaskRunner refusals: not with vpcRunner, no statement over 15 minutes without it, not with a role of the app that ECS tasks cannot assume', () => {
  const s = stack();
  const { vpc, db } = cluster(s);
  assert.throws(() => new SchemaVersion(s, 'Both', { cluster: db, databaseName: 'orders', targetVersion: '1', vpcRunner: { vpc }, taskRunner: { vpc } }),
    /Both: give vpcRunner or taskRunner, not both/);
  // A statement longer than a runner function's 15 minutes: only in a task.
  for (const [id, mode] of [['LongVpc', { vpcRunner: { vpc } }], ['LongDirect', {}]]) {
    assert.throws(() => new SchemaVersion(s, id, { cluster: db, databaseName: 'orders', targetVersion: '1', timeouts: { statementTimeout: cdk.Duration.minutes(16) }, ...mode }),
      /timeouts\.statementTimeout of 960 seconds is more than 900 \(15 minutes\), which only taskRunner allows/);
  }
  new SchemaVersion(s, 'FifteenMinutes', { cluster: db, databaseName: 'orders', targetVersion: '1', timeouts: { statementTimeout: cdk.Duration.minutes(15) }, vpcRunner: { vpc } });

  const lambdaOnly = new iam.Role(s, 'LambdaOnly', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  new SchemaVersion(s, 'Wrong', { cluster: db, databaseName: 'orders', targetVersion: '1', taskRunner: { vpc, role: lambdaOnly } });
  assert.throws(() => Template.fromStack(s),
    /taskRunner\.role Test\/LambdaOnly must trust lambda\.amazonaws\.com .* and ecs-tasks\.amazonaws\.com .*it does not trust ecs-tasks\.amazonaws\.com/s);
});

test('TaskRunner with the caller\'s role that trusts both services: grants go to it, no role of the construct\'s own', () => {
  const s = stack();
  const { vpc, db } = cluster(s);
  const both = new iam.Role(s, 'Both', {
    assumedBy: new iam.CompositePrincipal(new iam.ServicePrincipal('lambda.amazonaws.com'), new iam.ServicePrincipal('ecs-tasks.amazonaws.com')),
  });
  const imported = iam.Role.fromRoleArn(s, 'Imported', 'arn:aws:iam::123456789012:role/schema-runners/orders');
  new SchemaVersion(s, 'Orders', { cluster: db, databaseName: 'orders', targetVersion: '1', taskRunner: { vpc, role: both } });
  new SchemaVersion(s, 'OrdersImported', { cluster: db, databaseName: 'orders', targetVersion: '1', taskRunner: { vpc, role: imported } });
  const t = Template.fromStack(s);
  t.resourceCountIs('AWS::IAM::Role', 1);
  const bothId = s.resolve(both.node.defaultChild.logicalId);
  t.hasResourceProperties(TYPE, { Execution: { Mode: 'TaskRunner', RoleArn: { 'Fn::GetAtt': [bothId, 'Arn'] } } });
  t.hasResourceProperties(TYPE, { Execution: { Mode: 'TaskRunner', RoleArn: 'arn:aws:iam::123456789012:role/schema-runners/orders' } });
  const actions = runnerStatements(t.toJSON(), bothId).flatMap((st) => [].concat(st.Action));
  assert.ok(actions.includes('ssm:PutParameter'), JSON.stringify(actions));
  assertValid(t);
});
