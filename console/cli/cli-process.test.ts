// The real `mig` executable, as a person runs it: what reaches the terminal, the pipe and $?.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMig } from '../../test/helpers/mig-process.js';

describe('mig file -t local, real process', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mig-truth-'));
    mkdirSync(join(dir, 'root', 'etc'), { recursive: true });
    writeFileSync(join(dir, 'root', 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
    env = { MIG_HOME: join(dir, 'home'), HOME: dir, MIG_LOCAL_ROOT: join(dir, 'root') };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing search root is not "nothing found": warning on stderr, in json, exit 3', async () => {
    const res = await runMig(['file', '-t', 'local', '-path', '/no/such/dir', '-name', 'x', '-render', 'json'], env);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/warning: \S+ file: \/no\/such\/dir: cannot open search path \(ENOENT\)/);
    expect(res.stderr).toMatch(/nothing found — warning: .*ENOENT.*: the search is incomplete/);
    const entries = JSON.parse(res.stdout) as { found: boolean; warnings?: string[] }[];
    expect(entries).toHaveLength(1);
    expect(entries[0]?.found).toBe(false);
    expect(entries[0]?.warnings?.[0]).toMatch(/ENOENT/);
  });

  it.each([
    { name: 'a pipe gets no escape codes', colorEnv: { NO_COLOR: '' }, isColoured: false },
    { name: 'FORCE_COLOR colours a pipe', colorEnv: { NO_COLOR: '', FORCE_COLOR: '1' }, isColoured: true },
    { name: 'NO_COLOR wins over FORCE_COLOR', colorEnv: { NO_COLOR: '1', FORCE_COLOR: '1' }, isColoured: false },
  ])('$name', async ({ colorEnv, isColoured }) => {
    const res = await runMig(['file', '-t', 'local', '-path', '/etc', '-name', '^passwd$'], {
      ...env,
      ...colorEnv,
      FORCE_COLOR: undefined,
      ...colorEnv,
    });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('/etc/passwd');
    expect(res.stdout.includes('\u001b[')).toBe(isColoured);
  });
});
