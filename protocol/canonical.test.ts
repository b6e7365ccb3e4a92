import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { recordedInputs, RECORDED } from '../test/helpers/random-json.js';
import { CanonicalJsonError, canonicalActionBytes, canonicalJson } from './canonical.js';
import { thrownBy } from '../test/helpers/error-code.js';

const FIXTURES = new URL('../test/fixtures/rfc8785/', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, FIXTURES), 'utf8');

describe("RFC 8785 test vectors (test/fixtures/rfc8785, from the RFC author's testdata)", () => {
  const names = ['arrays', 'french', 'structures', 'unicode', 'values', 'weird'];
  it.each(names)('%s canonicalises to the published bytes', (name) => {
    const want = Buffer.from(
      read(`outhex/${name}.txt`)
        .trim()
        .split(/\s+/)
        .map((h) => Number.parseInt(h, 16)),
    );
    const got = Buffer.from(canonicalJson(JSON.parse(read(`input/${name}.json`))), 'utf8');
    expect(got.toString('hex')).toBe(want.toString('hex'));
    expect(got.toString('utf8')).toBe(read(`output/${name}.json`).replace(/\n$/, ''));
  });

  // testdata/README.md sample lines: IEEE-754 bits → the expected serialisation.
  const numbers: [string, string][] = [
    ['4340000000000001', '9007199254740994'],
    ['4340000000000002', '9007199254740996'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['8000000000000000', '0'],
    ['0', '0'],
  ];
  it.each(numbers)('number %s serialises as %s', (hex, want) => {
    const view = new DataView(new ArrayBuffer(8));
    view.setBigUint64(0, BigInt(`0x${hex}`));
    expect(canonicalJson(view.getFloat64(0))).toBe(want);
  });
});

describe('agrees with the npm canonicalize package it replaces', () => {
  it(`on ${RECORDED.count} seeded random JSON values (outputs recorded from canonicalize@5.1.0)`, () => {
    const recorded = JSON.parse(read('random-canonicalize-5.1.0.json')) as { seed: number; outputs: string[] };
    expect(recorded.seed).toBe(RECORDED.seed);
    const got = recordedInputs().map((v) => canonicalJson(v));
    expect(got).toEqual(recorded.outputs);
  });
});

describe('an undefined property is absent, as on the wire (JSON.stringify)', () => {
  it('signs the same bytes as the object without it', () => {
    expect(canonicalJson({ b: 1, a: { c: undefined, d: 2 }, e: undefined })).toBe(
      canonicalJson(JSON.parse(JSON.stringify({ b: 1, a: { d: 2 } }))),
    );
  });
});

describe('refuses what JCS cannot express, naming where', () => {
  const bad: [string, unknown, string][] = [
    ['NaN', { a: [1, Number.NaN] }, 'a.1'],
    ['Infinity', { big: Number.POSITIVE_INFINITY }, 'big'],
    ['undefined in an array', { a: [1, undefined] }, 'a.1'],
    ['a function', [() => 1], '0'],
    ['a BigInt', { n: 10n }, 'n'],
    ['a symbol', { s: Symbol('x') }, 's'],
    ['a Date', { when: new Date(0) }, 'when'],
    ['a lone high surrogate', { s: 'a\ud800b' }, 's'],
    ['a lone low surrogate in a key', { 'x\udc00': 1 }, 'x\udc00'],
  ];
  it.each(bad)('%s', (_what, value, path) => {
    expect(thrownBy(CanonicalJsonError, () => canonicalJson(value)).path).toBe(path);
  });

  it('a circular structure', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => canonicalJson(loop)).toThrow(/circular/);
  });

  it('accepts a shared (not circular) sub-object twice', () => {
    const shared = { b: 1 };
    expect(canonicalJson({ x: shared, y: shared })).toBe('{"x":{"b":1},"y":{"b":1}}');
  });

  it('an action off the network with 1e999 in it is MALFORMED_ACTION, not an internal error', () => {
    const raw = JSON.parse('{"v":1,"operations":[{"module":"file","parameters":{"depth":1e999}}]}') as Record<
      string,
      unknown
    >;
    expect(() => canonicalActionBytes(raw)).toThrow(
      expect.objectContaining({
        code: 'MALFORMED_ACTION',
        message: expect.stringContaining('operations.0.parameters.depth'),
      }),
    );
  });
});

describe('canonicalActionBytes', () => {
  it('leaves out signatures and sorts keys', () => {
    const bytes = canonicalActionBytes({ name: 'n', v: 1, signatures: ['x'], id: 'i' });
    expect(new TextDecoder().decode(bytes)).toBe('{"id":"i","name":"n","v":1}');
  });
});
