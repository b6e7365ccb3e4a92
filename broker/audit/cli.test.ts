import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { AuditLog } from './audit-log.js';
import { runAuditCli } from './cli.js';

let dataDir: string;
let clock = new Date('2026-12-01T10:00:00Z');

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mig-audit-cli-'));
  clock = new Date('2026-12-01T10:00:00Z');
  const log = await AuditLog.open(join(dataDir, 'audit.log'), () => clock);
  const step = (ms: number): void => {
    clock = new Date(clock.getTime() + ms);
  };
  await log.append('server', 'investigator.bootstrapped', { name: 'alice' });
  step(3_600_000);
  await log.append('AB12CD34EF', 'action.created', { id: 'a1', name: 'find webshell' });
  step(86_400_000);
  await log.append('AB12CD34EF', 'agent.accepted', { agentId: 'a-0123' });
  await log.append('99FF00', 'action.cancelled', { id: 'a1' });
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = {
    stdout: { write: (s: string) => ((out += s), true) },
    stderr: { write: (s: string) => ((err += s), true) },
    env: {},
  };
  const code = await runAuditCli(argv, io);
  return { code, out, err };
}

it('verify: an intact log prints its entries and the head to keep, exit 0', async () => {
  const { code, out } = await run('verify', '--data-dir', dataDir);
  expect(code).toBe(0);
  expect(out).toContain('intact, 4 entries');
  expect(out).toMatch(/^head [0-9a-f]{64}$/m);
});

it('verify: an edited line exits 1 naming the first bad line', async () => {
  const path = join(dataDir, 'audit.log');
  const lines = (await readFile(path, 'utf8')).split('\n');
  lines[1] = (lines[1] ?? '').replace('find webshell', 'nothing to see');
  await writeFile(path, lines.join('\n'));
  const { code, err } = await run('verify', '--data-dir', dataDir);
  expect(code).toBe(1);
  expect(err).toContain('chain broken at line 3');
});

it('verify --pinned: finds an earlier head, and fails once the log is rewritten from the start', async () => {
  const first = await run('verify', '--data-dir', dataDir, '--json');
  const head = (JSON.parse(first.out) as { head: string }).head;
  const log = await AuditLog.open(join(dataDir, 'audit.log'), () => clock);
  await log.append('server', 'policy.published', { version: 2 });
  const later = await run('verify', '--data-dir', dataDir, '--pinned', head);
  expect(later.code).toBe(0);
  expect(later.out).toContain('pinned hash found at line 4');

  // Someone with write access rewrites the whole log: the chain is intact, the pin is gone.
  await rm(join(dataDir, 'audit.log'));
  const forged = await AuditLog.open(join(dataDir, 'audit.log'), () => clock);
  await forged.append('server', 'investigator.bootstrapped', { name: 'mallory' });
  const after = await run('verify', '--data-dir', dataDir, '--pinned', head);
  expect(after.code).toBe(1);
  expect(after.err).toContain('does not hold the pinned hash');
});

it('show filters by who (prefix), what (prefix) and time, oldest first', async () => {
  const byWho = await run('show', '--data-dir', dataDir, '--who', 'ab12');
  expect(byWho.code).toBe(0);
  expect(
    byWho.out
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[3]),
  ).toEqual(['action.created', 'agent.accepted']);
  const byWhat = await run('show', '--data-dir', dataDir, '--what', 'action.', '--json');
  expect(
    byWhat.out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { what: string; line: number }).line),
  ).toEqual([2, 4]);
  const since = await run('show', '--data-dir', dataDir, '--since', '2026-12-02', '--json');
  expect(since.out.trim().split('\n')).toHaveLength(2);
  const last = await run('show', '--data-dir', dataDir, '--limit', '1');
  expect(last.out).toContain('action.cancelled');
  expect(last.out.trim().split('\n')).toHaveLength(1);
  expect((await run('show', '--data-dir', dataDir, '--who', 'nobody')).out).toContain('no matching entries');
});

it('show on a broken chain lists what is before the break and exits 1', async () => {
  const path = join(dataDir, 'audit.log');
  const lines = (await readFile(path, 'utf8')).split('\n');
  await writeFile(path, [lines[0], lines[1], lines[3], ''].join('\n'));
  const { code, out, err } = await run('show', '--data-dir', dataDir);
  expect(code).toBe(1);
  expect(out.trim().split('\n')).toHaveLength(2);
  expect(err).toContain('chain broken at line 3');
});

it.each([
  { argv: ['verify', '--pinned', 'abc'], want: /--pinned: expected a sha256 hash: 64 lowercase hex digits, got "abc"/ },
  { argv: ['show', '--since', 'yesterday'], want: /--since: .*got "yesterday"/ },
  { argv: ['show', '--limit', '0'], want: /--limit/ },
  { argv: ['verify', '--who', 'x'], want: /--who belongs to the other subcommand/ },
  { argv: ['check'], want: /unknown subcommand "check"; expected verify or show/ },
  { argv: ['show', '--nope'], want: /nope/ },
])('bad input $argv: exit 2 with a clear error', async ({ argv, want }) => {
  const { code, err } = await run(...argv);
  expect(code).toBe(2);
  expect(err).toMatch(want);
});

it('a data dir without a log is an empty, intact chain', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'mig-audit-empty-'));
  const { code, out } = await run('verify', '--data-dir', empty);
  await rm(empty, { recursive: true, force: true });
  expect(code).toBe(0);
  expect(out).toContain('intact, 0 entries');
});
