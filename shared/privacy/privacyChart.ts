/**
 * The privacy chart: what Bookdrop keeps about patrons, why, for how long, where else the data can
 * be, who can read it, and what each third-party vendor keeps. Built from the record inventory, the
 * function grants, the stack's storage periods and the consortium configuration, in one language,
 * as sections of tables that the Markdown and HTML renderers lay out.
 */
import type { ConsortiumConfig } from '#shared/config/consortiumConfig.ts';
import { STORAGE_PERIODS } from '#infra/storagePeriods.ts';
import { FUNCTION_ACCESS, contactDecrypters, readersOfRecords, type FunctionName } from '#shared/privacy/functionAccess.ts';
import { RECORD_KINDS, retentionDays, type ChartLanguage, type RecordKind, type Retention } from '#shared/privacy/recordInventory.ts';

/** One table cell: text, text in another language than the page's, a link, or code. */
export type Cell =
  | string
  | { readonly text: string; readonly lang: ChartLanguage }
  | { readonly href: string; readonly text: string }
  | { readonly code: readonly string[] };

export interface ChartTable {
  readonly caption: string;
  readonly columns: readonly string[];
  /** The first cell of each row names the row (a row header). */
  readonly rows: readonly (readonly Cell[])[];
}

export interface ChartSection {
  readonly id: string;
  readonly heading: string;
  readonly paragraphs: readonly string[];
  readonly table?: ChartTable;
}

export interface PrivacyChart {
  readonly language: ChartLanguage;
  readonly title: string;
  readonly intro: readonly string[];
  readonly sections: readonly ChartSection[];
  /** The same chart in the other languages: label of the link to each. */
  readonly otherLanguages: readonly { readonly language: ChartLanguage; readonly label: string }[];
}

