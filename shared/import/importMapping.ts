/**
 * Import mappings: how an ILS's patron export (CSV with a header, or JSON lines) names the fields
 * Bookdrop imports. Two ship with Bookdrop (`config/import/generic.json`, `config/import/koha.json`);
 * a library may write its own. Validated once, with the field and rule of every problem.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';
import { ConfigurationError } from '#shared/errors.ts';
import { describeIssues } from '#shared/events/issues.ts';

const column = z.string().check(z.minLength(1, { error: 'must name a column' }));

/** The Bookdrop fields a mapping can name; only `patronId` is required. */
export const importMappingSchema = z.object({
  /** What this mapping is for, shown in the import summary. */
  description: z.optional(z.string()),
  /** `csv`: a header line, then one patron per record. `jsonl`: one JSON object per line. */
  format: z.enum(['csv', 'jsonl'], { error: 'must be "csv" or "jsonl"' }),
  /** CSV field delimiter: one character (`\t` for tab). */
  delimiter: z.optional(z.string().check(z.length(1, { error: 'must be one character' }))),
  /** Column (CSV) or field (JSON lines; dotted paths reach into objects) of each Bookdrop field. */
  columns: z.object({
    patronId: column,
    library: z.optional(column),
    phone: z.optional(column),
    email: z.optional(column),
    language: z.optional(column),
    /**
     * The patron's first name, or only its first letter: Bookdrop keeps the first letter as the
     * patron's initial (reply labels on shared numbers) and never stores or reports the name.
     */
    firstName: z.optional(column),
    smsOptIn: z.optional(column),
    emailOptIn: z.optional(column),
    checkoutHistoryOptIn: z.optional(column),
    /** When the ILS recorded the patron's choices; without it the run's `--as-of` time is used. */
    consentAt: z.optional(column),
  }),
  /** ILS library or branch codes to member library ids, e.g. `{ "MPL": "maplewood" }`. */
  libraries: z.optional(z.record(z.string(), z.string())),
  /** ILS language codes (lower case) to Bookdrop languages, e.g. `{ "default": "en", "es-es": "es" }`. */
  languages: z.optional(z.record(z.string(), z.enum(['en', 'es'], { error: 'must be "en" or "es"' }))),
  /** Values (lower case) that mean opted in and opted out. */
  yes: z.optional(z.array(z.string())),
  no: z.optional(z.array(z.string())),
});

export type ImportMapping = z.infer<typeof importMappingSchema>;
export type MappedField = keyof ImportMapping['columns'];

/** Opt-in values understood when a mapping names none. */
export const DEFAULT_YES = ['1', 'y', 'yes', 'true', 't'];
export const DEFAULT_NO = ['0', 'n', 'no', 'false', 'f', ''];

/** The mappings that ship with Bookdrop, by name. */
export const BUILT_IN_MAPPINGS = ['generic', 'koha'] as const;

/** Validates a mapping object; throws a {@link ConfigurationError} naming every bad field. */
export function parseImportMapping(input: unknown, source: string): ImportMapping {
  const result = importMappingSchema.safeParse(input);
  if (!result.success) {
    const problems = describeIssues(result.error.issues, 'mapping').map((issue) => `${issue.field} ${issue.rule}`);
    throw new ConfigurationError(`invalid import mapping ${source}: ${problems.join('; ')}`);
  }
  if (result.data.format === 'csv' && result.data.delimiter === '"') {
    throw new ConfigurationError(`invalid import mapping ${source}: mapping.delimiter must not be the quote character`);
  }
  return result.data;
}

/** Loads a built-in mapping by name (`generic`, `koha`) or a mapping file by path. */
export function loadImportMapping(nameOrPath: string): ImportMapping {
  const builtIn = (BUILT_IN_MAPPINGS as readonly string[]).includes(nameOrPath);
  const path = builtIn ? fileURLToPath(new URL(`../../config/import/${nameOrPath}.json`, import.meta.url)) : nameOrPath;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigurationError(
      `cannot read the import mapping ${nameOrPath}: use ${BUILT_IN_MAPPINGS.join(' or ')}, or the path of a mapping file`,
      {
        cause: error,
      },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(`the import mapping ${nameOrPath} is not valid JSON`, { cause: error });
  }
  return parseImportMapping(parsed, nameOrPath);
}
