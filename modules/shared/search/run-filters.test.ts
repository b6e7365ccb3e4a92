import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingContext, type Recording } from '../../../test/helpers/modules/recording.js';
import { makeTree, removeTree, runSearch } from '../../../test/helpers/modules/search-tree.js';
import { FIRST_CONTENT_READ_BYTES } from './read.js';

const NOW = new Date('2026-01-15T12:00:00Z');
const DAY_S = 86_400;
const MIB = 1024 * 1024;

/** 3 MiB of lines with a needle line straddling the first 1 MiB read and a marker on the last line. */
function bigFile(): string {
  const line = 'x'.repeat(99);
  let text = `${line}\n`.repeat(Math.floor((MIB - 10) / 100));
  text += 'NEEDLE_ACROSS_THE_CHUNK_BOUNDARY\n';
  while (text.length < 3 * MIB) text += `${line}\n`;
  return `${text}LAST_LINE_MARKER`;
}

const FILES: Record<string, string | Buffer> = {
  '/etc/passwd': 'root:x:0:0:root:/root:/bin/bash\nbob:x:1000:1000::/home/bob:/bin/sh\n',
  '/etc/shadow': 'root:$6$abc:19000::::::\nbob:!:19000::::::\n',
  '/etc/yum.repos.d/base.repo': '[base]\r\nname=Base\r\ngpgcheck=1\r\n',
  '/etc/yum.repos.d/epel.repo': '[epel]\ngpgcheck=0\n',
  '/home/bob/.ssh/authorized_keys': '# keys\nssh-ed25519 AAAAgood bob@laptop\n\nssh-rsa AAAAevil attacker\n',
  '/home/alice/.ssh/authorized_keys': '# keys\nssh-ed25519 AAAAgood alice@laptop\n',
  '/var/log/access.log.1.gz': gzipSync('GET /cgi-bin/x () { :; }; /bin/busybox\nGET / 200\n'),
  '/var/log/access.log': 'GET / 200\n',
  '/bin/ls': Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) % 256)),
  '/bin/su': 'setuid binary\n',
  '/opt/elf': Buffer.concat([
    Buffer.from([0, 1, 0xff, 0xfe]),
    Buffer.from('ELF'),
    Buffer.from([0xc3, 0x28]),
    Buffer.from('x\n'),
  ]),
  '/tmp/big': bigFile(),
  '/tmp/empty': '',
};

let root: string;
let rec: Recording;

beforeAll(() => {
  // Read-only for every test below; each test gets its own recorder.
  root = makeTree(FILES);
  chmodSync(join(root, 'bin/ls'), 0o755);
  chmodSync(join(root, 'bin/su'), 0o4755);
  chmodSync(join(root, 'etc/shadow'), 0o640);
  const ages: Record<string, number> = { '/etc/passwd': 400, '/etc/shadow': 2, '/tmp/big': 0.01 };
  for (const path of Object.keys(FILES)) {
    const when = NOW.getTime() / 1000 - (ages[path] ?? 100) * DAY_S;
    utimesSync(join(root, path), when, when);
  }
});
afterAll(() => removeTree(root));

function found(rows: { search: string; path: string }[]): string[] {
  return rows.map((r) => `${r.search}:${r.path}`).sort();
}

async function hunt(search: Record<string, unknown>, paths: string[] = ['/']): Promise<string[]> {
  rec = recordingContext(root, { now: NOW });
  return found(await runSearch({ searches: { s1: { paths, ...search } } }, rec));
}

function digest(algorithm: string, path: string): string {
  return createHash(algorithm)
    .update(readFileSync(join(root, path)))
    .digest('hex');
}

