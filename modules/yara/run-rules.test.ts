import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BaseError } from '../../protocol/errors.js';
import { recordingContext } from '../../test/helpers/modules/recording.js';
import { yaraModule } from './spec.js';
import { brief, makeTree, removeTree, runScan, type Entry } from '../../test/helpers/modules/yara.js';

/** What the rules say: text, hex and regex strings, conditions, modules, tags, namespaces, errors. */

let root: string | undefined;
afterEach(() => {
  if (root !== undefined) removeTree(root);
  root = undefined;
});

const MZ = Buffer.concat([
  Buffer.from([0x4d, 0x5a, 0x90, 0x00]),
  Buffer.from('This program cannot be run in DOS mode\n'),
]);
const MINER = Buffer.concat([
  Buffer.from([0x7f, 0x45, 0x4c, 0x46]),
  Buffer.from('..xmrig..stratum+tcp://pool.example:3333..'),
]);

const TREE: Record<string, Entry> = {
  '/d/mz.exe': MZ,
  '/d/notes.txt': 'Hello World\nnothing to see\n',
  '/d/sub/miner': MINER,
  '/d/sub/empty': '',
  '/d/big.bin': 'A'.repeat(2000),
};

async function scan(rules: string[], paths = ['/d']): Promise<string[]> {
  root = makeTree(TREE);
  const rows = await runScan({ rules, paths }, recordingContext(root));
  for (const row of rows) expect(yaraModule.result.safeParse(row).error?.issues ?? []).toEqual([]);
  return rows.map(brief).sort();
}

describe('rules', () => {
  it.each([
    {
      name: 'text string',
      rules: ['rule stratum { strings: $s = "stratum+tcp://" condition: $s }'],
      want: ['/d/sub/miner:stratum'],
    },
    {
      name: 'text string, nocase',
      rules: ['rule hello { strings: $s = "hello world" nocase condition: $s }'],
      want: ['/d/notes.txt:hello'],
    },
    {
      name: 'text string, case matters by default',
      rules: ['rule hello { strings: $s = "hello world" condition: $s }'],
      want: [],
    },
    {
      name: 'hex string with wildcards',
      rules: ['rule mz_hex { strings: $h = { 4D 5A ?? 00 54 68 69 73 } condition: $h at 0 }'],
      want: ['/d/mz.exe:mz_hex'],
    },
    {
      name: 'hex string with a jump and alternatives',
      rules: [
        'rule elf_xmrig { strings: $h = { 7F 45 4C 46 [0-8] ( 78 6D 72 69 67 | 58 4D 52 49 47 ) } condition: $h }',
      ],
      want: ['/d/sub/miner:elf_xmrig'],
    },
    {
      name: 'regular expression',
      rules: ['rule pool { strings: $r = /pool\\.[a-z]+:\\d{4}/ condition: $r }'],
      want: ['/d/sub/miner:pool'],
    },
    { name: 'condition on the header', rules: ['rule pe { condition: uint16(0) == 0x5A4D }'], want: ['/d/mz.exe:pe'] },
    {
      name: 'condition on filesize',
      rules: ['rule empty { condition: filesize == 0 } rule large { condition: filesize > 1KB }'],
      want: ['/d/big.bin:large', '/d/sub/empty:empty'],
    },
    {
      name: 'all of them',
      rules: [
        'rule both { strings: $a = "xmrig" $b = "Hello" condition: all of them } rule one { strings: $a = "xmrig" $b = "Hello" condition: any of them }',
      ],
      want: ['/d/notes.txt:one', '/d/sub/miner:one'],
    },
    {
      name: 'string count',
      rules: ['rule many_a { strings: $a = "AAAA" condition: #a > 100 }'],
      want: ['/d/big.bin:many_a'],
    },
    {
      name: 'a module (hash)',
      rules: [
        'import "hash"\nrule empty_md5 { condition: hash.md5(0, filesize) == "d41d8cd98f00b204e9800998ecf8427e" }',
      ],
      want: ['/d/sub/empty:empty_md5'],
    },
    {
      name: 'tags',
      rules: ['rule miner : coinminer linux { strings: $s = "xmrig" condition: $s }'],
      want: ['/d/sub/miner:miner[coinminer,linux]'],
    },
    {
      name: 'a private rule is used, not reported',
      rules: [
        'private rule has_xmrig { strings: $s = "xmrig" condition: $s } rule uses { condition: has_xmrig and filesize < 1KB }',
      ],
      want: ['/d/sub/miner:uses'],
    },
    {
      name: 'several sources: one namespace each, rule names may repeat',
      rules: ['rule same : first { condition: filesize == 0 }', 'rule same : second { condition: filesize == 0 }'],
      want: ['/d/sub/empty:same[first]@ns1', '/d/sub/empty:same[second]@ns2'],
    },
    { name: 'no rule matches', rules: ['rule never { condition: false }'], want: [] },
  ])('$name', async ({ rules, want }) => {
    expect(await scan(rules)).toEqual(want);
  });

  it('reports size and mtime of the file, never its bytes', async () => {
    root = makeTree(TREE);
    const mtime = new Date('2025-03-04T05:06:07.000Z');
    utimesSync(join(root, 'd/sub/miner'), mtime, mtime);
    const rows = await runScan(
      { rules: ['rule m { strings: $s = "xmrig" condition: $s }'], paths: ['/d'] },
      recordingContext(root),
    );
    expect(rows).toEqual([
      { path: '/d/sub/miner', rule: 'm', tags: [], size: MINER.length, mtime: mtime.toISOString() },
    ]);
    expect(JSON.stringify(rows)).not.toContain('xmrig');
  });

  it('counts what it did', async () => {
    root = makeTree(TREE);
    const rec = recordingContext(root);
    await runScan({ rules: ['rule m { strings: $s = "xmrig" condition: $s }'], paths: ['/d'] }, rec);
    expect(rec.stats).toMatchObject({
      dirsVisited: 2,
      filesVisited: 5,
      filesScanned: 5,
      filesMatched: 1,
      bytesScanned: MZ.length + 27 + MINER.length + 2000,
    });
  });

  it('passes compiler warnings on as warnings', async () => {
    root = makeTree(TREE);
    const rec = recordingContext(root);
    await runScan(
      { rules: ['rule slowish { condition: for any i in (0..filesize) : (uint8(i) == 0x41) }'], paths: ['/d/mz.exe'] },
      rec,
    );
    expect(rec.warnings.some((w) => w.startsWith('rules: warning[potentially_slow_loop]'))).toBe(true);
  });
});

