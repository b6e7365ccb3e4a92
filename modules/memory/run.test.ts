import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runOperationsLocally } from '../../test/helpers/modules/agent-side.js';
import { recordingContext } from '../../test/helpers/modules/recording.js';
import { memoryParams } from './params.js';
import { runMemory } from './run.js';
import { memoryModule } from './spec.js';
import { makeProc, removeProc, runSearch, type FakeProcess } from '../../test/helpers/modules/memory.js';

const MIB = 1024 * 1024;
/** Where the big process's heap starts: its first read ends 1 MiB further. */
const BIG = 0x100000;

/** A fake /proc: every check kind, a match across each 1 MiB read boundary, unreadable memory. */
const PROCESSES: FakeProcess[] = [
  {
    pid: 100,
    comm: 'nginx',
    cmdline: ['/usr/sbin/nginx', '-g', 'daemon off;'],
    regions: [
      {
        start: 0x1000,
        size: 0x1000,
        perms: 'r-xp',
        path: '/usr/sbin/nginx',
        data: [{ at: 0x10, bytes: Buffer.from('7f454c46', 'hex') }],
      },
      { start: 0x3000, size: 0x1000, path: '/usr/lib/x86_64-linux-gnu/libssl.so.3' },
      {
        start: 0x10000,
        size: 0x10000,
        perms: 'rw-p',
        path: '[heap]',
        data: [{ at: 0x100, bytes: 'GET /secret-token HTTP/1.1\r\n' }],
      },
      // Not readable: never scanned, whatever it holds.
      { start: 0x30000, size: 0x1000, perms: '---p', data: [{ at: 0, bytes: 'stratum+tcp://hidden\n' }] },
    ],
  },
  {
    pid: 200,
    comm: 'sshd',
    cmdline: ['sshd: root@pts/0'],
    regions: [
      { start: 0x1000, size: 0x1000, path: '/usr/lib/libkeyutils.so.1.9' },
      {
        start: 0x8000,
        size: 0x8000,
        perms: 'rw-p',
        data: [{ at: 0x20, bytes: 'pool=stratum+tcp://xmr.example:3333\n' }],
      },
    ],
  },
  // comm is cut to 15 characters; argv[0] has the full name.
  {
    pid: 300,
    comm: 'chromium-browse',
    cmdline: ['/usr/lib/chromium/chromium-browser', '--type=renderer'],
    regions: [{ start: 0x1000, size: 0x100 }],
  },
  {
    pid: 400,
    comm: 'big',
    regions: [
      {
        start: BIG,
        size: 3 * MIB,
        perms: 'rw-p',
        data: [
          // Straddles the first 1 MiB read boundary (a line), and the second (bytes, no newline near).
          { at: MIB - 5, bytes: '\nSPLIT-MARKER-ACROSS\n' },
          { at: 2 * MIB - 2, bytes: Buffer.from('c0ffeec0de', 'hex') },
        ],
      },
    ],
  },
  {
    pid: 500,
    comm: 'holey',
    regions: [
      { start: 0x1000, size: 0x1000, data: [{ at: 0, bytes: 'readable-part\n' }] },
      // Declared in maps, but the mem file ends inside it: the rest reads as a failing read would.
      { start: 0x4000, size: 0x4000, data: [{ at: 0x10, bytes: 'before-the-hole\n' }] },
    ],
    memEnd: 0x5000,
  },
  { pid: 600, comm: 'opaque', isOpaque: true },
  // The test process plays the agent: it must be skipped even though it "holds" the marker.
  {
    pid: process.pid,
    comm: 'agent',
    regions: [{ start: 0x1000, size: 0x1000, data: [{ at: 0, bytes: 'secret-token\n' }] }],
  },
];

let root: string;
beforeAll(() => {
  root = makeProc(PROCESSES);
});
afterAll(() => removeProc(root));

type Found = [number, string[]][];

async function found(params: unknown): Promise<Found> {
  const rows = await runSearch(params, recordingContext(root));
  return rows.map((r) => [r.pid, r.matched]);
}

