/**
 * The single DynamoDB table of the CIS (see the data model in ARCHITECTURE.md): PK/SK, GSI1 for
 * billing-cycle shards, GSI2 for listings by entity type, TTL on `expiresAt`.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export const TABLE_LOGICAL_ID = 'DataTable';
export const INDEX_NAMES = ['GSI1', 'GSI2'] as const;
export const TTL_ATTRIBUTE = 'expiresAt';

/** Item and index reads (TransactGetItems is authorized through GetItem). */
export const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
/** Item writes (TransactWriteItems is authorized through the actions of its parts). */
export const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

export interface DataTableProps {
  /** CloudFormation deletion protection. */
  readonly deletionProtection: boolean;
}

export class DataTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: DataTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'SK', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: props.deletionProtection,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const indexName of INDEX_NAMES) {
      this.table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: { name: `${indexName}PK`, type: dynamodb.AttributeType.STRING },
        sortKey: { name: `${indexName}SK`, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    (this.table.node.defaultChild as dynamodb.CfnTable).overrideLogicalId(TABLE_LOGICAL_ID);
  }

  get tableName(): string {
    return this.table.tableName;
  }

  /** Read items and query both indexes; no Scan, no writes. */
  grantReadData(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, READ_ACTIONS);
  }

  /** Read, query and write items (including transactions of those operations); no Scan, no table management. */
  grantReadWriteData(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, [...READ_ACTIONS, ...WRITE_ACTIONS]);
  }

  /** Named index ARNs instead of CDK's `index/*`, so grants carry no wildcard. */
  private grant(grantee: iam.IGrantable, actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [this.table.tableArn, ...INDEX_NAMES.map((indexName) => `${this.table.tableArn}/index/${indexName}`)],
    });
  }
}
