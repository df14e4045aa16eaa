/**
 * The library consortium's configuration: member libraries and their branding, time zone, notice
 * timings, quiet hours and retention. One schema, validated once, shared by the CDK app (which passes
 * it to every function) and by the local sandbox.
 */
import * as z from 'zod/mini';
import { ConfigurationError } from '#shared/errors.ts';
import { describeIssues } from '#shared/events/issues.ts';
import { isGsm7 } from '#shared/notices/gsm7Alphabet.ts';
import { MAX_SMS_PARTS_PER_SECOND, ORIGINATION_DEFAULT_PARTS_PER_SECOND, type OriginationType } from '#shared/notices/broadcastRate.ts';

const ORIGINATION_TYPES = Object.keys(ORIGINATION_DEFAULT_PARTS_PER_SECOND) as [OriginationType, ...OriginationType[]];

const e164 = z.string().check(z.regex(/^\+[1-9]\d{7,14}$/, { error: 'must be an E.164 phone number' }));
const clockTime = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a 24-hour time HH:MM' }));
const positiveInt = z.int().check(z.positive({ error: 'must be a positive integer' }));
const roleArn = z.string().check(z.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, { error: 'must be an IAM role ARN' }));
/**
 * A library or branch id exactly as the ILS sends it (Koha's branch codes are upper case, e.g. `MPL`):
 * letters, digits, dots, dashes and underscores; events must use the same spelling (exact match).
 */
const ilsCode = z
  .string()
  .check(
    z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'must be the ILS code: 1 to 64 letters, digits, dots, dashes or underscores' }),
  );

const SMS_NAME_RULE = 'must use only the GSM-7 alphabet and contain a letter (it names the library in every SMS)';

/** A name an SMS can carry as it is: GSM-7 only, with at least one letter (not all digits or symbols). */
function isSmsName(name: string): boolean {
  return isGsm7(name) && !/[\r\n]/.test(name) && /\p{L}/u.test(name);
}

const branding = z.strictObject({
  /** Full name, used in email. */
  name: z.string().check(z.minLength(1)),
  /** Short name for SMS (one segment is 160 characters): GSM-7 with a letter; defaults to `name`. */
  shortName: z.optional(z.string().check(z.minLength(1), z.maxLength(24), z.refine(isSmsName, { error: SMS_NAME_RULE }))),
  /** Verified SES identity the library's email notices are sent from. */
  senderEmail: z.email({ error: 'must be an email address' }),
  /** Phone number patrons can call for help; appears in HELP replies. */
  supportPhone: e164,
});

/** When scheduled notices go out; a member library may override any of them. */
const timings = {
  dueSoonDaysBefore: positiveInt,
  overdueDaysAfter: z.array(positiveInt),
  holdExpiringDaysBefore: positiveInt,
};

/** How a reply to a shared number labels each patron's line (shared/sms/smsCommands.ts). */
const patronLabel = z.enum(['initial', 'card-suffix'], { error: 'must be "initial" or "card-suffix"' });

const library = z.extend(branding, {
  id: ilsCode,
  branches: z.array(z.strictObject({ id: ilsCode, name: z.string().check(z.minLength(1)) })),
  /** This library's own timings; the consortium's where absent. */
  notices: z.optional(z.partial(z.strictObject(timings))),
  /** This library's own text-command choices; the consortium's (`sms.commands`) where absent. */
  sms: z.optional(z.strictObject({ commands: z.optional(z.strictObject({ patronLabel: z.optional(patronLabel) })) })),
});

const phrase = z.object({ en: z.string().check(z.minLength(1)), es: z.optional(z.string().check(z.minLength(1))) });

/** A third-party vendor that receives patron data, for the published privacy chart. */
const vendor = z.object({
  name: z.string().check(z.minLength(1)),
  /** What the vendor does for Bookdrop. */
  service: phrase,
  /** What the vendor keeps, and for how long, in words for patrons. */
  dataRetained: phrase,
  /** The vendor's privacy policy. */
  policyUrl: z.url({ protocol: /^https$/, error: 'must be an https URL' }),
});