const WORDS = {
  en: {
    title: (name: string) => `Privacy chart: ${name}`,
    intro: (name: string) => [
      `This chart lists what ${name}'s notification service (Bookdrop) keeps about patrons, why, for how long, where else the data can be, and who can read it, together with what each third-party vendor keeps.`,
      'It is generated from the service’s own code and configuration, and tests fail if the two disagree.',
    ],
    languageName: 'English',
    days: (n: number) => (n === 1 ? '1 day' : `${n} days`),
    hours: (n: number) => `${n} hours`,
    expires: (days: string, after: string) => `Expires ${days} after ${after}.`,
    configured: (setting: string, plus?: number) => `Setting: retention.${setting}${plus ? ` (plus ${plus} days)` : ''}.`,
    indefinitely: 'Kept with no time limit (no personal data).',
    summary: {
      heading: 'What is kept, by whom, and for how long',
      paragraph: 'The library’s notification service and the vendors that help it deliver notices.',
      caption: 'Patron data kept by the notification service and by third-party vendors',
      columns: ['Who keeps it', 'Data', 'Why', 'How long', 'Privacy policy'],
      thisChart: 'This chart',
      vendorTerms: 'As the vendor’s policy states',
    },
    records: {
      heading: 'Patron records in detail',
      paragraph: 'Each kind of record the service stores about a patron, with the attributes that hold personal data.',
      caption: 'Patron records: personal data, purpose, retention, other copies and readers',
      columns: ['Record', 'Personal data', 'Purpose', 'How long', 'Also exists in', 'Who can read it'],
      decrypts: (names: string) => `Only ${names} can decrypt the phone number and email address.`,
      table: 'the table',
      stream: 'the table stream',
    },
    bookkeeping: {
      heading: 'Bookkeeping records',
      paragraph: 'Records the service needs to work correctly. They hold no personal data.',
      caption: 'Bookkeeping records without personal data',
      columns: ['Record', 'Purpose', 'How long'],
    },
    places: {
      heading: 'Other places the data can be',
      paragraph: 'Data passes through queues and the table stream before and after it is stored; backups and logs keep copies for a while.',
      caption: 'Other places the data can be, and for how long',
      columns: ['Place', 'What it can hold', 'How long'],
      queue: (fn: string) => `Input queue of ${fn}`,
      deadLetters: (fn: string) => `Dead-letter queue of ${fn}`,
      deadLettersHold: 'Messages of its input queue that could not be processed, for an operator to inspect',
      stream: 'Table stream',
      streamDeadLetters: 'Dead-letter queue of table-stream',
      streamDeadLettersHold: 'Positions in the stream of changes that could not be processed: no record data',
      backups: 'Point-in-time recovery backups',
      backupsHold: 'Every record of the table as it was at any moment, including records deleted since',
      logs: 'Function logs',
      logsHold: 'Patron ids, notice and message ids, outcomes; never phone numbers, email addresses, names or titles',
      expiryNote:
        'DynamoDB deletes expired records within about two days of their expiry time; the service treats them as gone from that time on. Deleted records stay in the backups for the backup period.',
    },
    readers: {
      heading: 'Who can read it',
      paragraph:
        'The service’s functions and what their permissions allow. Phone numbers and email addresses are encrypted with a key of their own before they are stored.',
      caption: 'Functions and the data their permissions let them read',
      columns: ['Function', 'What it does', 'Reads records', 'Decrypts contacts'],
      yes: 'Yes',
      no: 'No',
      viaStream: 'Yes, through the table stream',
      ownOnly: 'Only its own records',
    },
    queueDays: (place: string, days: string) => `${place} (${days})`,
    generated: 'Generated by `npm run privacy-chart`.',
  },
  es: {
    title: (name: string) => `Tabla de privacidad: ${name}`,
    intro: (name: string) => [
      `Esta tabla indica qué guarda el servicio de avisos de ${name} (Bookdrop) sobre los usuarios, para qué, durante cuánto tiempo, en qué otros lugares pueden estar los datos y quién puede leerlos, junto con lo que guarda cada proveedor externo.`,
      'Se genera a partir del propio código y la configuración del servicio, y las pruebas fallan si ambos no coinciden.',
    ],
    languageName: 'Español',
    days: (n: number) => (n === 1 ? '1 día' : `${n} días`),
    hours: (n: number) => `${n} horas`,
    expires: (days: string, after: string) => `Caduca ${days} después de ${after}.`,
    configured: (setting: string, plus?: number) => `Ajuste: retention.${setting}${plus ? ` (más ${plus} días)` : ''}.`,
    indefinitely: 'Se guarda sin límite de tiempo (sin datos personales).',
    summary: {
      heading: 'Qué se guarda, quién lo guarda y durante cuánto tiempo',
      paragraph: 'El servicio de avisos de la biblioteca y los proveedores que le ayudan a entregarlos.',
      caption: 'Datos de los usuarios que guardan el servicio de avisos y los proveedores externos',
      columns: ['Quién lo guarda', 'Datos', 'Para qué', 'Cuánto tiempo', 'Política de privacidad'],
      thisChart: 'Esta tabla',
      vendorTerms: 'Según la política del proveedor',
    },
    records: {
      heading: 'Registros de los usuarios en detalle',
      paragraph: 'Cada tipo de registro que el servicio guarda sobre un usuario, con los atributos que contienen datos personales.',
      caption: 'Registros de los usuarios: datos personales, finalidad, conservación, otras copias y lectores',
      columns: ['Registro', 'Datos personales', 'Finalidad', 'Cuánto tiempo', 'También está en', 'Quién puede leerlo'],
      decrypts: (names: string) => `Solo ${names} puede descifrar el teléfono y el correo electrónico.`,
      table: 'la tabla',
      stream: 'el flujo de la tabla',
    },
    bookkeeping: {
      heading: 'Registros de funcionamiento',
      paragraph: 'Registros que el servicio necesita para funcionar correctamente. No contienen datos personales.',
      caption: 'Registros de funcionamiento sin datos personales',
      columns: ['Registro', 'Finalidad', 'Cuánto tiempo'],
    },
    places: {
      heading: 'Otros lugares donde pueden estar los datos',
      paragraph:
        'Los datos pasan por colas y por el flujo de la tabla antes y después de guardarse; las copias de seguridad y los registros de actividad guardan copias durante un tiempo.',
      caption: 'Otros lugares donde pueden estar los datos, y durante cuánto tiempo',
      columns: ['Lugar', 'Qué puede contener', 'Cuánto tiempo'],
      queue: (fn: string) => `Cola de entrada de ${fn}`,
      deadLetters: (fn: string) => `Cola de mensajes fallidos de ${fn}`,
      deadLettersHold: 'Los mensajes de su cola de entrada que no se pudieron procesar, para que un operador los revise',
      stream: 'Flujo de la tabla',
      streamDeadLetters: 'Cola de mensajes fallidos de table-stream',
      streamDeadLettersHold: 'Posiciones en el flujo de los cambios que no se pudieron procesar: ningún dato de los registros',
      backups: 'Copias de seguridad de recuperación a un momento dado',
      backupsHold: 'Todos los registros de la tabla tal como estaban en cualquier momento, incluidos los borrados después',
      logs: 'Registros de actividad de las funciones',
      logsHold: 'Identificadores de usuario, de aviso y de mensaje, resultados; nunca teléfonos, correos, nombres ni títulos',
      expiryNote:
        'DynamoDB borra los registros caducados en unos dos días desde su hora de caducidad; el servicio los da por borrados desde esa hora. Los registros borrados siguen en las copias de seguridad durante su plazo.',
    },
    readers: {
      heading: 'Quién puede leerlo',
      paragraph:
        'Las funciones del servicio y lo que sus permisos les permiten. Los teléfonos y correos se cifran con una clave propia antes de guardarse.',
      caption: 'Funciones y los datos que sus permisos les permiten leer',
      columns: ['Función', 'Qué hace', 'Lee registros', 'Descifra contactos'],
      yes: 'Sí',
      no: 'No',
      viaStream: 'Sí, a través del flujo de la tabla',
      ownOnly: 'Solo sus propios registros',
    },
    queueDays: (place: string, days: string) => `${place} (${days})`,
    generated: 'Generado con `npm run privacy-chart`.',
  },
} as const;

