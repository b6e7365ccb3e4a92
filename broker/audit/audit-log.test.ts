import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { AuditLog, verifyAuditChain } from './audit-log.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mig-audit-'));
  path = join(dir, 'audit.log');
  const log = await AuditLog.open(path);
  await log.append('server', 'investigator.bootstrapped', { name: 'alice' });
  await log.append('alice', 'action.created', { id: 'a1' });
  // A second process continues the same chain.
  const reopened = await AuditLog.open(path);
  await reopened.append('alice', 'action.cancelled', { id: 'a1' });
  await reopened.append('bob', 'action.invalid', { code: 'BAD_SIGNATURE' });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const edit = (fn: (lines: string[]) => string[]) => async () => {
  const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
  await writeFile(path, `${fn(lines).join('\n')}\n`);
};

it.each([
  { name: 'an untouched log', tamper: async () => undefined, want: { isIntact: true, entries: 4 } },
  {
    name: 'a changed detail',
    tamper: edit((l) => l.map((x, i) => (i === 1 ? x.replace('"a1"', '"a2"') : x))),
    want: { isIntact: false, line: 3 },
  },
  { name: 'a removed line', tamper: edit((l) => l.filter((_, i) => i !== 1)), want: { isIntact: false, line: 2 } },
  {
    name: 'swapped lines',
    tamper: edit((l) => [l[0] ?? '', l[2] ?? '', l[1] ?? '', l[3] ?? '']),
    want: { isIntact: false, line: 2 },
  },
  {
    name: 'a line that is not JSON',
    tamper: edit((l) => [l[0] ?? '', 'oops', ...l.slice(1)]),
    want: { isIntact: false, line: 2 },
  },
])('verifyAuditChain on $name', async ({ tamper, want }) => {
  await tamper();
  expect(await verifyAuditChain(path)).toMatchObject(want);
});

it('shows an edit to the last line as a different head', async () => {
  const before = await verifyAuditChain(path);
  await edit((l) => [...l.slice(0, 3), (l[3] ?? '').replace('bob', 'eve')])();
  const after = await verifyAuditChain(path);
  expect(before.isIntact && after.isIntact).toBe(true);
  expect(after).not.toEqual(before);
});
