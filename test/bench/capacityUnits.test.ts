/**
 * The capacity bench sizes items as DynamoDB does; these are the rules of DynamoDB's item-size page,
 * worked by hand, so a wrong size (and so a wrong unit count in `npm run bench`) fails here.
 */
import { describe, expect, it } from 'vitest';
import { CAPACITY_FLOORS, itemSize } from '#bench/capacityBench.ts';

describe('Function: itemSize', () => {
  it('counts attribute names and values: strings in UTF-8 bytes, numbers 1 byte per 2 digits plus 1, booleans and nulls 1', () => {
    expect(itemSize({ pk: { S: 'PATRON#1' } })).toBe(2 + 8);
    expect(itemSize({ t: { S: 'é' } })).toBe(1 + 2);
    expect(itemSize({ n: { N: '12345' } })).toBe(1 + 3 + 1);
    expect(itemSize({ n: { N: '1000' } })).toBe(1 + 1 + 1);
    expect(itemSize({ b: { BOOL: true }, z: { NULL: true } })).toBe(2 + 2);
  });

  it('adds 3 bytes per list or map and 1 per element', () => {
    expect(itemSize({ m: { M: {} } })).toBe(1 + 3);
    expect(itemSize({ m: { M: { a: { S: 'xy' } } } })).toBe(1 + 3 + 1 + 1 + 2);
    expect(itemSize({ l: { L: [{ S: 'a' }, { S: 'bc' }] } })).toBe(1 + 3 + (1 + 1) + (1 + 2));
  });

  it('has no item for nothing', () => {
    expect(itemSize(undefined)).toBe(0);
  });
});

describe('Floors', () => {
  it('are the sums the bench documents', () => {
    expect(CAPACITY_FLOORS['HoldReady (SMS + email)']).toEqual({ read: 2, write: 5 });
    expect(CAPACITY_FLOORS['checkout + return']).toEqual({ read: 2, write: 5 });
  });
});
