/**
 * A patron's open loans as the text commands read them (ITEMS lists them, RENEW picks those due
 * soon): one query of the patron's partition, loans past their fallback expiry left out.
 */
import { isExpired, queryAll, type TableContext } from '#shared/table/documentClient.ts';
import type { ActiveLoan } from '#shared/circulation/loans.ts';
import { patronPartition, PATRON_RECORD } from '#shared/table/keys.ts';

/** An open loan: its id, due date and title (the title shows only where the library enables titles in SMS). */
export interface OpenLoan {
  readonly loanId: string;
  readonly dueAt: string;
  readonly title: string | undefined;
}

export interface OpenLoans {
  /** The patron's open (not returned) loans. */
  list(patronId: string, now: Date): Promise<OpenLoan[]>;
}

export class DynamoOpenLoans implements OpenLoans {
  public constructor(private readonly table: TableContext) {}

  public async list(patronId: string, now: Date): Promise<OpenLoan[]> {
    const items = await queryAll(this.table, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': patronPartition(patronId), ':prefix': PATRON_RECORD.loan },
      ConsistentRead: true,
    });
    return items
      .filter((item) => !isExpired(item, now))
      .map((item) => item.loan as ActiveLoan | undefined)
      .filter((loan): loan is ActiveLoan => loan !== undefined && loan.status === 'active')
      .map((loan) => ({ loanId: loan.loanId, dueAt: loan.dueAt.value, title: loan.title }));
  }
}
