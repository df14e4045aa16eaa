/**
 * `npm run costs`: the monthly AWS cost of a consortium of 100,000 patrons, computed from the counts
 * and prices below and printed as the Markdown table of docs/going-live.md. Change a count or a price
 * and run it again; every figure is named here, with the date the prices were taken.
 */

/** Prices in US dollars, us-east-1, as listed on 2026-11-29 (check the AWS pricing pages before budgeting). */
export const PRICES = {
  date: '2026-11-29',
  /** AWS End User Messaging SMS, United States, outbound, per message part (before carrier fees). */
  smsPart: 0.00581,
  /** US carrier pass-through fee per outbound part on a toll-free number (AT&T, T-Mobile, Verizon: $0.0025). */
  smsCarrierFee: 0.0025,
  /** Inbound SMS (patron replies) per part, including the carrier fee. */
  smsInboundPart: 0.0075,
  /** Toll-free origination number, per month. */
  tollFreeNumberMonth: 2.0,
  /** SES outbound email, per 1,000 messages. */
  sesPer1000: 0.1,
  /** EventBridge custom events published, per million. */
  eventBridgePerMillion: 1.0,
  /** SQS standard requests, per million (first million free each month, ignored here). */
  sqsPerMillion: 0.4,
  /** Lambda arm64: per million requests and per GB-second. */
  lambdaPerMillion: 0.2,
  lambdaGbSecond: 0.0000133334,
  /** DynamoDB on-demand: per million write and read request units; storage and PITR per GB-month. */
  dynamoWritePerMillion: 0.625,
  dynamoReadPerMillion: 0.125,
  dynamoStorageGbMonth: 0.25,
  dynamoPitrGbMonth: 0.2,
  /** KMS: per customer-managed key per month; per 10,000 requests. */
  kmsKeyMonth: 1.0,
  kmsPer10k: 0.03,
  /** CloudWatch: per standard alarm per month, per dashboard per month, per GB of logs ingested, per custom metric per month. */
  alarmMonth: 0.1,
  dashboardMonth: 3.0,
  logsIngestGb: 0.5,
  customMetricMonth: 0.3,
  /** SSM Parameter Store standard parameters and their standard-throughput reads: free. */
  parameterMonth: 0,
} as const;

/** Counts for a consortium of 100,000 patrons (assumptions; replace with the ILS's own statistics). */
export const COUNTS = {
  patrons: 100_000,
  /** Patrons with at least one loan or hold in a month. */
  activeShare: 0.4,
  /** Patrons opted in to SMS and to email. */
  smsOptInShare: 0.35,
  emailOptInShare: 0.6,
  /** Notices per active patron per month: hold-ready 0.8, due-soon 1.5, overdue 0.3, hold-expiring 0.2, others 0.1. */
  noticesPerActivePatron: 2.9,
  /** Every notice text fits one SMS part (measured: 100 % of the corpus is GSM-7, one segment). */
  partsPerSms: 1,
  /** Patron replies (STOP, HELP, ...) per SMS sent. */
  repliesPerSms: 0.02,
  /** ILS events a month: checkouts, returns, renewals, holds ready and closed, registrations, fines. */
  ilsEvents: 422_000,
  /** Outbound events (NoticeSent, NoticeFailed, PatronConsentChanged) per notice. */
  outboundEventsPerNotice: 1.05,
  /** SQS requests per message (send, receive, delete; batching makes this an upper bound). */
  sqsRequestsPerMessage: 3,
  /** Measured: DynamoDB requests per notice (npm run bench) and per ILS event (estimate). */
  dynamoReadsPerNotice: 0.5,
  dynamoWritesPerNotice: 2,
  dynamoReadsPerEvent: 2,
  dynamoWritesPerEvent: 3,
  /** Table size: about 2 KB per patron with loans, holds, ledger and 30 days of notice log. */
  tableGb: 0.2,
  /** Lambda: average duration and memory. */
  lambdaMs: 120,
  lambdaGb: 0.25,
  /** KMS requests per notice (decrypt a contact) and per event (encrypt, blind index). */
  kmsPerNotice: 1,
  kmsPerEvent: 0.1,
  kmsKeys: 4,
  /** Alarms of a deployed stage (count of AWS::CloudWatch::Alarm in the synthesized stack). */
  alarms: 38,
  /** Log volume: about 1 KB per invocation. */
  logKbPerInvocation: 1,
  customMetrics: 25,
} as const;

export interface CostLine {
  readonly item: string;
  readonly quantity: string;
  readonly usd: number;
}

