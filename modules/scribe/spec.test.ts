import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleParams } from '../../console/cli/hunt.js';
import { exampleArgv, undescribed } from '../pkg/testing.js';
import { scribeModule, scribeParams } from './spec.js';

const REPO = join(import.meta.dirname, '..', '..');
/** `$(cat path)` as the shell would expand it (paths in examples are relative to the repository). */
const catFiles = (word: string): string => word.replace(/\$\(cat ([^)]+)\)/g, (_, path: string) => readFileSync(join(REPO, path), 'utf8'));
const DOC = JSON.stringify({ objects: [{ object: 'o', package: { name: 'openssl' } }], tests: [{ test: 't', object: 'o' }] });

describe('scribeModule spec', () => {
  it('describes every parameter, flag and result field', () => {
    expect(undescribed(scribeModule.params, 'params')).toEqual([]);
    expect(undescribed(scribeModule.cli.schema, 'cli')).toEqual([]);
    expect(undescribed(scribeModule.result, 'result')).toEqual([]);
  });

  it('columns and privacy name real result fields; the result is strict', () => {
    const keys = Object.keys(scribeModule.result.shape);
    for (const column of scribeModule.columns) expect(keys).toContain(column.key);
    for (const key of scribeModule.privacy.leaves) expect(keys).toContain(key);
    expect(scribeModule.result.safeParse({ test: 't', name: 't', result: 'pass', object: 'o', line: 'root:$6$...' }).success).toBe(false);
  });

  it.each(scribeModule.examples.map((e) => ({ name: e.explains, command: e.command })))('example parses as the CLI parses it: $name', ({ command }) => {
    const params = moduleParams(scribeModule, exampleArgv(command, 'scribe', catFiles));
    expect(scribeParams.safeParse(params).success).toBe(true);
  });
});

describe('CLI flags', () => {
  it.each([
    { name: 'a document', input: ['-doc', DOC], want: { document: JSON.parse(DOC) as unknown, onlypass: undefined } },
    { name: 'onlypass', input: ['-doc', DOC, '-onlypass'], want: { document: JSON.parse(DOC) as unknown, onlypass: true } },
  ])('$name', ({ input, want }) => {
    expect(moduleParams(scribeModule, input)).toEqual(want);
  });

  it.each([
    { name: 'no document', input: [], wantMessage: /-doc: expected/ },
    { name: 'a path instead of JSON', input: ['-doc', 'doc.json'], wantMessage: /-doc: expected the scribe document as JSON text, e\.g\. -doc "\$\(cat doc\.json\)" \(Unexpected token/ },
    { name: 'JSON that is not a document names the field', input: ['-doc', '{"objects":[],"tests":[{"test":"t","object":"o"}]}'], wantMessage: /document\.objects: Too small.*document\.tests\.0\.object: expected the name of an object in objects, got "o"/ },
  ])('$name', ({ input, wantMessage }) => {
    expect(() => moduleParams(scribeModule, input)).toThrow(wantMessage);
  });
});
