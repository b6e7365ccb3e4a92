import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Block devices as the kernel lists them under /sys/block (below the module's root): each disk,
 * and each partition as a subdirectory holding a `partition` file. Attributes that cannot be read
 * are left out; a device whose size cannot be read is skipped with a problem.
 */

export interface BlockDevice {
  name: string;
  kind: 'disk' | 'partition';
  parent?: string;
  sizeBytes: number;
  removable?: boolean;
  readOnly?: boolean;
  /** Partitions: where it starts on its disk, in bytes. */
  startBytes?: number;
  partitions?: number;
  model?: string;
  vendor?: string;
  logicalBlockSize?: number;
}

const NAME = /^[A-Za-z0-9_.+:!-]{1,64}$/;
const MAX_ATTRIBUTE_BYTES = 4096;
/** A model or vendor string as the kernel prints it: printable ASCII, nothing longer. */
const LABEL = /^[\x20-\x7e]{1,64}$/;

async function attribute(path: string): Promise<string | undefined> {
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(MAX_ATTRIBUTE_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, MAX_ATTRIBUTE_BYTES, 0);
      if (bytesRead >= MAX_ATTRIBUTE_BYTES) return undefined;
      return buffer.toString('latin1', 0, bytesRead).trim();
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

async function integer(path: string): Promise<number | undefined> {
  const text = await attribute(path);
  return text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

async function flag(path: string): Promise<boolean | undefined> {
  const text = await attribute(path);
  return text === '1' ? true : text === '0' ? false : undefined;
}

async function label(path: string): Promise<string | undefined> {
  const text = await attribute(path);
  return text !== undefined && LABEL.test(text) ? text : undefined;
}

/** The base plus each extra attribute that could be read (exactOptionalPropertyTypes: no undefined keys). */
function withOptional(base: BlockDevice, extras: Partial<BlockDevice>): BlockDevice {
  const out = { ...base };
  for (const [key, value] of Object.entries(extras)) if (value !== undefined) Object.assign(out, { [key]: value });
  return out;
}

async function readDevice(
  dir: string,
  name: string,
  kind: 'disk' | 'partition',
  parent?: string,
): Promise<BlockDevice | undefined> {
  // The kernel counts size and start in 512-byte sectors whatever the device's own block size.
  const sectors = await integer(join(dir, 'size'));
  if (sectors === undefined) return undefined;
  const base: BlockDevice = { name, kind, sizeBytes: sectors * 512, ...(parent === undefined ? {} : { parent }) };
  if (kind === 'partition') {
    const start = await integer(join(dir, 'start'));
    return withOptional(base, {
      readOnly: await flag(join(dir, 'ro')),
      startBytes: start === undefined ? undefined : start * 512,
    });
  }
  return withOptional(base, {
    readOnly: await flag(join(dir, 'ro')),
    removable: await flag(join(dir, 'removable')),
    model: await label(join(dir, 'device/model')),
    vendor: await label(join(dir, 'device/vendor')),
    logicalBlockSize: await integer(join(dir, 'queue/logical_block_size')),
  });
}

export async function listBlockDevices(root: string): Promise<{ devices: BlockDevice[]; problems: string[] }> {
  const base = join(root, 'sys/block');
  const problems: string[] = [];
  let names: string[];
  try {
    names = (await readdir(base)).filter((n) => NAME.test(n)).sort();
  } catch (err) {
    return { devices: [], problems: [`cannot read /sys/block: ${(err as NodeJS.ErrnoException).code ?? String(err)}`] };
  }
  const devices: BlockDevice[] = [];
  for (const name of names) {
    const dir = join(base, name);
    const disk = await readDevice(dir, name, 'disk');
    if (disk === undefined) {
      problems.push(`/sys/block/${name}/size: unreadable; device skipped`);
      continue;
    }
    const partitions: BlockDevice[] = [];
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.filter((e) => NAME.test(e.name)).sort((a, b) => a.name.localeCompare(b.name))) {
      if ((await attribute(join(dir, entry.name, 'partition'))) === undefined) continue;
      const partition = await readDevice(join(dir, entry.name), entry.name, 'partition', name);
      if (partition !== undefined) partitions.push(partition);
    }
    devices.push({ ...disk, partitions: partitions.length }, ...partitions);
  }
  return { devices, problems };
}
