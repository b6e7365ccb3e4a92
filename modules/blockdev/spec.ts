import { z } from 'zod';
import { defineModule } from '../../protocol/module-spec.js';
import { paramHelp } from '../shared/param-help.js';
import { blockdevParams, HASH_KINDS, OPS } from './params.js';

/**
 * The blockdev module's self-description: read-only, low-level reads of block devices. List
 * them; hash a byte range (a boot sector's hash finds a bootkit); search a raw byte pattern in a
 * bounded range, answering how many matches and where, never the bytes around them. One of the
 * modules MIG's roadmap listed and never shipped.
 */

const bytes = (what: string) => z.number().int().nonnegative().optional().describe(what);
const hex = (length: number, what: string) =>
  z
    .string()
    .regex(new RegExp(`^[0-9a-f]{${length}}$`))
    .optional()
    .describe(what);

export const blockdevRow = z.strictObject({
  op: z.enum(OPS).describe('What this row answers: list, hash or search'),
  device: z.string().max(300).describe('The device: /dev/<name>, as resolved on the host'),
  kind: z.enum(['disk', 'partition']).optional().describe('list: a whole disk or a partition of one'),
  parent: z.string().max(64).optional().describe('list: the disk a partition belongs to'),
  sizeBytes: bytes('Size of the device in bytes, from the kernel'),
  removable: z
    .boolean()
    .optional()
    .describe('list: the kernel flags the disk as removable media (USB sticks, card readers)'),
  readOnly: z.boolean().optional().describe('list: the kernel has the device read-only'),
  partitions: bytes('list: how many partitions the disk has'),
  startBytes: bytes('list: where the partition starts on its disk, in bytes'),
  model: z.string().max(64).optional().describe('list: the disk model as the kernel reports it'),
  vendor: z.string().max(64).optional().describe('list: the disk vendor as the kernel reports it'),
  logicalBlockSize: bytes('list: the disk logical block size in bytes'),
  offset: bytes('hash, search: where the range read starts'),
  length: bytes('hash, search: bytes actually read (less than asked when the device ends first)'),
  isShort: z.boolean().optional().describe('hash, search: the device ended before the asked length'),
  md5: hex(32, 'hash: MD5 of the range'),
  sha1: hex(40, 'hash: SHA-1 of the range'),
  sha256: hex(64, 'hash: SHA-256 of the range'),
  sha384: hex(96, 'hash: SHA-384 of the range'),
  sha512: hex(128, 'hash: SHA-512 of the range'),
  sha3_224: hex(56, 'hash: SHA3-224 of the range'),
  sha3_256: hex(64, 'hash: SHA3-256 of the range'),
  sha3_384: hex(96, 'hash: SHA3-384 of the range'),
  sha3_512: hex(128, 'hash: SHA3-512 of the range'),
  patternBytes: bytes('search: length of the pattern searched for (the pattern itself is not repeated)'),
  matches: bytes('search: how many times the pattern occurs in the range (overlapping occurrences count)'),
  firstOffsets: z
    .array(z.number().int().nonnegative())
    .max(1000)
    .optional()
    .describe('search: device offsets of the first matches, ascending (at most -maxoffsets)'),
});

// Alike on purpose (duplicates): the flag table, one flag a line described by the parameter
// it sets (paramHelp, flagFor); flags share their shape, not logic.
/** `mig blockdev -op hash -device /dev/sda -length 512`. */
const blockdevCli = z.strictObject({
  op: z
    .enum(OPS)
    .optional()
    .describe(paramHelp(blockdevParams, 'op', 'default list')),
  device: z.string().optional().describe(paramHelp(blockdevParams, 'device')),
  // Alike on purpose (duplicates): CLI fields whose help comes from the params schema (paramHelp); each module declares
  // its own flags with their own defaults.
  name: z
    .array(z.string())
    .optional()
    .describe(paramHelp(blockdevParams, 'names', 'repeatable')),
  offset: z
    .number()
    .int()
    .optional()
    .describe(paramHelp(blockdevParams, 'offset', 'default 0')),
  length: z.number().int().optional().describe(paramHelp(blockdevParams, 'length')),
  hash: z
    .array(z.enum(HASH_KINDS))
    .optional()
    .describe(paramHelp(blockdevParams, 'hashes', 'repeatable')),
  pattern: z.string().optional().describe(paramHelp(blockdevParams, 'pattern')),
  maxoffsets: z
    .number()
    .int()
    .optional()
    .describe(paramHelp(blockdevParams, 'maxOffsets', 'default 16')),
});

