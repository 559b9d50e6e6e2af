// Checks a synthesized Company::Database::SchemaVersion against the resource type's schema, as the type's
// handler would see it: every intrinsic function is first evaluated the way CloudFormation evaluates it at
// deploy time, with plausible values for the attributes of the other resources (a subnet's Ref is
// subnet-<hex>, a role's Arn is an IAM role ARN, ...), so that the schema's patterns are really applied.
// Used by the library's tests and by the example apps' tests.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');

const SCHEMA_FILE = path.join(__dirname, '..', '..', 'company-database-schemaversion.json');
const TYPE_NAME = 'Company::Database::SchemaVersion';
const ENV = { region: 'eu-west-1', account: '123456789012', partition: 'aws' };

function hex(text, length) {
  return crypto.createHash('sha256').update(text).digest('hex').substring(0, length);
}

/** What Ref and Fn::GetAtt give for the resource types these apps use. */
function attribute(template, logicalId, attr) {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`Ref/GetAtt to unknown resource ${logicalId}`);
  const { region, account } = ENV;
  const key = `${resource.Type}|${attr ?? 'Ref'}`;
  switch (key) {
    case 'AWS::EC2::Subnet|Ref': return `subnet-${hex(logicalId, 17)}`;
    case 'AWS::EC2::VPC|Ref': return `vpc-${hex(logicalId, 17)}`;
    case 'AWS::EC2::VPC|CidrBlock': return resource.Properties.CidrBlock;
    case 'AWS::EC2::SecurityGroup|GroupId':
    case 'AWS::EC2::SecurityGroup|Ref': return `sg-${hex(logicalId, 17)}`;
    case 'AWS::IAM::Role|Arn': return `arn:aws:iam::${account}:role${resource.Properties.Path ?? '/'}${logicalId}-${hex(logicalId, 12).toUpperCase()}`;
    case 'AWS::IAM::Role|Ref': return `${logicalId}-${hex(logicalId, 12).toUpperCase()}`;
    case 'AWS::RDS::DBCluster|Endpoint.Address': return `${logicalId.toLowerCase()}.cluster-${hex(logicalId, 12)}.${region}.rds.amazonaws.com`;
    case 'AWS::RDS::DBCluster|Endpoint.Port': return '5432';
    case 'AWS::RDS::DBInstance|Endpoint.Address': return `${logicalId.toLowerCase()}.${hex(logicalId, 12)}.${region}.rds.amazonaws.com`;
    case 'AWS::RDS::DBInstance|Endpoint.Port': return '5432';
    // The resource ids in rds-db:connect ARNs: cluster-<26 upper-case letters and digits>, db-<the same>.
    case 'AWS::RDS::DBCluster|DBClusterResourceId': return `cluster-${hex(logicalId, 26).toUpperCase()}`;
    case 'AWS::RDS::DBInstance|DbiResourceId': return `db-${hex(logicalId, 26).toUpperCase()}`;
    case 'AWS::RDS::DBCluster|MasterUserSecret.SecretArn':
    case 'AWS::RDS::DBInstance|MasterUserSecret.SecretArn': {
      const h = hex(logicalId, 32);
      const uuid = `${h.substring(0, 8)}-${h.substring(8, 12)}-${h.substring(12, 16)}-${h.substring(16, 20)}-${h.substring(20, 32)}`;
      const kind = resource.Type === 'AWS::RDS::DBCluster' ? 'cluster' : 'db';
      return `arn:aws:secretsmanager:${region}:${account}:secret:rds!${kind}-${uuid}-AbCdEf`;
    }
    // CloudFormation names a secret without Name <LogicalId>-<12 random>, and Secrets Manager appends -<6>.
    case 'AWS::SecretsManager::Secret|Ref':
      return `arn:aws:secretsmanager:${region}:${account}:secret:${resource.Properties.Name ?? `${logicalId}-${hex(logicalId, 12)}`}-AbCdEf`;
    case 'AWS::SecretsManager::SecretTargetAttachment|Ref':
      return resolve(template, { Ref: resource.Properties.SecretId.Ref }, `${logicalId}.SecretId`);
    case 'AWS::SSM::Parameter|Ref': return resource.Properties.Name ?? `CFN-${logicalId}-${hex(logicalId, 12)}`;
    case 'AWS::KMS::Key|Arn': return `arn:aws:kms:${region}:${account}:key/${hex(logicalId, 32)}`;
    // CloudFormation names a cluster without ClusterName <stack>-<LogicalId>-<12 random>.
    case 'AWS::ECS::Cluster|Ref': return resource.Properties.ClusterName ?? `stack-${logicalId}-${hex(logicalId, 12)}`;
    case 'AWS::Logs::LogGroup|Ref': return resource.Properties.LogGroupName ?? `stack-${logicalId}-${hex(logicalId, 12)}`;
    default: throw new Error(`no value for ${key} (${logicalId}): add one to testing/schema-check.js`);
  }
}