/** The chart's text for a retention rule. */
export function retentionText(retention: Retention, config: ConsortiumConfig, language: ChartLanguage): string {
  const words = WORDS[language];
  const parts: string[] = [];
  if (retention.until) parts.push(`${retention.until[language]}.`);
  for (const { days, after } of retention.expiries ?? []) {
    parts.push(words.expires(words.days(retentionDays(days, config)), after[language]));
    if ('setting' in days) parts.push(words.configured(days.setting, days.plus));
  }
  return parts.length > 0 ? parts.join(' ') : words.indefinitely;
}

const listOf = (names: readonly string[], language: ChartLanguage) => {
  if (names.length <= 1) return names.join('');
  const and = language === 'en' ? ' and ' : ' y ';
  return `${names.slice(0, -1).join(', ')}${and}${names.at(-1)}`;
};

/** A configured phrase in the chart's language, or in English (marked as such) when it has none. */
function phrase(text: { readonly en: string; readonly es?: string | undefined }, language: ChartLanguage): Cell {
  const own = text[language];
  return own !== undefined ? own : { text: text.en, lang: 'en' };
}

function otherPlaces(kind: RecordKind, config: ConsortiumConfig, language: ChartLanguage): string {
  const words = WORDS[language];
  const places = (kind.arrivesVia ?? []).flatMap((fn) =>
    FUNCTION_ACCESS[fn].input.from === 'queue'
      ? [
          words.queueDays(words.places.queue(fn), words.days(STORAGE_PERIODS.queueDays)),
          words.queueDays(words.places.deadLetters(fn), words.days(config.retention.deadLetterDays)),
        ]
      : [],
  );
  places.push(words.queueDays(words.places.stream, words.hours(STORAGE_PERIODS.tableStreamHours)));
  places.push(words.queueDays(words.places.backups, words.days(config.retention.pointInTimeRecoveryDays)));
  if (kind.link === 'patron') places.push(words.queueDays(words.places.logs, words.days(STORAGE_PERIODS.logDays)));
  return `${places.join('; ')}.`;
}

function readersText(kind: RecordKind, language: ChartLanguage): string {
  const words = WORDS[language].records;
  const readers = readersOfRecords().map((fn) => (FUNCTION_ACCESS[fn].readsTable === true ? fn : `${fn} (${words.stream})`));
  const text = `${listOf(readers, language)}.`;
  return kind.encrypted && kind.encrypted.length > 0 ? `${text} ${words.decrypts(listOf(contactDecrypters(), language))}` : text;
}

