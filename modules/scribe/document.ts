import { z } from 'zod';
import { regexProblem } from '../shared/search/regex.js';
import { MAX_VERSION_CHARS } from '../shared/packages/constraint.js';
import type { VersionOp } from '../shared/version-compare.js';
import { checked } from '../shared/param-checks.js';

/**
 * A scribe document (MIG's scribe module, github.com/mozilla/scribe): `objects` gather values
 * from the host (lines of files, file names, package versions), `tests` judge them. The layout
 * is MIG's (`object` + `filecontent` / `filename` / `package`; `test` + `object` + `evr` /
 * `regexp` + `if`), extended with `exists` / `noexists` / `not`, more `evr` operators and an
 * optional version `scheme`. Pure: the spec validates documents with it on both sides.
 */

export const MAX_OBJECTS = 128;
export const MAX_TESTS = 256;
export const MAX_DEPENDENCIES = 16;

const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9 _.:-]{0,127}$/;
const identifier = (what: string) =>
  z
    .string()
    .regex(IDENTIFIER, 'expected 1 to 128 letters, digits, spaces or _ . : - starting with a letter or digit')
    .describe(what);

const absolutePath = z
  .string()
  .max(4096)
  .regex(/^\/[^\0]*$/, 'expected an absolute path (starting with /)')
  .describe('Where to look: a directory, searched down to maxdepth, or one file');
const maxdepth = z
  .number()
  .int()
  .min(0)
  .max(32)
  .default(10)
  .describe("Directory levels to descend below path (0: only the files directly in it; scribe's default 10)");

// Alike on purpose (duplicates): one schema an object kind of the scribe document (MIG's), each
// field described for the docs; they share their shape, not logic.
const fileContent = z
  .strictObject({
    path: absolutePath,
    file: checked(regexProblem).describe('RE2 regex on the base name of the files to read'),
    expression: checked(regexProblem).describe(
      'RE2 regex on each line; its first capture group (or the whole match) is the value the test judges',
    ),
    maxdepth,
  })
  .describe('Values from the lines of files: one per matching line');

const fileName = z
  .strictObject({
    path: absolutePath,
    file: checked(regexProblem).describe(
      'RE2 regex on base names; its first capture group (or the whole name) is the value',
    ),
    maxdepth,
  })
  .describe('Values from file names: one per matching file');

const packageObject = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(256)
      .describe(
        'Exact package name (dpkg, rpm or apk); the value is its installed version, one per installed instance',
      ),
  })
  .describe('Installed versions of a package');

const SOURCES = ['filecontent', 'filename', 'package'] as const;

const scribeObject = z
  .strictObject({
    object: identifier('Name tests use to refer to this object'),
    description: z.string().max(1024).optional().describe('Free text'),
    filecontent: fileContent.optional(),
    filename: fileName.optional(),
    package: packageObject.optional(),
  })
  .superRefine((o, ctx) => {
    const given = SOURCES.filter((key) => o[key] !== undefined);
    if (given.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message: `expected exactly one of ${SOURCES.join(', ')}, got ${given.length === 0 ? 'none' : given.join(' and ')}`,
      });
  });

/** Operators of an evr test: MIG's `<` and `=`, the other symbols, and their names. */
export const EVR_OPERATIONS: Readonly<Record<string, VersionOp>> = {
  '<': '<',
  '<=': '<=',
  '=': '=',
  '>=': '>=',
  '>': '>',
  '!=': '!=',
  lessthan: '<',
  lessthanorequal: '<=',
  equal: '=',
  greaterthanorequal: '>=',
  greaterthan: '>',
  notequal: '!=',
};

const evrTest = z
  .strictObject({
    operation: z
      .enum(Object.keys(EVR_OPERATIONS) as [string, ...string[]])
      .describe(
        'How the value compares to `value`: < <= = >= > != or lessthan, lessthanorequal, equal, greaterthanorequal, greaterthan, notequal',
      ),
    value: z
      .string()
      .max(MAX_VERSION_CHARS)
      .regex(/^[0-9A-Za-z][0-9A-Za-z.+~:_^-]*$/, 'expected a version like 1.1.1k or 1:2.3-4')
      .describe('The version compared with; without a -release part, any release matches'),
    scheme: z
      .enum(['dpkg', 'rpm', 'apk'])
      .optional()
      .describe(
        "Version ordering; default: the package's own manager for package objects, rpm's for values from files (as scribe did)",
      ),
  })
  .describe('Passes when a value compares as asked ([epoch:]version[-release] ordering)');

