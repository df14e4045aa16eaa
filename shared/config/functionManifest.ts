/**
 * One manifest per function: its environment variables (with what each means, where it is set and
 * how it is checked) and the resources it is granted (and how). The function reads its environment
 * through its manifest ({@link readManifestEnv}); the stack sets the environment from it
 * ({@link environmentFor}: a missing or misspelt variable is a type error); the sandbox wires the
 * in-process handlers from the same manifests ({@link sandboxEnvironment}). Template tests compare
 * each function's environment in the synthesized stack with its manifest.
 *
 * Manifests are plain data plus `zod/mini` schemas: a function's bundle imports its own.
 */
import * as z from 'zod/mini';
import { readEnv } from '#shared/config/runtimeEnv.ts';

/** Where a variable is set: in AWS by the stack, in the sandbox, or both (the default). */
export type EnvScope = 'both' | 'aws' | 'sandbox';

/** One environment variable of a function. */
export interface EnvVariable {
  /** What the value is, in a sentence (docs and error messages). */
  readonly meaning: string;
  /** How the value is checked at cold start. @default a non-empty string */
  readonly schema?: z.core.$ZodType<string>;
  /** Optional: the function works without it. */
  readonly optional?: true;
  /** @default 'both' */
  readonly scope?: EnvScope;
}

/** The resources a function can be granted; the stack maps each to its construct. */
export type GrantResource =
  | 'table'
  /** The table, limited by an IAM condition on `dynamodb:LeadingKeys` to patron partitions (see `patronPartition`). */
  | 'patron-partitions'
  | 'table-index'
  | 'data-key'
  | 'contact-key'
  | 'phone-index-key'
  | 'notice-id-key'
  | 'unsubscribe-key'
  | 'notice-queue'
  | 'own-queue'
  | 'event-bus'
  | 'drop-bucket'
  | 'webhook-secret'
  | 'sms'
  | 'email'
  | 'config-parameters';

/** One grant: a resource and how the function may use it (the IAM actions, or a named use). */
export interface Grant {
  readonly resource: GrantResource;
  readonly actions: readonly string[];
  /** Why the function needs it. */
  readonly why: string;
}

export interface FunctionManifest<Env extends Record<string, EnvVariable> = Record<string, EnvVariable>> {
  /** The folder under `functions/`. */
  readonly name: string;
  readonly env: Env;
  readonly grants: readonly Grant[];
  /**
   * How the sandbox runs the function: `env` (in process, from {@link sandboxEnvironment}) or
   * `direct` (its service is built with local adapters, no environment).
   */
  readonly sandbox: 'env' | 'direct';
}

/** Declares a manifest, keeping its variable names as literal types. */
export function defineFunctionManifest<const Env extends Record<string, EnvVariable>>(
  manifest: FunctionManifest<Env>,
): FunctionManifest<Env> {
  return manifest;
}

type ValueOf<V> = V extends { schema: z.core.$ZodType<infer T> } ? T : string;
type RequiredIn<Env, Scope extends EnvScope> = {
  [K in keyof Env]: Env[K] extends { optional: true } ? never : Env[K] extends { scope: Exclude<EnvScope, 'both' | Scope> } ? never : K;
}[keyof Env];
type OptionalIn<Env, Scope extends EnvScope> = {
  [K in keyof Env]: Env[K] extends { scope: Exclude<EnvScope, 'both' | Scope> } ? never : K extends RequiredIn<Env, Scope> ? never : K;
}[keyof Env];

/** The values a function reads: required variables present, optional ones maybe. */
export type ManifestEnv<Env> = { readonly [K in RequiredIn<Env, 'both'> & keyof Env]: ValueOf<Env[K]> } & {
  readonly [K in Exclude<keyof Env, RequiredIn<Env, 'both'>>]?: ValueOf<Env[K]> | undefined;
};

/** The values a scope (the stack, the sandbox) must set: every variable of that scope, by name. */
export type ScopeValues<Env, Scope extends 'aws' | 'sandbox'> = { readonly [K in RequiredIn<Env, Scope> & keyof Env]: string } & {
  readonly [K in OptionalIn<Env, Scope> & keyof Env]?: string | undefined;
};

