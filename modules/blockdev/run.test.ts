import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { runOperationsLocally } from '../../test/helpers/modules/agent-side.js';
import {
  loopSkipReason,
  makeLoop,
  makeRoot,
  removeRoot,
  runBlockdevOnce,
  type Loop,
} from '../../test/helpers/modules/blockdev.js';
import { recordingContext } from '../../test/helpers/modules/recording.js';
import { runBlockdev } from './run.js';
import { blockdevModule } from './spec.js';

/**
 * Real block devices: read-only loop devices over files the test writes (losetup, as root), so
 * every digest and offset is checked against the file itself. Refusals use a root of our own
 * whose dev/ holds a regular file, a FIFO, a directory and symlinks.
 */
const skipReason = loopSkipReason();
if (skipReason !== undefined) console.warn(`SKIPPED blockdev loop-device tests: ${skipReason}`);
const suite = skipReason === undefined ? describe : describe.skip;

const SECRET = Buffer.from('hunter2-PLANTED-ON-THE-DEVICE');
const secretForms = [SECRET.toString(), SECRET.toString('hex'), SECRET.toString('base64')];
const PATTERN = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
/** Where the disk image carries PATTERN: one across the 1 MiB read chunk boundary, two overlapping. */
const PATTERN_AT = [1000, 1024 * 1024 - 2, 2 * 1024 * 1024 + 10];

/** 3 MiB + 512 of random bytes, a boot sector signature, PATTERN at PATTERN_AT, SECRET at 4096. */
function diskImage(): Buffer {
  const image = randomBytes(3 * 1024 * 1024 + 512);
  // No accidental PATTERN elsewhere: random bytes could hold one.
  for (let i = image.indexOf(PATTERN); i >= 0; i = image.indexOf(PATTERN, i + 1)) image[i] = 0;
  for (const at of PATTERN_AT) PATTERN.copy(image, at);
  image[510] = 0x55;
  image[511] = 0xaa;
  SECRET.copy(image, 4096);
  return image;
}

const sha = (kind: string, bytes: Uint8Array): string => createHash(kind).update(bytes).digest('hex');

const specs = new Map<string, AnyModuleSpec>([['blockdev', blockdevModule]]);
const runners = new Map([['blockdev', runBlockdev]]);
const local = (parameters: Record<string, unknown>, root = '/') =>
  runOperationsLocally([{ module: 'blockdev', parameters }], { root, specs, runners, platform: 'linux' });