export const consortiumConfigSchema = z.strictObject({
  /** The consortium's own branding, used when an event names a library the configuration does not know. */
  consortium: branding,
  /** IANA time zone for schedules, quiet hours and dates in notices. */
  timeZone: z.string().check(
    z.refine((zone) => isTimeZone(zone), {
      error: 'must be an IANA time zone such as America/New_York, not an abbreviation such as EST',
    }),
  ),
  libraries: z.array(library).check(z.minLength(1, { error: 'must list at least one member library' })),
  events: z.strictObject({
    /** `source` of inbound circulation events. */
    source: z.string().check(z.minLength(1)),
    /**
     * IAM roles of other accounts allowed to put circulation events on the bus (this account's own
     * identities need only IAM). Roles, not account ids: the bus never trusts a whole account.
     */
    publisherRoleArns: z.array(roleArn),
  }),
  notices: z.strictObject({
    ...timings,
    quietHours: z.strictObject({ start: clockTime, end: clockTime }).check(
      z.refine((hours) => hours.start !== hours.end, {
        error: 'start and end must differ (equal times would mean no quiet hours or all day)',
      }),
    ),
    /** Titles are left out of SMS by default: lock screens are public. */
    smsIncludesTitles: z.boolean(),
  }),
  sms: z.strictObject({
    /** Origination identity (E.164 long code or toll-free number) for SMS; optional in the sandbox. */
    originationNumber: z.optional(e164),
    /** Kind of origination identity (`toll-free`, `10dlc`, `short-code`, `long-code`): what its rate is bounded by. */
    originationType: z.optional(z.enum(ORIGINATION_TYPES, { error: `must be one of ${ORIGINATION_TYPES.join(', ')}` })),
    /** Message parts per second the origination identity allows (1 to 100); the notifier's SMS rate. */
    messagePartsPerSecond: positiveInt.check(z.lte(MAX_SMS_PARTS_PER_SECOND, { error: `must be at most ${MAX_SMS_PARTS_PER_SECOND}` })),
    /** Caps on automatic replies (STOP, START, HELP answers, hints); defaults in `shared/sms/replyCaps.ts`. */
    replies: z.optional(
      z.object({
        /** Replies per number and library day. @default 5 */
        perNumberPerDay: z.optional(positiveInt),
        /** Replies per day to a number outside `countryCodes`. @default 1 */
        perForeignNumberPerDay: z.optional(positiveInt),
        /** Country calling codes of the consortium's patrons. @default ["+1"] */
        countryCodes: z.optional(
          z.array(z.string().check(z.regex(/^\+[1-9]\d{0,2}$/, { error: 'must be a country calling code such as "+1"' }))),
        ),
      }),
    ),
    /**
     * ISO 3166 country (e.g. `US`) of phone numbers written without a country code, as ILS exports
     * often hold them; the patron import normalizes them to E.164 with it.
     */
    defaultCountry: z.optional(z.string().check(z.regex(/^[A-Z]{2}$/, { error: 'must be an ISO 3166 country code such as "US"' }))),
    /**
     * ARN of the origination identity (phone number) whose two-way SMS goes to the inbound topic, e.g.
     * `arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-0123`. Only it may publish there;
     * without it, any phone number of this account may.
     */
    originationIdentityArn: z.optional(
      z.string().check(
        z.regex(/^arn:aws[a-z-]*:sms-voice:[a-z0-9-]+:\d{12}:phone-number\/\S+$/, {
          error: 'must be an AWS End User Messaging SMS phone-number ARN',
        }),
      ),
    ),
    /** Text commands RENEW, RENEW ALL and ITEMS (docs/sms-commands.md); defaults in `shared/sms/smsCommands.ts`. */
    commands: z.optional(
      z.object({
        /** Whether opted-in numbers may use the commands. @default true */
        enabled: z.optional(z.boolean()),
        /** RENEW renews the loans due within this many days. @default 3 */
        renewWithinDays: z.optional(positiveInt),
        /** How long the ILS has to answer a renewal before the patron is told it did not. @default 120 */
        ilsAnswerSeconds: z.optional(z.int().check(z.gte(10), z.lte(900, { error: 'must be 10 to 900 seconds (the longest SQS delay)' }))),
        /** How a reply tells the patrons on one number apart: first initial (the card for one without) or the card. @default "card-suffix" */
        patronLabel: z.optional(patronLabel),
        /** The online catalog's account page, named when ITEMS has more loans than 3 segments hold. */
        catalogUrl: z.optional(z.url({ protocol: /^https$/, error: 'must be an https URL' })),
      }),
    ),
  }),
  /** Email throughput: the maximum send rate SES allows the account (14 a second is a common production start). */
  email: z._default(z.strictObject({ messagesPerSecond: positiveInt }), { messagesPerSecond: 14 }),
  retention: z.strictObject({
    checkoutHistoryDays: positiveInt,
    noticeLogDays: positiveInt,
    inboundSmsLogDays: positiveInt,
    consentLedgerDays: positiveInt,
    /**
     * Fallback expiries of records whose closing event never arrives, so no patron-item link is kept
     * forever: an open loan `openLoanDays` after its due date (or after its return, when kept for a
     * fine), a ready hold `openHoldDays` after its pick-up date, an unresolved fine `openFineDays`
     * after its assessment.
     * @default 365, 30 and 730
     */
    openLoanDays: z._default(positiveInt, 365),
    openHoldDays: z._default(positiveInt, 30),
    openFineDays: z._default(positiveInt, 730),
    /** How long a dead-letter queue keeps what failed (SQS allows 1 to 14): short, it can hold ILS events with contacts. @default 4 */
    deadLetterDays: z._default(z.int().check(z.gte(1), z.lte(14, { error: 'must be 1 to 14 days (SQS limit)' })), 4),
    /** Point-in-time recovery window of the table (DynamoDB allows 1 to 35): short, restore points hold deleted patrons. @default 7 */
    pointInTimeRecoveryDays: z._default(z.int().check(z.gte(1), z.lte(35, { error: 'must be 1 to 35 days (DynamoDB limit)' })), 7),
  }),
  /** Third-party vendors listed beside Bookdrop's own records in the privacy chart. */
  vendors: z.optional(z.array(vendor)),
  /** Who besides the notifier may decrypt contacts. */
  privacy: z.optional(
    z.object({
      /** IAM role of the privacy officer: may decrypt contacts for the patron data report. */
      officerRoleArn: z.optional(roleArn),
    }),
  ),
});