describe('each filter', () => {
  it.each([
    { name: 'name regex', input: { names: ['^passwd$'] }, want: ['s1:/etc/passwd'] },
    {
      name: 'name, case folded',
      input: { names: ['(?i)^AUTHORIZED_KEYS$'] },
      want: ['s1:/home/alice/.ssh/authorized_keys', 's1:/home/bob/.ssh/authorized_keys'],
    },
    {
      name: 'negated name',
      input: { names: ['!\\.'], sizes: ['>0'] },
      paths: ['/etc', '/bin'],
      want: ['s1:/bin/ls', 's1:/bin/su', 's1:/etc/passwd', 's1:/etc/shadow'],
    },
    {
      name: 'content regex, line anchored',
      input: { contents: ['^root:'] },
      paths: ['/etc'],
      want: ['s1:/etc/passwd', 's1:/etc/shadow'],
    },
    // The '\r' of a CRLF line is part of the line: `$` does not step over it, `\r?$` does.
    {
      name: 'content regex on CRLF lines: the \\r is part of the line',
      input: { contents: ['^gpgcheck=1$'] },
      paths: ['/etc'],
      want: [],
    },
    {
      name: 'content regex on CRLF lines with \\r?$',
      input: { contents: ['^gpgcheck=1\\r?$'] },
      paths: ['/etc'],
      want: ['s1:/etc/yum.repos.d/base.repo'],
    },
    {
      name: 'negated content: files without the line',
      input: { names: ['\\.repo$'], contents: ['!^gpgcheck=1\\r?$'] },
      paths: ['/etc'],
      want: ['s1:/etc/yum.repos.d/epel.repo'],
    },
    {
      name: 'content in a binary: bytes as stored, around invalid UTF-8',
      input: { contents: ['^\\x{0}\\x{1}.*ELF.{2}x$'] },
      paths: ['/opt'],
      want: ['s1:/opt/elf'],
    },
    { name: 'invalid UTF-8 is not U+FFFD', input: { contents: ['\\x{fffd}'] }, paths: ['/opt'], want: [] },
    {
      name: 'MIG doc: root without a sha512crypt hash',
      input: { names: ['^(passwd|shadow)$'], contents: ['^root', '!^root:\\$6'] },
      paths: ['/etc'],
      want: ['s1:/etc/passwd'],
    },
    {
      name: 'content straddling the 1 MiB read',
      input: { contents: ['^NEEDLE_ACROSS_THE_CHUNK_BOUNDARY$'] },
      paths: ['/tmp'],
      want: ['s1:/tmp/big'],
    },
    {
      name: 'content on the last line without newline',
      input: { contents: ['^LAST_LINE_MARKER$'] },
      paths: ['/tmp'],
      want: ['s1:/tmp/big'],
    },
    { name: 'size window', input: { sizes: ['>1k', '<1m'] }, want: ['s1:/bin/ls'] },
    { name: 'size exactly zero', input: { sizes: ['=0'] }, want: ['s1:/tmp/empty'] },
    { name: 'size with unit', input: { sizes: ['>2m'] }, want: ['s1:/tmp/big'] },
    { name: 'mode: setuid', input: { modes: ['^u'] }, want: ['s1:/bin/su'] },
    { name: 'mode: exact permissions', input: { modes: ['^-rw-r-----$'] }, want: ['s1:/etc/shadow'] },
    {
      name: 'mtime: modified within 7 days',
      input: { mtimes: ['<7d'] },
      paths: ['/etc', '/tmp'],
      want: ['s1:/etc/shadow', 's1:/tmp/big'],
    },
    { name: 'mtime: older than a year', input: { mtimes: ['>365d'] }, want: ['s1:/etc/passwd'] },
    { name: 'mtime: within the hour', input: { mtimes: ['<60m'] }, paths: ['/etc', '/tmp'], want: ['s1:/tmp/big'] },
  ])('$name', async ({ input, paths, want }) => {
    expect(await hunt(input, paths)).toEqual(want);
  });
});

