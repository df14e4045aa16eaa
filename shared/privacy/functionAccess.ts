/**
 * Which Bookdrop functions can reach which data, as the stack grants it, and what each function's
 * input carries. The privacy chart lists readers from here; a drift test compares every entry with
 * the synthesized template's IAM policies and event sources, so a grant cannot change unnoticed.
 */
import type { Text } from '#shared/privacy/recordInventory.ts';
import { ILS_FEED_PARTITION, PURGE_PARTITION, statisticsPartition, WEBHOOK_SIGNATURE_PARTITION } from '#shared/table/keys.ts';

/** Bookdrop's functions, by their folder under `functions/`. */
export type FunctionName =
  | 'circulation'
  | 'notifier'
  | 'table-stream'
  | 'email-feedback'
  | 'inbound-sms'
  | 'ils-reports'
  | 'ils-webhook'
  | 'unsubscribe';

/** Table access limited by a condition to partitions whose key matches these patterns. */
export interface LimitedTo {
  readonly limitedTo: readonly string[];
}

export interface FunctionAccess {
  readonly does: Text;
  /** Reads items of the table (GetItem or Query on the table itself): every record kind, unless limited. */
  readonly readsTable: boolean | LimitedTo;
  /** Global secondary indexes it may query. */
  readonly queriesIndexes: readonly string[];
  /** Writes items of the table; `limitedTo` lists the partition key patterns a condition allows. */
  readonly writesTable: boolean | LimitedTo;
  /** Reads the table stream: the old and new image of every change. */
  readonly readsStream: boolean;
  /** May decrypt phone numbers and email addresses (kms:Decrypt on the contact key). */
  readonly decryptsContacts: boolean;
  /** May encrypt them (kms:GenerateDataKey on the contact key). */
  readonly encryptsContacts: boolean;
  /** May compute the phone number's keyed hash (kms:GenerateMac on the blind-index key). */
  readonly hashesPhones: boolean;
  /**
   * What its input carries: an SQS queue (with a dead-letter queue), the table stream, an HTTPS API
   * or files in a bucket.
   */
  readonly input: { readonly from: 'queue' | 'stream' | 'api' | 'bucket'; readonly carries: Text };
}