export type ConsortiumConfig = z.infer<typeof consortiumConfigSchema>;

export type LibraryConfig = ConsortiumConfig['libraries'][number];
export type Branding = z.infer<typeof branding>;
export type VendorConfig = z.infer<typeof vendor>;

let canonicalZones: ReadonlySet<string> | undefined;

/**
 * True for an IANA time zone. Every function parses the configuration at start, so the usual case
 * (a canonical zone) is a lookup in the runtime's list; only an alias (e.g. `US/Eastern`) builds a
 * formatter, whose locale and calendar set-up costs about 20 ms of cold start.
 */
function isTimeZone(zone: string): boolean {
  // Intl accepts abbreviations (EST) and POSIX-style zones (EST5EDT): they ignore local daylight rules.
  if (zone !== 'UTC' && !/^[A-Z][A-Za-z_-]+(\/[A-Za-z0-9_+-]+)+$/.test(zone)) return false;
  canonicalZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (canonicalZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Validates a configuration object; throws a {@link ConfigurationError} naming every bad field.
 * Library ids must be unique.
 */
export function parseConsortiumConfig(input: unknown): ConsortiumConfig {
  const result = consortiumConfigSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigurationError(
      `invalid consortium configuration: ${describeIssues(result.error.issues, 'config')
        .map((issue) => `${issue.field} ${issue.rule}`)
        .join('; ')}`,
    );
  }
  // Without a short name, SMS carry the full name: it must then follow the short name's rule.
  const unnamed = [
    ['config.consortium', result.data.consortium] as const,
    ...result.data.libraries.map((lib, index) => [`config.libraries.${index}`, lib] as const),
  ].find(([, brand]) => brand.shortName === undefined && !isSmsName(brand.name));
  if (unnamed !== undefined) {
    throw new ConfigurationError(`invalid consortium configuration: ${unnamed[0]}.shortName is required: name ${SMS_NAME_RULE}`);
  }
  const ids = result.data.libraries.map((lib) => lib.id);
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate !== undefined) {
    throw new ConfigurationError(`invalid consortium configuration: config.libraries has two libraries with id ${duplicate}`);
  }
  // Events name a branch without its library, so a branch id must be unique across the consortium.
  const owners = new Map<string, string>();
  for (const lib of result.data.libraries) {
    for (const branch of lib.branches) {
      const owner = owners.get(branch.id);
      if (owner !== undefined) {
        const where = owner === lib.id ? `twice in library ${lib.id}` : `in libraries ${owner} and ${lib.id}`;
        throw new ConfigurationError(
          `invalid consortium configuration: branch id ${branch.id} is used ${where}; branch ids must be unique`,
        );
      }
      owners.set(branch.id, lib.id);
    }
  }
  return result.data;
}

