import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError } from '../../protocol/errors.js';

/**
 * `mig agent bundle --sea`: the .mjs bundle inside a copy of this host's `node`, one executable
 * (Node's single executable applications, SEA). Node 20's SEA runs only a CommonJS main script,
 * so the main is a small launcher that writes the ES module bundle (a SEA asset) to a fresh
 * private directory and imports it: top-level await and the worker threads the agent and yara
 * start from that file work as with `node FILE.mjs` (tried on Node 20.20).
 */

/**
 * postject's fuse: the string Node's binary carries to say a blob was injected (Node's docs).
 * Built from parts: this file is inside the agent bundle, which becomes the blob, and postject
 * refuses a binary where the whole string occurs more than once.
 */
const SEA_FUSE = ['NODE_SEA_FUSE', 'fce680ab2cc467b6e072b8b5df1996b2'].join('_');

/**
 * The SEA's main script (CommonJS). /dev/shm first: the systemd unit's ProtectSystem=strict
 * leaves /dev writable and /tmp read-only, and the file never reaches a disk. mkdtemp makes a
 * 0700 directory with a random name, so no other user can swap the file before it is imported.
 * A process killed with SIGKILL leaves its directory behind (5.5 MB of tmpfs until reboot).
 */
const LAUNCHER = `'use strict';
const { existsSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { tmpdir } = require('node:os');
const { pathToFileURL } = require('node:url');
const sea = require('node:sea');
const base = process.env.MIG_SEA_DIR || (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
const dir = mkdtempSync(join(base, 'mig-agent-'));
const file = join(dir, 'agent.mjs');
writeFileSync(file, Buffer.from(sea.getAsset('agent.mjs')), { mode: 0o600, flag: 'wx' });
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
globalThis[Symbol.for('mig.seaExecutable')] = process.execPath;
import(pathToFileURL(file).href).catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + '\\n');
  process.exitCode = 1;
});
`;

export interface SeaReport {
  outFile: string;
  bytes: number;
}

/** Wraps an agent bundle (.mjs) into one executable at `outFile`, with the mode given. */
export async function buildSeaExecutable(bundleFile: string, outFile: string, mode: number): Promise<SeaReport> {
  const out = resolve(outFile);
  const work = mkdtempSync(join(tmpdir(), 'mig-sea-'));
  const temp = `${out}.${process.pid}.tmp`;
  try {
    writeFileSync(join(work, 'launcher.cjs'), LAUNCHER);
    const config = {
      main: join(work, 'launcher.cjs'),
      output: join(work, 'sea.blob'),
      disableExperimentalSEAWarning: true,
      assets: { 'agent.mjs': resolve(bundleFile) },
    };
    writeFileSync(join(work, 'sea-config.json'), JSON.stringify(config));
    const prep = spawnSync(process.execPath, ['--experimental-sea-config', join(work, 'sea-config.json')], {
      encoding: 'utf8',
    });
    if (prep.status !== 0)
      throw new UserError(
        'CONFIG_INVALID',
        `mig agent bundle --sea: node --experimental-sea-config failed: ${(prep.stderr || prep.stdout).trim()}`,
        'SEA needs Node 20.12 or later (assets); build the .mjs bundle instead',
      );
    let postject: { inject(file: string, name: string, data: Buffer, opts: { sentinelFuse: string }): Promise<void> };
    try {
      // By name in a variable: postject ships no types, and this shape is all we use of it.
      const name = 'postject';
      postject = (await import(name)) as typeof postject;
    } catch (err) {
      throw new UserError(
        'CONFIG_INVALID',
        `mig agent bundle --sea: postject cannot be loaded (${(err as Error).message})`,
        'run `npm ci` in the repository (postject is a dev dependency)',
        { cause: err },
      );
    }
    copyFileSync(process.execPath, temp);
    chmodSync(temp, 0o700);
    await postject.inject(temp, 'NODE_SEA_BLOB', readFileSync(join(work, 'sea.blob')), { sentinelFuse: SEA_FUSE });
    chmodSync(temp, mode);
    renameSync(temp, out);
    return { outFile: out, bytes: statSync(out).size };
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