export const FUNCTION_ACCESS: Readonly<Record<FunctionName, FunctionAccess>> = {
  circulation: {
    does: {
      en: 'Applies the library system’s events: registrations, preferences, loans, holds, fines',
      es: 'Aplica los eventos del sistema de la biblioteca: altas, preferencias, préstamos, reservas, multas',
    },
    readsTable: true,
    queriesIndexes: [],
    writesTable: true,
    readsStream: false,
    decryptsContacts: false,
    encryptsContacts: true,
    hashesPhones: true,
    input: {
      from: 'queue',
      carries: {
        en: 'Circulation events from the library system: patron ids, phone numbers and email addresses in clear (registration and contact changes), first initials (never names), titles, items, branches, dates, fines',
        es: 'Eventos de circulación del sistema de la biblioteca: identificadores de usuario, teléfonos y correos en claro (altas y cambios de contacto), iniciales del nombre (nunca nombres), títulos, ejemplares, sucursales, fechas, multas',
      },
    },
  },
  notifier: {
    does: {
      en: 'Sends notices by SMS and email, once, with consent; runs the daily reminder sweep',
      es: 'Envía los avisos por SMS y correo, una sola vez y con consentimiento; ejecuta el barrido diario de recordatorios',
    },
    readsTable: true,
    queriesIndexes: ['byAudience', 'bySweep'],
    writesTable: true,
    readsStream: false,
    decryptsContacts: true,
    encryptsContacts: false,
    hashesPhones: false,
    input: {
      from: 'queue',
      carries: {
        en: 'Notice requests: ids only (patron, hold, loans, fine or renewal request, notice kind); titles, dates, amounts and renewal replies are read from the table when sending',
        es: 'Solicitudes de aviso: solo identificadores (usuario, reserva, préstamos, multa o solicitud de renovación, tipo de aviso); títulos, fechas, importes y respuestas de renovación se leen de la tabla al enviar',
      },
    },
  },
  'table-stream': {
    does: {
      en: 'Publishes consent changes and notice outcomes to the library system; counts expired records and folds expired per-event statistics into daily totals',
      es: 'Publica los cambios de consentimiento y los resultados de los avisos al sistema de la biblioteca; cuenta los registros caducados y suma las estadísticas caducadas de cada evento a los totales diarios',
    },
    readsTable: false,
    queriesIndexes: [],
    writesTable: { limitedTo: [`${PURGE_PARTITION}*`, `${statisticsPartition('')}*`] },
    readsStream: true,
    decryptsContacts: false,
    encryptsContacts: false,
    hashesPhones: false,
    input: {
      from: 'stream',
      carries: {
        en: 'Every change of the table, before and after (contacts stay encrypted)',
        es: 'Cada cambio de la tabla, antes y después (los contactos siguen cifrados)',
      },
    },
  },
  'email-feedback': {
    does: {
      en: 'Suppresses email to addresses that bounce or complain',
      es: 'Suspende el correo a las direcciones que rebotan o se quejan',
    },
    readsTable: true,
    queriesIndexes: ['byNoticeId'],
    writesTable: true,
    readsStream: false,
    decryptsContacts: false,
    encryptsContacts: false,
    hashesPhones: false,
    input: {
      from: 'queue',
      carries: {
        en: 'Bounce and complaint reports from Amazon SES: the email address and the notice id',
        es: 'Informes de rebote y queja de Amazon SES: la dirección de correo y el identificador del aviso',
      },
    },
  },
  unsubscribe: {
    does: {
      en: 'Opts a patron out of email from the one-click unsubscribe link',
      es: 'Da de baja del correo a un usuario desde el enlace de baja en un clic',
    },
    readsTable: true,
    queriesIndexes: [],
    writesTable: true,
    readsStream: false,
    decryptsContacts: false,
    encryptsContacts: false,
    hashesPhones: false,
    input: {
      from: 'api',
      carries: {
        en: 'A signed token naming the patron id, the channel and the day the email was sent; no address',
        es: 'Un token firmado con el identificador del usuario, el canal y el día del envío; sin dirección',
      },
    },
  },
  'inbound-sms': {
    does: {
      en: 'Answers STOP, START and HELP replies and changes SMS consent; answers RENEW and ITEMS with the loans of the patrons on the number',
      es: 'Responde a STOP, START y HELP y cambia el consentimiento por SMS; responde a RENEW e ITEMS con los préstamos de los usuarios del número',
    },
    readsTable: true,
    queriesIndexes: ['byPhone'],
    writesTable: true,
    readsStream: false,
    decryptsContacts: false,
    encryptsContacts: false,
    hashesPhones: true,
    input: {
      from: 'queue',
      carries: {
        en: 'Patrons’ SMS replies: the phone number and the message text',
        es: 'Respuestas SMS de los usuarios: el número de teléfono y el texto del mensaje',
      },
    },
  },
  'ils-reports': {
    does: {
      en: 'Turns the library system’s report files into circulation events',
      es: 'Convierte los informes del sistema de la biblioteca en eventos de circulación',
    },
    readsTable: { limitedTo: [`${ILS_FEED_PARTITION}*`] },
    queriesIndexes: [],
    writesTable: { limitedTo: [`${ILS_FEED_PARTITION}*`] },
    readsStream: false,
    decryptsContacts: false,
    encryptsContacts: false,
    hashesPhones: false,
    input: {
      from: 'queue',
      carries: {
        en: 'Notices of new report files in the drop bucket (bucket and file name; the files hold patrons, contacts, loans, holds and fines)',
        es: 'Avisos de nuevos informes en el depósito de entrega (depósito y nombre del archivo; los archivos contienen usuarios, contactos, préstamos, reservas y multas)',
      },
    },
  },
  'ils-webhook': {
    does: {
      en: 'Accepts signed circulation events from the library system over HTTPS',
      es: 'Acepta eventos de circulación firmados del sistema de la biblioteca por HTTPS',
    },
    readsTable: false,
    queriesIndexes: [],
    writesTable: { limitedTo: [`${WEBHOOK_SIGNATURE_PARTITION}*`] },
    readsStream: false,
    decryptsContacts: false,
    encryptsContacts: false,
    hashesPhones: false,
    input: {
      from: 'api',
      carries: {
        en: 'Circulation events, as for the circulation queue, passed on to the event bus',
        es: 'Eventos de circulación, como los de la cola de circulación, que pasa al bus de eventos',
      },
    },
  },
};

/** The functions that can read a record kind: table readers and the stream's reader. */
export function readersOfRecords(): FunctionName[] {
  return (Object.keys(FUNCTION_ACCESS) as FunctionName[]).filter(
    (name) => FUNCTION_ACCESS[name].readsTable === true || FUNCTION_ACCESS[name].readsStream,
  );
}

/** The functions that can decrypt contacts. */
export function contactDecrypters(): FunctionName[] {
  return (Object.keys(FUNCTION_ACCESS) as FunctionName[]).filter((name) => FUNCTION_ACCESS[name].decryptsContacts);
}
