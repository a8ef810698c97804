// Keys, the object bucket, the read-model tables and the bootstrap API key secret, with the
// narrow grants each service needs. No grant here uses a wildcard action or resource on KMS or
// DynamoDB (deploy/test/stack.spec.ts checks the whole template).

import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { Settings } from './settings.js';
import { type AttrDef, dynamoType, TABLES } from './tables.js';

/** Item-level operations DynamoDbReadStore uses (TransactWriteItems is authorized per item). */
const TABLE_DATA_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  // ensureTables: describe, and create what is missing (new read models, replay namespaces).
  'dynamodb:DescribeTable',
  'dynamodb:CreateTable',
];

function attr(a: AttrDef): dynamodb.Attribute {
  return {
    name: a.name,
    type: dynamoType(a) === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
  };
}

export interface DataProps {
  readonly settings: Settings;
}

export class PaystreamData extends Construct {
  /** Envelope encryption of card and bank-account numbers (KMS_KEY_ID). */
  readonly cardDataKey: kms.Key;
  /** SSE-KMS of the object bucket. */
  readonly storageKey: kms.Key;
  readonly bucket: s3.Bucket;
  readonly tables: ReadonlyMap<string, dynamodb.Table>;
  readonly apiKeySecret: secretsmanager.Secret;
  readonly #prefix: string;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    this.#prefix = props.settings.tablePrefix;

    this.cardDataKey = new kms.Key(this, 'CardDataKey', {
      description: 'Paystream: data keys for card and bank-account numbers (envelope encryption)',
      alias: 'alias/paystream-card-data',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      pendingWindow: Duration.days(30),
      // Deleting it makes every stored card and account number unreadable.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.storageKey = new kms.Key(this, 'StorageKey', {
      description: 'Paystream: server-side encryption of NACHA files and audit exports',
      alias: 'alias/paystream-storage',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new s3.Bucket(this, 'Objects', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.storageKey,
      // One KMS request per bucket key instead of one per object.
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const tables = new Map<string, dynamodb.Table>();
    for (const def of TABLES) {
      const table = new dynamodb.Table(this, `Table-${def.name}`, {
        tableName: `${this.#prefix}${def.name}`,
        partitionKey: attr(def.key.pk),
        ...(def.key.sk ? { sortKey: attr(def.key.sk) } : {}),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        ...(def.ttlAttribute ? { timeToLiveAttribute: def.ttlAttribute } : {}),
        removalPolicy: RemovalPolicy.RETAIN,
      });
      for (const ix of def.indexes) {
        table.addGlobalSecondaryIndex({
          indexName: ix.name,
          partitionKey: attr(ix.pk),
          ...(ix.sk ? { sortKey: attr(ix.sk) } : {}),
          // DynamoDbReadStore creates and checks ALL projections.
          projectionType: dynamodb.ProjectionType.ALL,
        });
      }
      tables.set(def.name, table);
    }
    this.tables = tables;

    this.apiKeySecret = new secretsmanager.Secret(this, 'BootstrapApiKey', {
      description: 'Paystream: API key of tenant `default` (PAYSTREAM_API_KEY of ingest)',
      // Letters and digits only: PAYSTREAM_API_KEY must match [A-Za-z0-9_-]{24,128}.
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  #tableArn(suffix: string): string {
    return `arn:${Aws.PARTITION}:dynamodb:${Aws.REGION}:${Aws.ACCOUNT_ID}:table/${this.#prefix}${suffix}`;
  }

  /**
   * Item access and table creation on the tables under the prefix (the deployed ones, and the
   * replay namespaces whose prefix starts with it); deleting tables only with `dropTables`.
   */
  grantTables(grantee: iam.IGrantable, opts: { dropTables: boolean }): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadModelTables',
        actions: opts.dropTables ? [...TABLE_DATA_ACTIONS, 'dynamodb:DeleteTable'] : TABLE_DATA_ACTIONS,
        resources: [this.#tableArn('*'), this.#tableArn('*/index/*')],
      }),
    );
  }

  grantCardData(grantee: iam.IGrantable, ops: { encrypt: boolean; decrypt: boolean }): void {
    const actions = [
      ...(ops.encrypt ? ['kms:GenerateDataKey'] : []),
      ...(ops.decrypt ? ['kms:Decrypt'] : []),
    ];
    if (actions.length === 0) return;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'CardDataKey', actions, resources: [this.cardDataKey.keyArn] }),
    );
  }

  /** Objects (NACHA files, return files, audit exports) under the bucket. */
  grantObjects(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ObjectsList',
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ObjectsReadWrite',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'StorageKey',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.storageKey.keyArn],
      }),
    );
  }
}
