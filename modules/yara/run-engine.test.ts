import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { runOperationsLocally } from '../../test/helpers/modules/agent-side.js';
import { BaseError, ProtocolError } from '../../protocol/errors.js';
import { recordingContext } from '../../test/helpers/modules/recording.js';
import { yaraParams } from './params.js';
import { makeRunYara, runYara } from './run.js';
import { yaraModule } from './spec.js';
import { brief, makeTree, removeTree, runScan } from '../../test/helpers/modules/yara.js';

/** The engine's worker: per-file timeout, abort, stdout isolation, and rows through the real runner. */

let root: string | undefined;
afterEach(() => {
  if (root !== undefined) removeTree(root);
  root = undefined;
});

/** Quadratic in filesize: on 200 kB it runs for minutes; YARA-X's own timeout cannot stop it in wasm. */
const SLOW =
  'rule slow { condition: filesize > 100000 and for all i in (0..filesize) : ( for all j in (0..filesize) : (uint8(i) != uint8(j) or true) ) }';
const TREE = { '/t/slow.bin': Buffer.alloc(200_000), '/t/small': 'tiny\n' };

describe('a scan that overruns its time', () => {
  it('is stopped, reported, and the next file is scanned by a fresh engine', async () => {
    root = makeTree(TREE);
    const rec = recordingContext(root);
    // Paths are walked in sorted order: slow.bin first, then small.
    const rows = await runScan(
      { rules: [`${SLOW} rule small { condition: filesize < 100 }`], paths: ['/t/slow.bin', '/t/small'] },
      rec,
      { scanTimeoutMs: 2000 },
    );
    expect(rows.map(brief)).toEqual(['/t/small:small']);
    expect(rec.warnings.filter((w) => !w.startsWith('rules: '))).toEqual([
      '/t/slow.bin: scan stopped after the per-file time limit; the rules may loop over the file (e.g. for ... in (0..filesize))',
    ]);
    expect(rec.stats).toMatchObject({ scanTimeouts: 1, filesScanned: 1 });
  });
});

describe('abort', () => {
  it('stops a scan in progress (the worker is terminated, not awaited)', async () => {
    root = makeTree({ '/u/a-small': 'tiny\n', '/u/b-slow.bin': Buffer.alloc(200_000) });
    const rec = recordingContext(root);
    const params = yaraParams.parse({
      rules: [`${SLOW} rule small { condition: filesize < 100 }`],
      paths: ['/u/a-small', '/u/b-slow.bin'],
    });
    const rows: string[] = [];
    // A scan timeout far beyond the test's own: only the abort can end the slow scan.
    for await (const row of makeRunYara({ scanTimeoutMs: 600_000 })(params, rec.ctx)) {
      rows.push(row.path);
      // The engine is up; the next step scans the slow file, and the abort lands during it.
      setTimeout(() => rec.controller.abort(), 200);
    }
    expect(rows).toEqual(['/u/a-small']);
    expect(rec.stats.scanTimeouts).toBeUndefined();
  });

  it('before the rules compile: MODULE_CANCELLED', async () => {
    root = makeTree(TREE);
    const rec = recordingContext(root);
    rec.controller.abort();
    const err = await runScan({ rules: ['rule a { condition: true }'], paths: ['/t'] }, rec).catch((e: unknown) => e);
    expect((err as BaseError).code).toBe('MODULE_CANCELLED');
  });

  it('between files: no further file is scanned', async () => {
    root = makeTree(TREE);
    const rec = recordingContext(root);
    const rows: string[] = [];
    for await (const row of makeRunYara()(
      yaraParams.parse({ rules: ['rule every_file { condition: true }'], paths: ['/t/slow.bin', '/t/small'] }),
      rec.ctx,
    )) {
      rows.push(row.path);
      rec.controller.abort();
    }
    expect(rows).toEqual(['/t/slow.bin']);
  });
});

describe('output of the rules (console module) stays off stdout', () => {
  it('a CLI process prints only what it writes itself', async () => {
    root = makeTree({ '/c/f': 'x' });
    const script = join(root, 'scan.mts');
    const modules = fileURLToPath(new URL('.', import.meta.url));
    writeFileSync(
      script,
      [
        `import { runYara } from ${JSON.stringify(join(modules, 'run.ts'))};`,
        `import { yaraParams } from ${JSON.stringify(join(modules, 'params.ts'))};`,
        `const ctx = { signal: new AbortController().signal, root: ${JSON.stringify(root)}, now: () => new Date(), log: () => undefined, warn: () => undefined, count: () => undefined };`,
        `const params = yaraParams.parse({ rules: ['import "console"\\nrule talk { condition: console.log("LEAKED-", uint8(0)) }'], paths: ['/c'] });`,
        'for await (const row of runYara(params, ctx)) process.stdout.write(`ROW ${row.rule}\\n`);',
      ].join('\n'),
    );
    const cwd = fileURLToPath(new URL('../..', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd });
    expect(stdout).toBe('ROW talk\n');
  });
});

describe('through the agent runner (-t local)', () => {
  const specs = new Map([['yara', yaraModule]]);
  const runners = new Map([['yara', runYara]]);
  const local = (parameters: Record<string, unknown>) =>
    runOperationsLocally([{ module: 'yara', parameters }], { root: root ?? '/', specs, runners, platform: 'linux' });

  it('rows pass the privacy filter and parse against the result schema', async () => {
    root = makeTree({ '/r/hit': 'evil-marker', '/r/miss': 'benign' });
    const [result] = await local({
      rules: ['rule evil : bad { strings: $a = "evil-marker" condition: $a }'],
      paths: ['/r'],
    });
    expect(result?.error).toBeUndefined();
    expect(result?.isFound).toBe(true);
    expect(result?.rows).toHaveLength(1);
    expect(result?.rows[0]).toMatchObject({ path: '/r/hit', rule: 'evil', tags: ['bad'], size: 11 });
    expect(yaraModule.result.safeParse(result?.rows[0]).success).toBe(true);
    expect(result?.stats).toMatchObject({ filesScanned: 2, filesMatched: 1 });
  });

  it('rules that do not compile fail the operation with INVALID_PARAMETERS', async () => {
    root = makeTree({ '/r/f': 'x' });
    const [result] = await local({ rules: ['rule x { condition: $nope }'], paths: ['/r'] });
    expect(result?.error?.code).toBe('INVALID_PARAMETERS');
    expect(result?.error?.message).toContain('rules.0: the YARA rules do not compile: error[E025]');
    expect(result?.rows).toEqual([]);
  });

  it('bad parameters are refused before anything runs, naming the field', async () => {
    const err = await local({ rules: ['rule a { condition: true }'], paths: ['relative'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe('INVALID_PARAMETERS');
    expect((err as ProtocolError).message).toContain(
      'operations.0.parameters.paths.0 (module yara): expected an absolute path',
    );
  });
});
