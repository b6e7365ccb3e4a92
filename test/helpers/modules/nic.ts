import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addEntries, fixtureRoot, removeTree } from './search-tree.js';
import { collectRows, type Recording } from './recording.js';
import { nicParams } from '../../../modules/nic/params.js';
import { runNic, type NicRow } from '../../../modules/nic/run.js';

/**
 * Test support for the nic module: a copy of its fixture /sys/class/net and /proc/net/dev in a
 * tmpdir (the ctx.root), with the device/driver links built at test time (git and packagers
 * mangle symlinks), and a run of the module over it.
 */

export const FIXTURES = fileURLToPath(new URL('../../../modules/nic/fixtures', import.meta.url));

/** Interface → driver, linked as the kernel does: device/driver → ../../../bus/<bus>/drivers/<name>. */
export const DRIVERS: Readonly<Record<string, string>> = { eth0: 'e1000e', eth1: 'virtio_net', wlan0: 'iwlwifi' };

export function makeRoot(files: Readonly<Record<string, string>> = {}): string {
  const root = fixtureRoot('mig-nic-', FIXTURES);
  for (const [iface, driver] of Object.entries(DRIVERS)) {
    const device = join(root, 'sys/class/net', iface, 'device');
    mkdirSync(device, { recursive: true });
    symlinkSync(`../../../../bus/pci/drivers/${driver}`, join(device, 'driver'));
  }
  return addEntries(root, files);
}

export { removeTree as removeRoot };

/** Parses `params` as the agent does and runs the module to the end. */
export function runNicOnce(params: unknown, rec: Recording): Promise<NicRow[]> {
  return collectRows(runNic, nicParams, params, rec);
}
