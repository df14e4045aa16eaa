/**
 * The record inventory: every kind of item Bookdrop stores in its table, with the key it is stored
 * under, its attributes (personal or not), why it exists and how long it lives. The privacy chart is
 * rendered from it, and drift tests hold it to the code: every key the code spells, every attribute
 * and every expiry the code writes, and the patron data report.
 */
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { STATISTICS_COUNT_EXTRA_DAYS, TOMBSTONE_DAYS } from '#shared/circulation/circulationStore.ts';
import { DEFAULT_TOLERANCE_SECONDS } from '#shared/ilsBridge/webhookSignature.ts';
import type { FunctionName } from '#shared/privacy/functionAccess.ts';
import { RENEWAL_RECORD_EXTRA_DAYS } from '#shared/sms/renewalRequests.ts';
import {
  fanOutPageKey,
  fineKey,
  fineTombstoneKey,
  historyKey,
  holdKey,
  holdTombstoneKey,
  ilsFeedHeadKey,
  ilsFeedLoanKey,
  inboundKey,
  ledgerKey,
  loanKey,
  loanTombstoneKey,
  noticeItemKey,
  patronKey,
  policyKey,
  purgeJournalKey,
  purgeMarkKey,
  smsRepliesKey,
  renewalRequestKey,
  renewingLoanKey,
  statisticsCountKey,
  statisticsTotalKey,
  sweepPageKey,
  webhookSignatureKey,
  type ItemKey,
} from '#shared/table/keys.ts';

/** The chart's languages: those of the notices. */
export const CHART_LANGUAGES = ['en', 'es'] as const;
export type ChartLanguage = (typeof CHART_LANGUAGES)[number];

/** A phrase in every chart language. */
export type Text = Readonly<Record<ChartLanguage, string>>;

/** A retention setting of the configuration (`retention.<setting>`), in days. */
export type RetentionSetting = keyof ConsortiumConfig['retention'];

/** A number of days: a configuration setting, or a constant of the code that writes the record. */
export type RetentionDays = { readonly setting: RetentionSetting; readonly plus?: number } | { readonly fixed: number };

/** A DynamoDB TTL expiry: `days` after `after`. */
export interface Expiry {
  readonly days: RetentionDays;
  readonly after: Text;
}

/**
 * How long a record lives. `until`: the event that deletes it. `expiries`: DynamoDB TTL, one of them
 * applies to each item (e.g. an open loan's, or a returned loan kept for a fine). Neither: kept until
 * the deployment is removed.
 */
export interface Retention {
  readonly until?: Text;
  readonly expiries?: readonly Expiry[];
}

/**
 * How a record relates to a patron. `patron`: its key holds the patron id, it lives in the patron's
 * partition and the patron data report lists it. `patron-attribute`: it holds a patron id outside the
 * patron's partition (the patron data report does not list it). `phone`: keyed by the phone number's blind index (a
 * keyed hash). `none`: no patron, phone or email can be derived from it.
 */
export type PatronLink = 'patron' | 'patron-attribute' | 'phone' | 'none';

/** Sections of the patron data report (shared/patrons/patronReport.ts). */
export type PatronReportSection = 'profile' | 'ledger' | 'holds' | 'loans' | 'fines' | 'history' | 'notices' | 'renewals';

export interface RecordKind {
  /** The `kind` attribute the code writes on the item. */
  readonly kind: string;
  /** Key patterns: literal text and `<placeholders>`, built with the key builders of shared/table/keys.ts. */
  readonly key: ItemKey;
  readonly name: Text;
  readonly purpose: Text;
  /** What personal data it holds, in words; absent when it holds none. */
  readonly personalData?: Text;
  readonly link: PatronLink;
  /** Where the patron data report lists it; required for `link: 'patron'`. */
  readonly reportSection?: PatronReportSection;
  /**
   * Every attribute the code may write besides pk, sk, kind and the TTL attribute. `personal`: data
   * about a patron or their reading (identifiers, contacts, titles, items, dates of their activity).
   */
  readonly attributes: { readonly personal: readonly string[]; readonly other: readonly string[] };
  /** Attributes encrypted with the contact key (only their decrypters can read them). */
  readonly encrypted?: readonly string[];
  /** Functions whose input messages carry this record's data before it is stored. */
  readonly arrivesVia?: readonly FunctionName[];
  readonly retention: Retention;
  /** True for the operational bookkeeping records the chart lists apart from patron data. */
  readonly bookkeeping?: boolean;
}