describe('hashes, computed in one pass and compared with node:crypto', () => {
  it.each([
    { name: 'md5', filter: 'md5', algorithm: 'md5' },
    { name: 'sha1', filter: 'sha1', algorithm: 'sha1' },
    { name: 'sha256', filter: 'sha2', algorithm: 'sha256' },
    { name: 'sha384', filter: 'sha2', algorithm: 'sha384' },
    { name: 'sha512', filter: 'sha2', algorithm: 'sha512' },
    { name: 'sha3-224', filter: 'sha3', algorithm: 'sha3-224' },
    { name: 'sha3-256', filter: 'sha3', algorithm: 'sha3-256' },
    { name: 'sha3-384', filter: 'sha3', algorithm: 'sha3-384' },
    { name: 'sha3-512', filter: 'sha3', algorithm: 'sha3-512' },
  ])('$name of a multi-chunk file, upper-case IOC among decoys', async ({ filter, algorithm }) => {
    const wanted = digest(algorithm, '/tmp/big');
    const decoy = digest(algorithm, '/etc/passwd').replace(/^./, (c) => (c === '0' ? '1' : '0'));
    expect(await hunt({ [filter]: [decoy, wanted.toUpperCase()] })).toEqual(['s1:/tmp/big']);
    expect(rec.stats.bytesHashed).toBeGreaterThanOrEqual(3 * MIB);
  });

  it('a sha2 list may mix sha256 and sha512 IOCs', async () => {
    expect(await hunt({ sha2: [digest('sha256', '/bin/ls'), digest('sha512', '/etc/passwd')] })).toEqual([
      's1:/bin/ls',
      's1:/etc/passwd',
    ]);
  });

  it('mismatch=sha2: binaries that are not the known-good build', async () => {
    expect(
      await hunt({ names: ['^(ls|su)$'], sha2: [digest('sha256', '/bin/ls')], options: { mismatch: ['sha2'] } }, [
        '/bin',
      ]),
    ).toEqual(['s1:/bin/su']);
  });

  it('returnsha256 adds the digest of each matching file, and only of those', async () => {
    rec = recordingContext(root, { now: NOW });
    const rows = await runSearch(
      { searches: { s1: { paths: ['/bin'], names: ['^ls$'], options: { returnsha256: true } } } },
      rec,
    );
    expect(rows).toEqual([
      {
        search: 's1',
        path: '/bin/ls',
        size: 5000,
        mode: '-rwxr-xr-x',
        mtime: expect.any(String) as string,
        sha256: digest('sha256', '/bin/ls'),
      },
    ]);
    expect(rec.stats.bytesHashed).toBe(5000);
  });
});

