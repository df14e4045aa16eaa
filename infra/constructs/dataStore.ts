/**
 * Bookdrop's DynamoDB table, built from the shared table definition (the same one the sandbox and
 * tests create in DynamoDB Local): keys, the phone blind-index GSI, the TTL attribute and the stream
 * that carries TTL deletions. Encrypted with the data key; point-in-time recovery on, for a short,
 * configured window (recovery copies hold personal data that was deleted).
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { INDEXES, TABLE } from '#shared/table/tableDefinition.ts';

export class DataStore extends Construct {
  public readonly table: dynamodb.Table;

  public constructor(scope: Construct, id: string, props: { readonly key: kms.IKey; readonly pointInTimeRecoveryDays: number }) {
    super(scope, id);
    // Table (not TableV2): a customer-managed key keeps the stack region-agnostic, so synth needs no account.
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE.ttlAttribute,
      stream: dynamodb.StreamViewType[TABLE.streamView],
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: props.pointInTimeRecoveryDays },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const noBackupPlan =
      'Deliberate: the privacy policy breaks patron links as soon as possible, and an AWS Backup copy would keep deleted patrons for ' +
      "the plan's retention. Point-in-time recovery covers operator error for a short configured window instead.";
    Validations.of(this.table).acknowledge(
      { id: 'NIST.800.53.R5::NIST.800.53.R5-DynamoDBInBackupPlan', reason: noBackupPlan },
      { id: 'HIPAA.Security::HIPAA.Security-DynamoDBInBackupPlan', reason: noBackupPlan },
    );
    for (const index of INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        ...(index.sortKey ? { sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING } } : {}),
        projectionType: dynamodb.ProjectionType[index.projection],
        ...(index.include ? { nonKeyAttributes: [...index.include] } : {}),
      });
    }
  }
}
