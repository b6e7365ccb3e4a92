import { describe, expect, it } from 'vitest';
import { moduleParams } from '../../test/helpers/modules/console-side.js';
import { scribeModule } from './spec.js';

// The contract every module owes (described fields, strict result, columns, examples) is checked
// for all of them in modules/registry.test.ts; here only what is scribe's own.

const DOC = JSON.stringify({
  objects: [{ object: 'o', package: { name: 'openssl' } }],
  tests: [{ test: 't', object: 'o' }],
});

describe('scribeModule result', () => {
  it('the file line a test matched cannot ride along in a row', () => {
    const row = { test: 't', name: 't', result: 'pass', object: 'o' };
    expect(scribeModule.result.safeParse(row).success).toBe(true);
    expect(scribeModule.result.safeParse({ ...row, line: 'root:$6$...' }).success).toBe(false);
  });
});

describe('CLI flags', () => {
  it.each([
    { name: 'a document', input: ['-doc', DOC], want: { document: JSON.parse(DOC) as unknown, onlypass: undefined } },
    {
      name: 'onlypass',
      input: ['-doc', DOC, '-onlypass'],
      want: { document: JSON.parse(DOC) as unknown, onlypass: true },
    },
  ])('$name', ({ input, want }) => {
    expect(moduleParams(scribeModule, input)).toEqual(want);
  });

  it.each([
    { name: 'no document', input: [], wantMessage: /-doc: expected/ },
    {
      name: 'a path instead of JSON',
      input: ['-doc', 'doc.json'],
      wantMessage:
        /-doc: expected the scribe document as JSON text, e\.g\. -doc "\$\(cat doc\.json\)" \(Unexpected token/,
    },
    {
      name: 'JSON that is not a document names the field',
      input: ['-doc', '{"objects":[],"tests":[{"test":"t","object":"o"}]}'],
      wantMessage:
        /document\.objects \(module scribe\): expected at least 1 value, got 0 values.*document\.tests\.0\.object \(module scribe\): expected the name of an object in objects, got "o"/,
    },
  ])('$name', ({ input, wantMessage }) => {
    expect(() => moduleParams(scribeModule, input)).toThrow(wantMessage);
  });
});