suite(`on a read-only loop device${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`, () => {
  let loop: Loop;
  let image: Buffer;
  beforeAll(() => {
    image = diskImage();
    loop = makeLoop(image);
  });
  afterAll(() => {
    loop.detach();
  });

  it("the boot sector's hash is the sha256 of the file's first 512 bytes", async () => {
    const rec = recordingContext('/');
    const rows = await runBlockdevOnce({ op: 'hash', device: loop.device }, rec);
    expect(rows).toEqual([
      {
        op: 'hash',
        device: loop.device,
        offset: 0,
        length: 512,
        isShort: false,
        sizeBytes: image.length,
        sha256: sha('sha256', image.subarray(0, 512)),
      },
    ]);
    expect(rec.stats).toEqual({ bytesRead: 512 });
  });

  it('hashes any range with every asked kind, across read chunks', async () => {
    const [offset, length] = [777, 2 * 1024 * 1024 + 5];
    const range = image.subarray(offset, offset + length);
    const [row] = await runBlockdevOnce(
      { op: 'hash', device: loop.device, offset, length, hashes: ['md5', 'sha1', 'sha512', 'sha3_256'] },
      recordingContext('/'),
    );
    expect(row).toMatchObject({
      length,
      md5: sha('md5', range),
      sha1: sha('sha1', range),
      sha512: sha('sha512', range),
      sha3_256: sha('sha3-256', range),
    });
    expect(row).not.toHaveProperty('sha256');
  });

  it('stops at the end of the device and says the range was short', async () => {
    const offset = image.length - 100;
    const [row] = await runBlockdevOnce(
      { op: 'hash', device: loop.device, offset, length: 4096 },
      recordingContext('/'),
    );
    expect(row).toMatchObject({ length: 100, isShort: true, sha256: sha('sha256', image.subarray(offset)) });
  });

  it('finds a pattern: every occurrence counted, offsets listed, across chunk boundaries', async () => {
    const [row] = await runBlockdevOnce(
      { op: 'search', device: loop.device, pattern: 'de ad be ef', length: image.length },
      recordingContext('/'),
    );
    expect(row).toMatchObject({ op: 'search', patternBytes: 4, matches: 3, firstOffsets: PATTERN_AT, isShort: false });
  });

  it('lists at most -maxOffsets offsets but counts them all, and searches only the range', async () => {
    const [capped] = await runBlockdevOnce(
      { op: 'search', device: loop.device, pattern: 'deadbeef', length: image.length, maxOffsets: 1 },
      recordingContext('/'),
    );
    expect(capped).toMatchObject({ matches: 3, firstOffsets: [1000] });
    const [ranged] = await runBlockdevOnce(
      { op: 'search', device: loop.device, pattern: 'DEADBEEF', offset: 1001, length: 1024 * 1024 },
      recordingContext('/'),
    );
    expect(ranged).toMatchObject({ matches: 1, firstOffsets: [1024 * 1024 - 2] });
  });

  it('the boot signature 55aa is where a boot sector has it', async () => {
    const [row] = await runBlockdevOnce(
      { op: 'search', device: loop.device, pattern: '55aa', length: 512 },
      recordingContext('/'),
    );
    expect(row).toMatchObject({ matches: 1, firstOffsets: [510] });
  });

  it('lists the loop device from /sys/block with its size, read-only', async () => {
    const name = loop.device.replace('/dev/', '');
    const rows = await runBlockdevOnce({ names: [`^${name}$`] }, recordingContext('/'));
    expect(rows).toEqual([
      expect.objectContaining({
        op: 'list',
        device: loop.device,
        kind: 'disk',
        sizeBytes: image.length,
        readOnly: true,
      }),
    ]);
  });

  it('follows a symlink that stays in dev/ to the device it names', async () => {
    const root = makeRoot({});
    try {
      const rdev = statSync(loop.device).rdev;
      const name = loop.device.replace('/dev/', '');
      execFileSync('mknod', [
        join(root, 'dev', name),
        'b',
        String(Math.floor(rdev / 256) & 0xfff),
        String(rdev & 0xff),
      ]);
      mkdirSync(join(root, 'dev/disk/by-id'), { recursive: true });
      symlinkSync(`../../${name}`, join(root, 'dev/disk/by-id/test-disk'));
      const [row] = await runBlockdevOnce({ op: 'hash', device: '/dev/disk/by-id/test-disk' }, recordingContext(root));
      expect(row).toMatchObject({ device: loop.device, sha256: sha('sha256', image.subarray(0, 512)) });
    } finally {
      removeRoot(root);
    }
  });

  it('no answer carries a byte of the device: not the planted secret, not the pattern', async () => {
    const name = loop.device.replace('/dev/', '');
    const results = [
      ...(await local({ names: [`^${name}$`] })),
      ...(await local({ op: 'hash', device: loop.device, length: 8192, hashes: ['md5', 'sha256'] })),
      ...(await local({ op: 'search', device: loop.device, pattern: SECRET.toString('hex'), length: 8192 })),
      ...(await local({ op: 'search', device: loop.device, pattern: 'deadbeef', length: image.length })),
    ];
    expect(results.map((r) => r.isFound)).toEqual([true, true, true, true]);
    expect(results[2]?.rows[0]).toMatchObject({ matches: 1, firstOffsets: [4096] });
    const text = JSON.stringify(results);
    for (const form of [...secretForms, 'deadbeef', 'de ad be ef']) expect(text).not.toContain(form);
  });

  it('a search that finds nothing is not found', async () => {
    const [result] = await local({ op: 'search', device: loop.device, pattern: 'cafebabe00', length: 4096 });
    expect(result).toMatchObject({ isFound: false, errors: [] });
    expect(result?.rows[0]).toMatchObject({ matches: 0, firstOffsets: [] });
  });
});

