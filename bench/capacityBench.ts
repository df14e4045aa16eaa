/**
 * DynamoDB capacity per event type, counted in capacity units by AWS's rules, and KMS calls per notice.
 *
 * DynamoDB Local does not return ConsumedCapacity, so an SDK middleware on the measured client sees
 * every command and works the units out itself from the item sizes: it reads each touched item before
 * (and, for puts and updates, after) the command through a second, unmeasured client, and sizes items
 * as DynamoDB does (attribute names plus values; numbers 1 byte per 2 digits plus 1; booleans and nulls
 * 1; lists and maps 3 plus 1 per element). Rules applied:
 * - strongly consistent read: 1 RCU per 4 KB of each item (rounded up); eventually consistent: half;
 *   a query rounds the sum of the items it read; a key not found still costs the minimum;
 * - write: 1 WCU per KB (rounded up) of the larger of the item before and after; a delete by the
 *   deleted item's size; a failed conditional write still costs the same;
 * - transactions: every item counts double (2 WCU per KB written, 2 RCU per 4 KB read); a condition
 *   check costs as a transactional write of the checked item's size.
 *
 * The floors (the least a correct design needs, in the same units):
 * - HoldReady with SMS and email: the hold stored once (1 WCU, one item under 1 KB); the notifier reads
 *   the patron's consent and contacts (1 RCU, one strongly consistent read under 4 KB) and, as the
 *   queue carries ids only, the hold (1 RCU); per channel, the claim that makes the notice go out at
 *   most once (1 WCU) and its outcome (1 WCU). Floor: 2 RCU + 5 WCU = 7 units.
 * - A checkout and its return: the loan written at checkout (1 WCU) and its checkout counted in the
 *   day's statistics (1 WCU); at return the patron link removed (1 WCU), the tombstone that absorbs
 *   late events left (1 WCU) and the return counted (1 WCU). Two facts live on items these writes do
 *   not touch, and a condition sees only the item written: the checkout must learn whether the loan
 *   was returned already (its tombstone names no patron, so it cannot share the loan item's
 *   partition): one strongly consistent read (1 RCU) or one write to the tombstone; the return must
 *   learn the patron's checkout-history choice in force, kept in the profile and changed at any time:
 *   one strongly consistent read (1 RCU; a transactional check would cost twice the profile's size).
 *   Floor: 2 RCU + 5 WCU = 7 units (first stated as 0 + 5, which left out both reads).
 * A transaction is not in the floors: a design that reaches its guarantees with single conditional
 * writes pays no transaction premium.
 */
import { benchHoldReady, benchRegistration } from '#bench/benchPatrons.ts';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { buildCirculationService } from '#functions/circulation/app.ts';
import { buildNotifier } from '#functions/notifier/app.ts';
import { fixedClock } from '#shared/clock.ts';
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { EsdkContactCrypto, LocalPhoneBlindIndex, localContactKeyring } from '#shared/contacts/contactCrypto.ts';
import { CountingKeyring } from '#bench/keyringCalls.ts';
import { KeyedNoticeIds, localKeyDerivation } from '#shared/notices/noticeIds.ts';
import { isNoticeRequest, type NotifierMessage } from '#shared/notices/noticeKinds.ts';
import type { EmailSender, SmsSender } from '#shared/notices/senders.ts';
import { tableContext } from '#shared/table/documentClient.ts';
import { LocalMacKey } from '#shared/unsubscribe/macKey.ts';
import { SignedUnsubscribeLinks, UnsubscribeTokens } from '#shared/unsubscribe/unsubscribeToken.ts';

type Item = Record<string, AttributeValue>;
type Key = Record<string, AttributeValue>;

/** Capacity units of one kind of work. */
export interface Units {
  read: number;
  write: number;
}

