'use strict';
// The L1 follows the schema: generated from it on every build, and these tests fail when the library that
// was built (what the tests, the example apps and the Java package use) lags behind the schema.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const camelCase = require('camelcase');
const cdk = require('aws-cdk-lib');
const { generate, SCHEMA, OUT } = require('../scripts/generate-l1');
const lib = require('../lib');

const schema = JSON.parse(fs.readFileSync(SCHEMA, 'utf8'));
const readOnly = schema.readOnlyProperties.map((p) => p.replace(/^\/properties\//, ''));
const STALE = 'the L1 lags behind company-database-schemaversion.json: run `npm run build` in cdk/ (./mvnw verify does)';

function deref(def) {
  return def.$ref ? schema.definitions[def.$ref.replace('#/definitions/', '')] : def;
}

/** A value of every property the schema declares, nested, keyed as the jsii struct names them. */
function sample(def) {
  def = deref(def);
  if (def.enum) return def.enum[0];
  switch (def.type) {
    case 'object': {
      if (!def.properties) return { Key: 'value' };
      const out = {};
      for (const [name, prop] of Object.entries(def.properties)) out[camelCase(name)] = sample(prop);
      return out;
    }
    case 'array': return [sample(def.items)];
    case 'integer': case 'number': return 1;
    case 'boolean': return true;
    default: return 'x';
  }
}

/** The property names the schema declares, nested, as CloudFormation spells them. */
function shape(def) {
  def = deref(def);
  if (def.type === 'object' && def.properties) {
    return Object.fromEntries(Object.entries(def.properties).map(([name, prop]) => [name, shape(prop)]));
  }
  if (def.type === 'array') return [shape(def.items)];
  return '*';
}

function shapeOf(value) {
  if (Array.isArray(value)) return [shapeOf(value[0])];
  if (value !== null && typeof value === 'object' && !('Key' in value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shapeOf(v)]));
  }
  return '*';
}

test('the generated source is what the generator makes of the schema now', () => {
  assert.equal(fs.readFileSync(OUT, 'utf8'), generate(fs.readFileSync(SCHEMA, 'utf8')), STALE);
});

test('the built CfnSchemaVersion writes every writable property of the schema, nested, under its CloudFormation name', () => {
  const writable = Object.fromEntries(Object.entries(schema.properties).filter(([name]) => !readOnly.includes(name)));
  const props = sample({ type: 'object', properties: writable });
  const stack = new cdk.Stack(new cdk.App(), 'S');
  new lib.CfnSchemaVersion(stack, 'R', props);
  const written = stack.resolve(stack._toCloudFormation()).Resources.R.Properties;
  assert.deepEqual(shapeOf(written), shape({ type: 'object', properties: writable }), STALE);
});

test('the built CfnSchemaVersion has an attribute for every read-only property', () => {
  const stack = new cdk.Stack(new cdk.App(), 'S');
  const resource = new lib.CfnSchemaVersion(stack, 'R', { database: { host: 'h', name: 'n' }, credentials: {}, targetVersion: '1' });
  for (const name of readOnly) {
    const attr = resource[`attr${name}`];
    assert.ok(attr !== undefined, `no attr${name}: ${STALE}`);
    assert.deepEqual(stack.resolve(attr), { 'Fn::GetAtt': ['R', name] });
  }
});

test('the jsii assembly (what jsii-pacmak carries to Java) declares the same properties', () => {
  const assembly = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.jsii'), 'utf8'));
  const props = assembly.types['@company/schemaversion-cdk.CfnSchemaVersionProps'];
  const writable = Object.keys(schema.properties).filter((name) => !readOnly.includes(name));
  assert.deepEqual(props.properties.map((p) => p.name).sort(), writable.map((n) => camelCase(n)).sort(), STALE);
  for (const [name, def] of Object.entries(schema.definitions)) {
    const struct = assembly.types[`@company/schemaversion-cdk.CfnSchemaVersion${name}`];
    assert.ok(struct, `no struct for definition ${name}: ${STALE}`);
    assert.deepEqual(struct.properties.map((p) => p.name).sort(), Object.keys(def.properties).map((n) => camelCase(n)).sort(), `${name}: ${STALE}`);
  }
});

test('the generator follows a schema change: a new Credentials property becomes a struct field and is written', () => {
  const changed = JSON.parse(fs.readFileSync(SCHEMA, 'utf8'));
  changed.definitions.Credentials.properties.IamAuthenticationUser = { type: 'string' };
  const source = generate(JSON.stringify(changed));
  assert.match(source, /readonly iamAuthenticationUser\?: string;/);
  assert.match(source, /'IamAuthenticationUser': obj\.iamAuthenticationUser,/);
  assert.notEqual(source, fs.readFileSync(OUT, 'utf8'));
});
