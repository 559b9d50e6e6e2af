'use strict';
// SchemaVersionRegistration does what registration/registration.yaml does: the same statements (by Sid, with
// the same actions and effect) in the execution role, the record key's policy, the logging role; the same
// trust; the version registered with both roles and set as default.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const cdk = require('aws-cdk-lib');
const { Template, Match, Annotations } = require('aws-cdk-lib/assertions');
const { SchemaVersionRegistration } = require('../lib');
const Ajv = require('ajv');
const { resolve, SCHEMA_FILE } = require('../testing/schema-check');

const DRIFT = 'SchemaVersionRegistration (cdk/src/registration.ts) and registration/registration.yaml differ: change both';
const yamlTemplate = YAML.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'registration', 'registration.yaml'), 'utf8'));

/** Sid -> "Effect actions" of every statement in the document, the Fn::If branches of the YAML included. */
function statementsBySid(statements) {
  const out = {};
  for (let st of statements) {
    if (st['Fn::If']) st = st['Fn::If'][1];
    out[st.Sid] = `${st.Effect} ${[].concat(st.Action).sort().join(',')}`;
  }
  return out;
}

function yamlStatements(logicalId) {
  const r = yamlTemplate.Resources[logicalId].Properties;
  const docs = r.Policies ? r.Policies.map((p) => p.PolicyDocument) : [r.PolicyDocument ?? r.KeyPolicy];
  return statementsBySid(docs.flatMap((d) => d.Statement));
}

/** The type configuration output, evaluated, and the schema's verdict on it (the schema's typeConfiguration). */
function typeConfiguration(template) {
  const t = template.toJSON();
  const output = Object.values(t.Outputs).find((o) => /set-type-configuration/.test(o.Description));
  const config = JSON.parse(resolve(t, output.Value));
  const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'));
  const validate = new Ajv({ strict: false, allErrors: true }).compile({ ...schema.typeConfiguration, definitions: schema.definitions });
  assert.ok(validate(config), `type configuration ${JSON.stringify(config)} fails the schema: ${JSON.stringify(validate.errors)}`);
  return config;
}

function synth(props) {
  const stack = new cdk.Stack(new cdk.App(), 'Platform', { env: { account: '123456789012', region: 'eu-west-1' } });
  const registration = new SchemaVersionRegistration(stack, 'Registration', props);
  return { stack, registration, template: Template.fromStack(stack) };
}

function cdkStatements(template, type, pick) {
  const resources = Object.values(template.findResources(type)).filter(pick);
  assert.equal(resources.length, 1, `one ${type}`);
  const p = resources[0].Properties;
  const docs = p.Policies ? p.Policies.map((x) => x.PolicyDocument) : [p.PolicyDocument ?? p.KeyPolicy];
  return statementsBySid(docs.flatMap((d) => d.Statement));
}

const ALL = {
  schemaHandlerPackage: 's3://artifacts/company-database-schemaversion-1.0.0.zip',
  credentialParameterPrefixes: ['/orders/db/', '/company-database-schemaversion/credentials/'],
  secretNamePrefixes: ['rds!cluster-'],
  runnerRoleArns: ['arn:aws:iam::123456789012:role/schema-runners/*'],
  taskRunnerCluster: 'migrations',
  taskExecutionRoleArn: 'arn:aws:iam::123456789012:role/schemaversion-task-execution',
  iamDatabaseUsers: ['arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-ABCDEFGHIJKL/app_migrator'],
  databaseHosts: ['*.cluster-abc123.eu-west-1.rds.amazonaws.com'],
};