/**
 * The configuration the functions run with: everything but the vendors, which only the privacy chart
 * reads (the configuration travels in a Lambda environment variable, and those share 4 KB).
 */
export function functionConfig(config: ConsortiumConfig): ConsortiumConfig {
  const { vendors: _vendors, ...rest } = config;
  return rest;
}

/** What a notice needs to speak in a member library's name. */
export interface ResolvedBranding extends Branding {
  /** The library id the branding belongs to, or `undefined` for the consortium's own. */
  readonly libraryId: string | undefined;
  readonly shortName: string;
}

/**
 * The branding for a member library id. An unknown or missing id falls back to the consortium's
 * branding (`known: false`) so the caller can report the gap; it is never an error.
 */
export function brandingFor(
  config: ConsortiumConfig,
  libraryId: string | undefined,
): {
  branding: ResolvedBranding;
  known: boolean;
} {
  const lib = libraryById(config, libraryId);
  const source = lib ?? config.consortium;
  return {
    branding: { ...source, shortName: source.shortName ?? source.name, libraryId: lib?.id },
    known: lib !== undefined,
  };
}

/** A member library by its id; undefined for no id or one the configuration does not list. */
export function libraryById(config: ConsortiumConfig, libraryId: string | undefined): ConsortiumConfig['libraries'][number] | undefined {
  return libraryId === undefined ? undefined : config.libraries.find((candidate) => candidate.id === libraryId);
}

/** The display name of a branch, or its id when the configuration does not list it. */
export function branchName(config: ConsortiumConfig, branchId: string): string {
  for (const lib of config.libraries) {
    const branch = lib.branches.find((candidate) => candidate.id === branchId);
    if (branch) return branch.name;
  }
  return branchId;
}

export interface NoticeTimings {
  readonly dueSoonDaysBefore: number;
  readonly overdueDaysAfter: readonly number[];
  readonly holdExpiringDaysBefore: number;
}

/** The scheduled-notice timings of a member library (the consortium's for an unknown one). */
export function timingsFor(config: ConsortiumConfig, libraryId: string | undefined): NoticeTimings {
  const own = libraryById(config, libraryId)?.notices ?? {};
  const { dueSoonDaysBefore, overdueDaysAfter, holdExpiringDaysBefore } = config.notices;
  return {
    dueSoonDaysBefore: own.dueSoonDaysBefore ?? dueSoonDaysBefore,
    overdueDaysAfter: own.overdueDaysAfter ?? overdueDaysAfter,
    holdExpiringDaysBefore: own.holdExpiringDaysBefore ?? holdExpiringDaysBefore,
  };
}

/** The member library a branch belongs to, if the configuration lists it. */
export function libraryOfBranch(config: ConsortiumConfig, branchId: string | undefined): string | undefined {
  return config.libraries.find((lib) => lib.branches.some((branch) => branch.id === branchId))?.id;
}