/** The floors of the module comment, per event. */
export const CAPACITY_FLOORS = {
  'HoldReady (SMS + email)': { read: 2, write: 5 },
  'checkout + return': { read: 2, write: 5 },
} as const satisfies Record<string, Units>;
export type CapacityEvent = keyof typeof CAPACITY_FLOORS;

/** An attribute value's size, by DynamoDB's rules. */
function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined)
    return Math.ceil(value.N.replace(/^-/, '').replace(/\./, '').replace(/^0+/, '').replace(/0+$/, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + 1 + valueSize(element), 0);
  if (value.M !== undefined)
    return 3 + Object.entries(value.M).reduce((sum, [name, element]) => sum + 1 + Buffer.byteLength(name) + valueSize(element), 0);
  if (value.SS !== undefined) return value.SS.reduce((sum, element) => sum + Buffer.byteLength(element), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, element) => sum + valueSize({ N: element }), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, element) => sum + element.byteLength, 0);
  return 0;
}

/** An item's size in bytes: attribute names and values. */
export function itemSize(item: Item | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value), 0);
}

const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
const readUnits = (bytes: number, consistent: boolean) => Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);

interface WriteOp {
  readonly table: string;
  readonly key: Key;
  readonly put?: Item;
}

/**
 * Counts the capacity units of every command sent through the clients it is attached to, into the
 * bucket named at the time ({@link CapacityMeter.during}).
 */
export class CapacityMeter {
  public readonly units = new Map<string, Units>();
  private bucket: string | undefined;

  public constructor(
    /** Reads items before and after a write; never measured. */
    private readonly raw: DynamoDBClient,
    private readonly keyNames: readonly string[] = ['pk', 'sk'],
  ) {}

  /** Runs `work` with its units counted under `name`. */
  public async during<T>(name: string, work: () => Promise<T>): Promise<T> {
    this.bucket = name;
    try {
      return await work();
    } finally {
      this.bucket = undefined;
    }
  }

