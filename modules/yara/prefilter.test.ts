import { describe, expect, it } from 'vitest';
import { AtomSearch } from './atom-search.js';
import { prefilterAtoms, type Atom } from './prefilter.js';

/** Which rules get a prefilter, and with which atoms. Soundness against the engine: prefilter-engine.test.ts. */

function brief(atoms: readonly Atom[] | undefined): string[] | undefined {
  return atoms?.map((a) => `${a.isFolded ? 'i:' : ''}${a.bytes.toString('latin1').replaceAll('\0', '.')}`).sort();
}

function atomsOf(...sources: string[]): string[] | undefined {
  return brief(prefilterAtoms(sources));
}

describe('conditions that need a string: prefiltered', () => {
  it.each([
    ['$a', 'rule r { strings: $a = "alpha1" condition: $a }', ['alpha1']],
    ['any of them', 'rule r { strings: $a = "alpha1" $b = "bravo2" condition: any of them }', ['alpha1', 'bravo2']],
    ['all of them', 'rule r { strings: $a = "alpha1" $b = "bravo2" condition: all of them }', ['alpha1', 'bravo2']],
    ['N of them', 'rule r { strings: $a = "alpha1" $b = "bravo2" condition: 2 of them }', ['alpha1', 'bravo2']],
    [
      'any of ($x*)',
      'rule r { strings: $x1 = "alpha1" $x2 = "bravo2" $y = "charl3" condition: any of ($x*) }',
      ['alpha1', 'bravo2'],
    ],
    [
      'of a set, in a range',
      'rule r { strings: $a = "alpha1" $b = "bravo2" condition: any of ($a, $b) in (0..filesize) }',
      ['alpha1', 'bravo2'],
    ],
    ['#a > 0', 'rule r { strings: $a = "alpha1" condition: #a > 0 }', ['alpha1']],
    ['2 <= #a', 'rule r { strings: $a = "alpha1" condition: 2 <= #a }', ['alpha1']],
    ['$a at 0', 'rule r { strings: $a = "alpha1" condition: $a at 0 }', ['alpha1']],
    ['A and B: the better side', 'rule r { strings: $a = "MZ" $b = "bravo2" condition: $a at 0 and $b }', ['bravo2']],
    ['A and filesize', 'rule r { strings: $a = "alpha1" condition: filesize < 1KB and $a }', ['alpha1']],
    ['not B and A', 'rule r { strings: $a = "alpha1" $b = "bravo2" condition: not $b and $a }', ['alpha1']],
    ['A or B', 'rule r { strings: $a = "alpha1" $b = "bravo2" condition: $a or #b > 0 }', ['alpha1', 'bravo2']],
    [
      'nested',
      'rule r { strings: $a = "alpha1" $b = "bravo2" $c = "charl3" condition: ($a or $b) and (filesize > 10 or true) or $c and uint8(0) == 0x41 }',
      ['alpha1', 'bravo2', 'charl3'],
    ],
    [
      'another rule',
      'private rule p { strings: $a = "alpha1" condition: $a } rule r { condition: p and filesize > 0 }',
      ['alpha1'],
    ],
    ['nocase', 'rule r { strings: $a = "Evil.Example" nocase condition: $a }', ['i:Evil.Example']],
    ['wide', 'rule r { strings: $a = "cmd" wide condition: $a }', ['c.m.d.']],
    ['wide ascii', 'rule r { strings: $a = "cmd" wide ascii condition: $a }', ['c.m.d.', 'cmd']],
    ['escapes', 'rule r { strings: $a = "a\\tb\\x41\\"" condition: $a }', ['a\tbA"']],
    ['hex: longest fixed run', 'rule r { strings: $h = { 4D 5A [2-4] 90 00 ?? 50 45 00 00 } condition: $h }', ['PE..']],
    [
      'hex: alternatives break runs',
      'rule r { strings: $h = { 7F 45 4C 46 ( 01 | 02 ) 6D 69 6E 65 72 } condition: $h }',
      ['miner'],
    ],
    [
      'regex literal',
      'rule r { strings: $r = /powershell(\\.exe)? -enc [A-Za-z0-9+\\/=]{8,}/ condition: $r }',
      ['powershell'],
    ],
    ['regex /i', 'rule r { strings: $r = /stratum\\+tcp:\\/\\/[a-z.]+/i condition: $r }', ['i:stratum+tcp://']],
    [
      'regex alternation',
      'rule r { strings: $r = /(xmrig|minerd) --url/ condition: $r }',
      ['minerd --url', 'xmrig --url'],
    ],
    [
      'meta, tags, comments',
      'rule r : t1 t2 { meta: a = "x}" b = 3 c = true // }\n strings: /* } */ $a = "alpha1" condition: $a }',
      ['alpha1'],
    ],
  ])('%s', (_name, source, want) => {
    expect(atomsOf(source)).toEqual(want);
  });

  it('a rule as rule feeds write them', () => {
    const source = String.raw`
import "pe"
rule APT_Loader_Sample : loader {
   meta:
      description = "Detects a loader (/* not a comment */)"
      author = "someone"
      date = "2026-01-01"
      score = 80
      hash1 = "0123456789abcdef"
   strings:
      $x1 = "\\\\.\\pipe\\evilpipe" ascii wide
      $x2 = { 68 74 74 70 3A 2F 2F [1-40] 2E 70 68 70 }
      $s1 = "GetProcAddress" fullword ascii
      $s2 = /cmd\.exe \/c [a-z]{4,}/ nocase
      $fp = "Copyright Microsoft" wide
   condition:
      uint16(0) == 0x5a4d and filesize < 2MB and pe.number_of_sections > 2 and
      ( 1 of ($x*) or all of ($s*) ) and not $fp
}`;
    const pipe = String.raw`\\.\pipe\evilpipe`;
    const widePipe = Array.from(pipe, (c) => `${c}.`).join('');
    expect(atomsOf(source)).toEqual([pipe, widePipe, 'GetProcAddress', 'http://', 'i:cmd.exe /c '].sort());
  });

  it('several sources: the atoms of all', () => {
    expect(
      atomsOf('rule r { strings: $a = "alpha1" condition: $a }', 'rule r { strings: $a = "bravo2" condition: $a }'),
    ).toEqual(['alpha1', 'bravo2']);
  });
});

