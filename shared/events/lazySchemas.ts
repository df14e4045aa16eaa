/**
 * Schemas built on first use. A function sees a few event types or notice kinds of many, so building
 * every schema when its module loads costs cold start for nothing (docs/performance.md, "Cold start").
 * Each schema is built once, when first read, and is the same object afterwards; the registry keeps its
 * keys, so `Object.keys`, `Object.entries` and `Object.hasOwn` see every entry.
 */

/** A registry whose entries are built by their factory on first read (memoized getters). */
export function lazySchemas<Factories extends Record<string, () => unknown>>(
  factories: Factories,
): { readonly [K in keyof Factories]: ReturnType<Factories[K]> } {
  const registry = {};
  for (const [key, factory] of Object.entries(factories)) {
    let built: unknown;
    Object.defineProperty(registry, key, {
      enumerable: true,
      get: () => {
        built ??= factory();
        return built;
      },
    });
  }
  return registry as { readonly [K in keyof Factories]: ReturnType<Factories[K]> };
}