test('the execution role has the statements of registration.yaml, no more, no fewer', () => {
  const { template } = synth(ALL);
  const actual = cdkStatements(template, 'AWS::IAM::Role', (r) => r.Properties.Policies?.[0]?.PolicyName === 'SchemaVersionHandlers');
  assert.deepEqual(actual, yamlStatements('ExecutionRole'), DRIFT);
  assert.deepEqual(cdkStatements(template, 'AWS::IAM::Policy', () => true), yamlStatements('RecordKeyAccess'), DRIFT);
  assert.deepEqual(cdkStatements(template, 'AWS::KMS::Key', () => true), yamlStatements('RecordKey'), DRIFT);
  assert.deepEqual(cdkStatements(template, 'AWS::IAM::Role', (r) => r.Properties.Policies?.[0]?.PolicyName === 'LogAndMetricsDelivery'),
    yamlStatements('LoggingRole'), DRIFT);
  // Every resource of the YAML has its counterpart (CDK's iam.Policy attached to the role for the YAML's
  // AWS::IAM::RolePolicy).
  const types = Object.values(yamlTemplate.Resources).map((r) => r.Type.replace('AWS::IAM::RolePolicy', 'AWS::IAM::Policy')).sort();
  assert.deepEqual(Object.values(template.toJSON().Resources).map((r) => r.Type).sort(), types, DRIFT);
});

