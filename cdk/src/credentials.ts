import * as cdk from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { IConstruct } from 'constructs';
import { CfnSchemaVersionCredentials } from './generated/cfn-schema-version';

/** The path under which SSM serves a Secrets Manager secret as a parameter. */
export const SECRET_REFERENCE_PREFIX = '/aws/reference/secretsmanager/';

/** Options of `Credentials.fromSecret`. */
export interface SecretCredentialsOptions {
  /**
   * The secret's name, when `secret.secretName` does not give it exactly (an imported secret known by an
   * ARN whose name has hyphens of its own).
   *
   * @default secret.secretName
   */
  readonly secretName?: string;
}

/** Options of the parameter-based credentials. */
export interface ParameterCredentialsOptions {
  /**
   * The customer managed KMS key that encrypts the SecureString parameters, if any: the runner role created
   * by `SchemaVersion` may then decrypt with it, through SSM only.
   *
   * @default the AWS managed key aws/ssm, which needs no grant
   */
  readonly encryptionKey?: kms.IKey;
}

/** The credentials as the resource's `Credentials` property takes them. */
export interface CredentialsConfig {
  /** The value of the `Credentials` property. */
  readonly properties: CfnSchemaVersionCredentials;
}

/**
 * Where the database login is: SSM parameter names, never values.
 *
 * Whatever is chosen here, the account admin's type configuration (`Credentials.AllowedParameterPrefixes`)
 * must allow the parameter names: see guides/type-configuration.md.
 */
export abstract class Credentials {
  /**
   * A Secrets Manager secret with `username` and `password` (the one `rds.DatabaseCluster` or
   * `rds.DatabaseInstance` generates, `cluster.secret`), read through SSM as
   * `/aws/reference/secretsmanager/<secret name>`.
   */
  public static fromSecret(secret: secretsmanager.ISecret, options: SecretCredentialsOptions = {}): Credentials {
    return new SecretCredentials(secret, options.secretName ?? secret.secretName);
  }

  /**
   * The master user secret RDS creates and rotates itself (`manageMasterUserPassword: true`), named
   * `rds!cluster-<uuid>` or `rds!db-<uuid>`. CDK knows only its ARN, which appends `-<6 characters>` to the
   * name; the name is rebuilt from the ARN at deploy time.
   */
  public static fromRdsManagedSecret(secret: secretsmanager.ISecret): Credentials {
    const arn = secret.secretFullArn ?? secret.secretArn;
    if (!cdk.Token.isUnresolved(arn)) {
      const resource = cdk.Arn.split(arn, cdk.ArnFormat.COLON_RESOURCE_NAME).resourceName ?? '';
      return new SecretCredentials(secret, resource.replace(/-[A-Za-z0-9]{6}$/, ''));
    }
    // rds!cluster-<uuid>: the prefix's hyphen and the uuid's four, so six hyphenated segments before the
    // suffix Secrets Manager appends to the ARN.
    const resourceName = cdk.Fn.select(6, cdk.Fn.split(':', arn));
    const segments = [0, 1, 2, 3, 4, 5].map((i) => cdk.Fn.select(i, cdk.Fn.split('-', resourceName)));
    return new SecretCredentials(secret, cdk.Fn.join('-', segments));
  }

  /** A String (or SecureString) parameter with the user name and a SecureString parameter with the password. */
  public static fromParameters(
    usernameParameter: ssm.IParameter,
    passwordParameter: ssm.IParameter,
    options: ParameterCredentialsOptions = {},
  ): Credentials {
    return new PropertyCredentials(
      { usernameParameter: usernameParameter.parameterName, passwordParameter: passwordParameter.parameterName },
      [usernameParameter.parameterArn, passwordParameter.parameterArn],
      [],
      options.encryptionKey,
    );
  }

  /** The names of the user name and password parameters (e.g. /orders/db/username, /orders/db/password). */
  public static fromParameterNames(
    usernameParameterName: string,
    passwordParameterName: string,
    options: ParameterCredentialsOptions = {},
  ): Credentials {
    return Credentials.fromProperties(
      { usernameParameter: usernameParameterName, passwordParameter: passwordParameterName },
      options,
    );
  }

  /**
   * IAM database authentication (`Credentials.IamUsername`): the database user (granted `rds_iam`) to log in as
   * with a token signed for the host, port and this user; nothing is read from SSM, and the connection is
   * always `verify-full`. In VPC runner mode `SchemaVersion` grants the runner role `rds-db:connect` on this
   * user of its cluster or instance; in Direct mode the platform team grants it to the execution role
   * (`SchemaVersionRegistration.iamDatabaseUsers`). The account admin binds the user to the host
   * (type configuration `Credentials.Bindings`, `IamUsers`).
   */
  public static fromIamUsername(username: string): Credentials {
    return new PropertyCredentials({ iamUsername: username }, [], []);
  }