function pseudo(name) {
  switch (name) {
    case 'AWS::Region': return ENV.region;
    case 'AWS::AccountId': return ENV.account;
    case 'AWS::Partition': return ENV.partition;
    case 'AWS::URLSuffix': return 'amazonaws.com';
    case 'AWS::StackName': return 'stack';
    default: return undefined;
  }
}

/** Evaluates the intrinsic functions in value as CloudFormation would. */
function resolve(template, value, where = '') {
  if (Array.isArray(value)) return value.map((v, i) => resolve(template, v, `${where}[${i}]`));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
    const arg = value[keys[0]];
    switch (keys[0]) {
      case 'Ref': {
        const p = pseudo(arg);
        if (p !== undefined) return p;
        if (template.Parameters?.[arg]) return template.Parameters[arg].Default;
        return attribute(template, arg);
      }
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? arg : [arg.substring(0, arg.indexOf('.')), arg.substring(arg.indexOf('.') + 1)];
        return attribute(template, id, attr);
      }
      case 'Fn::Join': return resolve(template, arg[1], where).join(arg[0]);
      case 'Fn::Split': return resolve(template, arg[1], where).split(arg[0]);
      case 'Fn::Select': {
        const list = resolve(template, arg[1], where);
        const index = Number(resolve(template, arg[0], where));
        if (index >= list.length) throw new Error(`${where}: Fn::Select index ${index} out of ${JSON.stringify(list)}`);
        return list[index];
      }
      case 'Fn::GetAZs': return ['a', 'b', 'c'].map((z) => `${ENV.region}${z}`);
      case 'Fn::Sub': {
        const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
        return text.replace(/\$\{([^}]+)\}/g, (_, name) => {
          if (vars[name] !== undefined) return resolve(template, vars[name], where);
          const p = pseudo(name);
          if (p !== undefined) return p;
          const dot = name.indexOf('.');
          return dot < 0 ? attribute(template, name) : attribute(template, name.substring(0, dot), name.substring(dot + 1));
        });
      }
      default: throw new Error(`${where}: ${keys[0]} is not evaluated by testing/schema-check.js`);
    }
  }
  const out = {};
  for (const [k, v] of Object.entries(value)) out[k] = resolve(template, v, `${where}.${k}`);
  return out;
}

/** The schema of what a template may give: the type's schema less its read-only properties. */
function writableSchema(schema) {
  const readOnly = (schema.readOnlyProperties ?? []).map((p) => p.replace(/^\/properties\//, ''));
  const properties = { ...schema.properties };
  for (const name of readOnly) delete properties[name];
  return {
    type: 'object',
    definitions: schema.definitions,
    properties,
    required: schema.required,
    additionalProperties: schema.additionalProperties,
  };
}

/**
 * Every Company::Database::SchemaVersion in the template, its properties evaluated, with the schema's
 * verdict: { logicalId, properties, errors } (errors null when valid).
 */
function checkTemplate(template, schemaFile = SCHEMA_FILE) {
  const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
  // strict: false because a resource schema carries keywords of its own (insertionOrder, tagging, ...).
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(writableSchema(schema));
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === TYPE_NAME)
    .map(([logicalId, r]) => {
      const properties = resolve(template, r.Properties ?? {}, logicalId);
      const valid = validate(properties);
      return { logicalId, properties, errors: valid ? null : validate.errors };
    });
}

module.exports = { checkTemplate, resolve, TYPE_NAME, SCHEMA_FILE };
