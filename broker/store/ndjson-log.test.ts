import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { NdjsonLog } from './ndjson-log.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mig-ndjson-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('has the lines in the file, in order, as soon as each append resolves (file kept open)', async () => {
  const path = join(dir, 'a.ndjson');
  const log = new NdjsonLog(path);
  await Promise.all([log.append([{ n: 1 }, { n: 2 }]), log.appendText('{"n":3}\n')]);
  expect(readFileSync(path, 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
  await log.append([{ n: 4 }]);
  expect(readFileSync(path, 'utf8').split('\n').filter(Boolean)).toHaveLength(4);
  await log.close();
});

it('opens the file again for an append after close, and keeps what was there', async () => {
  const path = join(dir, 'b.ndjson');
  const log = new NdjsonLog(path);
  await log.append([{ n: 1 }]);
  await log.close();
  await log.append([{ n: 2 }]);
  await log.close();
  expect(await NdjsonLog.readAll(path, () => undefined)).toEqual([{ n: 1 }, { n: 2 }]);
});

it('drops a partial last line left by a crash, so the next append starts on a fresh line', async () => {
  const path = join(dir, 'c.ndjson');
  appendFileSync(path, '{"n":1}\n{"n":2');
  const bad: string[] = [];
  expect(await NdjsonLog.readAll(path, (_, why) => bad.push(why))).toEqual([{ n: 1 }]);
  expect(bad).toHaveLength(1);
  const log = new NdjsonLog(path);
  await log.append([{ n: 3 }]);
  await log.close();
  expect(await NdjsonLog.readAll(path, () => undefined)).toEqual([{ n: 1 }, { n: 3 }]);
});

it('rejects an append it could not write (the directory is gone)', async () => {
  const log = new NdjsonLog(join(dir, 'missing', 'd.ndjson'));
  await expect(log.append([{ n: 1 }])).rejects.toThrow(/ENOENT/);
});
