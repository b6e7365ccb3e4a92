import { createHash, type Hash } from 'node:crypto';
import { RE2JS } from 're2js';
import type { z } from 'zod';
import { BugError } from '../../protocol/errors.js';
import type { ModuleContext, ModuleRun } from '../../protocol/module-spec.js';
import { openBlockDevice, readRange } from './device.js';
import { DEFAULT_LENGTH, patternBytes, type BlockdevParams, type HashKind } from './params.js';
import { PatternCounter } from './search.js';
import type { blockdevRow } from './spec.js';
import { listBlockDevices } from './sysfs.js';

/**
 * The blockdev module on Linux: list devices from /sys/block, or open one read-only and hash or
 * search a bounded byte range of it. A row carries digests, counts and offsets, never bytes read.
 */

export type BlockdevRow = z.output<typeof blockdevRow>;

/** Our hash names (a valid JS key) → OpenSSL's. */
const ALGORITHMS: Readonly<Record<HashKind, string>> = {
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha3_224: 'sha3-224',
  sha3_256: 'sha3-256',
  sha3_384: 'sha3-384',
  sha3_512: 'sha3-512',
};

async function* list(params: BlockdevParams, ctx: ModuleContext): AsyncIterable<BlockdevRow> {
  const regexes = (params.names ?? []).map((source) => RE2JS.compile(source));
  const { devices, problems } = await listBlockDevices(ctx.root);
  for (const problem of problems) ctx.warn(problem);
  for (const device of devices) {
    ctx.signal.throwIfAborted();
    ctx.count('devicesExamined');
    // An unused loop device or an empty card reader: nothing to read, only noise in a fleet answer.
    if (device.sizeBytes === 0) continue;
    if (regexes.length > 0 && !regexes.some((re) => re.test(device.name))) continue;
    const { name, ...rest } = device;
    // sysfs writes a / in a device name as ! (cciss!c0d0 is /dev/cciss/c0d0).
    yield { op: 'list', device: `/dev/${name.replaceAll('!', '/')}`, ...rest };
  }
}

async function* readOne(params: BlockdevParams, ctx: ModuleContext): AsyncIterable<BlockdevRow> {
  if (params.device === undefined || params.op === 'list') throw new BugError('the schema requires a device to read');
  const op = params.op;
  const length = params.length ?? DEFAULT_LENGTH[op];
  const device = await openBlockDevice(ctx.root, params.device);
  try {
    const hashes = new Map<HashKind, Hash>();
    let counter: PatternCounter | undefined;
    if (op === 'hash') for (const kind of params.hashes ?? ['sha256']) hashes.set(kind, createHash(ALGORITHMS[kind]));
    else {
      const pattern = patternBytes(params.pattern ?? '');
      if (pattern === undefined) throw new BugError('the schema requires a hex pattern to search');
      counter = new PatternCounter(Buffer.from(pattern), params.maxOffsets);
    }
    const read = await readRange(device.handle, params.offset, length, ctx.signal, (chunk, at) => {
      for (const hash of hashes.values()) hash.update(chunk);
      counter?.push(chunk, at);
    });
    ctx.count('bytesRead', read);
    const row: BlockdevRow = {
      op,
      device: device.path,
      offset: params.offset,
      length: read,
      isShort: read < length,
      ...(device.sizeBytes === undefined ? {} : { sizeBytes: device.sizeBytes }),
    };
    for (const [kind, hash] of hashes) row[kind] = hash.digest('hex');
    if (counter !== undefined)
      Object.assign(row, {
        patternBytes: patternBytes(params.pattern ?? '')?.length,
        matches: counter.matches,
        firstOffsets: counter.firstOffsets,
      });
    yield row;
  } finally {
    await device.handle.close();
  }
}

export const runBlockdev: ModuleRun<BlockdevParams, BlockdevRow> = async function* (params, ctx) {
  if (params.op === 'list') yield* list(params, ctx);
  else yield* readOne(params, ctx);
};
