import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingContext } from '../../test/helpers/modules/recording.js';
import { runSearch } from '../../test/helpers/modules/memory.js';

/**
 * The module against a live process through the real /proc: a child node process keeps a
 * marker in a Buffer and sleeps. The marker reaches the child as hex in its environment and is
 * decoded there, so its bytes exist only in the child's heap, never in its argv or environment.
 */

function canReadProcMem(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    accessSync('/proc/self/mem', constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

const HOLD =
  "const m = Buffer.from(process.env.MIG_MARKER_HEX, 'hex'); process.stdout.write('ready\\n'); setInterval(() => m.length, 1000);";

let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

async function holdMarker(marker: string): Promise<number> {
  const started = spawn(process.execPath, ['-e', HOLD], {
    env: { PATH: process.env.PATH, MIG_MARKER_HEX: Buffer.from(marker).toString('hex') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child = started;
  await new Promise<void>((resolve, reject) => {
    started.once('error', reject);
    started.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    started.stdout?.once('data', () => resolve());
  });
  if (started.pid === undefined) throw new Error('child has no pid');
  return started.pid;
}

const SKIP_REASON = 'needs Linux and a readable /proc/<pid>/mem';

describe.skipIf(!canReadProcMem())(`a live process through /proc (${SKIP_REASON})`, () => {
  it.each([
    { name: 'the held marker, by content and by bytes', isHeld: true },
    { name: 'a marker the child never made', isHeld: false },
  ])('$name', async ({ isHeld }) => {
    const held = `mig-memory-marker-${randomBytes(8).toString('hex')}`;
    const sought = isHeld ? held : `mig-memory-marker-${randomBytes(8).toString('hex')}`;
    const pid = await holdMarker(held);
    const rec = recordingContext('/');
    const params = {
      names: ['^node$'],
      contents: [sought.replaceAll('-', '\\-')],
      bytes: [Buffer.from(sought).toString('hex')],
      pids: [pid],
    };
    const rows = await runSearch(params, rec);
    if (!isHeld) {
      expect(rows).toEqual([]);
      expect(rec.stats.bytesScanned).toBeGreaterThan(1024 * 1024);
      return;
    }
    expect(rows).toMatchObject([
      {
        pid,
        name: 'node',
        matched: [
          'name:^node$',
          ...params.contents.map((c) => `content:${c}`),
          ...params.bytes.map((b) => `bytes:${b}`),
        ],
      },
    ]);
    expect(rows[0]?.bytesScanned).toBeGreaterThan(0);
    expect(rec.stats.processesUnreadable).toBeUndefined();
  });
});
