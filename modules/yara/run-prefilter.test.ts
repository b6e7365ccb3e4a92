import { afterEach, describe, expect, it } from 'vitest';
import { recordingContext } from '../../test/helpers/modules/recording.js';
import { brief, makeTree, removeTree, runScan, type Entry } from '../../test/helpers/modules/yara.js';

/**
 * The module with its prefilter gives exactly the rows, warnings and counts it gives without
 * (every file to the engine), on planted files; only files holding an atom reach the engine.
 */

let root: string | undefined;
afterEach(() => {
  if (root !== undefined) removeTree(root);
  root = undefined;
});

const wide = (text: string): Buffer => Buffer.from(text, 'utf16le');

const TREE: Record<string, Entry> = {
  '/h/plain.txt': 'a line with legend.rocks in it\n',
  '/h/shouting.txt': 'VISIT EVIL.EXAMPLE NOW\n',
  '/h/wide.bin': Buffer.concat([Buffer.from([0, 1]), wide('run cmd.exe /c'), Buffer.from([0])]),
  '/h/pe.exe': Buffer.concat([Buffer.from([0x4d, 0x5a, 0, 0, 0x90, 0, 7, 0x50, 0x45, 0, 0]), Buffer.from('rest')]),
  '/h/elf': Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02]), Buffer.from('miner..')]),
  '/h/ps1.log': 'x powershell.exe -enc QUJDREVGR0g= y\n',
  '/h/pool.cfg': 'url=STRATUM+TCP://pool.example:3333\n',
  '/h/both.txt': 'alpha1 and bravo2 and alpha1\n',
  '/h/one.txt': 'only bravo2 here\n',
  '/h/near-misses.txt': 'legend.rock evil.exampl cmd.ex powershel -enc alpha bravo\n',
  '/h/empty': '',
  '/h/sub/big.log': `${'GET /index.html 200\n'.repeat(100_000)}legend.rocks at the end\n`,
  '/h/sub/quiet.log': 'GET /index.html 200\n'.repeat(5_000),
};

const PREFILTERED = `
rule domain { strings: $a = "legend.rocks" $b = "evil.example" nocase condition: any of them }
rule wide_cmd { strings: $a = "cmd.exe" wide condition: $a }
rule pe_hex { strings: $h = { 4D 5A [2-4] 90 00 ?? 50 45 00 00 } condition: $h at 0 }
rule elf_miner { strings: $h = { 7F 45 4C 46 ( 01 | 02 ) 6D 69 6E 65 72 } condition: $h }
rule ps_enc { strings: $r = /powershell(\\.exe)? -enc [A-Za-z0-9+\\/=]{8,}/ condition: $r and filesize < 1MB }
rule pool { strings: $r = /stratum\\+tcp:\\/\\/[a-z.]+/i condition: $r }
private rule has_alpha { strings: $a = "alpha1" condition: #a >= 2 }
rule alpha_and_bravo { strings: $b = "bravo2" condition: has_alpha and $b }
rule bravo_alone { strings: $a = "alpha1" $b = "bravo2" condition: not $a and $b }
`;

async function both(rules: string[]): Promise<{ on: ReturnType<typeof summary>; off: ReturnType<typeof summary> }> {
  root = makeTree(TREE);
  const withPrefilter = recordingContext(root);
  const on = summary(await runScan({ rules, paths: ['/h'] }, withPrefilter), withPrefilter);
  const without = recordingContext(root);
  const off = summary(await runScan({ rules, paths: ['/h'] }, without, { isPrefiltered: false }), without);
  return { on, off };
}

function summary(rows: Parameters<typeof brief>[0][], rec: ReturnType<typeof recordingContext>) {
  const { filesToEngine, ...stats } = rec.stats;
  return { rows: rows.map(brief), warnings: rec.warnings, stats, filesToEngine: filesToEngine ?? 0 };
}

describe('the prefilter changes nothing but the engine calls', () => {
  it('rules it covers: same rows, warnings and counts; only candidates reach the engine', async () => {
    const { on, off } = await both([PREFILTERED]);
    expect(on.rows).toEqual(off.rows);
    expect(on.rows.sort()).toEqual([
      '/h/both.txt:alpha_and_bravo',
      '/h/elf:elf_miner',
      '/h/one.txt:bravo_alone',
      '/h/pe.exe:pe_hex',
      '/h/plain.txt:domain',
      '/h/pool.cfg:pool',
      '/h/ps1.log:ps_enc',
      '/h/shouting.txt:domain',
      '/h/sub/big.log:domain',
      '/h/wide.bin:wide_cmd',
    ]);
    expect(on.warnings).toEqual(off.warnings);
    expect(on.stats).toEqual(off.stats);
    expect(off.filesToEngine).toBe(13);
    // Not the empty file, the quiet log, nor the near misses (whose pieces are too short).
    expect(on.filesToEngine).toBe(10);
  });

  it('a rule it cannot cover (filesize only): every file goes to the engine, results unchanged', async () => {
    const { on, off } = await both([PREFILTERED, 'rule tiny { condition: filesize < 20 }']);
    expect(on).toEqual(off);
    expect(on.rows).toContain('/h/empty:tiny@ns2');
    expect(on.filesToEngine).toBe(13);
  });
});
