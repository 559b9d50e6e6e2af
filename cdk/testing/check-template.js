#!/usr/bin/env node
// node cdk/testing/check-template.js TEMPLATE.json [SCHEMA.json]: checks every Company::Database::SchemaVersion
// in a synthesized template against the resource type's schema (see schema-check.js); exits 1 when one fails
// or when the template has none. For the Java example's test and for checking any cdk.out by hand.
'use strict';
const fs = require('fs');
const { checkTemplate, SCHEMA_FILE } = require('./schema-check');

const [templateFile, schemaFile = SCHEMA_FILE] = process.argv.slice(2);
if (!templateFile) {
  console.error('usage: check-template.js TEMPLATE.json [SCHEMA.json]');
  process.exit(2);
}
const results = checkTemplate(JSON.parse(fs.readFileSync(templateFile, 'utf8')), schemaFile);
if (results.length === 0) {
  console.error(`${templateFile} has no Company::Database::SchemaVersion`);
  process.exit(1);
}
let failed = 0;
for (const { logicalId, properties, errors } of results) {
  if (errors) {
    failed++;
    console.log(`${logicalId}: fails the schema:`);
    for (const e of errors) console.log(`  ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
  } else {
    console.log(`${logicalId}: passes the schema: ${JSON.stringify(properties)}`);
  }
}
process.exit(failed ? 1 : 0);