  public attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = this.bucket;
        if (name === undefined) return next(args);
        const input = args.input as Record<string, unknown>;
        const command = context.commandName ?? '';
        const writes = this.writesOf(command, input);
        const before = await Promise.all(writes.map((op) => this.current(op)));
        let output: Awaited<ReturnType<typeof next>> | undefined;
        let failure: unknown;
        try {
          output = await next(args);
        } catch (error) {
          failure = error;
        }
        const after = await Promise.all(
          writes.map((op, index) => (op.put !== undefined || command.includes('Update') ? this.current(op) : before[index])),
        );
        const add = this.units.get(name) ?? { read: 0, write: 0 };
        const transactional = command === 'TransactWriteItemsCommand' ? 2 : 1;
        for (const [index] of writes.entries())
          add.write += transactional * writeUnits(Math.max(itemSize(before[index]), itemSize(after[index])));
        add.read += this.readsOf(command, input, output?.output as Record<string, unknown> | undefined);
        this.units.set(name, add);
        if (failure !== undefined) throw failure;
        return output!;
      },
      // After the document client has marshalled the input.
      { step: 'build', name: 'capacityMeter' },
    );
  }

  private async current(op: WriteOp): Promise<Item | undefined> {
    const { Item } = await this.raw.send(new GetItemCommand({ TableName: op.table, Key: op.key, ConsistentRead: true }));
    return Item;
  }

  private keyOf(item: Item): Key {
    return Object.fromEntries(this.keyNames.map((name) => [name, item[name]!]));
  }

  /** The items a write command touches (condition checks count as writes of the checked item). */
  private writesOf(command: string, input: Record<string, unknown>): WriteOp[] {
    const table = String(input.TableName ?? '');
    if (command === 'PutItemCommand') return [{ table, key: this.keyOf(input.Item as Item), put: input.Item as Item }];
    if (command === 'UpdateItemCommand' || command === 'DeleteItemCommand') return [{ table, key: input.Key as Key }];
    if (command === 'TransactWriteItemsCommand') {
      return (input.TransactItems as Record<string, { TableName: string; Item?: Item; Key?: Key }>[]).map((entry) => {
        const [kind, op] = Object.entries(entry)[0]!;
        return kind === 'Put' ? { table: op.TableName, key: this.keyOf(op.Item!), put: op.Item! } : { table: op.TableName, key: op.Key! };
      });
    }
    if (command === 'BatchWriteItemCommand') {
      return Object.entries(input.RequestItems as Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Key } }[]>).flatMap(
        ([name, requests]) =>
          requests.map((request) =>
            request.PutRequest
              ? { table: name, key: this.keyOf(request.PutRequest.Item), put: request.PutRequest.Item }
              : { table: name, key: request.DeleteRequest!.Key },
          ),
      );
    }
    return [];
  }

  private readsOf(command: string, input: Record<string, unknown>, output: Record<string, unknown> | undefined): number {
    const consistent = input.ConsistentRead === true;
    if (command === 'GetItemCommand') return readUnits(itemSize(output?.Item as Item | undefined), consistent);
    if (command === 'QueryCommand' || command === 'ScanCommand') {
      const items = (output?.Items as Item[] | undefined) ?? [];
      return readUnits(
        items.reduce((sum, item) => sum + itemSize(item), 0),
        consistent,
      );
    }
    if (command === 'BatchGetItemCommand') {
      const requested = input.RequestItems as Record<string, { Keys: Key[]; ConsistentRead?: boolean }>;
      const found = (output?.Responses as Record<string, Item[]> | undefined) ?? {};
      return Object.entries(requested).reduce((sum, [name, request]) => {
        const items = found[name] ?? [];
        const missing = Math.max(0, request.Keys.length - items.length);
        return (
          sum +
          items.reduce((units, item) => units + readUnits(itemSize(item), request.ConsistentRead === true), 0) +
          missing * readUnits(0, request.ConsistentRead === true)
        );
      }, 0);
    }
    if (command === 'TransactGetItemsCommand') {
      const responses = (output?.Responses as { Item?: Item }[] | undefined) ?? [];
      return responses.reduce((sum, response) => sum + 2 * readUnits(itemSize(response.Item), true), 0);
    }
    return 0;
  }
}

/** What the capacity bench measured. */
export interface CapacityFigures {
  readonly perEvent: Readonly<Record<CapacityEvent, Units>>;
  /** Data keys unwrapped at the contact keyring per notice sent (each one KMS Decrypt call in AWS). */
  readonly kmsCallsPerNotice: number;
  /** Data keys generated at the contact keyring per registration with both channels (KMS GenerateDataKey). */
  readonly kmsCallsPerRegistration: number;
  readonly notices: number;
  readonly repetitions: number;
}

/**
 * Runs `repetitions` HoldReady (both channels) and checkout-and-return pairs for fresh patrons through
 * the real circulation service and notifier, with providers answering at once.
 * @param repetitions @default 20 (`BENCH_CAPACITY_REPETITIONS`; 3 for a quick run)
 */