/** A tombstone's key pattern: its hashed id as a placeholder. */
const hashed = (key: ItemKey, placeholder: string): ItemKey => ({ pk: key.pk.replace(/#.*$/, `#${placeholder}`), sk: key.sk });
const eventCounted = (key: ItemKey): ItemKey => ({ pk: key.pk, sk: key.sk.replace(/#[^#]*$/, '#<hash(eventId)>') });
/** A paged job's key pattern: shard and cursor as placeholders. */
const paged = (key: ItemKey): ItemKey => ({ pk: key.pk, sk: '<shard>#<cursor>' });

/** Bookdrop's record kinds. Adding a record kind to the code without an entry here fails the drift tests. */
export const RECORD_KINDS: readonly RecordKind[] = [
  {
    kind: 'patron',
    key: patronKey('<patronId>'),
    name: { en: 'Patron profile', es: 'Perfil del usuario' },
    purpose: {
      en: 'Send the notices the patron opted in to, in their language, from their library',
      es: 'Enviar los avisos que el usuario aceptó, en su idioma, en nombre de su biblioteca',
    },
    personalData: {
      en: 'Patron id, phone number and email address (encrypted), a keyed hash of the phone number, consent choices, language, library, first initial if the library system sends one (never the name: it labels family members in replies to a shared number)',
      es: 'Identificador del usuario, teléfono y correo electrónico (cifrados), un hash con clave del teléfono, consentimientos, idioma, biblioteca, inicial del nombre si el sistema de la biblioteca la envía (nunca el nombre: distingue a los miembros de una familia en las respuestas a un número compartido)',
    },
    link: 'patron',
    reportSection: 'profile',
    attributes: {
      personal: [
        'patronId',
        'contacts',
        'phoneIndex',
        'consent',
        'suppression',
        'language',
        'library',
        'initial',
        'audienceKey',
        'closedAt',
      ],
      other: ['policyVersion', 'audience', 'version'],
    },
    encrypted: ['contacts'],
    arrivesVia: ['circulation', 'inbound-sms', 'email-feedback'],
    retention: {
      until: {
        en: 'Contacts, consent and the initial are deleted when the account is closed',
        es: 'Los contactos, consentimientos y la inicial se borran al cerrar la cuenta',
      },
      expiries: [
        {
          days: { setting: 'consentLedgerDays' },
          after: {
            en: 'the account is closed (a marker without contacts)',
            es: 'el cierre de la cuenta (una marca sin contactos)',
          },
        },
      ],
    },
  },
  {
    kind: 'consent-ledger',
    key: ledgerKey('<patronId>', { at: '<at>', topic: '<topic>', evidenceId: '<evidenceId>' }),
    name: { en: 'Consent history', es: 'Historial de consentimientos' },
    purpose: {
      en: 'Prove when and how the patron opted in or out (never a phone number or email address)',
      es: 'Demostrar cuándo y cómo el usuario aceptó o rechazó los avisos (nunca un teléfono ni un correo)',
    },
    personalData: {
      en: 'Patron id, each consent choice, its source and time',
      es: 'Identificador del usuario, cada decisión de consentimiento, su origen y su hora',
    },
    link: 'patron',
    reportSection: 'ledger',
    attributes: {
      personal: ['patronId', 'topic', 'optedIn', 'suppressed', 'source', 'at', 'evidenceId'],
      other: ['effective', 'policyVersion'],
    },
    arrivesVia: ['circulation', 'inbound-sms', 'email-feedback'],
    retention: { expiries: [{ days: { setting: 'consentLedgerDays' }, after: { en: 'the change', es: 'el cambio' } }] },
  },
  {
    kind: 'hold',
    key: holdKey('<patronId>', '<holdId>'),
    name: { en: 'Hold ready for pick-up', es: 'Reserva lista para recoger' },
    purpose: {
      en: 'Tell the patron a hold is ready and remind them before it expires',
      es: 'Avisar de que una reserva está lista y recordarla antes de que caduque',
    },
    personalData: {
      en: 'Patron id, title, pick-up branch and date',
      es: 'Identificador del usuario, título, sucursal y fecha de recogida',
    },
    link: 'patron',
    reportSection: 'holds',
    attributes: {
      personal: ['patronId', 'holdId', 'title', 'pickupBranch', 'pickupBy', 'readyAt', 'sweepSort'],
      other: ['status', 'sweepKey'],
    },
    arrivesVia: ['circulation', 'notifier'],
    retention: {
      until: {
        en: 'Deleted when the hold is picked up, cancelled or expires',
        es: 'Se borra cuando la reserva se recoge, se cancela o caduca',
      },
      expiries: [
        {
          days: { setting: 'openHoldDays' },
          after: {
            en: 'the pick-up date, if the closing never arrives',
            es: 'la fecha de recogida, si el cierre nunca llega',
          },
        },
      ],
    },
  },
  {
    kind: 'loan',
    key: loanKey('<patronId>', '<loanId>'),
    name: { en: 'Open loan', es: 'Préstamo abierto' },
    purpose: {
      en: 'Send due-date reminders and overdue notices; complete the return of borrowed items',
      es: 'Enviar recordatorios de vencimiento y avisos de retraso; completar la devolución',
    },
    personalData: {
      en: 'Patron id, item, title, checkout and due dates',
      es: 'Identificador del usuario, ejemplar, título, fechas de préstamo y de vencimiento',
    },
    link: 'patron',
    reportSection: 'loans',
    attributes: {
      personal: ['patronId', 'loanId', 'loan', 'pendingDueAt', 'sweepSort'],
      other: ['dimensions', 'counted', 'pending', 'sweepKey', 'version'],
    },
    arrivesVia: ['circulation', 'notifier'],
    retention: {
      until: {
        en: 'The link to the patron is deleted at the return, or when the fine that refers to the loan is resolved',
        es: 'El vínculo con el usuario se borra en la devolución, o cuando se resuelve la multa que se refiere al préstamo',
      },
      expiries: [
        {
          days: { setting: 'openLoanDays' },
          after: { en: 'the due date, if the return never arrives', es: 'la fecha de vencimiento, si la devolución nunca llega' },
        },
        {
          days: { setting: 'openFineDays' },
          after: {
            en: 'the return, for a loan kept for a fine that is never resolved',
            es: 'la devolución, para un préstamo guardado por una multa que nunca se resuelve',
          },
        },
      ],
    },
  },
  {
    kind: 'fine',
    key: fineKey('<patronId>', '<fineId>'),
    name: { en: 'Unresolved fine or fee', es: 'Multa o cargo pendiente' },
    purpose: {
      en: 'Tell the patron about a fine; keep the loan link a debt needs',
      es: 'Avisar de una multa; conservar el vínculo con el préstamo que requiere la deuda',
    },
    personalData: { en: 'Patron id, amount, currency, reason, loan', es: 'Identificador del usuario, importe, moneda, motivo, préstamo' },
    link: 'patron',
    reportSection: 'fines',
    attributes: {
      personal: ['patronId', 'fineId', 'loanId', 'amount', 'currency', 'reason', 'assessedAt'],
      other: ['eventId'],
    },
    arrivesVia: ['circulation', 'notifier'],
    retention: {
      until: { en: 'Deleted when the fine is paid or waived', es: 'Se borra cuando la multa se paga o se condona' },
      expiries: [
        {
          days: { setting: 'openFineDays' },
          after: {
            en: 'the fine, if its resolution never arrives',
            es: 'la multa, si su resolución nunca llega',
          },
        },
      ],
    },
  },
  {
    kind: 'history',
    key: historyKey('<patronId>', '<returnedAt>', '<loanId>'),
    name: { en: 'Checkout history (opt-in)', es: 'Historial de préstamos (opcional)' },
    purpose: {
      en: 'Keep the reading history the patron asked to keep',
      es: 'Guardar el historial de lectura que el usuario pidió guardar',
    },
    personalData: {
      en: 'Patron id, item, title, material type, checkout and return dates',
      es: 'Identificador del usuario, ejemplar, título, tipo de material, fechas de préstamo y devolución',
    },
    link: 'patron',
    reportSection: 'history',
    attributes: {
      personal: ['patronId', 'loanId', 'itemId', 'title', 'materialType', 'checkedOutAt', 'returnedAt'],
      other: [],
    },
    arrivesVia: ['circulation'],
    retention: {
      until: {
        en: 'All deleted at once when the patron turns history off or closes the account',
        es: 'Se borra todo a la vez cuando el usuario desactiva el historial o cierra la cuenta',
      },
      expiries: [{ days: { setting: 'checkoutHistoryDays' }, after: { en: 'the return', es: 'la devolución' } }],
    },
  },
  {
    kind: 'notice',
    key: noticeItemKey('<patronId>', '<noticeKey>'),
    name: { en: 'Notice log', es: 'Registro de avisos' },
    purpose: {
      en: 'Send each notice once and record its delivery (no message text, no contact)',
      es: 'Enviar cada aviso una sola vez y registrar su entrega (sin el texto ni el contacto)',
    },
    personalData: {
      en: 'Patron id, notice kind, channel, delivery status and time',
      es: 'Identificador del usuario, tipo de aviso, canal, estado y hora de la entrega',
    },
    link: 'patron',
    reportSection: 'notices',
    attributes: {
      personal: ['patronId', 'noticeId', 'noticeKind', 'channel', 'contactAt', 'claimedAt', 'finishedAt', 'providerMessageId'],
      other: ['status', 'leaseUntil', 'reason', 'transientBounces', 'transientFeedbackIds'],
    },
    arrivesVia: ['notifier', 'email-feedback'],
    retention: { expiries: [{ days: { setting: 'noticeLogDays' }, after: { en: 'the notice', es: 'el aviso' } }] },
  },
  {
    kind: 'inbound-sms',
    key: inboundKey('<inboundMessageId>'),
    name: { en: 'Inbound SMS log', es: 'Registro de SMS recibidos' },
    purpose: {
      en: 'Apply each STOP, START or HELP reply once; it holds the keyword and outcome, never the text or the number',
      es: 'Aplicar cada respuesta STOP, START o HELP una sola vez; guarda la palabra clave y el resultado, nunca el texto ni el número',
    },
    personalData: {
      en: 'The SMS provider’s message id, the reply’s keyword and outcome (never the number or the text)',
      es: 'El identificador del mensaje del proveedor de SMS, la palabra clave y el resultado (nunca el número ni el texto)',
    },
    link: 'none',
    attributes: {
      personal: [],
      other: ['inboundMessageId', 'keyword', 'at', 'status', 'replyClaimed', 'patrons', 'changed', 'replied', 'optOutList', 'command'],
    },
    arrivesVia: ['inbound-sms'],
    retention: { expiries: [{ days: { setting: 'inboundSmsLogDays' }, after: { en: 'the message', es: 'el mensaje' } }] },
  },
  {
    kind: 'sms-replies',
    key: smsRepliesKey('<phoneIndex>', '<day>'),
    name: { en: 'Daily SMS reply counter', es: 'Contador diario de respuestas por SMS' },
    purpose: {
      en: 'Cap the automatic replies to a number each day (one STOP confirmation and one hint a day)',
      es: 'Limitar las respuestas automáticas a un número cada día (una confirmación de STOP y una sugerencia al día)',
    },
    personalData: { en: 'A keyed hash of the phone number and the day', es: 'Un hash con clave del número de teléfono y el día' },
    link: 'phone',
    attributes: { personal: [], other: ['replies', 'purposes'] },
    arrivesVia: ['inbound-sms'],
    retention: { expiries: [{ days: { fixed: 2 }, after: { en: 'the first reply of the day', es: 'la primera respuesta del día' } }] },
  },
  {
    kind: 'renewal-request',
    key: renewalRequestKey('<requestId>'),
    name: { en: 'Renewal request by text', es: 'Solicitud de renovación por SMS' },
    purpose: {
      en: 'Reply once to a RENEW text with what the library system renewed, or say it did not answer',
      es: 'Responder una sola vez a un SMS RENOVAR con lo que el sistema de la biblioteca renovó, o avisar que no respondió',
    },
    personalData: {
      en: 'Patron ids, loan ids, their new due dates or refusal reasons, and the reply (never the number or a title)',
      es: 'Identificadores de usuarios y préstamos, nuevas fechas o motivos de rechazo, y la respuesta (nunca el número ni un título)',
    },
    link: 'patron-attribute',
    attributes: {
      personal: ['replyPatronId', 'loans', 'reply'],
      other: ['requestId', 'language', 'library', 'requestedAt', 'deadline', 'status', 'closedAs'],
    },
    // The notifier reads the reply from the record (its queue carries the request id only).
    arrivesVia: ['inbound-sms', 'circulation'],
    retention: {
      expiries: [
        {
          days: { setting: 'deadLetterDays', plus: RENEWAL_RECORD_EXTRA_DAYS },
          after: { en: 'the request, and again from its close', es: 'la solicitud, y de nuevo desde su cierre' },
        },
      ],
    },
  },
  {
    kind: 'renewal-loan',
    key: renewingLoanKey('<patronId>', '<loanId>', '<requestId>'),
    name: { en: 'Loan in a renewal request by text', es: 'Préstamo de una solicitud de renovación por SMS' },
    purpose: {
      en: 'Find the text request a renewal answers when the library system does not say which',
      es: 'Encontrar la solicitud por SMS que responde una renovación cuando el sistema de la biblioteca no dice cuál',
    },
    personalData: {
      en: 'Patron id, loan id, the request id and its time (never the number or a title)',
      es: 'Identificador del usuario y del préstamo, la solicitud y su hora (nunca el número ni un título)',
    },
    link: 'patron',
    reportSection: 'renewals',
    attributes: { personal: ['loanId', 'requestId', 'requestedAt'], other: ['deadline'] },
    arrivesVia: ['inbound-sms'],
    retention: {
      until: { en: 'Deleted when the account is closed', es: 'Se borra al cerrar la cuenta' },
      expiries: [
        { days: { setting: 'deadLetterDays', plus: RENEWAL_RECORD_EXTRA_DAYS }, after: { en: 'the request', es: 'la solicitud' } },
      ],
    },
  },
  {
    kind: 'loan-tombstone',
    key: hashed(loanTombstoneKey('-'), '<hash(loanId)>'),
    name: { en: 'Returned-loan marker', es: 'Marca de préstamo devuelto' },
    purpose: {
      en: 'Ignore late or repeated events about a returned loan',
      es: 'Ignorar eventos tardíos o repetidos de un préstamo devuelto',
    },
    link: 'none',
    bookkeeping: true,
    attributes: { personal: [], other: ['returnedAt', 'dimensions', 'counted', 'pending', 'version'] },
    retention: { expiries: [{ days: { fixed: TOMBSTONE_DAYS }, after: { en: 'the return', es: 'la devolución' } }] },
  },
  {
    kind: 'fine-tombstone',
    key: hashed(fineTombstoneKey('-'), '<hash(fineId)>'),
    name: { en: 'Resolved-fine marker', es: 'Marca de multa resuelta' },
    purpose: {
      en: 'Ignore late or repeated events about a resolved fine',
      es: 'Ignorar eventos tardíos o repetidos de una multa resuelta',
    },
    link: 'none',
    bookkeeping: true,
    attributes: { personal: [], other: ['resolvedAt'] },
    retention: { expiries: [{ days: { fixed: TOMBSTONE_DAYS }, after: { en: 'the resolution', es: 'la resolución' } }] },
  },
  {
    kind: 'hold-tombstone',
    key: hashed(holdTombstoneKey('-'), '<hash(holdId)>'),
    name: { en: 'Closed-hold marker', es: 'Marca de reserva cerrada' },
    purpose: { en: 'Ignore late or repeated events about a closed hold', es: 'Ignorar eventos tardíos o repetidos de una reserva cerrada' },
    link: 'none',
    bookkeeping: true,
    attributes: { personal: [], other: ['closedAt'] },
    retention: { expiries: [{ days: { fixed: TOMBSTONE_DAYS }, after: { en: 'the closing', es: 'el cierre' } }] },
  },
  {
    kind: 'statistics',
    // One item per counted event, keyed by a hash of its event id (a retry writes the same item).
    key: eventCounted(statisticsCountKey({ day: '<day>', branch: '<branch>', materialType: '<materialType>', eventId: '-' })),
    name: { en: 'Anonymous statistics', es: 'Estadísticas anónimas' },
    purpose: {
      en: 'Report checkouts, renewals and returns per day, branch and material type (no patron, no item)',
      es: 'Informar de préstamos, renovaciones y devoluciones por día, sucursal y tipo de material (sin usuario ni ejemplar)',
    },
    link: 'none',
    bookkeeping: true,
    attributes: { personal: [], other: ['day', 'branch', 'materialType', 'checkouts', 'renewals', 'returns'] },
    // Kept as long as the loan's records absorb repeats of its event; then folded into the day's total.
    retention: {
      expiries: [
        {
          days: { setting: 'openLoanDays', plus: STATISTICS_COUNT_EXTRA_DAYS },
          after: { en: 'the count (then added to the day’s total)', es: 'el recuento (luego se suma al total del día)' },
        },
      ],
    },
  },
  {
    kind: 'statistics-total',
    key: statisticsTotalKey({ day: '<day>', branch: '<branch>', materialType: '<materialType>' }),
    name: { en: 'Daily statistics totals', es: 'Totales diarios de estadísticas' },
    purpose: {
      en: 'Keep the counts of checkouts, renewals and returns per day, branch and material type (no patron, no item, no event)',
      es: 'Conservar los recuentos de préstamos, renovaciones y devoluciones por día, sucursal y tipo de material (sin usuario, ejemplar ni evento)',
    },
    link: 'none',
    bookkeeping: true,
    attributes: { personal: [], other: ['day', 'branch', 'materialType', 'checkouts', 'renewals', 'returns'] },
    retention: {},
  },
  {
    kind: 'purge-journal',
    key: purgeJournalKey('<day>', '<recordKind>'),
    name: { en: 'Purge journal', es: 'Diario de borrados' },
    purpose: {
      en: 'Prove how many records of each kind expired each day (counts only)',
      es: 'Demostrar cuántos registros de cada tipo caducaron cada día (solo recuentos)',
    },
    link: 'none',
    bookkeeping: true,
    attributes: { personal: [], other: ['day', 'recordKind', 'count'] },
    retention: {},
  },
  {
    kind: 'purge-mark',
    key: purgeMarkKey('<streamEventId>'),
    name: { en: 'Purge journal marker', es: 'Marca del diario de borrados' },
    purpose: { en: 'Count each expiry once', es: 'Contar cada caducidad una sola vez' },
    link: 'none',
    bookkeeping: true,
    attributes: { personal: [], other: [] },
    retention: { expiries: [{ days: { fixed: 2 }, after: { en: 'the expiry', es: 'la caducidad' } }] },
  },
  {
    kind: 'policy',
    key: policyKey,
    name: { en: 'Current privacy policy version', es: 'Versión vigente de la política de privacidad' },
    purpose: { en: 'Announce a privacy policy change once', es: 'Anunciar un cambio de la política de privacidad una sola vez' },
    link: 'none',
    bookkeeping: true,
    attributes: { personal: [], other: ['policyVersion', 'summary', 'at', 'eventId'] },
    retention: { until: { en: 'Replaced by the next version', es: 'Se sustituye por la versión siguiente' } },
  },
  {
    kind: 'job-page',
    key: paged(sweepPageKey({ runDay: '<runDay>', kind: '<noticeKind>', targetDay: '<targetDay>', shard: 0 })),
    name: { en: 'Reminder sweep progress', es: 'Progreso del barrido de recordatorios' },
    purpose: {
      en: 'Run each page of the daily reminder sweep once',
      es: 'Ejecutar una sola vez cada página del barrido diario de recordatorios',
    },
    link: 'none',
    bookkeeping: true,
    attributes: { personal: [], other: [] },
    retention: { expiries: [{ days: { fixed: 2 }, after: { en: 'the page', es: 'la página' } }] },
  },
  {
    kind: 'job-page',
    key: paged(fanOutPageKey({ kind: '<noticeKind>', subjectId: '<subjectId>', subjectVersion: '<subjectVersion>', shard: 0 })),
    name: { en: 'Service-update fan-out progress', es: 'Progreso del envío masivo de avisos' },
    purpose: {
      en: 'Send each page of a service or policy update once',
      es: 'Enviar una sola vez cada página de un aviso de servicio o de política',
    },
    link: 'none',
    bookkeeping: true,
    attributes: { personal: [], other: [] },
    retention: { expiries: [{ days: { fixed: 2 }, after: { en: 'the page', es: 'la página' } }] },
  },
  {
    kind: 'ils-snapshot-loan',
    key: ilsFeedLoanKey('<feed>', '<loanId>'),
    name: { en: 'Library-system report snapshot: open loan', es: 'Instantánea del informe del sistema de la biblioteca: préstamo abierto' },
    purpose: {
      en: 'Tell which loans a report file no longer lists (returned), for libraries that send report files',
      es: 'Saber qué préstamos ya no aparecen en un informe (devueltos), para las bibliotecas que envían informes',
    },
    personalData: {
      en: 'Patron id, loan id and due date (no title, no contact)',
      es: 'Identificador del usuario, del préstamo y fecha de vencimiento (sin título ni contacto)',
    },
    link: 'patron-attribute',
    attributes: { personal: ['patronId', 'loanId', 'dueAt'], other: [] },
    retention: {
      until: { en: 'Deleted when a report no longer lists the loan', es: 'Se borra cuando un informe ya no incluye el préstamo' },
      expiries: [{ days: { setting: 'openLoanDays' }, after: { en: 'the due date', es: 'la fecha de vencimiento' } }],
    },
  },
  {
    kind: 'ils-feed',
    key: ilsFeedHeadKey('<feed>'),
    name: { en: 'Library-system report feed', es: 'Fuente de informes del sistema de la biblioteca' },
    purpose: { en: 'Remember the time of the last report of a feed', es: 'Recordar la hora del último informe de una fuente' },
    link: 'none',
    bookkeeping: true,
    attributes: { personal: [], other: ['asOf', 'leaseUntil'] },
    retention: {},
  },
  {
    kind: 'webhook-signature',
    key: webhookSignatureKey('<signature>'),
    name: { en: 'Webhook replay marker', es: 'Marca de repetición del webhook' },
    purpose: {
      en: 'Refuse a signed library-system request sent twice',
      es: 'Rechazar una solicitud firmada del sistema de la biblioteca enviada dos veces',
    },
    link: 'none',
    bookkeeping: true,
    attributes: { personal: [], other: [] },
    retention: {
      until: {
        en: `Expires ${DEFAULT_TOLERANCE_SECONDS / 60 + 1} minutes after the request's signature time`,
        es: `Caduca ${DEFAULT_TOLERANCE_SECONDS / 60 + 1} minutos después de la hora de la firma de la solicitud`,
      },
    },
  },
];

/** The literal text of a key pattern before its first placeholder, and whether it has one. */
export function patternHead(pattern: string): { head: string; exact: boolean } {
  const at = pattern.indexOf('<');
  return at < 0 ? { head: pattern, exact: true } : { head: pattern.slice(0, at), exact: false };
}

function patternRegExp(pattern: string): RegExp {
  const parts = pattern.split(/<[^>]+>/).map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`, 's');
}

/**
 * The record kind an item's key belongs to: among the patterns that match, the one with the longest
 * literal head (so `PURGE#MARK#<id>` wins over `PURGE#<day>`).
 */
export function recordKindOfKey(pk: string, sk: string, kinds: readonly RecordKind[] = RECORD_KINDS): RecordKind | undefined {
  const matching = kinds.filter((entry) => patternRegExp(entry.key.pk).test(pk) && patternRegExp(entry.key.sk).test(sk));
  const weight = (entry: RecordKind) => patternHead(entry.key.pk).head.length * 1000 + patternHead(entry.key.sk).head.length;
  return matching.sort((a, b) => weight(b) - weight(a))[0];
}

/** Days of a retention figure under a configuration. */
export function retentionDays(days: RetentionDays, config: ConsortiumConfig): number {
  return 'setting' in days ? config.retention[days.setting] + (days.plus ?? 0) : days.fixed;
}
