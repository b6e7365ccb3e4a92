import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../protocol/zod-issues.js';
import { scribeDocument } from './document.js';

const pkgObject = { object: 'o', package: { name: 'openssl' } };
const doc = (over: { objects?: unknown[]; tests?: unknown[] }): unknown => ({
  objects: over.objects ?? [pkgObject],
  tests: over.tests ?? [{ test: 't', object: 'o' }],
});
const issues = (input: unknown): string => {
  const parsed = scribeDocument.safeParse(input);
  return parsed.success ? 'valid' : describeIssues(parsed.error, 'document');
};

describe('scribe documents', () => {
  it.each(
    readdirSync(join(import.meta.dirname, 'examples'))
      .filter((f) => f.endsWith('.json'))
      .map((name) => ({ name })),
  )('example $name is valid', ({ name }) => {
    expect(issues(JSON.parse(readFileSync(join(import.meta.dirname, 'examples', name), 'utf8')))).toBe('valid');
  });

  it.each([
    { name: 'the smallest document', input: doc({}), want: 'valid' },
    {
      name: "MIG's doc.rst example, as written",
      input: {
        objects: [
          {
            object: 'djangoinit',
            filecontent: { path: '/', file: '__init__\\.py', expression: '^VERSION = \\((\\S+), (\\S+), (\\S+),' },
          },
          { object: 'testfile', filename: { path: '/etc', file: '(testfile)' } },
        ],
        tests: [
          {
            test: 'django and test file',
            object: 'djangoinit',
            evr: { operation: '<', value: '1.4.5' },
            if: ['testfile exists'],
          },
          { test: 'testfile exists', object: 'testfile' },
        ],
      },
      want: 'valid',
    },
    {
      name: 'an object without a source',
      input: doc({ objects: [{ object: 'o' }] }),
      want: 'document.objects.0: expected exactly one of filecontent, filename, package, got none',
    },
    {
      name: 'an object with two sources',
      input: doc({ objects: [{ object: 'o', package: { name: 'a' }, filename: { path: '/etc', file: 'x' } }] }),
      want: 'document.objects.0: expected exactly one of filecontent, filename, package, got filename and package',
    },
    {
      name: 'a relative path',
      input: doc({ objects: [{ object: 'o', filename: { path: 'etc', file: 'x' } }] }),
      want: 'document.objects.0.filename.path: expected an absolute path (starting with /)',
    },
    {
      name: 'a bad content regex',
      input: doc({ objects: [{ object: 'o', filecontent: { path: '/etc', file: 'x', expression: 'a(' } }] }),
      want: expect.stringMatching(/^document\.objects\.0\.filecontent\.expression: not a valid RE2/),
    },
    {
      name: 'MIG field names only',
      input: doc({ objects: [{ object: 'o', filecontent: { path: '/etc', file: 'x', regex: 'a' } }] }),
      want: expect.stringContaining('document.objects.0.filecontent: Unrecognized key: "regex"'),
    },
    {
      name: 'a test of an unknown object',
      input: doc({ tests: [{ test: 't', object: 'nope' }] }),
      want: 'document.tests.0.object: expected the name of an object in objects, got "nope"',
    },
    {
      name: 'an unknown dependency',
      input: doc({ tests: [{ test: 't', object: 'o', if: ['u'] }] }),
      want: 'document.tests.0.if.0: expected the identifier of a test, got "u"',
    },
    {
      name: 'a test depending on itself',
      input: doc({ tests: [{ test: 't', object: 'o', if: ['t'] }] }),
      want: 'document.tests.0.if.0: a test cannot depend on itself; document.tests.0.if: expected no dependency cycle through if',
    },
    {
      name: 'a dependency cycle',
      input: doc({
        tests: [
          { test: 'a', object: 'o', if: ['b'] },
          { test: 'b', object: 'o', if: ['c'] },
          { test: 'c', object: 'o', if: ['a'] },
        ],
      }),
      want: 'document.tests.0.if: expected no dependency cycle through if',
    },
    {
      name: 'duplicate names',
      input: doc({
        objects: [pkgObject, pkgObject],
        tests: [
          { test: 't', object: 'o' },
          { test: 't', object: 'o' },
        ],
      }),
      want: 'document.objects.1.object: expected a unique object name, this one is used before; document.tests.1.test: expected a unique test identifier, this one is used before',
    },
    {
      name: 'two evaluators',
      input: doc({ tests: [{ test: 't', object: 'o', exists: true, regexp: { value: 'x' } }] }),
      want: 'document.tests.0: expected at most one of evr, regexp, exists, noexists, got regexp and exists',
    },
    {
      name: 'an unknown evr operation',
      input: doc({ tests: [{ test: 't', object: 'o', evr: { operation: 'older', value: '1' } }] }),
      want: expect.stringMatching(/^document\.tests\.0\.evr\.operation: Invalid option: expected one of "<"\|"<="/),
    },
    {
      name: 'an evr value that is not a version',
      input: doc({ tests: [{ test: 't', object: 'o', evr: { operation: '<', value: '< 1.0' } }] }),
      want: 'document.tests.0.evr.value: expected a version like 1.1.1k or 1:2.3-4',
    },
    {
      name: 'exists: false means nothing',
      input: doc({ tests: [{ test: 't', object: 'o', exists: false }] }),
      want: 'document.tests.0.exists: Invalid input: expected true',
    },
    {
      name: 'MIG expectedresult is not supported',
      input: doc({ tests: [{ test: 't', object: 'o', expectedresult: true }] }),
      want: 'document.tests.0: Unrecognized key: "expectedresult"',
    },
    {
      name: 'an identifier with a slash',
      input: doc({ objects: [{ object: 'a/b', package: { name: 'x' } }], tests: [{ test: 't', object: 'a/b' }] }),
      want: 'document.objects.0.object: expected 1 to 128 letters, digits, spaces or _ . : - starting with a letter or digit; document.tests.0.object: expected 1 to 128 letters, digits, spaces or _ . : - starting with a letter or digit',
    },
    {
      name: 'no tests',
      input: { objects: [pkgObject], tests: [] },
      want: 'document.tests: Too small: expected array to have >=1 items',
    },
  ])('$name', ({ input, want }) => {
    expect(issues(input)).toEqual(want);
  });
});
