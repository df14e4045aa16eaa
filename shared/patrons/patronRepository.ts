/**
 * DynamoDB adapter for patron profiles and the consent ledger.
 *
 * A profile is written with optimistic concurrency (`version`); the ledger entries of the same change
 * go in the same transaction, so a consent change and its proof are stored together or not at all.
 * Ledger keys are deterministic (time, topic, evidence id): a replayed change writes the same entry.
 */
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConcurrentUpdateError } from '#shared/errors.ts';
import { expiryAfterDays } from '#shared/clock.ts';
import { isConditionFailure, isExpired, type TableContext } from '#shared/table/documentClient.ts';
import { TABLE } from '#shared/table/tableDefinition.ts';
import type { ConsentLedgerEntry, PatronProfile } from '#shared/patrons/patronProfile.ts';

export const patronKey = (patronId: string) => ({ pk: `PATRON#${patronId}`, sk: 'PROFILE' });
const ledgerSortKey = (entry: ConsentLedgerEntry) => `CONSENT#${entry.at}#${entry.topic}#${entry.evidenceId}`;

export interface PatronStore {
  get(patronId: string): Promise<PatronProfile | undefined>;
  /** Stores `profile` if the stored version is still `profile.version`; appends `ledger` in the same transaction. */
  save(profile: PatronProfile, ledger: readonly ConsentLedgerEntry[]): Promise<void>;
  ledger(patronId: string, now: Date): Promise<ConsentLedgerEntry[]>;
}

type ProfileItem = Omit<PatronProfile, 'version'> & { pk: string; sk: string; version: number; phoneIndex?: string };

export class DynamoPatronStore implements PatronStore {
  public constructor(
    private readonly table: TableContext,
    private readonly consentLedgerDays: number,
  ) {}

  public async get(patronId: string): Promise<PatronProfile | undefined> {
    const { Item } = await this.table.doc.send(
      new GetCommand({ TableName: this.table.tableName, Key: patronKey(patronId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const item = Item as ProfileItem;
    return {
      patronId: item.patronId,
      library: item.library,
      language: item.language,
      policyVersion: item.policyVersion,
      consent: item.consent ?? {},
      contacts: item.contacts ?? {},
      version: item.version,
    };
  }

  public async save(profile: PatronProfile, ledger: readonly ConsentLedgerEntry[]): Promise<void> {
    const item: ProfileItem = {
      ...patronKey(profile.patronId),
      kind: 'patron',
      ...profile,
      version: profile.version + 1,
      phoneIndex: profile.contacts.sms?.index,
    } as ProfileItem;
    const condition =
      profile.version === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: '#version = :version', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':version': profile.version } };
    try {
      await this.table.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.table.tableName, Item: item, ...condition } },
            ...ledger.map((entry) => ({
              Put: {
                TableName: this.table.tableName,
                Item: {
                  pk: `PATRON#${entry.patronId}`,
                  sk: ledgerSortKey(entry),
                  kind: 'consent-ledger',
                  ...entry,
                  [TABLE.ttlAttribute]: expiryAfterDays(new Date(entry.at), this.consentLedgerDays),
                },
              },
            })),
          ],
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new ConcurrentUpdateError('patron profile changed concurrently', {
          cause: error,
          context: { patronId: profile.patronId },
        });
      }
      throw error;
    }
  }

  public async ledger(patronId: string, now: Date): Promise<ConsentLedgerEntry[]> {
    const entries: ConsentLedgerEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.table.doc.send(
        new QueryCommand({
          TableName: this.table.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': `PATRON#${patronId}`, ':prefix': 'CONSENT#' },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of page.Items ?? []) {
        if (isExpired(item, now)) continue;
        const { patronId: id, topic, optedIn, source, at, policyVersion, evidenceId } = item as ConsentLedgerEntry;
        entries.push({ patronId: id, topic, optedIn, source, at, policyVersion, evidenceId });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return entries;
  }
}