/** Names of the variables set in `scope`. */
export function namesIn(manifest: FunctionManifest, scope: 'aws' | 'sandbox'): string[] {
  return Object.entries(manifest.env)
    .filter(([, variable]) => (variable.scope ?? 'both') === 'both' || variable.scope === scope)
    .map(([name]) => name)
    .sort();
}

const nonEmpty = z.string().check(z.minLength(1, { error: 'is required' }));

/** Reads and checks the function's environment at cold start; names every missing or wrong variable. */
export function readManifestEnv<Env extends Record<string, EnvVariable>>(
  manifest: FunctionManifest<Env>,
  env: NodeJS.ProcessEnv = process.env,
): ManifestEnv<Env> {
  const shape: Record<string, z.core.$ZodType> = {};
  for (const [name, variable] of Object.entries(manifest.env)) {
    const schema = variable.schema ?? nonEmpty;
    // A variable of one scope only is optional to the reader: the other scope does not set it.
    shape[name] = variable.optional || (variable.scope ?? 'both') !== 'both' ? z.optional(schema) : schema;
  }
  return readEnv(shape as z.core.$ZodLooseShape, env) as unknown as ManifestEnv<Env>;
}

function valuesOf(
  manifest: FunctionManifest,
  scope: 'aws' | 'sandbox',
  values: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const allowed = new Set(namesIn(manifest, scope));
  const unknown = Object.keys(values).filter((name) => !allowed.has(name));
  if (unknown.length > 0) throw new Error(`function ${manifest.name}: ${unknown.join(', ')} not in its manifest (${scope})`);
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** The environment the stack sets on the function: exactly the manifest's AWS variables. */
export function environmentFor<Env extends Record<string, EnvVariable>>(
  manifest: FunctionManifest<Env>,
  values: ScopeValues<Env, 'aws'>,
): Record<string, string> {
  return valuesOf(manifest, 'aws', values as Readonly<Record<string, string | undefined>>);
}

/** The environment the sandbox sets for the function (in process): exactly the manifest's sandbox variables. */
export function sandboxEnvironment<Env extends Record<string, EnvVariable>>(
  manifest: FunctionManifest<Env>,
  values: ScopeValues<Env, 'sandbox'>,
): Record<string, string> {
  return valuesOf(manifest, 'sandbox', values as Readonly<Record<string, string | undefined>>);
}

/** Variables many functions share, with one meaning each. */
export const COMMON_ENV = {
  TABLE_NAME: { meaning: 'the Bookdrop table (profiles, ledger, notices, holds)' },
  BOOKDROP_CONFIG: {
    meaning:
      'the consortium configuration as JSON; in AWS the stack replaces it with BOOKDROP_CONFIG_PATH and the handler fills it at cold start',
  },
  BOOKDROP_CONFIG_PATH: {
    meaning: 'the Parameter Store path of the configuration (set by the ConfigParameters construct, not by the function construct)',
    optional: true,
    scope: 'aws',
  },
} as const satisfies Record<string, EnvVariable>;

/** Which keys protect contacts: KMS in AWS, the sandbox's local key file. */
export const CONTACT_KEYS_ENV = {
  CONTACT_KEYS: { meaning: 'kms in AWS, local in the sandbox', schema: z.enum(['kms', 'local'], { error: 'must be "kms" or "local"' }) },
  LOCAL_KEY_FILE: { meaning: "the sandbox's local key file (every key of the sandbox)", scope: 'sandbox' },
} as const satisfies Record<string, EnvVariable>;

/** The actions a manifest grants on `resource` (empty when it grants none). */
export function grantedActions(manifest: FunctionManifest, resource: GrantResource): string[] {
  return manifest.grants.filter((grant) => grant.resource === resource).flatMap((grant) => [...grant.actions]);
}

/** One environment for several functions (the sandbox runs them in one process); a name with two values is refused. */
export function mergeFunctionEnvironments(environments: readonly Record<string, string>[]): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const environment of environments) {
    for (const [name, value] of Object.entries(environment)) {
      if (merged[name] !== undefined && merged[name] !== value) throw new Error(`two functions need different values of ${name}`);
      merged[name] = value;
    }
  }
  return merged;
}
