import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKDOOR_PATH, WEBSHELL_PATH, WEBSHELL_SHA256, sha256 } from './iocs.js';
import { writeHosts } from './hosts.js';
import { buildScenario } from './scenario.js';

async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe('writeHosts', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mig-demo-hosts-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes each host tree with the planted files, modes and ages', () => {
    const scenario = buildScenario(12);
    const now = new Date('2024-06-14T12:00:00Z');
    const written = writeHosts(dir, scenario, now);
    expect(written.map((w) => w.name)).toEqual(scenario.hosts.map((h) => h.name));
    for (const [i, host] of scenario.hosts.entries()) {
      const root = written[i]?.root ?? '';
      expect(root).toBe(join(dir, 'hosts', host.name, 'root'));
      expect(readFileSync(join(root, 'etc/hostname'), 'utf8')).toBe(`${host.name}\n`);
      const shell = join(root, WEBSHELL_PATH);
      if (host.iocs.includes('webshell')) {
        expect(sha256(readFileSync(shell))).toBe(WEBSHELL_SHA256);
        expect(statSync(shell).mtime.toISOString()).toBe('2024-06-12T12:00:00.000Z');
      } else {
        expect(() => statSync(shell)).toThrow(/ENOENT/);
      }
      if (host.iocs.includes('backdoor')) expect(statSync(join(root, BACKDOOR_PATH)).mode & 0o777).toBe(0o755);
      expect(statSync(join(root, 'root/.ssh/authorized_keys')).mode & 0o777).toBe(0o600);
    }
  });

  it('is idempotent: a rewrite drops stray files and gives the same trees', async () => {
    const scenario = buildScenario(5);
    writeHosts(dir, scenario);
    const before = await listTree(join(dir, 'hosts'));
    const name = scenario.hosts[0]?.name ?? '';
    writeFileSync(join(dir, 'hosts', name, 'root', 'etc', 'stray'), 'left over\n');
    writeHosts(dir, scenario);
    expect(await listTree(join(dir, 'hosts'))).toEqual(before);
    expect(before.length).toBeGreaterThan(5 * 20);
  });
});