const scribeTest = z
  .strictObject({
    test: identifier('Identifier of the test, reported in each result row and used by `if`'),
    description: z.string().max(1024).optional().describe('Reported as the row name (default: the identifier)'),
    object: identifier('The object whose values this test judges'),
    evr: evrTest.optional(),
    regexp: z
      .strictObject({ value: checked(regexProblem).describe('RE2 regex the value must match') })
      .optional()
      .describe('Passes when a value matches'),
    exists: z.literal(true).optional().describe('Passes when the object has any value (the default test)'),
    noexists: z.literal(true).optional().describe('Passes when the object has no value'),
    not: z.boolean().default(false).describe('Inverts the outcome (before `if` applies)'),
    if: z
      .array(z.string())
      .max(MAX_DEPENDENCIES)
      .optional()
      .describe('Tests that must pass for this one to pass; an error in one is an error here'),
  })
  .superRefine((t, ctx) => {
    const given = (['evr', 'regexp', 'exists', 'noexists'] as const).filter((key) => t[key] !== undefined);
    if (given.length > 1)
      ctx.addIssue({
        code: 'custom',
        message: `expected at most one of evr, regexp, exists, noexists, got ${given.join(' and ')}`,
      });
  });

export type ScribeObject = z.output<typeof scribeObject>;
export type ScribeTest = z.output<typeof scribeTest>;

type Doc = { objects: ScribeObject[]; tests: ScribeTest[] };

function duplicates(names: readonly string[]): Set<number> {
  const seen = new Set<string>();
  const dup = new Set<number>();
  names.forEach((name, i) => (seen.has(name) ? dup.add(i) : seen.add(name)));
  return dup;
}

/** Index of a test on a dependency cycle through `if`, or -1. */
function cycleAt(tests: readonly ScribeTest[]): number {
  const byId = new Map(tests.map((t, i) => [t.test, i]));
  const state = new Array<0 | 1 | 2>(tests.length).fill(0);
  const visit = (i: number): boolean => {
    if (state[i] === 2) return false;
    if (state[i] === 1) return true;
    state[i] = 1;
    const found = (tests[i]?.if ?? []).some((dep) => {
      const j = byId.get(dep);
      return j !== undefined && visit(j);
    });
    state[i] = 2;
    return found;
  };
  return tests.findIndex((_, i) => visit(i));
}

/** References between objects and tests: every one resolves, names are unique, `if` has no cycle. */
function checkReferences(doc: Doc, ctx: z.RefinementCtx): void {
  const objects = new Set(doc.objects.map((o) => o.object));
  const tests = new Set(doc.tests.map((t) => t.test));
  for (const i of duplicates(doc.objects.map((o) => o.object)))
    ctx.addIssue({
      code: 'custom',
      path: ['objects', i, 'object'],
      message: 'expected a unique object name, this one is used before',
    });
  for (const i of duplicates(doc.tests.map((t) => t.test)))
    ctx.addIssue({
      code: 'custom',
      path: ['tests', i, 'test'],
      message: 'expected a unique test identifier, this one is used before',
    });
  doc.tests.forEach((t, i) => {
    if (!objects.has(t.object))
      ctx.addIssue({
        code: 'custom',
        path: ['tests', i, 'object'],
        message: `expected the name of an object in objects, got ${JSON.stringify(t.object)}`,
      });
    (t.if ?? []).forEach((dep, j) => {
      if (!tests.has(dep))
        ctx.addIssue({
          code: 'custom',
          path: ['tests', i, 'if', j],
          message: `expected the identifier of a test, got ${JSON.stringify(dep)}`,
        });
      else if (dep === t.test)
        ctx.addIssue({ code: 'custom', path: ['tests', i, 'if', j], message: 'a test cannot depend on itself' });
    });
  });
  const cycle = cycleAt(doc.tests);
  if (cycle >= 0)
    ctx.addIssue({ code: 'custom', path: ['tests', cycle, 'if'], message: 'expected no dependency cycle through if' });
}

export const scribeDocument = z
  .strictObject({
    objects: z.array(scribeObject).min(1).max(MAX_OBJECTS).describe('Where values come from'),
    tests: z.array(scribeTest).min(1).max(MAX_TESTS).describe('What is judged; one result row per test'),
  })
  .superRefine(checkReferences)
  .describe('A scribe document: objects and the tests that judge them');
export type ScribeDocument = z.output<typeof scribeDocument>;
