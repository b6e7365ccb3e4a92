import { describe, expect, it } from 'vitest';
import { parseMaps, regionsFrom } from './maps.js';

const MAPS = [
  '55806cfed000-55806cfef000 r--p 00000000 fe:00 260386                     /usr/bin/head',
  '55806cfef000-55806cff5000 r-xp 00002000 fe:00 260386                     /usr/bin/head',
  '55806d000000-55806d021000 rw-p 00000000 00:00 0                          [heap]',
  '7f1c2a000000-7f1c2a021000 ---p 00000000 00:00 0 ',
  '7f1c2b000000-7f1c2b200000 r--p 00000000 fe:00 123                        /usr/lib/x86_64-linux-gnu/libc.so.6',
  '7f1c2c000000-7f1c2c001000 rw-s 00000000 00:05 77                         /memfd:shm (deleted)',
  '7ffd1a3c6000-7ffd1a3ca000 r--p 00000000 00:00 0                          [vvar]',
  '7ffd1a3ca000-7ffd1a3cc000 r-xp 00000000 00:00 0                          [vdso]',
  '7ffd1a300000-7ffd1a321000 rw-p 00000000 00:00 0                          [stack]',
  'ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]',
  'not a maps line',
  '',
].join('\n');

describe('parseMaps', () => {
  const maps = parseMaps(MAPS);

  it('keeps readable regions in address order, without kernel pages', () => {
    expect(maps.regions.map((r) => r.path)).toEqual([
      '/usr/bin/head',
      '/usr/bin/head',
      '[heap]',
      '/usr/lib/x86_64-linux-gnu/libc.so.6',
      '/memfd:shm (deleted)',
      '[stack]',
      '[vdso]',
    ]);
    expect(maps.regions[0]).toEqual({ start: 0x55806cfed000, end: 0x55806cfef000, path: '/usr/bin/head' });
  });

  it('lists each mapped file once, the executable and deleted files included', () => {
    expect(maps.files).toEqual(['/usr/bin/head', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/memfd:shm (deleted)']);
  });

  it('counts lines it does not understand', () => {
    expect(maps.badLines).toBe(1);
  });

  it('an empty maps (kernel thread) has nothing', () => {
    expect(parseMaps('')).toEqual({ regions: [], files: [], badLines: 0 });
  });
});

describe('regionsFrom', () => {
  const regions = [
    { start: 0x1000, end: 0x2000, path: 'a' },
    { start: 0x3000, end: 0x5000, path: 'b' },
  ];
  it.each([
    { name: 'offset 0 keeps all', input: 0, want: regions },
    { name: 'inside a region cuts it', input: 0x4000, want: [{ start: 0x4000, end: 0x5000, path: 'b' }] },
    { name: 'between regions drops the lower', input: 0x2800, want: [regions[1]] },
    { name: 'at a region end drops it', input: 0x2000, want: [regions[1]] },
    { name: 'past everything', input: 0x5000, want: [] },
  ])('$name', ({ input, want }) => {
    expect(regionsFrom(regions, input)).toEqual(want);
  });
});
