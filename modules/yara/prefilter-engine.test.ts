import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Compiler, initSync, type Scanner } from '@virustotal/yara-x';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { AtomSearch } from './atom-search.js';
import { prefilterAtoms } from './prefilter.js';

/**
 * The prefilter never hides a match: on generated files, whenever the engine (YARA-X itself,
 * in this process) says a rule matches, the file holds one of that rule's atoms. Files are
 * built from pieces of the rules' strings, in other cases, wide, cut short, and random bytes.
 */

/** Each source stands alone (a private rule travels with its user); rule names are unique. */
const SOURCES = [
  'rule text_plain { strings: $a = "legend.rocks" condition: $a }',
  'rule text_nocase { strings: $a = "Evil.Example" nocase condition: $a }',
  'rule text_wide { strings: $a = "cmd.exe" wide condition: $a }',
  'rule wide_ascii_nocase { strings: $a = "cmd.exe" wide ascii nocase condition: $a }',
  'rule hex_jumps { strings: $h = { 4D 5A [2-4] 90 00 ?? 50 45 00 00 } condition: $h }',
  'rule hex_alt { strings: $h = { 7F 45 4C 46 ( 01 | 02 ) 6D 69 6E 65 72 } condition: $h }',
  'rule regex_plain { strings: $r = /powershell(\\.exe)? -enc [A-Za-z0-9+\\/=]{8,}/ condition: $r }',
  'rule regex_nocase { strings: $r = /powershell(\\.exe)? -enc/ nocase condition: $r }',
  'rule regex_i { strings: $r = /stratum\\+tcp:\\/\\/[a-z.]+/i condition: $r }',
  'rule regex_alt { strings: $r = /(xmrig|minerd) --url/ condition: $r }',
  'rule any_of { strings: $a = "alpha1" $b = "bravo2" condition: any of them }',
  'rule all_of { strings: $a = "alpha1" $b = "bravo2" condition: all of them }',
  'rule two_of { strings: $a = "alpha1" $b = "bravo2" $c = "charl3" condition: 2 of them }',
  'rule of_prefix { strings: $x1 = "alpha1" $x2 = "bravo2" $y = "charl3" condition: any of ($x*) and $y }',
  'rule count_above { strings: $a = "alpha1" condition: #a > 1 }',
  'rule count_mirrored { strings: $a = "bravo2" condition: 2 <= #a }',
  'rule at_zero { strings: $a = "MZ" condition: $a at 0 }',
  'rule in_range { strings: $a = "charl3" condition: $a in (0..40) }',
  'rule and_filesize { strings: $a = "alpha1" condition: $a and filesize < 60 }',
  'rule not_and { strings: $a = "alpha1" $b = "bravo2" condition: not $b and $a }',
  'rule or_and { strings: $a = "alpha1" $b = "bravo2" $c = "charl3" condition: $a or $b and $c }',
  'rule defined_and { strings: $a = "charl3" condition: defined 1 and $a }',
  'rule nested { strings: $a = "alpha1" $b = "bravo2" $c = "charl3" condition: ($a or $b) and (filesize > 10 or true) or $c and uint8(0) == 0x41 }',
  'rule set_in_range { strings: $a = "alpha1" $b = "bravo2" condition: any of ($a, $b) in (0..filesize) }',
  'private rule helper { strings: $a = "legend" condition: $a } rule uses_helper { condition: helper and filesize > 0 }',
  'rule xor_and_text { strings: $x = "secret" xor $t = "bravo2" condition: $x and $t }',
  'rule anonymous { strings: $ = "charl3" $ = "legend" condition: any of them }',
  'rule text_fullword { strings: $a = "alpha1" fullword condition: $a }',
  'rule escapes { strings: $a = "tab\\there\\x41" condition: $a }',
];

const PIECES = [
  'alpha1',
  'ALPHA1',
  'alpha',
  'bravo2',
  'charl3',
  'legend.rocks',
  'LEGEND',
  'legend',
  'Evil.Example',
  'eVIL.eXAMPLE',
  'evil.exampl',
  'c\0m\0d\0.\0e\0x\0e\0',
  'C\0M\0D\0.\0e\0X\0E\0',
  'cmd.exe',
  'CMD.EXE',
  'MZ',
  'MZ\0\0\x90\0\x01PE\0\0',
  '\x7fELF\x01miner',
  '\x7fELF\x03miner',
  'powershell -enc QUJDREVGR0g=',
  'POWERSHELL.EXE -ENC',
  'powershell.exe -enc AAAAAAAAAA',
  'STRATUM+TCP://pool.example',
  'xmrig --url',
  'minerd --url',
  'tab\there' + 'A',
  'secret',
  ' ',
  '\n',
  'A',
].map((s) => Buffer.from(s, 'latin1'));

let scanner: Scanner;

beforeAll(() => {
  const main = createRequire(import.meta.url).resolve('@virustotal/yara-x');
  initSync({ module: readFileSync(new URL('yara_x_js_bg.wasm', new URL(`file://${main}`))) });
  const compiler = new Compiler();
  compiler.addSource(SOURCES.join('\n'));
  scanner = compiler.build().scanner();
});

/** Rule name → the atom search of the source defining it. */
function searches(): Map<string, AtomSearch> {
  const byRule = new Map<string, AtomSearch>();
  for (const source of SOURCES) {
    const atoms = prefilterAtoms([source]);
    if (atoms === undefined) throw new Error(`no prefilter for ${source}`);
    for (const [, name] of source.matchAll(/rule (\w+)/g)) byRule.set(name ?? '', new AtomSearch(atoms));
  }
  return byRule;
}

function matched(bytes: Uint8Array): string[] {
  const { matches } = scanner.scan(bytes) as { matches: { identifier: string; isPrivate: boolean }[] };
  return matches.filter((m) => !m.isPrivate).map((m) => m.identifier);
}

describe('the prefilter against the engine', () => {
  const byRule = searches();
  const whole = new AtomSearch(prefilterAtoms(SOURCES) ?? []);
  const file = fc
    .array(
      fc.oneof(
        fc.constantFrom(...PIECES),
        fc.uint8Array({ maxLength: 6 }).map((a) => Buffer.from(a)),
      ),
      {
        maxLength: 12,
      },
    )
    .map((parts) => Buffer.concat(parts));

  it('every matching rule finds one of its atoms in the file, and so does the whole set', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(file, (bytes) => {
        const rules = matched(bytes);
        for (const rule of rules) {
          seen.add(rule);
          expect({ rule, isIn: byRule.get(rule)?.isIn(bytes) }).toEqual({ rule, isIn: true });
        }
        if (rules.length > 0) expect(whole.isIn(bytes)).toBe(true);
      }),
      { numRuns: 150, seed: 13 },
    );
    // Not vacuous: most rules matched some generated file.
    expect(seen.size).toBeGreaterThan(SOURCES.length / 2);
    // ~5 ms per scan in wasm, far more on a loaded machine.
  }, 180_000);

  it('the precedence the condition reader relies on', () => {
    const probe = (text: string): string[] =>
      matched(Buffer.from(text)).filter((r) => ['not_and', 'or_and', 'defined_and'].includes(r));
    // `not $b and $a` is `(not $b) and $a`; `$a or $b and $c` is `$a or ($b and $c)`.
    expect(probe('')).toEqual([]);
    expect(probe('bravo2')).toEqual([]);
    expect(probe('charl3')).toEqual(['defined_and']);
    expect(probe('alpha1').sort()).toEqual(['not_and', 'or_and']);
  });
});