describe('options', () => {
  it('matchall (default): every filter must hold', async () => {
    expect(await hunt({ names: ['^authorized_keys$'], contents: ['attacker'] }, ['/home'])).toEqual([
      's1:/home/bob/.ssh/authorized_keys',
    ]);
  });

  it('matchany: any filter, and rows say which matched', async () => {
    rec = recordingContext(root, { now: NOW });
    const rows = await runSearch(
      { searches: { s1: { paths: ['/etc'], names: ['^passwd$'], contents: ['^root:'], options: { matchany: true } } } },
      rec,
    );
    expect(rows.map((r) => [r.path, r.matched])).toEqual([
      ['/etc/passwd', ['name:^passwd$', 'content:^root:']],
      ['/etc/shadow', ['content:^root:']],
    ]);
  });

  it('macroal: every line must match (a file of allowed lines only)', async () => {
    const allowed = '^(#.*|\\s*|ssh-ed25519 AAAAgood \\S+)$';
    expect(
      await hunt({ names: ['^authorized_keys$'], contents: [allowed], options: { macroal: true } }, ['/home']),
    ).toEqual(['s1:/home/alice/.ssh/authorized_keys']);
  });

  it('macroal with mismatch=content: files holding a line that is not allowed (MIG doc)', async () => {
    const allowed = '^(#.*|\\s*|ssh-ed25519 AAAAgood \\S+)$';
    expect(
      await hunt(
        { names: ['^authorized_keys$'], contents: [allowed], options: { macroal: true, mismatch: ['content'] } },
        ['/home'],
      ),
    ).toEqual(['s1:/home/bob/.ssh/authorized_keys']);
  });

  // mozilla/mig modules/file/file.go, checkContent: on an empty file the scan loop never runs,
  // macroalstatus stays false, and steps 2-3 judge each check as without macroal.
  it.each([
    { name: 'a regex fails', input: { contents: ['.*'] }, want: [] },
    { name: 'a negated regex passes', input: { contents: ['!rogue'] }, want: ['s1:/tmp/empty'] },
    {
      name: 'mismatch=content: a failed regex is reported',
      input: { contents: ['.*'], options: { mismatch: ['content'] } },
      want: ['s1:/tmp/empty'],
    },
  ])('macroal on an empty file, as MIG: $name', async ({ input, want }) => {
    const options = { macroal: true, ...('options' in input ? input.options : {}) };
    expect(await hunt({ names: ['^empty$'], contents: input.contents, options }, ['/tmp'])).toEqual(want);
  });

  it.each([
    {
      name: 'mismatch=name',
      input: { names: ['\\.repo$'], options: { mismatch: ['name'] } },
      want: ['s1:/etc/passwd', 's1:/etc/shadow'],
    },
    {
      name: 'mismatch=size',
      input: { sizes: ['>40'], options: { mismatch: ['size'] } },
      want: ['s1:/etc/yum.repos.d/base.repo', 's1:/etc/yum.repos.d/epel.repo'],
    },
    {
      name: 'mismatch=mode',
      input: { modes: ['^-rw-r--r--$'], options: { mismatch: ['mode'] } },
      want: ['s1:/etc/shadow'],
    },
    { name: 'mismatch=mtime', input: { mtimes: ['>30d'], options: { mismatch: ['mtime'] } }, want: ['s1:/etc/shadow'] },
    {
      name: 'mismatch=content',
      input: { contents: ['^root:'], options: { mismatch: ['content'] } },
      want: ['s1:/etc/yum.repos.d/base.repo', 's1:/etc/yum.repos.d/epel.repo'],
    },
  ])('$name inverts that filter', async ({ input, want }) => {
    expect(await hunt(input, ['/etc'])).toEqual(want);
  });

  it('decompress: gzip files are searched decompressed', async () => {
    const search = { names: ['^access\\.log'], contents: ['\\(\\) \\{ :; \\};'] };
    expect(await hunt(search, ['/var/log'])).toEqual([]);
    expect(await hunt({ ...search, options: { decompress: true } }, ['/var/log'])).toEqual([
      's1:/var/log/access.log.1.gz',
    ]);
  });

  it('decompress: name, size, mode and mtime describe the file as stored (MIG stats the file, reads it through getReader)', async () => {
    const stored = readFileSync(join(root, 'var/log/access.log.1.gz')).length;
    expect(
      await hunt({ names: ['\\.gz$'], sizes: [`=${stored}`], contents: ['busybox'], options: { decompress: true } }, [
        '/var/log',
      ]),
    ).toEqual(['s1:/var/log/access.log.1.gz']);
  });

  it('decompress applies per search: another search over the same file sees the stored bytes', async () => {
    rec = recordingContext(root, { now: NOW });
    const rows = await runSearch(
      {
        searches: {
          a: { paths: ['/var/log'], contents: ['busybox'], options: { decompress: true } },
          b: { paths: ['/var/log'], contents: ['busybox'] },
        },
      },
      rec,
    );
    expect(found(rows)).toEqual(['a:/var/log/access.log.1.gz']);
  });

  it('decompress: hashes and returnsha256 are of the decompressed bytes', async () => {
    const plain = createHash('sha256').update('GET /cgi-bin/x () { :; }; /bin/busybox\nGET / 200\n').digest('hex');
    rec = recordingContext(root, { now: NOW });
    const rows = await runSearch(
      { searches: { s1: { paths: ['/var/log'], sha2: [plain], options: { decompress: true, returnsha256: true } } } },
      rec,
    );
    expect(rows.map((r) => [r.path, r.sha256])).toEqual([['/var/log/access.log.1.gz', plain]]);
  });

  it('a content hit stops the read: MIG stops at the first matching line', async () => {
    expect(await hunt({ contents: ['^x+$'] }, ['/tmp'])).toEqual(['s1:/tmp/big']);
    // Content-only reads start small (read.ts): a hit on the first line costs one small read.
    expect(rec.stats.bytesRead).toBe(FIRST_CONTENT_READ_BYTES);
  });

  it('several searches share one read of each file', async () => {
    rec = recordingContext(root, { now: NOW });
    const rows = await runSearch(
      {
        searches: {
          a: { paths: ['/tmp'], contents: ['LAST_LINE_MARKER'] },
          b: { paths: ['/tmp'], sha1: [digest('sha1', '/tmp/big')] },
          c: { paths: ['/tmp'], contents: ['^NEEDLE'], md5: [digest('md5', '/tmp/big')] },
        },
      },
      rec,
    );
    expect(found(rows)).toEqual(['a:/tmp/big', 'b:/tmp/big', 'c:/tmp/big']);
    expect(rec.stats.bytesRead).toBe(readFileSync(join(root, 'tmp/big')).length);
  });
});