/** Builds the chart for a configuration, in one language. */
export function buildPrivacyChart(
  config: ConsortiumConfig,
  language: ChartLanguage,
  kinds: readonly RecordKind[] = RECORD_KINDS,
): PrivacyChart {
  const words = WORDS[language];
  const owner = config.consortium.name;
  const personal = kinds.filter((kind) => !kind.bookkeeping);
  const bookkeeping = kinds.filter((kind) => kind.bookkeeping);
  const summaryRows: Cell[][] = [
    ...personal.map((kind): Cell[] => [
      owner,
      `${kind.name[language]}: ${(kind.personalData ?? kind.purpose)[language]}`,
      kind.purpose[language],
      retentionText(kind.retention, config, language),
      words.summary.thisChart,
    ]),
    ...(config.vendors ?? []).map((vendor): Cell[] => [
      vendor.name,
      phrase(vendor.dataRetained, language),
      phrase(vendor.service, language),
      words.summary.vendorTerms,
      { href: vendor.policyUrl, text: vendor.policyUrl },
    ]),
  ];
  const functions = Object.keys(FUNCTION_ACCESS) as FunctionName[];
  const placeRows: Cell[][] = [
    ...functions.flatMap((fn): Cell[][] => {
      const { input } = FUNCTION_ACCESS[fn];
      if (input.from !== 'queue') return [];
      return [
        [words.places.queue(fn), input.carries[language], words.days(STORAGE_PERIODS.queueDays)],
        [
          words.places.deadLetters(fn),
          `${words.places.deadLettersHold}: ${input.carries[language]}`,
          words.days(config.retention.deadLetterDays),
        ],
      ];
    }),
    ...functions
      .filter((fn) => FUNCTION_ACCESS[fn].input.from === 'stream')
      .flatMap((fn): Cell[][] => [
        [words.places.stream, FUNCTION_ACCESS[fn].input.carries[language], words.hours(STORAGE_PERIODS.tableStreamHours)],
        [words.places.streamDeadLetters, words.places.streamDeadLettersHold, words.days(config.retention.deadLetterDays)],
      ]),
    [words.places.backups, words.places.backupsHold, words.days(config.retention.pointInTimeRecoveryDays)],
    [words.places.logs, words.places.logsHold, words.days(STORAGE_PERIODS.logDays)],
  ];
  return {
    language,
    title: words.title(owner),
    intro: words.intro(owner),
    otherLanguages: (Object.keys(WORDS) as ChartLanguage[])
      .filter((other) => other !== language)
      .map((other) => ({ language: other, label: WORDS[other].languageName })),
    sections: [
      {
        id: 'summary',
        heading: words.summary.heading,
        paragraphs: [words.summary.paragraph],
        table: { caption: words.summary.caption, columns: words.summary.columns, rows: summaryRows },
      },
      {
        id: 'records',
        heading: words.records.heading,
        paragraphs: [words.records.paragraph],
        table: {
          caption: words.records.caption,
          columns: words.records.columns,
          rows: personal.map((kind): Cell[] => [
            kind.name[language],
            { code: kind.attributes.personal },
            kind.purpose[language],
            retentionText(kind.retention, config, language),
            otherPlaces(kind, config, language),
            readersText(kind, language),
          ]),
        },
      },
      {
        id: 'bookkeeping',
        heading: words.bookkeeping.heading,
        paragraphs: [words.bookkeeping.paragraph],
        table: {
          caption: words.bookkeeping.caption,
          columns: words.bookkeeping.columns,
          rows: bookkeeping.map((kind): Cell[] => [
            kind.name[language],
            kind.purpose[language],
            retentionText(kind.retention, config, language),
          ]),
        },
      },
      {
        id: 'places',
        heading: words.places.heading,
        paragraphs: [words.places.paragraph, words.places.expiryNote],
        table: { caption: words.places.caption, columns: words.places.columns, rows: placeRows },
      },
      {
        id: 'readers',
        heading: words.readers.heading,
        paragraphs: [words.readers.paragraph],
        table: {
          caption: words.readers.caption,
          columns: words.readers.columns,
          rows: functions.map((fn): Cell[] => {
            const access = FUNCTION_ACCESS[fn];
            const reads =
              access.readsTable === true
                ? words.readers.yes
                : access.readsStream
                  ? words.readers.viaStream
                  : access.readsTable
                    ? words.readers.ownOnly
                    : words.readers.no;
            return [{ code: [fn] }, access.does[language], reads, access.decryptsContacts ? words.readers.yes : words.readers.no];
          }),
        },
      },
    ],
  };
}

/** The generator's note, in the chart's language. */
export function generatedNote(language: ChartLanguage): string {
  return WORDS[language].generated;
}
