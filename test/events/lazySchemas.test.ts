/** Registries of schemas built on first use: each entry built once, when first read; every key visible. */
import { describe, expect, it } from 'vitest';
import { lazySchemas } from '#shared/events/lazySchemas.ts';
import { circulationDetailTypes, circulationEventSchemas } from '#shared/events/contract.ts';

describe('lazySchemas', () => {
  it('builds an entry when it is first read, once', () => {
    const built: string[] = [];
    const registry = lazySchemas({
      a: () => {
        built.push('a');
        return { name: 'a' };
      },
      b: () => {
        built.push('b');
        return { name: 'b' };
      },
    });
    expect(Object.keys(registry)).toEqual(['a', 'b']);
    expect(Object.hasOwn(registry, 'b')).toBe(true);
    expect(built).toEqual([]);
    const first = registry.a;
    expect(registry.a).toBe(first);
    expect(built).toEqual(['a']);
  });

  it('keeps every detail-type of the contract', () => {
    expect(circulationDetailTypes).toHaveLength(13);
    expect(circulationEventSchemas.HoldReady).toBe(circulationEventSchemas.HoldReady);
  });
});
