import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { collectRows, type Recording } from './recording.js';
import { blockdevParams } from '../../../modules/blockdev/params.js';
import { runBlockdev, type BlockdevRow } from '../../../modules/blockdev/run.js';

/**
 * Test support for the blockdev module: read-only loop devices made from files in a tmpdir (the
 * only block devices a test reads), fake /sys/block trees for the listing, and a run of the module.
 */

export interface Loop {
  /** /dev/loopN */
  device: string;
  file: string;
  detach(): void;
}

/** Attaches `content` (written to a file in a tmpdir) as a read-only loop device. */
export function makeLoop(content: Uint8Array): Loop {
  const dir = mkdtempSync(join(tmpdir(), 'mig-blockdev-'));
  const file = join(dir, 'disk.img');
  writeFileSync(file, content);
  let device: string;
  try {
    device = execFileSync('losetup', ['--find', '--show', '--read-only', file], {
      encoding: 'utf8',
      stdio: 'pipe',
    }).trim();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    device,
    file,
    detach: () => {
      try {
        execFileSync('losetup', ['--detach', device], { stdio: 'ignore' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Undefined when a read-only loop device can be made here; otherwise why not (to skip loudly). */
export function loopSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'loop devices are Linux-only';
  try {
    makeLoop(new Uint8Array(4096)).detach();
    return undefined;
  } catch (err) {
    const said = String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim();
    return `cannot attach a loop device with losetup (${said}): needs root and /dev/loop-control (Debian package mount for losetup)`;
  }
}

/** A root with a fake /sys/block: `files` maps paths below the root to their content. */
export function makeRoot(files: Readonly<Record<string, string>>): string {
  const root = mkdtempSync(join(tmpdir(), 'mig-blockdev-root-'));
  mkdirSync(join(root, 'dev'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

export function removeRoot(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/** Parses `params` as the agent does and runs the module to the end. */
export function runBlockdevOnce(params: unknown, rec: Recording): Promise<BlockdevRow[]> {
  return collectRows(runBlockdev, blockdevParams, params, rec);
}
