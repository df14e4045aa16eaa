/**
 * How every Bookdrop function is built: one minified ESM file per function, bundled locally with
 * esbuild (no Docker), with the packages it loads lazily copied beside it. The stack and the
 * cold-start bench (bench/coldStartBench.ts) both build from here, so the bench measures exactly what
 * is deployed. Why there are no source maps: docs/decisions/0009-no-source-maps-in-functions.md.
 */
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Packages a function loads on first use with `createRequire` (see shared/notices/gsm7.ts): esbuild
 * leaves them out of the bundle, and the build copies each package's files beside it, in
 * `node_modules/`, where Node finds them. Only the files listed are copied.
 */
export const LAZY_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  'any-ascii': ['package.json', 'any-ascii.js', 'block.js', 'LICENSE'],
};

/**
 * Packages replaced in every bundle (esbuild aliases): `asn1.js`, which the Encryption SDK uses only
 * for signing suites (Bookdrop uses none), by a stand-in that fails clearly if a signature is ever met
 * (infra/bundleShims/asn1Unsupported.ts), so it is not evaluated at cold start (docs/performance.md,
 * "Cold start"). `readable-stream` cannot be replaced by Node's own streams: the SDK's encrypt side calls
 * `pipeline` without a callback, which Node refuses. test/infra/bundledContacts.test.ts runs contact
 * encryption from a bundle built with these aliases.
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  'asn1.js': `${ROOT}infra/bundleShims/asn1Unsupported.ts`,
};

/** The banner of every bundle: ESM bundles that contain CommonJS need a `require`. */
export const BUNDLE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * The esbuild options every function is bundled with (the tests that bundle code use them too).
 * No `keepNames`: it wraps every function and class of the bundle, the SDK's included; measured side by
 * side, 7 rounds, it made the imports 4 to 11% slower (notifier 345 against 317 ms of CPU, circulation
 * 309 against 278, email-feedback 237 against 227) and the bundles 6 to 7% larger. Bookdrop's errors
 * spell their names out instead (shared/errors.ts), which is what logs and dead letters show.
 */
export const BUNDLE_OPTIONS = { minify: true, keepNames: false, target: 'node22', mainFields: ['module', 'main'] } as const;

/** `NODE_OPTIONS` of every function: none (no `--enable-source-maps`: there are no source maps). */
export const FUNCTION_NODE_OPTIONS: string | undefined = undefined;

/** Shell commands that copy the lazily loaded packages into a bundle's output folder. */
function copyLazyPackages(inputDir: string, outputDir: string): string[] {
  return Object.entries(LAZY_PACKAGES).map(([name, files]) => {
    const to = `${outputDir}/node_modules/${name}`;
    return [`mkdir -p "${to}"`, ...files.map((file) => `cp "${inputDir}/node_modules/${name}/${file}" "${to}/${file}"`)].join(' && ');
  });
}

/** The code, runtime and bundling of the function whose entry point is `functions/<folder>/handler.ts`. */
export function functionCode(
  entry: string,
): Pick<NodejsFunctionProps, 'entry' | 'projectRoot' | 'depsLockFilePath' | 'runtime' | 'architecture' | 'bundling'> {
  return {
    entry,
    projectRoot: ROOT,
    depsLockFilePath: `${ROOT}package-lock.json`,
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    bundling: {
      format: OutputFormat.ESM,
      target: BUNDLE_OPTIONS.target,
      minify: BUNDLE_OPTIONS.minify,
      keepNames: BUNDLE_OPTIONS.keepNames,
      sourceMap: false,
      // The SDK is bundled too: versions stay pinned by the lock file, not by the runtime.
      externalModules: Object.keys(LAZY_PACKAGES),
      mainFields: [...BUNDLE_OPTIONS.mainFields],
      banner: BUNDLE_BANNER,
      esbuildArgs: Object.fromEntries(Object.entries(BUNDLE_ALIASES).map(([from, to]) => [`--alias:${from}`, to])),
      forceDockerBundling: false,
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        afterBundling: copyLazyPackages,
      },
    },
  };
}

/** The entry point of a function folder under `functions/`. */
export function functionEntry(handlerFolder: string): string {
  return `${ROOT}functions/${handlerFolder}/handler.ts`;
}
