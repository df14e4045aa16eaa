/**
 * Event and message factories. Every call makes fresh ids and contacts, so tests sharing the local
 * SES or a table never see each other's data.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { DetailOf, CirculationDetailType } from '#shared/events/contract.ts';
import { loadConfigFile } from '#shared/config/loadConfigFile.ts';

export const testConfig = loadConfigFile();

export const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A fictional North American number in the 555-01xx range, unique enough per test. */
export const phoneNumber = () => `+1555${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
export const emailAddress = () => `${uid('patron')}@example.net`;

export function patronRegistered(overrides: Partial<DetailOf<'PatronRegistered'>> = {}): DetailOf<'PatronRegistered'> {
  return {
    eventId: uid('evt'),
    occurredAt: '2026-11-02T10:00:00-05:00',
    patronId: uid('P'),
    library: 'riverside',
    language: 'en',
    contact: { phone: phoneNumber(), email: emailAddress() },
    consent: { sms: true, email: true, checkoutHistory: false },
    policyVersion: '2026-09',
    ...overrides,
  };
}

export function preferencesChanged(
  patronId: string,
  changes: DetailOf<'PatronPreferencesChanged'>['changes'],
  overrides: Partial<DetailOf<'PatronPreferencesChanged'>> = {},
): DetailOf<'PatronPreferencesChanged'> {
  return { eventId: uid('evt'), occurredAt: '2026-11-03T10:00:00-05:00', patronId, source: 'catalog', changes, ...overrides };
}

/**
 * A pick-up date years ahead (Wed Nov 10, 2032). The sandbox's clock follows the real date, and a hold
 * past its pick-up date is not announced: sandbox tests that expect a hold notice use this.
 */
export const FUTURE_PICKUP_BY = '2032-11-10T20:00:00-05:00';

export function holdReady(patronId: string, overrides: Partial<DetailOf<'HoldReady'>> = {}): DetailOf<'HoldReady'> {
  return {
    eventId: uid('evt'),
    occurredAt: '2026-11-04T09:30:00-05:00',
    holdId: uid('H'),
    patronId,
    title: 'The Left Hand of Darkness',
    pickupBranch: 'riverside-north',
    pickupBy: '2026-11-11T20:00:00-05:00',
    ...overrides,
  };
}

/**
 * A checkout counted on a branch of its own, so a test's statistics are its alone (the fault and
 * write-first tests count them item by item).
 */
export function checkoutOnOwnBranch(patronId: string): DetailOf<'ItemCheckedOut'> {
  return itemCheckedOut(patronId, {
    occurredAt: '2026-11-04T10:00:00-05:00',
    title: 'A title',
    materialType: 'book',
    branch: uid('B'),
    dueAt: '2026-11-25T23:59:00-05:00',
  });
}

/** An open loan's checkout (due in the sandbox week, at the main branch). */
export function itemCheckedOut(patronId: string, overrides: Partial<DetailOf<'ItemCheckedOut'>> = {}): DetailOf<'ItemCheckedOut'> {
  return {
    eventId: uid('co'),
    occurredAt: '2026-11-01T10:00:00-05:00',
    loanId: uid('L'),
    patronId,
    itemId: uid('I'),
    title: 'A Wizard of Earthsea',
    branch: 'riverside-main',
    dueAt: '2026-11-05T23:59:00-05:00',
    ...overrides,
  };
}

/** The ILS's renewal of a loan (no request id: as a desk renewal, or an ILS that does not echo it). */
export function loanRenewed(
  loan: Pick<DetailOf<'ItemCheckedOut'>, 'loanId' | 'patronId'>,
  overrides: Partial<DetailOf<'LoanRenewed'>> = {},
): DetailOf<'LoanRenewed'> {
  return {
    eventId: uid('rn'),
    occurredAt: '2026-11-04T10:01:00-05:00',
    loanId: loan.loanId,
    patronId: loan.patronId,
    dueAt: '2026-11-19T23:59:00-05:00',
    ...overrides,
  };
}

/** A patron's text to the library's number, as the two-way SMS topic delivers it. */
export function inboundSms(from: string, body: string, inboundMessageId: string = randomUUID()) {
  return {
    originationNumber: from,
    destinationNumber: '+18445550100',
    messageKeyword: 'KEYWORD_18445550100',
    messageBody: body,
    inboundMessageId,
    previousPublishedMessageId: randomUUID(),
  };
}

/** An EventBridge event as the bus delivers it to an SQS target. */
export function eventBridgeEvent(detailType: CirculationDetailType | string, detail: unknown, source = 'library.circulation') {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source,
    account: '111122223333',
    time: '2026-11-04T14:30:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

export function sqsRecord(body: unknown): SQSRecord {
  const messageId = randomUUID();
  return {
    messageId,
    receiptHandle: messageId,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1793806200000',
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: '1793806200000',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:bookdrop-test',
    awsRegion: 'us-east-1',
  };
}

export function sqsEvent(...bodies: unknown[]): SQSEvent {
  return { Records: bodies.map(sqsRecord) };
}
