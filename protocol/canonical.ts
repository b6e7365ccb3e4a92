import canonicalize from 'canonicalize';
import { BugError } from './errors.js';

/**
 * The exact bytes an investigator signs and an agent verifies: RFC 8785 (JCS) canonical JSON
 * of the action without `signatures`. Signer and verifier share this one function.
 * It takes the raw parsed object (not a schema-stripped copy) so that any extra key an
 * attacker adds is either covered by the signature or refused by the strict schema.
 */
export function canonicalActionBytes(action: Readonly<Record<string, unknown>>): Uint8Array {
  const { signatures: _ignored, ...signed } = action;
  return canonicalJsonBytes(signed);
}

/** RFC 8785 canonical JSON of any JSON value, as UTF-8: the one serialisation every signature covers. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  const text = canonicalize(value);
  if (text === undefined) throw new BugError('value cannot be canonicalized');
  return new TextEncoder().encode(text);
}

/** 128 bits of randomness as lowercase hex: the signer-chosen action id. */
export function newActionId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('hex');
}