describe('anything not proven: no prefilter (every file to the engine)', () => {
  it.each([
    ['filesize only', 'rule r { condition: filesize > 10 }'],
    ['header', 'rule r { condition: uint16(0) == 0x5A4D }'],
    ['not', 'rule r { strings: $a = "alpha1" condition: not $a }'],
    ['A or filesize', 'rule r { strings: $a = "alpha1" condition: $a or filesize > 10 }'],
    ['none of them', 'rule r { strings: $a = "alpha1" condition: none of them }'],
    ['0 of them', 'rule r { strings: $a = "alpha1" condition: 0 of them }'],
    ['#a == 0', 'rule r { strings: $a = "alpha1" condition: #a == 0 }'],
    ['#a >= 0', 'rule r { strings: $a = "alpha1" condition: #a >= 0 }'],
    ['for', 'rule r { strings: $a = "alpha1" condition: for any of them : ($ at 0) }'],
    ['xor', 'rule r { strings: $a = "alpha1" xor condition: $a }'],
    ['base64', 'rule r { strings: $a = "alpha1" base64 condition: $a }'],
    ['short hex', 'rule r { strings: $h = { 4D ?? 5A 90 } condition: $h }'],
    ['regex without a literal', 'rule r { strings: $r = /[0-9a-f]{32}/ condition: $r }'],
    ['a module', 'import "pe"\nrule r { condition: pe.is_pe }'],
    ['true', 'rule r { condition: true }'],
    ['one rule of several', 'rule a { strings: $a = "alpha1" condition: $a } rule b { condition: filesize == 0 }'],
    ['a rule not proven', 'rule p { condition: filesize > 0 } rule r { strings: $a = "alpha1" condition: p or $a }'],
    ['unknown syntax', 'rule r { strings: $a = "alpha1" condition: $a } something else'],
  ])('%s', (_name, source) => {
    expect(prefilterAtoms([source])).toBeUndefined();
  });

  it('a private rule is never reported: it needs no atoms of its own', () => {
    expect(
      atomsOf('private rule p { condition: filesize > 0 } rule r { strings: $a = "alpha1" condition: $a }'),
    ).toEqual(['alpha1']);
  });
});

describe('AtomSearch', () => {
  const search = new AtomSearch([
    { bytes: Buffer.from('legend'), isFolded: false },
    { bytes: Buffer.from('evil.example'), isFolded: true },
  ]);

  it.each([
    ['an exact atom', 'xx legend xx', true],
    ['not in another case', 'xx LEGEND xx', false],
    ['a folded atom in any case', 'xx EviL.ExamplE xx', true],
    ['a folded atom split by a window edge', `${'x'.repeat(65_530)}EVIL.EXAMPLE`, true],
    ['none', 'nothing here', false],
  ])('%s', (_name, text, want) => {
    expect(search.isIn(Buffer.from(text, 'latin1'))).toBe(want);
  });
});