test('the statements reach only the allowed prefixes, roles and the type\'s own functions and records', () => {
  const { template } = synth(ALL);
  const t = template.toJSON();
  const role = Object.values(t.Resources).find((r) => r.Properties.Policies?.[0]?.PolicyName === 'SchemaVersionHandlers');
  const statements = Object.fromEntries(resolve(t, role.Properties.Policies[0].PolicyDocument.Statement).map((s) => [s.Sid, s]));
  assert.deepEqual(statements.CredentialParameters.Resource, [
    'arn:aws:ssm:eu-west-1:123456789012:parameter/orders/db/*',
    'arn:aws:ssm:eu-west-1:123456789012:parameter/company-database-schemaversion/credentials/*',
  ]);
  assert.equal(statements.SecretReferences.Resource, 'arn:aws:ssm:eu-west-1:123456789012:parameter/aws/reference/secretsmanager/rds!cluster-*');
  assert.equal(statements.Secrets.Resource, 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-*');
  assert.equal(statements.RunnerFunctions.Resource, 'arn:aws:lambda:eu-west-1:123456789012:function:schemaversion-runner-*');
  assert.equal(statements.RunnerRoles.Resource, 'arn:aws:iam::123456789012:role/schema-runners/*');
  assert.equal(statements.IamDatabaseLogins.Resource, ALL.iamDatabaseUsers[0]);
  assert.deepEqual(statements.RunnerRoles.Condition, { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } });
  const inCluster = { ArnEquals: { 'ecs:cluster': 'arn:aws:ecs:eu-west-1:123456789012:cluster/migrations' } };
  assert.equal(statements.RunnerTasks.Resource, 'arn:aws:ecs:eu-west-1:123456789012:task-definition/schemaversion-runner-*');
  assert.deepEqual(statements.RunnerTasks.Condition, inCluster);
  assert.equal(statements.RunnerTaskWatch.Resource, 'arn:aws:ecs:eu-west-1:123456789012:task/migrations/*');
  assert.deepEqual(statements.RunnerTaskWatch.Condition, inCluster);
  assert.equal(statements.RunnerTaskLookup.Resource, 'arn:aws:ecs:eu-west-1:123456789012:container-instance/migrations/*');
  assert.deepEqual(statements.RunnerTaskLookup.Condition, inCluster);
  assert.equal(statements.RunnerRolesForTasks.Resource, 'arn:aws:iam::123456789012:role/schema-runners/*');
  assert.deepEqual(statements.RunnerRolesForTasks.Condition, { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
  assert.equal(statements.TaskExecutionRole.Resource, ALL.taskExecutionRoleArn);
  assert.deepEqual(statements.TaskExecutionRole.Condition, { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
  assert.deepEqual(resolve(t, role.Properties.AssumeRolePolicyDocument.Statement), [{
    Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'resources.cloudformation.amazonaws.com' },
    Condition: {
      StringEquals: { 'aws:SourceAccount': '123456789012' },
      StringLike: { 'aws:SourceArn': 'arn:aws:cloudformation:eu-west-1:123456789012:type/resource/Company-Database-SchemaVersion/*' },
    },
  }]);
});

/** A logical id of the construct's (Registration<id><8 hex>) as the YAML's <id>. */
const yamlId = (logicalId) => logicalId.replace(/^Registration/, '').replace(/[0-9A-F]{8}$/, '');

test('the version is registered with the scoped role and logging, after the record key access and alias, and made default', () => {
  const { template } = synth(ALL);
  const version = Object.values(template.findResources('AWS::CloudFormation::ResourceVersion'))[0];
  assert.deepEqual(version.DependsOn.map(yamlId).sort(), [...yamlTemplate.Resources.ResourceVersion.DependsOn].sort(), DRIFT);
  template.hasResource('AWS::CloudFormation::ResourceVersion', {
    Properties: {
      TypeName: 'Company::Database::SchemaVersion',
      SchemaHandlerPackage: ALL.schemaHandlerPackage,
      ExecutionRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RegistrationExecutionRole'), 'Arn'] },
      LoggingConfig: { LogGroupName: { Ref: Match.stringLikeRegexp('^RegistrationLogGroup') }, LogRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RegistrationLoggingRole'), 'Arn'] } },
    },
  });
  template.hasResourceProperties('AWS::CloudFormation::ResourceDefaultVersion', { TypeVersionArn: { Ref: Match.stringLikeRegexp('^RegistrationResourceVersion') } });
  template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
  template.hasResourceProperties('AWS::KMS::Alias', {
    AliasName: yamlTemplate.Resources.RecordKeyAlias.Properties.AliasName,
    TargetKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RegistrationRecordKey'), 'Arn'] },
  });
  template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: 'company-database-schemaversion-logs', RetentionInDays: 90 });
});

test('the outputs of registration.yaml, with the same values', () => {
  for (const [props, dropped] of [[ALL, []], [{}, ['ResourceVersionArn']]]) {
    const { template } = synth(props);
    const outputs = Object.fromEntries(Object.entries(template.toJSON().Outputs).map(([id, o]) => [yamlId(id), o]));
    const expected = Object.keys(yamlTemplate.Outputs).filter((id) => !dropped.includes(id)).sort();
    assert.deepEqual(Object.keys(outputs).sort(), expected, DRIFT);
    assert.deepEqual(outputs.ExecutionRoleArn.Value, { 'Fn::GetAtt': [Object.keys(template.findResources('AWS::IAM::Role')).find((id) => /ExecutionRole/.test(id)), 'Arn'] });
    assert.deepEqual(outputs.LogRoleArn.Value, { 'Fn::GetAtt': [Object.keys(template.findResources('AWS::IAM::Role')).find((id) => /LoggingRole/.test(id)), 'Arn'] });
    assert.deepEqual(outputs.LogGroupName.Value, { Ref: Object.keys(template.findResources('AWS::Logs::LogGroup'))[0] });
    assert.deepEqual(outputs.RecordKeyArn.Value, { 'Fn::GetAtt': [Object.keys(template.findResources('AWS::KMS::Key'))[0], 'Arn'] });
  }
});

test('the type configuration output allows what the role allows, binds it to the hosts named, and names the record key', () => {
  const { template } = synth(ALL);
  const config = typeConfiguration(template);
  assert.deepEqual(config.Credentials.AllowedParameterPrefixes,
    ['/orders/db/', '/company-database-schemaversion/credentials/', '/aws/reference/secretsmanager/rds!cluster-*']);
  // The type's own path stays bound by its host folders, not to databaseHosts.
  assert.deepEqual(config.Credentials.Bindings,
    [{ Parameters: ['/orders/db/', '/aws/reference/secretsmanager/rds!cluster-*'], Hosts: ALL.databaseHosts }]);
  assert.deepEqual(config.Runner.AllowedRoleArns, ALL.runnerRoleArns);
  // TaskRunner as the role allows it; the image (by digest) is the admin's to add.
  assert.deepEqual(config.TaskRunner, { Cluster: 'migrations', ExecutionRoleArn: ALL.taskExecutionRoleArn });
  assert.match(config.Records.IntegrityKeyArn, /^arn:aws:kms:eu-west-1:123456789012:key\//);
});

test('without a handler package: the roles, the log group and the key only; defaults as in the YAML', () => {
  const { template } = synth({});
  template.resourceCountIs('AWS::CloudFormation::ResourceVersion', 0);
  template.resourceCountIs('AWS::CloudFormation::ResourceDefaultVersion', 0);
  const actual = cdkStatements(template, 'AWS::IAM::Role', (r) => r.Properties.Policies?.[0]?.PolicyName === 'SchemaVersionHandlers');
  const expected = yamlStatements('ExecutionRole');
  for (const conditional of ['SecretReferences', 'Secrets', 'RunnerRoles', 'IamDatabaseLogins', 'RunnerTaskDefinitions',
    'RunnerTasks', 'RunnerTaskWatch', 'RunnerTaskLookup', 'RunnerRolesForTasks', 'TaskExecutionRole']) delete expected[conditional];
  assert.deepEqual(actual, expected, DRIFT);
  assert.equal(yamlTemplate.Parameters.CredentialParameterPrefixes.Default, '/company-database-schemaversion/credentials/');
  const t = template.toJSON();
  const role = Object.values(t.Resources).find((r) => r.Properties.Policies?.[0]?.PolicyName === 'SchemaVersionHandlers');
  const credentials = resolve(t, role.Properties.Policies[0].PolicyDocument.Statement).find((s) => s.Sid === 'CredentialParameters');
  assert.equal(credentials.Resource, 'arn:aws:ssm:eu-west-1:123456789012:parameter/company-database-schemaversion/credentials/*');
});

test('more of the type configuration passes through, typed by the schema; what the role bounds stays the construct\'s', () => {
  const { template } = synth({
    credentialParameterPrefixes: ['/orders/db/'],
    typeConfiguration: {
      connections: { allowedHosts: ['*.rds.amazonaws.com'], allowedSslModes: ['verify-full'] },
      credentials: { allowedParameterPrefixes: ['/'] },
      runner: { allowedRoleArns: ['arn:aws:iam::123456789012:role/*'] },
    },
  });
  const config = typeConfiguration(template);
  assert.deepEqual(config.Connections, { AllowedHosts: ['*.rds.amazonaws.com'], AllowedSslModes: ['verify-full'] });
  assert.deepEqual(config.Credentials, { AllowedParameterPrefixes: ['/orders/db/'] });
  assert.equal(config.Runner, undefined);
});

test('bindings, destruction scopes and Cloud Control settings pass through; databaseHosts adds the binding of the prefixes', () => {
  const { template } = synth({
    credentialParameterPrefixes: ['/orders/db/'],
    databaseHosts: ['orders.cluster-abc123.eu-west-1.rds.amazonaws.com'],
    iamDatabaseUsers: ['arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-ABCDEFGHIJKL/app_migrator'],
    typeConfiguration: {
      credentials: { bindings: [{ iamUsers: ['app_migrator'], hosts: ['reports.cluster-abc123.eu-west-1.rds.amazonaws.com'], databases: ['reports'] }] },
      destruction: { clean: ['*.cluster-dev456.eu-west-1.rds.amazonaws.com/*/*'] },
      cloudControl: { changes: 'ResourcesWithoutStack' },
    },
  });
  const config = typeConfiguration(template);
  assert.deepEqual(config.Credentials, {
    AllowedParameterPrefixes: ['/orders/db/'],
    Bindings: [
      { IamUsers: ['app_migrator'], Hosts: ['reports.cluster-abc123.eu-west-1.rds.amazonaws.com'], Databases: ['reports'] },
      { Parameters: ['/orders/db/'], Hosts: ['orders.cluster-abc123.eu-west-1.rds.amazonaws.com'] },
    ],
  });
  assert.deepEqual(config.Destruction, { Clean: ['*.cluster-dev456.eu-west-1.rds.amazonaws.com/*/*'] });
  assert.deepEqual(config.CloudControl, { Changes: 'ResourcesWithoutStack' });
});

test('prefixes bound to no server: a warning says the type would refuse their logins', () => {
  const warnings = (props) => Annotations.fromStack(synth(props).stack).findWarning('*', Match.stringLikeRegexp('binds the logins'));
  assert.equal(warnings({ credentialParameterPrefixes: ['/orders/db/'] }).length, 1);
  assert.equal(warnings({ credentialParameterPrefixes: ['/orders/db/'], databaseHosts: ['db.example.com'] }).length, 0);
  assert.equal(warnings({}).length, 0);
});

test('taskRunnerResources: the cluster, the task execution role and the log group, used by the execution role and named in the type configuration', () => {
  const image = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/schemaversion-runner@sha256:${'4f2a'.repeat(16)}`;
  const { registration, template } = synth({
    runnerRoleArns: ALL.runnerRoleArns,
    taskRunnerResources: true,
    typeConfiguration: { taskRunner: { image, cpu: 1024, memoryMiB: 2048 } },
  });
  template.hasResourceProperties('AWS::ECS::Cluster', { CapacityProviders: ['FARGATE'] });
  template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/company-database-schemaversion/task-runner', RetentionInDays: 90 });
  template.hasResourceProperties('AWS::IAM::Role', {
    AssumeRolePolicyDocument: { Statement: [{
      Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
    }] },
    ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy']] }],
  });
  const t = template.toJSON();
  const clusterId = Object.keys(template.findResources('AWS::ECS::Cluster'))[0];
  const clusterName = resolve(t, { Ref: clusterId });
  const role = Object.values(t.Resources).find((r) => r.Properties.Policies?.[0]?.PolicyName === 'SchemaVersionHandlers');
  const statements = Object.fromEntries(resolve(t, role.Properties.Policies[0].PolicyDocument.Statement).map((s) => [s.Sid, s]));
  const inCluster = { ArnEquals: { 'ecs:cluster': `arn:aws:ecs:eu-west-1:123456789012:cluster/${clusterName}` } };
  assert.deepEqual(statements.RunnerTasks.Condition, inCluster);
  assert.equal(statements.RunnerTaskWatch.Resource, `arn:aws:ecs:eu-west-1:123456789012:task/${clusterName}/*`);
  const executionRoleArn = resolve(t, { 'Fn::GetAtt': [cdk.Stack.of(registration).resolve(registration.taskExecutionRole.node.defaultChild.logicalId), 'Arn'] });
  assert.equal(statements.TaskExecutionRole.Resource, executionRoleArn);
  assert.deepEqual(statements.TaskExecutionRole.Condition, { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
  assert.deepEqual(typeConfiguration(template).TaskRunner, {
    Image: image, Cpu: 1024, MemoryMiB: 2048, Cluster: clusterName, ExecutionRoleArn: executionRoleArn, LogGroup: '/company-database-schemaversion/task-runner',
  });
});

test('taskRunnerResources refusals: not with a cluster or role of one\'s own, and an image only by digest', () => {
  assert.throws(() => synth({ taskRunnerResources: true, taskRunnerCluster: 'migrations' }),
    /taskRunnerResources creates the cluster and the task execution role; leave out taskRunnerCluster and taskExecutionRoleArn/);
  assert.throws(() => synth({ taskRunnerCluster: 'migrations', typeConfiguration: { taskRunner: { image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/schemaversion-runner:1.0.0' } } }),
    /typeConfiguration\.taskRunner\.image 123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/schemaversion-runner:1\.0\.0 must name the image by digest/);
});
