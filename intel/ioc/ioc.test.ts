import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkActionLimits } from '../../protocol/check-operations.js';
import { moduleSpecs as MODULE_SPECS } from '../../modules/registry.js';
import { Attribution } from './attribute.js';
import { parsePlainList } from './plain-list.js';
import { planIocActions } from './plan.js';
import { detectFeedFormat, readFeed } from './read-feed.js';
import { parseStix } from './stix.js';
import { parseStixPattern } from './stix-pattern.js';
import { parseYaraFile } from './yara-file.js';

const NOW = new Date('2026-12-06T07:00:00Z');
const feed = (name: string): string => readFileSync(new URL(`../../demo/feeds/${name}`, import.meta.url), 'utf8');
const SHA256 = 'f280a348c32985dc93cb0e293638cbadd828e8cb1c447e0449c36e0b429f3666';
const indicator = (pattern: string, extra: Record<string, unknown> = {}) => ({
  type: 'indicator',
  id: 'indicator--1',
  name: 'one',
  pattern,
  pattern_type: 'stix',
  ...extra,
});
const opts = { paths: ['/srv'], target: 'all', expiryMs: 3_600_000, now: NOW, name: 'mig ioc hunt feed' };

describe('plain lists', () => {
  it('infers each kind, honours prefixes and comments, and lists what it cannot hunt', () => {
    const set = parsePlainList(
      [
        '# advisory 42',
        'D41D8CD98F00B204E9800998ECF8427E',
        'da39a3ee5e6b4b0d3255bfef95601890afd80709  # sha1 of nothing',
        '10.1.2.0/24',
        '2001:db8::7',
        'shell.php',
        '/var/www/uploads/x.phtml',
        'evil.example.com',
        'filename:evil.example.com',
        'https://evil.example/x',
        'sha256:abc',
        'd41d8cd98f00b204e9800998ecf8427e',
        '',
      ].join('\n'),
    );
    expect(set.indicators.map((i) => [i.kind, i.value])).toEqual([
      ['md5', 'd41d8cd98f00b204e9800998ecf8427e'],
      ['sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
      ['ip', '10.1.2.0/24'],
      ['ip', '2001:db8::7'],
      ['filename', 'shell.php'],
      ['filename', 'x.phtml'],
      ['filename', 'evil.example.com'],
    ]);
    expect(set.untranslated.map((u) => [u.id, u.reason.split(':')[0]])).toEqual([
      ['line-8', 'a host name'],
      ['line-10', 'a URL'],
      ['line-11', 'expected a sha256 digest'],
    ]);
  });
});

describe('STIX patterns', () => {
  it('parses observations, comparisons, lists and qualifiers', () => {
    expect(
      parseStixPattern(
        "[file:hashes.'SHA-256' = 'ab' OR file:name IN ('a', 'b')] AND [ipv4-addr:value = '1.2.3.4'] WITHIN 300 SECONDS",
      ),
    ).toMatchObject({
      type: 'and',
      items: [
        { type: 'unit', comparison: { type: 'any' } },
        { type: 'qualified', qualifier: 'WITHIN 300 SECONDS' },
      ],
    });
    expect(() => parseStixPattern("[file:name = 'a'")).toThrow(/expected "\]" at column 17, got the end/);
    expect(() => parseStixPattern("[file:name ~ 'a']")).toThrow(/unexpected "~" at column 12/);
  });

  it.each([
    { pattern: `[file:hashes.'SHA-256' = '${SHA256}']`, kinds: ['sha256'] },
    {
      pattern: `[file:hashes.MD5 = 'D41D8CD98F00B204E9800998ECF8427E' OR file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']`,
      kinds: ['md5', 'sha1'],
    },
    { pattern: "[file:name = 'shell.php'] OR [file:name LIKE 'up%.ph_']", kinds: ['filename', 'filename'] },
    {
      pattern: "[ipv4-addr:value ISSUBSET '198.51.100.0/24'] OR [network-traffic:dst_ref.value = '203.0.113.7']",
      kinds: ['ip', 'ip'],
    },
    { pattern: "[ipv6-addr:value = '2001:db8::1']", kinds: ['ip'] },
  ])('translates $pattern', ({ pattern, kinds }) => {
    const set = parseStix({ type: 'bundle', id: 'bundle--1', objects: [indicator(pattern)] }, NOW);
    expect(set.untranslated).toEqual([]);
    expect(set.indicators.map((i) => i.kind)).toEqual(kinds);
    expect(set.indicators.every((i) => i.id === 'indicator--1' && i.name === 'one')).toBe(true);
  });

  it('turns LIKE into an anchored RE2 regex and keeps MATCHES', () => {
    const set = parseStix(indicator("[file:name LIKE 'up%.ph_'] OR [file:name MATCHES '^x[0-9]+\\\\.so$']"), NOW);
    expect(set.indicators.map((i) => [i.value, i.isRegex])).toEqual([
      ['^up.*\\.ph.$', true],
      ['^x[0-9]+\\.so$', true],
    ]);
  });

  it.each([
    { pattern: "[domain-name:value = 'evil.example']", reason: /DNS names/ },
    { pattern: "[url:value = 'http://x']", reason: /URLs/ },
    { pattern: "[file:hashes.SSDEEP = '3:abc:def']", reason: /do not compute SSDEEP/ },
    { pattern: "[file:name != 'a']", reason: /negation/ },
    { pattern: "[file:name = 'a'] AND [ipv4-addr:value = '1.2.3.4']", reason: /AND between observations/ },
    { pattern: "[file:name = 'a'] FOLLOWEDBY [file:name = 'b']", reason: /FOLLOWEDBY/ },
    { pattern: "[file:name = 'a'] REPEATS 5 TIMES", reason: /qualifiers/ },
    { pattern: "[file:hashes.MD5 = 'nothex']", reason: /expected a MD5 digest/ },
    { pattern: "[file:name MATCHES '(?<=a)b']", reason: /not an RE2 regular expression/ },
    { pattern: '[file:name = ', reason: /not a STIX pattern/ },
    { pattern: '[file:size > 1000]', reason: /not translated \(files by name or hash/ },
  ])('lists $pattern with its reason, never drops it', ({ pattern, reason }) => {
    const set = parseStix(indicator(pattern), NOW);
    expect(set.indicators).toEqual([]);
    expect(set.untranslated).toHaveLength(1);
    expect(set.untranslated[0]).toMatchObject({ id: 'indicator--1', name: 'one', pattern });
    expect(set.untranslated[0]?.reason).toMatch(reason);
  });

  it('a file AND becomes one conjunction; revoked, expired and foreign pattern types are listed', () => {
    const set = parseStix(
      {
        type: 'bundle',
        objects: [
          indicator(`[file:name = 'x.so' AND file:hashes.'SHA-256' = '${SHA256}']`),
          indicator("[file:name = 'a']", { id: 'indicator--2', revoked: true }),
          indicator("[file:name = 'a']", { id: 'indicator--3', valid_until: '2026-01-01T00:00:00Z' }),
          indicator('alert tcp any any -> any 80', { id: 'indicator--4', pattern_type: 'snort' }),
          indicator('rule r { condition: true }', { id: 'indicator--5', pattern_type: 'yara' }),
          { type: 'malware', id: 'malware--1' },
        ],
      },
      NOW,
    );
    expect(set.conjunctions).toEqual([
      { id: 'indicator--1', name: 'one', names: ['^x\\.so$'], hashes: [{ kind: 'sha256', value: SHA256 }] },
    ]);
    expect(set.untranslated.map((u) => [u.id, u.reason])).toEqual([
      ['indicator--2', 'revoked by its producer'],
      ['indicator--3', 'expired (valid_until 2026-01-01T00:00:00Z)'],
      ['indicator--4', 'pattern_type snort: only stix and yara patterns are translated'],
    ]);
    expect(set.indicators).toMatchObject([{ id: 'indicator--5', kind: 'yara', value: 'r' }]);
  });

  it('refuses what is not a bundle with a clear error', () => {
    expect(() => parseStix({ type: 'report' }, NOW)).toThrow(/expected a STIX 2.1 bundle/);
    expect(() => readFeed('{ not json', 'feed.json', NOW)).toThrow(/feed.json is not JSON/);
  });
});

describe('YARA rule files', () => {
  it('makes each public rule an indicator, skipping private rules and comments', () => {
    const set = parseYaraFile(feed('demo-iocs.yar'), 'demo-iocs.yar');
    expect(set.indicators.map((i) => i.value)).toEqual(['demo_php_webshell', 'demo_sshd_helper']);
    expect(set.indicators[0]?.rules).toContain('private rule elf_magic');
    expect(parseYaraFile('/* rule fake { } */ nothing here', 'x.yar').untranslated[0]?.reason).toBe(
      'no public rule found in it',
    );
  });

  it('tells the three feed formats apart', () => {
    expect(detectFeedFormat(feed('demo-iocs.stix.json'))).toBe('stix');
    expect(detectFeedFormat(feed('demo-iocs.yar'))).toBe('yara');
    expect(detectFeedFormat(feed('demo-iocs.txt'))).toBe('list');
  });
});

describe('planning and attribution', () => {
  it('groups the demo bundle into one action that the server would accept', () => {
    const { set } = readFeed(feed('demo-iocs.stix.json'), 'demo', NOW);
    const planned = planIocActions(set, opts);
    expect(planned).toHaveLength(1);
    const [p] = planned;
    if (p === undefined) throw new Error('no plan');
    expect(p.action.operations.map((o) => o.module)).toEqual(['file', 'netstat']);
    expect(() => checkActionLimits(p.action, MODULE_SPECS, NOW)).not.toThrow();
  });

  it('splits a feed too large for one action into as few as fit, every indicator in exactly one', () => {
    const hashes = Array.from({ length: 9000 }, (_, i) => i.toString(16).padStart(64, '0'));
    const set = parsePlainList(hashes.join('\n'));
    const planned = planIocActions(set, opts);
    expect(planned.length).toBeGreaterThan(1);
    expect(planned.length).toBeLessThanOrEqual(4);
    expect(planned.flatMap((p) => p.indicators.map((i) => i.value)).sort()).toEqual([...hashes].sort());
    for (const p of planned) expect(() => checkActionLimits(p.action, MODULE_SPECS, NOW)).not.toThrow();
    expect(planned.map((p) => p.action.name)).toEqual(
      planned.map((_, i) => `mig ioc hunt feed (${i + 1}/${planned.length})`),
    );
  });

  it('names the indicator behind each kind of row', () => {
    const { set } = readFeed(feed('demo-iocs.stix.json'), 'demo', NOW);
    const [p] = planIocActions(set, opts);
    if (p === undefined) throw new Error('no plan');
    const attribution = new Attribution(p);
    const fileRow = { search: 'ioc', path: '/srv/x.php', matched: [`sha2:${SHA256}`] };
    expect(attribution.hits('file', fileRow)).toEqual([
      {
        indicatorId: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
        indicatorName: 'PHP web shell dropped by the upload exploit',
        kind: 'sha256',
        value: SHA256,
      },
    ]);
    expect(attribution.hits('file', { search: 'ioc-and-1', path: '/usr/bin/.sshd-helper' })).toMatchObject([
      { indicatorId: 'indicator--b3f1c7a0-6a57-4f0e-9f59-1c6f3b3f0a11', kind: 'conjunction' },
    ]);
    expect(
      attribution.hits('netstat', { check: 'connectedip:203.0.113.7', remoteAddress: '203.0.113.7' }),
    ).toMatchObject([{ indicatorName: 'Command and control server', kind: 'ip' }]);
    expect(attribution.hits('file', { search: 'ioc', path: '/x', matched: ['sha2:00'] })).toEqual([]);
    // Both digests of one indicator matched the same file: one finding, not two.
    const md5 = p.indicators.find((i) => i.kind === 'md5')?.value ?? '';
    expect(attribution.hits('file', { ...fileRow, matched: [`md5:${md5}`, `sha2:${SHA256}`] })).toHaveLength(1);

    const rules = parseYaraFile(feed('demo-iocs.yar'), 'r.yar');
    const [y] = planIocActions(rules, opts);
    if (y === undefined) throw new Error('no plan');
    expect(
      new Attribution(y).hits('yara', { rule: 'demo_sshd_helper', path: '/usr/bin/.sshd-helper', tags: [] }),
    ).toMatchObject([{ indicatorId: 'demo_sshd_helper', kind: 'yara' }]);
  });

  it('a file name with regex metacharacters is matched literally', () => {
    const set = parsePlainList('filename:a+b(1).php');
    const [p] = planIocActions(set, opts);
    const names = (p?.action.operations[0]?.parameters as { searches: { ioc: { names: string[] } } }).searches.ioc
      .names;
    expect(names).toEqual(['^a\\+b\\(1\\)\\.php$']);
    expect(
      new Attribution(p ?? { indicators: [], conjunctions: [], rulesets: [] }).hits('file', {
        search: 'ioc',
        path: '/x/a+b(1).php',
        matched: ['name:^a\\+b\\(1\\)\\.php$'],
      }),
    ).toHaveLength(1);
  });
});
