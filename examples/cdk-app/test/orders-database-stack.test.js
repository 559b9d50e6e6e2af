'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const cdk = require('aws-cdk-lib');
const { Template, Match } = require('aws-cdk-lib/assertions');
const { checkTemplate } = require('@company/schemaversion-cdk/testing/schema-check');
const { OrdersDatabaseStack } = require('../lib/orders-database-stack');

const SCHEMA = path.join(__dirname, '..', '..', '..', 'company-database-schemaversion.json');
const TYPE = 'Company::Database::SchemaVersion';

const app = new cdk.App();
const stack = new OrdersDatabaseStack(app, 'OrdersDatabase', { targetVersion: '7' });
const template = Template.fromStack(stack);

test('an Aurora PostgreSQL cluster with an RDS-managed master password, in isolated subnets', () => {
  template.hasResourceProperties('AWS::RDS::DBCluster', { Engine: 'aurora-postgresql', ManageMasterUserPassword: true, DatabaseName: 'orders', StorageEncrypted: true });
  template.resourceCountIs('AWS::EC2::NatGateway', 0);
  template.resourceCountIs('AWS::EC2::InternetGateway', 0);
});

test('the schema resource: the cluster\'s writer endpoint, the managed secret through SSM, the runner in the VPC', () => {
  template.hasResource(TYPE, {
    DependsOn: Match.arrayWith([Match.stringLikeRegexp('^Clusterwriter'), Match.stringLikeRegexp('^OrdersSchemaRunnerRole')]),
    Properties: {
      Database: { Host: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Cluster'), 'Endpoint.Address'] }, Port: 5432, Name: 'orders' },
      Credentials: { SecretParameter: Match.objectLike({ 'Fn::Join': Match.anyValue() }) },
      MigrationSet: 'orders',
      TargetVersion: '7',
      Placeholders: { AppRole: 'orders_app' },
      Timeouts: { ConnectWaitMinutes: 15, StatementTimeoutSeconds: 840 },
      Execution: { Mode: 'VpcRunner', RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersSchemaRunnerRole'), 'Arn'] } },
    },
  });
  template.hasResourceProperties('AWS::IAM::Role', { Path: '/schema-runners/', AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] } });
  template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
    FromPort: 5432, ToPort: 5432,
    GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ClusterSecurityGroup'), 'GroupId'] },
    SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersSchemaRunnerSecurityGroup'), 'GroupId'] },
  });
  template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
    FromPort: 443, ToPort: 443,
    GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^VpcSsmSecurityGroup'), 'GroupId'] },
    SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersSchemaRunnerSecurityGroup'), 'GroupId'] },
  });
});

test('the resource\'s properties, evaluated as CloudFormation would, pass the resource type\'s schema', () => {
  const [checked, more] = checkTemplate(template.toJSON(), SCHEMA);
  assert.equal(more, undefined);
  assert.equal(checked.errors, null, JSON.stringify(checked.errors, null, 1));
  assert.match(checked.properties.Credentials.SecretParameter, /^\/aws\/reference\/secretsmanager\/rds!cluster-[0-9a-f-]{36}$/);
  assert.equal(checked.properties.Execution.SubnetIds.length, 2);
});

test('cdk synth (the CLI, offline) writes the same template, and it passes the schema', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-out-'));
  const cli = path.join(__dirname, '..', 'node_modules', 'aws-cdk', 'bin', 'cdk');
  const run = spawnSync(process.execPath, [cli, 'synth', '--no-notices', '--no-version-reporting', '--quiet', '-c', 'targetVersion=7', '-o', out], {
    cwd: path.join(__dirname, '..'),
    encoding: 'utf8',
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: 'true' },
    timeout: 300_000,
  });
  assert.equal(run.status, 0, `cdk synth failed:\n${run.stdout}\n${run.stderr}`);
  const synthesized = JSON.parse(fs.readFileSync(path.join(out, 'OrdersDatabase.template.json'), 'utf8'));
  const [checked] = checkTemplate(synthesized, SCHEMA);
  assert.equal(checked.errors, null, JSON.stringify(checked.errors, null, 1));
  assert.deepEqual(synthesized.Resources[checked.logicalId].Properties, template.toJSON().Resources[checked.logicalId].Properties);
  fs.rmSync(out, { recursive: true, force: true });
});

test('with taskRunner: Execution.Mode TaskRunner, one role for the function and the task, the endpoints a task in isolated subnets needs', () => {
  const taskApp = new cdk.App();
  const t = Template.fromStack(new OrdersDatabaseStack(taskApp, 'OrdersDatabase', { targetVersion: '7', taskRunner: true }));
  t.hasResourceProperties(TYPE, {
    Timeouts: { ConnectWaitMinutes: 15, StatementTimeoutSeconds: 14400 },
    Execution: {
      Mode: 'TaskRunner',
      SubnetIds: Match.anyValue(),
      SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersSchemaRunnerSecurityGroup'), 'GroupId'] }],
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersSchemaRunnerRole'), 'Arn'] },
    },
  });
  t.hasResourceProperties('AWS::IAM::Role', {
    Path: '/schema-runners/',
    AssumeRolePolicyDocument: { Statement: [
      Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } }),
      Match.objectLike({ Principal: { Service: 'ecs-tasks.amazonaws.com' } }),
    ] },
  });
  // com.amazonaws.<region>.<service>, and the S3 gateway on the isolated subnets' route tables.
  const services = Object.values(t.findResources('AWS::EC2::VPCEndpoint'))
    .map((e) => `${e.Properties.ServiceName['Fn::Join'][1][2]} ${e.Properties.VpcEndpointType}`)
    .sort();
  assert.deepEqual(services, ['.ecr.api Interface', '.ecr.dkr Interface', '.logs Interface', '.s3 Gateway', '.ssm Interface']);
  t.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', RouteTableIds: [{ Ref: Match.stringLikeRegexp('^VpcprivateSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcprivateSubnet2') }] });
  for (const endpoint of ['VpcEcrApiSecurityGroup', 'VpcEcrDockerSecurityGroup', 'VpcLogsSecurityGroup']) {
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 443, GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${endpoint}`), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersSchemaRunnerSecurityGroup'), 'GroupId'] },
    });
  }
  // No cluster, task execution role or log group in the application's stack: the account admin's.
  t.resourceCountIs('AWS::ECS::Cluster', 0);
  t.resourceCountIs('AWS::IAM::Role', 1);
  const [checked] = checkTemplate(t.toJSON(), SCHEMA);
  assert.equal(checked.errors, null, JSON.stringify(checked.errors, null, 1));
});