  /**
   * Any `Credentials` value the resource type's schema accepts, as the generated L1 struct spells it (for
   * shapes this class has no factory for yet). A runner role that `SchemaVersion` creates may read every SSM
   * parameter named by a property whose name ends in `Parameter` (and the secret behind a
   * `/aws/reference/secretsmanager/` one); grant anything else to the role yourself.
   */
  public static fromProperties(
    properties: CfnSchemaVersionCredentials,
    options: ParameterCredentialsOptions = {},
  ): Credentials {
    const names = Object.entries(properties)
      .filter(([key, value]) => key.endsWith('Parameter') && typeof value === 'string')
      .map(([, value]) => value as string);
    const secrets = names.filter((n) => !cdk.Token.isUnresolved(n) && n.startsWith(SECRET_REFERENCE_PREFIX));
    return new PropertyCredentials(
      properties,
      names.map((name) => parameterArn(name)),
      secrets.map((name) => secretArnForName(name.substring(SECRET_REFERENCE_PREFIX.length))),
      options.encryptionKey,
    );
  }

  /** The value of the resource's `Credentials` property. */
  public abstract bind(scope: IConstruct): CredentialsConfig;

  /**
   * Grants what reading this login takes, and nothing more: `ssm:GetParameter` on exactly the named
   * parameters, `secretsmanager:GetSecretValue` on exactly the secret, `kms:Decrypt` through SSM or Secrets
   * Manager only, on the customer managed key if there is one. For the VPC runner's role.
   */
  public abstract grantRead(grantee: iam.IGrantable): iam.Grant;
}

class SecretCredentials extends Credentials {
  constructor(private readonly secret: secretsmanager.ISecret, private readonly secretName: string) {
    super();
  }

  public bind(_scope: IConstruct): CredentialsConfig {
    return { properties: { secretParameter: `${SECRET_REFERENCE_PREFIX}${this.secretName}` } };
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['ssm:GetParameter'],
      resourceArns: [parameterArn(`${SECRET_REFERENCE_PREFIX}${this.secretName}`)],
    });
    const secret = iam.Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [this.secret.secretFullArn ?? `${this.secret.secretArn}-??????`],
    });
    const combined = grant.combine(secret);
    return this.secret.encryptionKey
      ? combined.combine(grantDecryptVia(grantee, this.secret.encryptionKey, 'secretsmanager'))
      : combined;
  }
}

class PropertyCredentials extends Credentials {
  constructor(
    private readonly properties: CfnSchemaVersionCredentials,
    private readonly parameterArns: string[],
    private readonly secretArns: string[],
    private readonly encryptionKey?: kms.IKey,
  ) {
    super();
  }

  public bind(_scope: IConstruct): CredentialsConfig {
    return { properties: this.properties };
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    if (this.parameterArns.length === 0) {
      // IAM database authentication: nothing to read (SchemaVersion grants rds-db:connect itself).
      return iam.Grant.drop(grantee, 'an IAM database login reads no parameter');
    }
    let grant = iam.Grant.addToPrincipal({ grantee, actions: ['ssm:GetParameter'], resourceArns: this.parameterArns });
    if (this.secretArns.length > 0) {
      grant = grant.combine(
        iam.Grant.addToPrincipal({ grantee, actions: ['secretsmanager:GetSecretValue'], resourceArns: this.secretArns }),
      );
    }
    return this.encryptionKey ? grant.combine(grantDecryptVia(grantee, this.encryptionKey, 'ssm')) : grant;
  }
}

/**
 * kms:Decrypt with the key, only when the service decrypts on the grantee's behalf. On the grantee's policy
 * (key.grantDecrypt with a ViaServicePrincipal adds nothing anywhere for an imported key).
 */
function grantDecryptVia(grantee: iam.IGrantable, key: kms.IKey, service: 'ssm' | 'secretsmanager'): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['kms:Decrypt'],
    resourceArns: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': cdk.Fn.sub(`${service}.\${AWS::Region}.amazonaws.com`) } },
  });
}

/** The ARN of an SSM parameter of this account and region, from its name (with or without a leading /). */
function parameterArn(name: string): string {
  if (cdk.Token.isUnresolved(name)) {
    // A name known only at deploy time: as SSM names its hierarchical parameters, with a leading /.
    return cdk.Fn.sub('arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${Name}', { Name: name });
  }
  const path = name.startsWith('/') ? name.substring(1) : name;
  return cdk.Fn.sub('arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/' + path, {});
}

/** The ARN of a secret of this account and region from its name: Secrets Manager appends 6 characters. */
function secretArnForName(name: string): string {
  return cdk.Fn.sub('arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:' + name + '-??????', {});
}