export async function capacityBench(
  endpoint: string,
  tableName: string,
  config: ConsortiumConfig,
  repetitions = 20,
): Promise<CapacityFigures> {
  const local = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const setup = new DynamoDBClient(local);
  const measured = new DynamoDBClient(local);
  const meter = new CapacityMeter(new DynamoDBClient(local));
  meter.attach(measured);
  const clock = fixedClock('2026-11-04T17:00:00Z');
  const keyring = new CountingKeyring(localContactKeyring(randomBytes(32)));
  const crypto = new EsdkContactCrypto(keyring);
  const queued: NotifierMessage[] = [];
  const queue = { enqueue: async (messages: readonly NotifierMessage[]) => void queued.push(...messages) };
  const services = (client: DynamoDBClient) =>
    buildCirculationService({
      table: tableContext(client, tableName),
      config,
      encrypter: crypto,
      phoneIndex: new LocalPhoneBlindIndex(randomBytes(32)),
      noticeQueue: queue,
      clock,
    });
  const [setupCirculation, circulation] = [services(setup), services(measured)];
  let sent = 0;
  const sms: SmsSender = { send: async () => `sms-${++sent}` };
  const email: EmailSender = { send: async () => `email-${++sent}` };
  const notifier = buildNotifier({
    table: tableContext(measured, tableName),
    config,
    clock,
    decrypter: crypto,
    noticeIds: new KeyedNoticeIds(localKeyDerivation(randomBytes(32))),
    sms,
    email,
    later: queue,
    unsubscribe: new SignedUnsubscribeLinks(new UnsubscribeTokens(new LocalMacKey(randomBytes(32))), 'http://127.0.0.1/unsubscribe'),
  });

  for (let i = 0; i < repetitions; i++) {
    const patronId = `P-capacity-${i}`;
    await setupCirculation.apply(benchRegistration(patronId, i, 2_000_000, 'capacity'));
    queued.length = 0;
    await meter.during('HoldReady (SMS + email)', async () => {
      await circulation.apply(benchHoldReady(patronId, i));
      for (const request of queued.filter(isNoticeRequest)) await notifier.deliver(request);
    });
    await meter.during('checkout + return', async () => {
      await circulation.apply({
        detailType: 'ItemCheckedOut',
        detail: {
          eventId: `out-${i}`,
          occurredAt: '2026-11-04T10:00:00-05:00',
          loanId: `L-${i}`,
          patronId,
          itemId: `I-${i}`,
          title: 'Piranesi',
          materialType: 'book',
          branch: 'riverside-main',
          dueAt: '2026-11-25T23:59:00-05:00',
        },
      });
      await circulation.apply({
        detailType: 'ItemReturned',
        detail: { eventId: `back-${i}`, occurredAt: '2026-11-04T11:00:00-05:00', loanId: `L-${i}`, patronId, branch: 'riverside-main' },
      });
    });
  }
  const perEvent = Object.fromEntries(
    (Object.keys(CAPACITY_FLOORS) as CapacityEvent[]).map((name) => {
      const total = meter.units.get(name) ?? { read: 0, write: 0 };
      return [name, { read: total.read / repetitions, write: total.write / repetitions }];
    }),
  ) as Record<CapacityEvent, Units>;
  const notices = sent;
  const kmsCallsPerNotice = notices === 0 ? 0 : keyring.unwrapped / notices;
  return { perEvent, kmsCallsPerNotice, kmsCallsPerRegistration: keyring.generated / repetitions, notices, repetitions };
}

/** The bench's lines: units per event, the floor and the ratio (total units against the floor's). */
export function capacityLines(figures: CapacityFigures): [string, string][] {
  const lines: [string, string][] = [];
  for (const name of Object.keys(CAPACITY_FLOORS) as CapacityEvent[]) {
    const units = figures.perEvent[name];
    const floor = CAPACITY_FLOORS[name];
    const ratio = (units.read + units.write) / (floor.read + floor.write);
    lines.push([
      `${name} (target at most 1.5x)`,
      `${units.read.toFixed(1)} RCU + ${units.write.toFixed(1)} WCU; floor ${floor.read} + ${floor.write}; ${ratio.toFixed(2)}x`,
    ]);
  }
  // Counted at the contact keyring: a data key the caches serve costs no KMS call. Floor: one unwrap
  // for the two channels of a notice.
  const floor = 0.5;
  lines.push([
    'KMS calls per notice (data keys unwrapped at the keyring; floor 0.50 for two channels)',
    `${figures.kmsCallsPerNotice.toFixed(2)} (${figures.notices} notices); ${(figures.kmsCallsPerNotice / floor).toFixed(2)}x`,
  ]);
  lines.push(['KMS calls per registration with both channels (data keys generated; floor 1)', figures.kmsCallsPerRegistration.toFixed(2)]);
  return lines;
}