describe('runMemory over a fixture /proc', () => {
  // Alike on purpose (duplicates): table-driven cases, one row a case; their shared shape is the
  // table's.
  it.each<{ name: string; input: unknown; want: Found }>([
    { name: 'name on comm', input: { names: ['^nginx$'] }, want: [[100, ['name:^nginx$']]] },
    {
      name: 'name on the full path of argv[0] (MIG)',
      input: { names: ['^/usr/sbin/nginx$'] },
      want: [[100, ['name:^/usr/sbin/nginx$']]],
    },
    {
      name: 'name past the 15 characters of comm',
      input: { names: ['^chromium-browser$'] },
      want: [[300, ['name:^chromium-browser$']]],
    },
    {
      name: 'library on mapped paths',
      input: { libraries: ['libkeyutils\\.so\\.1\\.9$'] },
      want: [[200, ['lib:libkeyutils\\.so\\.1\\.9$']]],
    },
    {
      name: 'the executable is a mapped file too',
      input: { libraries: ['^/usr/sbin/'] },
      want: [[100, ['lib:^/usr/sbin/']]],
    },
    { name: 'content', input: { contents: ['stratum\\+tcp://'] }, want: [[200, ['content:stratum\\+tcp://']]] },
    {
      name: 'content with a line anchor and CRLF',
      input: { contents: ['^GET /secret-token HTTP/1\\.1$'] },
      want: [[100, ['content:^GET /secret-token HTTP/1\\.1$']]],
    },
    { name: 'bytes', input: { bytes: ['7F454C46'] }, want: [[100, ['bytes:7F454C46']]] },
    {
      name: 'content across the 1 MiB read boundary',
      input: { contents: ['^SPLIT-MARKER-ACROSS$'] },
      want: [[400, ['content:^SPLIT-MARKER-ACROSS$']]],
    },
    {
      name: 'bytes across the 2 MiB read boundary',
      input: { bytes: ['c0ffeec0de'] },
      want: [[400, ['bytes:c0ffeec0de']]],
    },
    {
      name: 'matchall: every check on one process',
      input: { names: ['^nginx$'], libraries: ['libssl'], contents: ['secret-token'] },
      want: [[100, ['name:^nginx$', 'lib:libssl', 'content:secret-token']]],
    },
    {
      name: 'matchall: one failing check fails the process',
      input: { names: ['^sshd$'], contents: ['secret-token'] },
      want: [],
    },
    {
      name: 'matchany: any check, rows list which',
      input: { names: ['^sshd$'], contents: ['secret-token'], options: { matchany: true } },
      want: [
        [100, ['content:secret-token']],
        [200, ['name:^sshd$']],
      ],
    },
    {
      name: 'matchall false is matchany (MIG)',
      input: { names: ['^sshd$', '^big$'], options: { matchall: false } },
      want: [
        [200, ['name:^sshd$']],
        [400, ['name:^big$']],
      ],
    },
    { name: 'unreadable regions are never scanned', input: { contents: ['hidden'] }, want: [] },
    {
      name: 'offset skips the memory below it',
      input: { contents: ['secret-token'], options: { offset: 0x10200 } },
      want: [],
    },
    {
      name: 'offset inside a region reads from there',
      input: { contents: ['secret-token'], options: { offset: 0x10100 } },
      want: [[100, ['content:secret-token']]],
    },
    {
      name: 'maxlength stops before the marker',
      input: { contents: ['SPLIT-MARKER'], options: { maxlength: MIB } },
      want: [],
    },
    {
      name: 'maxlength past the marker',
      input: { contents: ['SPLIT-MARKER'], options: { maxlength: MIB + 64 } },
      want: [[400, ['content:SPLIT-MARKER']]],
    },
    {
      name: 'pids restrict the processes',
      input: { names: ['.'], pids: [200, 300, 999] },
      want: [
        [200, ['name:.']],
        [300, ['name:.']],
      ],
    },
    {
      name: 'a failed region does not stop the process',
      input: { contents: ['readable-part', 'before-the-hole'] },
      want: [[500, ['content:readable-part', 'content:before-the-hole']]],
    },
  ])('$name', async ({ input, want }) => {
    expect(await found(input)).toEqual(want);
  });

  it('reports bytes scanned: all readable memory when a check stays unmatched', async () => {
    const rows = await runSearch(
      { names: ['.'], contents: ['nothing-matches-this'], options: { matchany: true } },
      recordingContext(root),
    );
    expect(rows.map((r) => [r.pid, r.bytesScanned])).toEqual([
      [100, 0x12000],
      [200, 0x9000],
      [300, 0x100],
      [400, 3 * MIB],
      [500, 0x2000],
      [600, 0],
    ]);
  });

  it('stops reading a process once every check matched', async () => {
    const rows = await runSearch({ contents: ['SPLIT-MARKER'] }, recordingContext(root));
    // The marker straddles the end of the first 1 MiB read: the second read finds it.
    expect(rows.map((r) => [r.pid, r.bytesScanned])).toEqual([[400, 2 * MIB]]);
  });

  it('names alone read neither maps nor memory', async () => {
    const rec = recordingContext(root);
    const rows = await runSearch({ names: ['^opaque$'] }, rec);
    expect(rows).toEqual([{ pid: 600, name: 'opaque', matched: ['name:^opaque$'], bytesScanned: 0 }]);
    expect(rec.stats.processesUnreadable).toBeUndefined();
  });

  it('skips its own pid, and says so', async () => {
    const rec = recordingContext(root);
    expect(await runSearch({ contents: ['secret-token'], pids: [process.pid, 100] }, rec)).toHaveLength(1);
    expect(rec.warnings).toEqual([
      `pid ${process.pid} skipped: it is this agent, which holds the search patterns in its own memory`,
    ]);
  });

  it('counts failures; lists them only with logfailures', async () => {
    const quiet = recordingContext(root);
    await runSearch({ contents: ['nothing-matches-this'], pids: [500, 600] }, quiet);
    expect(quiet.stats).toMatchObject({
      processesChecked: 2,
      processesUnreadable: 1,
      regionsUnreadable: 1,
      regionsScanned: 2,
    });
    expect(quiet.warnings).toEqual([
      '1 process(es) could not be read, e.g. pid 600: maps could not be read (EISDIR); logfailures lists each',
    ]);
    const loud = recordingContext(root);
    await runSearch({ contents: ['nothing-matches-this'], pids: [500, 600], options: { logfailures: true } }, loud);
    expect(loud.warnings).toEqual([
      'pid 500: region 4000-8000 unreadable from 5000 (EOF); rest of the region skipped',
      'pid 600: maps could not be read (EISDIR)',
    ]);
  });

  // Alike on purpose (duplicates): the abort case every module's run test has; each aborts its
  // own module over its own fixture.
  it('stops when aborted', async () => {
    const rec = recordingContext(root);
    const rows: unknown[] = [];
    for await (const row of runMemory(memoryParams.parse({ names: ['.'] }), rec.ctx)) {
      rows.push(row);
      rec.controller.abort();
    }
    expect(rows).toHaveLength(1);
  });

  it('fails with the cause when there is no /proc under the root', async () => {
    await expect(runSearch({ names: ['x'] }, recordingContext(`${root}/nowhere`))).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});

describe('through the agent runner', () => {
  const specs = new Map([['memory', memoryModule]]);
  const runners = new Map([['memory', runMemory]]);
  let results: Awaited<ReturnType<typeof runOperationsLocally>> | undefined;
  afterEach(() => {
    results = undefined;
  });

  it('rows pass the privacy filter and stats come along', async () => {
    results = await runOperationsLocally(
      [{ module: 'memory', parameters: { names: ['^nginx$'], contents: ['secret-token'] } }],
      { root, specs, runners, platform: 'linux' },
    );
    expect(results[0]).toMatchObject({
      module: 'memory',
      isFound: true,
      rows: [{ pid: 100, name: 'nginx', matched: ['name:^nginx$', 'content:secret-token'], bytesScanned: 0x12000 }],
      // Seven processes in the fixture, less this one (the agent).
      stats: { processesChecked: 6, processesMatched: 1 },
    });
    for (const row of results[0]?.rows ?? []) expect(memoryModule.result.safeParse(row).success).toBe(true);
  });

  it('bad parameters are refused before anything runs, naming the field', async () => {
    const run = runOperationsLocally([{ module: 'memory', parameters: { bytes: ['xyz'] } }], {
      root,
      specs,
      runners,
      platform: 'linux',
    });
    await expect(run).rejects.toMatchObject({
      code: 'INVALID_PARAMETERS',
      message: expect.stringContaining('operations.0.parameters.bytes.0'),
    });
  });

  it('is refused off Linux', async () => {
    const run = runOperationsLocally([{ module: 'memory', parameters: { names: ['x'] } }], {
      root,
      specs,
      runners,
      platform: 'darwin',
    });
    await expect(run).rejects.toMatchObject({ code: 'PLATFORM_UNSUPPORTED' });
  });
});
