import fc from 'fast-check';

/**
 * Test-only: fast-check arbitraries for the fuzz suites (test/fuzz/*.fuzz.test.ts). Hostile
 * input is mostly *almost* valid: a real message with one field removed, retyped, stretched or
 * added, so most cases get past JSON.parse and reach the schema and the code behind it; the
 * rest is random JSON, random text and random bytes.
 */

/**
 * Cases for one property: `ci` in CI; scaled by MIG_FUZZ_SCALE (scripts/fuzz.ts sets it to
 * reach 100k cases over the whole suite). Seeds are random unless MIG_FUZZ_SEED is set;
 * fast-check prints the seed and the shrunk counterexample of a failure.
 */
/** The seed CI runs with (any fixed value; changing it explores a new, equally repeatable set). */
const CI_SEED = 20261207;

export function fuzzParams(ci: number): { numRuns: number; seed?: number; endOnFailure: true } {
  const scale = Number(process.env.MIG_FUZZ_SCALE ?? '1');
  // CI replays one fixed seed, so a red run is the change's fault and not the dice's; a person
  // (and `npm run fuzz`) gets a new seed each run, which is where new counterexamples come from.
  const fixed = process.env.CI === 'true' || process.env.CI === '1' ? String(CI_SEED) : undefined;
  const given = process.env.MIG_FUZZ_SEED ?? fixed;
  const seed = given === undefined ? undefined : Number(given);
  return {
    numRuns: Math.max(1, Math.round(ci * (Number.isFinite(scale) && scale > 0 ? scale : 1))),
    ...(seed === undefined ? {} : { seed }),
    endOnFailure: true,
  };
}

/** A test's time limit, scaled with its cases (scripts/fuzz.ts runs ~50× the CI cases). */
export function fuzzTimeout(ciMs: number): number {
  const scale = Number(process.env.MIG_FUZZ_SCALE ?? '1');
  return Math.round(ciMs * (Number.isFinite(scale) && scale > 1 ? scale : 1));
}

type Path = (string | number)[];

/** Every path inside a JSON value (objects and arrays), the root included. */
export function pathsOf(value: unknown, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...at, i])));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...at, k]));
  return out;
}

/** Values that break assumptions: wrong types, boundaries, huge, odd strings. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    -0,
    2 ** 53,
    1e308,
    -1e308,
    '',
    ' ',
    '\u0000',
    '\ud800',
    '../../etc/passwd',
    '__proto__',
    'constructor',
    '%00',
    '😂'.repeat(50),
    [],
    {},
    [[[[]]]],
    { __proto__: { polluted: 1 } },
  ),
  fc.constantFrom('x'.repeat(5000), 'y'.repeat(70_000)),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
);

function setAt(
  root: unknown,
  path: Path,
  mutate: (parent: Record<string | number, unknown>, key: string | number) => void,
): unknown {
  const copy: unknown = structuredClone(root);
  if (path.length === 0) return copy;
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  mutate(parent, path[path.length - 1] as string | number);
  return copy;
}

/** One to three mutations of `base`: delete, replace or add a field somewhere inside it. */
export function mutationOf(base: unknown): fc.Arbitrary<unknown> {
  const one = (value: unknown): fc.Arbitrary<unknown> => {
    const paths = pathsOf(value);
    return fc
      .tuple(
        fc.constantFrom(...paths),
        fc.constantFrom('delete', 'replace', 'add'),
        nastyValue,
        fc.string({ maxLength: 12 }),
      )
      .map(([path, op, nasty, key]) => {
        if (path.length === 0) return op === 'replace' ? nasty : value;
        return setAt(value, path, (parent, last) => {
          if (op === 'delete') {
            if (Array.isArray(parent)) parent.splice(Number(last), 1);
            else delete parent[last];
          } else if (op === 'replace') parent[last] = nasty;
          else {
            const target = parent[last];
            if (Array.isArray(target)) target.push(nasty);
            else if (target !== null && typeof target === 'object') (target as Record<string, unknown>)[key] = nasty;
            else parent[last] = nasty;
          }
        });
      });
  };
  return one(base).chain((a) => fc.oneof(fc.constant(a), one(a), one(a).chain(one)));
}

/** A payload as it arrives on the wire: mostly mutations of `base`, then junk of every kind. */
export function payloadFrom(base: unknown): fc.Arbitrary<string | Uint8Array> {
  const text = JSON.stringify(base);
  return fc.oneof(
    { weight: 6, arbitrary: mutationOf(base).map((v) => JSON.stringify(v) ?? 'undefined') },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.nat({ max: Math.max(0, text.length - 1) }).map((n) => text.slice(0, n)) },
  );
}
