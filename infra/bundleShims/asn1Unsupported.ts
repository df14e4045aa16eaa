/**
 * Stands in for `asn1.js` in the function bundles (an esbuild alias, infra/bundling.ts). The
 * Encryption SDK uses asn1.js only for signing suites: to DER-encode and decode ECDSA signatures and
 * to read PEM public keys. Bookdrop seals contacts with a committing suite without signatures
 * (shared/contacts/contactContext.ts), so a function never needs it; the real package is about 25 KB
 * of minified code in each bundle that carries the SDK. The SDK defines its ASN.1 entities when it
 * loads, so `define` must exist; anything that would use one fails with a clear error.
 */

/** The error any use of a signing suite meets in a function bundle. */
export class SigningSuiteUnavailableError extends Error {
  public constructor() {
    super('signed Encryption SDK messages are not supported in Bookdrop functions (contacts use a suite without signatures)');
    this.name = 'SigningSuiteUnavailableError';
  }
}

function unavailable(): never {
  throw new SigningSuiteUnavailableError();
}

/** What `asn1.define` returns, reduced to the two uses the SDK makes of it. */
const entity = { encode: unavailable, decode: unavailable };

/** `asn1.define(name, body)`: the entity is defined at load; using it throws. */
export function define(): typeof entity {
  return entity;
}

/** `asn1.bignum`: the SDK reaches it only while handling a signature. */
export const bignum = {
  get BN(): never {
    return unavailable();
  },
};

export default { define, bignum };