describe('rules that do not compile: INVALID_PARAMETERS before anything is read', () => {
  it.each([
    {
      name: 'unknown pattern',
      rules: ['rule x { condition: $a }'],
      want: 'rules.0: the YARA rules do not compile: error[E025]: unknown pattern `$a`',
    },
    {
      name: 'syntax error',
      rules: ['rule broken { strings: $a = "x" condition: '],
      want: 'rules.0: the YARA rules do not compile: error[',
    },
    { name: 'unused pattern', rules: ['rule x { strings: $a = "aa" condition: true }'], want: 'unused pattern `$a`' },
    {
      name: 'duplicate rule in one source',
      rules: ['rule a { condition: true } rule a { condition: true }'],
      want: 'duplicate rule `a`',
    },
    {
      name: 'the second source is named',
      rules: ['rule ok { condition: true }', 'rule bad { condition: nope }'],
      want: 'rules.1: the YARA rules do not compile',
    },
    {
      name: 'unknown module',
      rules: ['import "nonexistent"\nrule x { condition: true }'],
      want: 'unknown module `nonexistent`',
    },
    // The engine has no filesystem: an include can neither read nor leak a host file.
    {
      name: 'include is refused',
      rules: ['include "/etc/passwd"\nrule x { condition: true }'],
      want: 'error including file',
    },
  ])('$name', async ({ rules, want }) => {
    root = makeTree(TREE);
    const rec = recordingContext(root);
    const err = await runScan({ rules, paths: ['/d'] }, rec).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BaseError);
    expect((err as BaseError).code).toBe('INVALID_PARAMETERS');
    expect((err as BaseError).message).toContain(want);
    expect((err as BaseError).message).not.toContain('root:x:0:0');
    expect(rec.stats.filesVisited).toBeUndefined();
  });
});