function toParams(v: z.output<typeof blockdevCli>): z.input<typeof blockdevParams> {
  const optional = {
    op: v.op,
    device: v.device,
    names: v.name !== undefined && v.name.length > 0 ? v.name : undefined,
    offset: v.offset,
    length: v.length,
    hashes: v.hash !== undefined && v.hash.length > 0 ? v.hash : undefined,
    pattern: v.pattern,
    maxOffsets: v.maxoffsets,
  };
  return Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined));
}

const HASH_COLUMNS = HASH_KINDS.map((kind) => ({
  key: kind,
  header: kind.toUpperCase().replace('_', '-'),
  isWide: true,
}));

// Alike on purpose (duplicates): the fact table every module fills in (protocol/module-spec.ts);
// its columns, caps and examples are rows of data, alike in shape only.
export const blockdevModule = defineModule({
  name: 'blockdev',
  version: '1.0.0',
  summary: 'List block devices, hash a byte range of one, or find a byte pattern in it (read-only)',
  platforms: ['linux'],
  params: blockdevParams,
  result: blockdevRow,
  columns: [
    { key: 'device', header: 'DEVICE' },
    { key: 'op', header: 'OP' },
    { key: 'kind', header: 'KIND' },
    { key: 'sizeBytes', header: 'SIZE', align: 'right', isBytes: true },
    { key: 'offset', header: 'OFFSET', align: 'right' },
    { key: 'length', header: 'LENGTH', align: 'right' },
    { key: 'sha256', header: 'SHA256' },
    { key: 'matches', header: 'MATCHES', align: 'right' },
    { key: 'firstOffsets', header: 'FIRST OFFSETS' },
    { key: 'removable', header: 'REMOVABLE', isWide: true },
    { key: 'model', header: 'MODEL', isWide: true },
    ...HASH_COLUMNS.filter((c) => c.key !== 'sha256'),
  ],
  cli: { schema: blockdevCli, flags: {}, toParams },
  // Nothing masked. Digests, counts and offsets only: no byte of a device is ever in a row.
  privacy: { maxRows: 4096, maxBytes: 2 * 1024 * 1024 },
  limits: { timeoutMs: 5 * 60_000 },
  isFound(rows) {
    // A search that found nothing answers with matches 0: not found. A listing or a hash is found.
    return rows.some((row) => row.op !== 'search' || (typeof row.matches === 'number' && row.matches > 0));
  },
  examples: [
    { command: 'mig blockdev', explains: 'Which block devices and partitions does each host have, and how large?' },
    {
      command: "mig blockdev -name '^sd' -name '^nvme'",
      explains: 'Only SATA/SCSI and NVMe disks and their partitions',
    },
    {
      command: 'mig blockdev -op hash -device /dev/sda -length 512',
      explains: 'SHA-256 of the boot sector: hosts whose MBR differs from the fleet are worth a look (bootkits)',
    },
    {
      command: 'mig blockdev -op hash -device /dev/nvme0n1p1 -offset 0 -length 1048576 -hash sha256 -hash md5',
      explains: 'Hashes of the first MiB of a partition',
    },
    {
      command: "mig blockdev -op search -device /dev/sda -length 1048576 -pattern 'eb 52 90 4e 54 46 53'",
      explains: 'Where does an NTFS boot record signature occur in the first MiB of the disk?',
    },
  ],
});