/** The cost lines, computed from {@link COUNTS} and {@link PRICES}. */
export function monthlyCost(counts = COUNTS, prices = PRICES): CostLine[] {
  const active = counts.patrons * counts.activeShare;
  const noticeRequests = active * counts.noticesPerActivePatron;
  const sms = noticeRequests * counts.smsOptInShare;
  const email = noticeRequests * counts.emailOptInShare;
  const notices = sms + email;
  const replies = sms * counts.repliesPerSms;
  const invocations = (counts.ilsEvents + noticeRequests + replies) / 5 + (notices * counts.outboundEventsPerNotice) / 20;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  return [
    {
      item: 'SMS notices (AWS fee + carrier fee)',
      quantity: `${fmt(sms * counts.partsPerSms)} parts`,
      usd: sms * counts.partsPerSms * (prices.smsPart + prices.smsCarrierFee),
    },
    { item: 'SMS replies received', quantity: `${fmt(replies)} parts`, usd: replies * prices.smsInboundPart },
    { item: 'Toll-free number', quantity: '1 number', usd: prices.tollFreeNumberMonth },
    { item: 'Email notices (SES)', quantity: `${fmt(email)} emails`, usd: (email / 1000) * prices.sesPer1000 },
    {
      item: 'EventBridge events',
      quantity: `${fmt(counts.ilsEvents + notices * counts.outboundEventsPerNotice)} events`,
      usd: ((counts.ilsEvents + notices * counts.outboundEventsPerNotice) / 1e6) * prices.eventBridgePerMillion,
    },
    {
      item: 'SQS requests',
      quantity: `${fmt((counts.ilsEvents + noticeRequests + replies) * counts.sqsRequestsPerMessage)} requests`,
      usd: (((counts.ilsEvents + noticeRequests + replies) * counts.sqsRequestsPerMessage) / 1e6) * prices.sqsPerMillion,
    },
    {
      item: 'Lambda (arm64, batches of about 5)',
      quantity: `${fmt(invocations)} invocations`,
      usd: (invocations / 1e6) * prices.lambdaPerMillion + invocations * (counts.lambdaMs / 1000) * counts.lambdaGb * prices.lambdaGbSecond,
    },
    {
      item: 'DynamoDB requests (on demand)',
      quantity: `${fmt(notices * counts.dynamoWritesPerNotice + counts.ilsEvents * counts.dynamoWritesPerEvent)} writes`,
      usd:
        ((notices * counts.dynamoWritesPerNotice + counts.ilsEvents * counts.dynamoWritesPerEvent) / 1e6) * prices.dynamoWritePerMillion +
        ((notices * counts.dynamoReadsPerNotice + counts.ilsEvents * counts.dynamoReadsPerEvent) / 1e6) * prices.dynamoReadPerMillion,
    },
    {
      item: 'DynamoDB storage and point-in-time recovery',
      quantity: `${counts.tableGb} GB`,
      usd: counts.tableGb * (prices.dynamoStorageGbMonth + prices.dynamoPitrGbMonth),
    },
    {
      item: 'KMS keys and requests',
      quantity: `${counts.kmsKeys} keys, ${fmt(notices * counts.kmsPerNotice + counts.ilsEvents * counts.kmsPerEvent)} requests`,
      usd:
        counts.kmsKeys * prices.kmsKeyMonth +
        ((notices * counts.kmsPerNotice + counts.ilsEvents * counts.kmsPerEvent) / 10_000) * prices.kmsPer10k,
    },
    {
      item: 'CloudWatch alarms, dashboard, logs, metrics',
      quantity: `${counts.alarms} alarms, 1 dashboard, ${((invocations * counts.logKbPerInvocation) / 1e6).toFixed(2)} GB logs`,
      usd:
        counts.alarms * prices.alarmMonth +
        prices.dashboardMonth +
        ((invocations * counts.logKbPerInvocation) / 1e6) * prices.logsIngestGb +
        counts.customMetrics * prices.customMetricMonth,
    },
    { item: 'Configuration (SSM Parameter Store, standard)', quantity: '61 parameters for 60 libraries', usd: prices.parameterMonth },
  ];
}

/** The Markdown table, with the total. */
export function costTable(lines = monthlyCost()): string {
  const money = (usd: number) => `$${usd.toFixed(2)}`;
  const total = lines.reduce((sum, line) => sum + line.usd, 0);
  return [
    `Monthly cost for ${COUNTS.patrons.toLocaleString('en-US')} patrons (prices of ${PRICES.date}, us-east-1)`,
    '',
    '| item | quantity | US$ / month |',
    '|---|---|---:|',
    ...lines.map((line) => `| ${line.item} | ${line.quantity} | ${money(line.usd)} |`),
    `| **total** | | **${money(total)}** |`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${costTable()}\n`);