describe('refusals: only block devices under /dev', () => {
  let root = '';
  afterEach(() => {
    removeRoot(root);
  });

  it.each([
    {
      name: 'a regular file',
      path: '/dev/disk.img',
      want: /refused \/dev\/disk\.img: it is a regular file, not a block device/,
    },
    {
      name: 'a symlink to a file outside dev/',
      path: '/dev/sneaky',
      want: /refused \/dev\/sneaky: it leads outside \/dev/,
    },
    { name: 'a symlink to a file inside dev/', path: '/dev/alias', want: /it is a regular file, not a block device/ },
    { name: 'a directory', path: '/dev/shm', want: /it is a directory, not a block device/ },
    { name: 'a FIFO (whose open would block)', path: '/dev/pipe', want: /it is a FIFO, not a block device/ },
    { name: 'a missing device', path: '/dev/sdz', want: /refused \/dev\/sdz: cannot resolve it \(ENOENT\)/ },
  ])('refuses $name', async ({ path, want }) => {
    root = makeRoot({ 'etc/shadow-like': `${SECRET.toString()}\n`, 'dev/disk.img': SECRET.toString() });
    symlinkSync('../etc/shadow-like', join(root, 'dev/sneaky'));
    symlinkSync('disk.img', join(root, 'dev/alias'));
    mkdirSync(join(root, 'dev/shm'));
    execFileSync('mkfifo', [join(root, 'dev/pipe')]);
    const [result] = await local({ op: 'hash', device: path }, root);
    expect(result?.error).toMatchObject({ code: 'MODULE_FAILED', message: expect.stringMatching(want) });
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });

  it('refuses a character device such as /dev/null', async () => {
    root = makeRoot({});
    const [result] = await local({ op: 'hash', device: '/dev/null' });
    expect(result?.error?.message).toMatch(/refused \/dev\/null: it is a character device, not a block device/);
  });

  it.each([
    {
      name: 'a path outside /dev',
      input: { op: 'hash', device: '/etc/shadow' },
      want: /parameters\.device: expected a device path under \/dev/,
    },
    {
      name: 'a .. in the path',
      input: { op: 'hash', device: '/dev/../etc/shadow' },
      want: /parameters\.device: expected a device path under \/dev/,
    },
    {
      name: 'a range over 1 GiB',
      input: { op: 'hash', device: '/dev/sda', length: 2 * 1024 ** 3 },
      want: /parameters\.length/,
    },
    { name: 'a negative offset', input: { op: 'hash', device: '/dev/sda', offset: -1 }, want: /parameters\.offset/ },
    {
      name: 'an odd number of hex digits',
      input: { op: 'search', device: '/dev/sda', pattern: 'abc' },
      want: /parameters\.pattern: expected bytes in hex/,
    },
    {
      name: 'a search without a pattern',
      input: { op: 'search', device: '/dev/sda' },
      want: /parameters\.pattern: search needs -pattern/,
    },
    { name: 'a hash without a device', input: { op: 'hash' }, want: /parameters\.device: hash needs -device/ },
    {
      name: 'a listing given a device',
      input: { device: '/dev/sda' },
      want: /parameters\.device: list reads no bytes/,
    },
    {
      name: 'an unknown hash kind',
      input: { op: 'hash', device: '/dev/sda', hashes: ['crc32'] },
      want: /parameters\.hashes\.0/,
    },
  ])('refuses $name before running, naming the field', async ({ input, want }) => {
    root = makeRoot({});
    await expect(local(input)).rejects.toMatchObject({ code: 'INVALID_PARAMETERS', message: want });
  });
});

describe('listing over a fake /sys/block', () => {
  let root = '';
  afterEach(() => {
    removeRoot(root);
  });

  const SYS = {
    'sys/block/sda/size': '1000215216\n',
    'sys/block/sda/ro': '0\n',
    'sys/block/sda/removable': '0\n',
    'sys/block/sda/device/model': 'Samsung SSD 860 \n',
    'sys/block/sda/device/vendor': 'ATA     \n',
    'sys/block/sda/queue/logical_block_size': '512\n',
    'sys/block/sda/sda1/partition': '1\n',
    'sys/block/sda/sda1/start': '2048\n',
    'sys/block/sda/sda1/size': '1048576\n',
    'sys/block/sda/sda1/ro': '0\n',
    'sys/block/sda/holders/.keep': '',
    'sys/block/sdb/size': '30031872\n',
    'sys/block/sdb/removable': '1\n',
    'sys/block/sdb/device/model': `${SECRET.toString()}\u0001\n`,
    'sys/block/loop0/size': '0\n',
    'sys/block/zram0/size': 'lots\n',
  };

  it('answers disks and partitions, skipping empty devices, saying which it could not read', async () => {
    root = makeRoot(SYS);
    const rec = recordingContext(root);
    const rows = await runBlockdevOnce({}, rec);
    expect(rows).toEqual([
      {
        op: 'list',
        device: '/dev/sda',
        kind: 'disk',
        sizeBytes: 1000215216 * 512,
        readOnly: false,
        removable: false,
        model: 'Samsung SSD 860',
        vendor: 'ATA',
        logicalBlockSize: 512,
        partitions: 1,
      },
      {
        op: 'list',
        device: '/dev/sda1',
        kind: 'partition',
        parent: 'sda',
        sizeBytes: 1048576 * 512,
        readOnly: false,
        startBytes: 2048 * 512,
      },
      // A model that is not printable text is left out: planted bytes do not travel.
      { op: 'list', device: '/dev/sdb', kind: 'disk', sizeBytes: 30031872 * 512, removable: true, partitions: 0 },
    ]);
    expect(rec.warnings).toEqual(['/sys/block/zram0/size: unreadable; device skipped']);
    expect(rec.stats).toEqual({ devicesExamined: 4 });
  });

  it('filters by name regexes', async () => {
    root = makeRoot(SYS);
    const rows = await runBlockdevOnce({ names: ['^sdb$', '1$'] }, recordingContext(root));
    expect(rows.map((r) => r.device)).toEqual(['/dev/sda1', '/dev/sdb']);
  });

  it('a root without /sys/block answers nothing, with a warning', async () => {
    root = makeRoot({});
    const rec = recordingContext(root);
    expect(await runBlockdevOnce({}, rec)).toEqual([]);
    expect(rec.warnings).toEqual(['cannot read /sys/block: ENOENT']);
  });
});
