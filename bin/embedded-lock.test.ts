import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimEmbedded, EMBEDDED_LOCK_FILE } from './embedded-lock.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mig-embedded-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A pid no process has: one that just exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid ?? 999_999;
}

describe('one embedded server per data dir', () => {
  it('a second start finds the first (pid, then its URL once published) instead of starting another server', () => {
    const first = claimEmbedded(dir);
    if (first.kind !== 'owner') throw new Error('the first claim must own the dir');
    // The second start is another process: simulated with another pid, the first one (this test) being alive.
    expect(claimEmbedded(dir, process.pid + 100_000)).toEqual({ kind: 'running', pid: process.pid, url: undefined });
    first.publish('http://127.0.0.1:8765');
    expect(claimEmbedded(dir, process.pid + 100_000)).toEqual({
      kind: 'running',
      pid: process.pid,
      url: 'http://127.0.0.1:8765',
    });
    first.release();
    expect(existsSync(join(dir, EMBEDDED_LOCK_FILE))).toBe(false);
    expect(claimEmbedded(dir, process.pid + 100_000).kind).toBe('owner');
  });

  it('takes over a lock its dead owner left behind (a crash, a kill -9)', () => {
    writeFileSync(join(dir, EMBEDDED_LOCK_FILE), JSON.stringify({ pid: deadPid(), url: 'http://127.0.0.1:1' }));
    expect(claimEmbedded(dir).kind).toBe('owner');
  });

  it('takes over an unreadable lock', () => {
    writeFileSync(join(dir, EMBEDDED_LOCK_FILE), 'not json');
    expect(claimEmbedded(dir).kind).toBe('owner');
  });
});
