export * from './generated/cfn-schema-version';
export * from './credentials';
export * from './schema-version';
export * from './registration';
