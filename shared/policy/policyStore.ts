/**
 * The consortium's current privacy policy version (from `PrivacyPolicyUpdated`). Consent changes
 * that do not name a policy version are recorded under it. The newest `occurredAt` wins.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DetailOf } from '#shared/events/contract.ts';
import { toUtc } from '#shared/patrons/patronProfile.ts';
import { writeIf, type TableContext } from '#shared/table/documentClient.ts';
import { policyKey } from '#shared/table/keys.ts';

export interface PolicyVersion {
  readonly policyVersion: string;
  readonly summary: { readonly en: string; readonly es?: string | undefined };
  readonly at: string;
  readonly eventId: string;
}

export interface PolicyStore {
  current(): Promise<PolicyVersion | undefined>;
  /** Records a policy update unless a newer one is stored; returns whether it became current. */
  record(event: DetailOf<'PrivacyPolicyUpdated'>): Promise<boolean>;
}

const POLICY_KEY = policyKey;

export class DynamoPolicyStore implements PolicyStore {
  public constructor(private readonly table: TableContext) {}

  public async current(): Promise<PolicyVersion | undefined> {
    const { Item } = await this.table.doc.send(new GetCommand({ TableName: this.table.tableName, Key: POLICY_KEY, ConsistentRead: true }));
    if (!Item) return undefined;
    const { policyVersion, summary, at, eventId } = Item as PolicyVersion;
    return { policyVersion, summary, at, eventId };
  }

  public async record(event: DetailOf<'PrivacyPolicyUpdated'>): Promise<boolean> {
    const at = toUtc(event.occurredAt);
    return writeIf(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { ...POLICY_KEY, kind: 'policy', policyVersion: event.policyVersion, summary: event.summary, at, eventId: event.eventId },
          ConditionExpression: 'attribute_not_exists(pk) OR #at < :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': at },
        }),
      ),
    );
  }
}
