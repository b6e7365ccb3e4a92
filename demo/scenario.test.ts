import { describe, expect, it } from 'vitest';
import { renderCard } from './card.js';
import { hostFiles } from './files.js';
import { IOCS, WEBSHELL_CONTENT, WEBSHELL_PATH, WEBSHELL_SHA256, sha256 } from './iocs.js';
import { buildScenario } from './scenario.js';
import { shellQuote } from './shell.js';

const SIZES = [3, 4, 5, 7, 12, 50, 200].map((n) => ({ name: `${n} hosts`, input: n }));

describe('buildScenario', () => {
  it.each(SIZES)('is deterministic: $name', ({ input }) => {
    const first = buildScenario(input);
    buildScenario(input === 3 ? 200 : 3); // no state may leak from one build into the next
    const second = buildScenario(input);
    expect(second).toEqual(first);
    expect(renderCard(second)).toBe(renderCard(first));
    expect(second.hosts.map(hostFiles)).toEqual(first.hosts.map(hostFiles));
  });

  it('plants a different intrusion for a different fleet size', () => {
    expect(buildScenario(13).planted).not.toEqual(buildScenario(12).planted);
  });

  it.each(SIZES)('keeps the story consistent: $name', ({ input }) => {
    const s = buildScenario(input);
    const byName = new Map(s.hosts.map((h) => [h.name, h]));
    expect(s.hosts).toHaveLength(input);
    expect(byName.size).toBe(input);
    for (const host of s.hosts) expect(host.name).toMatch(/^(web|db|cache|bastion)-(prod|staging|dev)-\d{2}$/);
    for (const ioc of IOCS) {
      expect(s.planted[ioc].length, ioc).toBeGreaterThan(0);
      expect(s.planted[ioc].length, ioc).toBeLessThan(input);
    }
    expect(s.planted.webshell.every((n) => byName.get(n)?.role === 'web')).toBe(true);
    expect(s.planted.webshell.some((n) => byName.get(n)?.env === 'prod')).toBe(true);
    expect(s.planted.cron.every((n) => s.planted.backdoor.includes(n))).toBe(true);
    expect(s.planted.cron.some((n) => s.planted.webshell.includes(n))).toBe(true);
    for (const host of s.hosts) expect(host.iocs).toEqual(IOCS.filter((ioc) => s.planted[ioc].includes(host.name)));
    const addresses = s.hosts.flatMap((h) => h.addresses);
    expect(new Set(addresses).size).toBe(input);
    for (const a of addresses) expect(a).toMatch(/^(192\.0\.2|198\.51\.100)\.\d{1,3}$/);
  });

  it.each([
    { name: 'too few', input: 2 },
    { name: 'too many', input: 201 },
    { name: 'not an integer', input: 4.5 },
  ])('refuses $name', ({ input }) => {
    expect(() => buildScenario(input)).toThrow(RangeError);
  });
});

describe('hostFiles', () => {
  const scenario = buildScenario(50);

  it('gives every host a few dozen files, planted ones only where planted', () => {
    for (const host of scenario.hosts) {
      const files = hostFiles(host);
      const paths = files.map((f) => f.path);
      expect(new Set(paths).size).toBe(paths.length);
      expect(files.length).toBeLessThan(300);
      expect(paths).toContain('/etc/passwd');
      expect(paths.includes('/var/www/html/index.php')).toBe(host.role === 'web');
      expect(paths.includes(WEBSHELL_PATH)).toBe(host.iocs.includes('webshell'));
    }
  });

  it('commits to the web shell hash the card prints', () => {
    const host = scenario.hosts.find((h) => h.iocs.includes('webshell'));
    const shell = host === undefined ? undefined : hostFiles(host).find((f) => f.path === WEBSHELL_PATH);
    expect(shell?.content).toBe(WEBSHELL_CONTENT);
    expect(sha256(WEBSHELL_CONTENT)).toBe(WEBSHELL_SHA256);
    expect(WEBSHELL_SHA256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('shellQuote', () => {
  it.each([
    { name: 'plain word', input: '/var/www', want: '/var/www' },
    { name: 'target with single quotes', input: "tags->>'env' = 'prod'", want: `"tags->>'env' = 'prod'"` },
    { name: 'not-equal is safe in double quotes', input: "tags->>'role' != 'web'", want: `"tags->>'role' != 'web'"` },
    { name: 'regex with backslash', input: 'curl .*\\| *sh', want: `'curl .*\\| *sh'` },
    { name: 'dollar', input: '^x$', want: `'^x$'` },
    { name: 'single quote and dollar', input: "it's $HOME", want: `'it'\\''s $HOME'` },
    { name: 'history bang', input: "'a' !b", want: `''\\''a'\\'' !b'` },
    { name: 'empty', input: '', want: `''` },
  ])('$name', ({ input, want }) => {
    expect(shellQuote(input)).toBe(want);
  });
});
