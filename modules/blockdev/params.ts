import { z } from 'zod';
import { checked, re2Problem } from '../shared/param-checks.js';

/**
 * The blockdev module's parameters: list block devices, hash a byte range of one, or search a raw
 * byte pattern within a range of one. Reads only, bounded: a range is at most 1 GiB, a pattern at
 * most 256 bytes, and the device must be a path under /dev (the run then checks it is a block
 * device, opened read-only). Parsed on the investigator's machine and again on every agent.
 */

export const OPS = ['list', 'hash', 'search'] as const;
export const HASH_KINDS = [
  'md5',
  'sha1',
  'sha256',
  'sha384',
  'sha512',
  'sha3_224',
  'sha3_256',
  'sha3_384',
  'sha3_512',
] as const;
export type HashKind = (typeof HASH_KINDS)[number];
export const MAX_LENGTH = 1024 ** 3;
export const MAX_PATTERN_BYTES = 256;
export const MAX_OFFSETS = 1000;
/** What a range covers when no length is given: a boot sector to hash, a mebibyte to search. */
export const DEFAULT_LENGTH = { hash: 512, search: 1024 * 1024 } as const;

const DEVICE = /^\/dev\/[A-Za-z0-9_.+:-]+(\/[A-Za-z0-9_.+:-]+)*$/;

function deviceProblem(text: string): string | undefined {
  const shown = JSON.stringify(text.slice(0, 200));
  if (text.length > 256 || !DEVICE.test(text) || text.split('/').some((part) => part === '.' || part === '..'))
    return `expected a device path under /dev such as /dev/sda or /dev/nvme0n1p1, got ${shown}`;
  return undefined;
}

/** Hex digits, two per byte; spaces and colons between bytes are allowed for readability. */
export function patternBytes(text: string): Uint8Array | undefined {
  const hex = text.replace(/[\s:]/g, '');
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9A-Fa-f]+$/.test(hex)) return undefined;
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function patternProblem(text: string): string | undefined {
  const bytes = text.length > 4 * MAX_PATTERN_BYTES ? undefined : patternBytes(text);
  if (bytes === undefined)
    return `expected bytes in hex such as 55aa or "eb 52 90", got ${JSON.stringify(text.slice(0, 64))}`;
  if (bytes.length > MAX_PATTERN_BYTES) return `expected at most ${MAX_PATTERN_BYTES} bytes, got ${bytes.length}`;
  return undefined;
}

const shape = z.strictObject({
  op: z
    .enum(OPS)
    .default('list')
    .describe('list block devices, hash a byte range of one, or search a byte pattern in a range of one'),
  device: checked(deviceProblem)
    .optional()
    .describe('hash, search: the block device or partition, a path under /dev (symlinks must stay in /dev)'),
  names: z
    .array(checked(re2Problem).describe('An RE2 regular expression matched against device names'))
    .min(1)
    .max(64)
    .optional()
    .describe('list: only devices whose name (sda, nvme0n1p2, loop0) matches one of these RE2 regexes'),
  offset: z
    .number()
    .int()
    .min(0)
    // Room for offset + length to stay an exact integer.
    .max(Number.MAX_SAFE_INTEGER - MAX_LENGTH)
    .default(0)
    .describe('hash, search: where the range starts, in bytes from the start of the device'),
  length: z
    .number()
    .int()
    .min(1)
    .max(MAX_LENGTH)
    .optional()
    .describe('hash, search: bytes in the range, at most 1 GiB (default: 512 to hash, a boot sector; 1 MiB to search)'),
  hashes: z
    .array(z.enum(HASH_KINDS))
    .min(1)
    .max(HASH_KINDS.length)
    .optional()
    .describe('hash: which digests of the range (default sha256)'),
  pattern: checked(patternProblem)
    .optional()
    .describe('search: the bytes to find, in hex (at most 256 bytes), e.g. 55aa'),
  maxOffsets: z
    .number()
    .int()
    .min(1)
    .max(MAX_OFFSETS)
    .default(16)
    .describe('search: how many match offsets to list (every match is counted)'),
});

type Shape = z.output<typeof shape>;

/** Which fields each op takes, so a wrong combination is named instead of silently ignored. */
function crossProblems(p: Shape): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const refuse = (field: 'device' | 'length' | 'hashes' | 'pattern' | 'names', why: string): void => {
    if (p[field] !== undefined) problems.push({ path: field, message: why });
  };
  if (p.op === 'list') {
    for (const field of ['device', 'length', 'hashes', 'pattern'] as const)
      refuse(field, 'list reads no bytes: it takes only -name');
    if (p.offset !== 0) problems.push({ path: 'offset', message: 'list reads no bytes: it takes only -name' });
    return problems;
  }
  refuse('names', `${p.op} reads one device: give it with -device, not -name`);
  if (p.device === undefined) problems.push({ path: 'device', message: `${p.op} needs -device, e.g. /dev/sda` });
  if (p.op === 'hash') refuse('pattern', 'hash takes no pattern: use -op search');
  if (p.op === 'search') {
    refuse('hashes', 'search takes no hash kinds: use -op hash');
    if (p.pattern === undefined)
      problems.push({ path: 'pattern', message: 'search needs -pattern, bytes in hex such as 55aa' });
  }
  return problems;
}

export const blockdevParams = shape
  .superRefine((p, ctx) => {
    for (const { path, message } of crossProblems(p)) ctx.addIssue({ code: 'custom', path: [path], message });
  })
  .describe('What to read: the device list, a hash of a byte range, or the offsets of a byte pattern');

export type BlockdevParams = z.output<typeof blockdevParams>;
