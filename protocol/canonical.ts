import { BugError, ProtocolError } from './errors.js';

/**
 * RFC 8785 (JCS) canonical JSON, our own: the npm `canonicalize` package wants Node >= 22 and
 * we run on Node 20. The RFC builds on ECMAScript's own serialisation, so the rules are few:
 * - object keys sorted by UTF-16 code units (JavaScript's default string sort), no whitespace;
 * - numbers as ECMAScript's Number-to-String (JSON.stringify of a finite number; -0 is "0");
 * - strings escaped as JSON.stringify does (RFC 8785 §3.2.2.2 is exactly those rules);
 * - only I-JSON values: a lone surrogate, a non-finite number, undefined (in an array), a
 *   function, a BigInt, a symbol or a non-plain object (Date, Map, class instance) is refused,
 *   never silently converted, because two parties must never sign different bytes for one value.
 * - an object property whose value is undefined is absent, as in JSON.stringify: the wire form
 *   the other party parses never carries it, so both sides canonicalize the same object (module
 *   parameter builders leave optional fields undefined).
 */
export class CanonicalJsonError extends Error {
  /** Where in the value, e.g. `operations.0.parameters.depth`; '' for the root. */
  readonly path: string;
  constructor(path: string, problem: string) {
    super(`${path === '' ? '(root)' : path}: ${problem}`);
    this.path = path;
    this.name = 'CanonicalJsonError';
  }
}

/** The canonical text of a JSON value. Throws CanonicalJsonError naming the first value JCS cannot express. */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, '', out, new Set());
  return out.join('');
}

// An unpaired high surrogate, or a low surrogate without its high half.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function writeString(text: string, path: string, out: string[]): void {
  if (LONE_SURROGATE.test(text))
    throw new CanonicalJsonError(path, 'string holds a lone UTF-16 surrogate (not valid Unicode, refused by I-JSON)');
  out.push(JSON.stringify(text));
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function join(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`;
}

function write(value: unknown, path: string, out: string[], open: Set<object>): void {
  switch (typeof value) {
    case 'string':
      return writeString(value, path, out);
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `${value} is not a JSON number`);
      // ECMAScript Number::toString, which RFC 8785 §3.2.2.3 adopts; JSON.stringify maps -0 to 0.
      out.push(JSON.stringify(value));
      return;
    case 'object':
      if (value === null) {
        out.push('null');
        return;
      }
      return writeContainer(value, path, out, open);
    default:
      // undefined, function, bigint, symbol: JSON.stringify would drop or throw; we refuse.
      throw new CanonicalJsonError(path, `a ${typeof value} is not a JSON value`);
  }
}

function writeContainer(value: object, path: string, out: string[], open: Set<object>): void {
  if (open.has(value)) throw new CanonicalJsonError(path, 'circular reference');
  open.add(value);
  if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item: unknown, i) => {
      if (i > 0) out.push(',');
      write(item, join(path, i), out, open);
    });
    out.push(']');
  } else if (isPlainObject(value)) {
    out.push('{');
    // Default sort compares UTF-16 code units: exactly RFC 8785 §3.2.3's order.
    Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .forEach((key, i) => {
        if (i > 0) out.push(',');
        writeString(key, join(path, key), out);
        out.push(':');
        write(value[key], join(path, key), out, open);
      });
    out.push('}');
  } else {
    throw new CanonicalJsonError(path, `a ${value.constructor.name} is not plain JSON data`);
  }
  open.delete(value);
}

/** RFC 8785 canonical JSON of any JSON value, as UTF-8: the one serialisation every signature covers. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  try {
    return new TextEncoder().encode(canonicalJson(value));
  } catch (err) {
    if (err instanceof CanonicalJsonError)
      throw new BugError(`value cannot be canonicalized: ${err.message}`, { cause: err });
    throw err;
  }
}

/**
 * The exact bytes an investigator signs and an agent verifies: RFC 8785 (JCS) canonical JSON
 * of the action without `signatures`. Signer and verifier share this one function.
 * It takes the raw parsed object (not a schema-stripped copy) so that any extra key an
 * attacker adds is either covered by the signature or refused by the strict schema. The raw
 * object comes off the network, so what JCS cannot express (a lone surrogate, 1e999) is the
 * sender's fault: MALFORMED_ACTION naming the field, never an internal error.
 */
export function canonicalActionBytes(action: Readonly<Record<string, unknown>>): Uint8Array {
  const { signatures: _ignored, ...signed } = action;
  try {
    return new TextEncoder().encode(canonicalJson(signed));
  } catch (err) {
    if (err instanceof CanonicalJsonError)
      throw new ProtocolError('MALFORMED_ACTION', `action: ${err.message}`, { cause: err });
    throw err;
  }
}

/** 128 bits of randomness as lowercase hex: the signer-chosen action id. */
export function newActionId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('hex');
}
