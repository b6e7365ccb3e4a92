import { readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTree, removeTree, type Entry } from '../../test/helpers/modules/search-tree.js';
import { runThroughAgent } from '../../test/helpers/modules/pkg.js';
import { collectRows, recordingContext } from '../../test/helpers/modules/recording.js';
import { runScribe } from './run.js';
import { scribeModule, scribeParams } from './spec.js';

const example = (name: string): unknown =>
  JSON.parse(readFileSync(join(import.meta.dirname, 'examples', `${name}.json`), 'utf8'));
const dpkg = (packages: Record<string, string>): string =>
  Object.entries(packages)
    .map(
      ([name, version]) => `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\n`,
    )
    .join('\n');
const shadow = (rootEntry: string): string =>
  `${rootEntry}\ndaemon:*:19000:0:99999:7:::\nalice:$6$Nf0mQ8y3$abcdefghijklmnopqrstuv:19500:0:99999:7:::\n`;
const SIX =
  'root:$6$rBk0Mx3u$4l8Wq1o2Xb9kH7e2cZQv0m1d3pS5tT6yU7iO8pA9sD0fG1hJ2kL3zX4cV5bN6mQ7wE8rT9yU0iO1pA2sD3fG4h:19500:0:99999:7:::';
const YES = 'root:$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7:19800:0:99999:7:::';

let roots: string[] = [];
function tree(entries: Record<string, Entry>): string {
  const root = makeTree(entries);
  roots.push(root);
  return root;
}
afterEach(() => {
  for (const root of roots) removeTree(root);
  roots = [];
});

type Want = { test: string; result: string; identifier?: string; value?: string; error?: RegExp };

async function evaluate(document: unknown, root: string, onlypass = false) {
  const result = await runThroughAgent(scribeModule, runScribe, { document, onlypass }, root);
  expect(result.error).toBeUndefined();
  for (const row of result.rows) expect(scribeModule.result.safeParse(row).success).toBe(true);
  return result;
}

function expectRows(rows: readonly Record<string, unknown>[], want: readonly Want[]): void {
  expect(rows.map((r) => ({ test: r.test, result: r.result, identifier: r.identifier, value: r.value }))).toEqual(
    want
      .map((w) => ({ identifier: undefined, value: undefined, ...w, error: undefined }))
      .map(({ error: _, ...w }) => w),
  );
  want.forEach((w, i) => {
    if (w.error !== undefined) expect(String(rows[i]?.error)).toMatch(w.error);
  });
}

describe('example: openssl older than the fixed version', () => {
  const doc = example('openssl-older-than-fixed');
  const T = 'openssl-older-than-1.1.1k';
  it.each<{ name: string; files: Record<string, string>; want: Want[] }>([
    {
      name: 'dpkg, vulnerable',
      files: { '/var/lib/dpkg/status': dpkg({ openssl: '1.1.1f-1ubuntu2.16', libc6: '2.31-0ubuntu9' }) },
      want: [{ test: T, result: 'pass', identifier: 'openssl', value: '1.1.1f-1ubuntu2.16' }],
    },
    {
      name: 'dpkg, fixed',
      files: { '/var/lib/dpkg/status': dpkg({ openssl: '3.0.2-0ubuntu1.10' }) },
      want: [{ test: T, result: 'fail', identifier: 'openssl', value: '3.0.2-0ubuntu1.10' }],
    },
    {
      name: 'dpkg, the fixed release itself',
      files: { '/var/lib/dpkg/status': dpkg({ openssl: '1.1.1k-1' }) },
      want: [{ test: T, result: 'fail', identifier: 'openssl', value: '1.1.1k-1' }],
    },
    {
      name: 'apk, vulnerable',
      files: { '/lib/apk/db/installed': 'P:openssl\nV:1.1.1j-r0\nA:x86_64\n' },
      want: [{ test: T, result: 'pass', identifier: 'openssl', value: '1.1.1j-r0' }],
    },
    {
      name: 'not installed',
      files: { '/var/lib/dpkg/status': dpkg({ libssl3: '3.0.2-0ubuntu1.10' }) },
      want: [{ test: T, result: 'fail' }],
    },
    {
      name: 'an rpm database it cannot read',
      files: { '/var/lib/rpm/Packages': 'bdb' },
      want: [{ test: T, result: 'error', error: /^rpm database not readable/ }],
    },
  ])('$name', async ({ files, want }) => {
    const result = await evaluate(doc, tree(files));
    expectRows(result.rows, want);
    // Found means a test passed (here: vulnerable), so found(<actionId>) re-targets those hosts.
    expect(result.isFound).toBe(want[0]?.result === 'pass');
  });
});

describe('example: root password hashed with a modern scheme', () => {
  const doc = example('root-password-modern-hash');
  const T = 'root-password-modern-hash';
  const I = '/etc/shadow';
  it.each<{ name: string; files: Record<string, string>; want: Want[] }>([
    {
      name: 'SHA-512 crypt',
      files: { '/etc/shadow': shadow(SIX) },
      want: [{ test: T, result: 'pass', identifier: I }],
    },
    { name: 'yescrypt', files: { '/etc/shadow': shadow(YES) }, want: [{ test: T, result: 'pass', identifier: I }] },
    {
      name: 'locked, over a SHA-512 hash',
      files: { '/etc/shadow': shadow(SIX.replace('root:', 'root:!')) },
      want: [{ test: T, result: 'pass', identifier: I }],
    },
    {
      name: 'MD5 crypt',
      files: { '/etc/shadow': shadow('root:$1$saltsalt$qjXMvbEw8oaL.CzflDugX/:19500:0:99999:7:::') },
      want: [{ test: T, result: 'fail', identifier: I }],
    },
    {
      name: 'DES crypt: no scheme prefix at all',
      files: { '/etc/shadow': shadow('root:abJnggxhB/yWI:19500:0:99999:7:::') },
      want: [{ test: T, result: 'fail' }],
    },
    {
      name: 'no shadow file',
      files: { '/etc/passwd': 'root:x:0:0::/root:/bin/sh\n' },
      want: [{ test: T, result: 'fail' }],
    },
  ])('$name', async ({ files, want }) => {
    const result = await evaluate(doc, tree(files));
    expectRows(result.rows, want);
    // Only the verdict leaves: no part of any hash (the document's own description names the schemes).
    const fromHost = result.rows.map(({ identifier, value, error }) => ({ identifier, value, error }));
    expect(JSON.stringify(fromHost)).not.toMatch(/\$|rBk0|j9T|saltsalt|abJngg/);
  });

  it('a shadow file it cannot read is an error, not a failure', async () => {
    const root = tree({ '/etc/shadow': shadow(SIX) });
    // Past the size cap: unreadable for the module whoever runs the test (root reads mode 000 files).
    truncateSync(join(root, 'etc/shadow'), 16 * 1024 * 1024 + 1);
    expectRows((await evaluate(doc, root)).rows, [
      { test: T, result: 'error', error: /^\/etc\/shadow: cannot read \(larger than 16777216 bytes\)$/ },
    ]);
  });
});

describe('example: sshd PermitRootLogin disabled', () => {
  const doc = example('sshd-permitrootlogin-disabled');
  const I = '/etc/ssh/sshd_config';
  /** Both tests judge the same values: they name the file when it has a PermitRootLogin line. */
  const rows = (no: string, disabled: string, hasLine = true): Want[] => [
    { test: 'permitrootlogin-no', result: no, ...(hasLine ? { identifier: I } : {}) },
    { test: 'permitrootlogin-disabled', result: disabled, ...(hasLine ? { identifier: I } : {}) },
  ];
  it.each([
    {
      name: 'set to no',
      config: 'Port 22\nPermitRootLogin no\nPasswordAuthentication no\n',
      want: rows('pass', 'pass'),
    },
    { name: 'keyword case and = spelling', config: '  permitrootlogin = No\r\n', want: rows('pass', 'pass') },
    { name: 'set to yes', config: 'PermitRootLogin yes\n', want: rows('fail', 'fail') },
    {
      name: 'prohibit-password is still root login',
      config: 'PermitRootLogin prohibit-password\n',
      want: rows('fail', 'fail'),
    },
    { name: 'commented out: the default applies', config: '#PermitRootLogin no\n', want: rows('fail', 'fail', false) },
    {
      name: 'no, then yes in a Match block',
      config: 'PermitRootLogin no\nMatch Address 10.0.0.0/8\n  PermitRootLogin yes\n',
      want: rows('pass', 'fail'),
    },
  ])('$name', async ({ config, want }) => {
    expectRows(
      (await evaluate(doc, tree({ '/etc/ssh/sshd_config': config, '/etc/ssh/ssh_config': 'PermitRootLogin no\n' })))
        .rows,
      want,
    );
  });

  it('onlypass leaves out what does not pass', async () => {
    const root = tree({ '/etc/ssh/sshd_config': 'PermitRootLogin no\nMatch User x\n  PermitRootLogin yes\n' });
    const result = await evaluate(doc, root, true);
    expect(result.rows.map((r) => r.test)).toEqual(['permitrootlogin-no']);
    expect(result.stats).toMatchObject({ testsPassed: 1, testsFailed: 1 });
  });
});

describe('file names and depth', () => {
  const doc = (maxdepth: number) => ({
    objects: [
      { object: 'log4j', filename: { path: '/opt', file: '^log4j-core-(\\d+\\.\\d+\\.\\d+)\\.jar$', maxdepth } },
    ],
    tests: [{ test: 'log4shell', object: 'log4j', evr: { operation: '<', value: '2.17.1' } }],
  });
  const files = {
    '/opt/app/lib/log4j-core-2.17.2.jar': 'jar',
    '/opt/legacy/lib/log4j-core-2.14.1.jar': 'jar',
    '/opt/log4j-core-notes.txt': 'x',
  };
  it.each([
    {
      name: 'deep enough: the vulnerable copy is found and its version reported',
      maxdepth: 2,
      want: [
        { test: 'log4shell', result: 'pass', identifier: '/opt/legacy/lib/log4j-core-2.14.1.jar', value: '2.14.1' },
      ],
    },
    { name: 'too shallow: nothing found', maxdepth: 1, want: [{ test: 'log4shell', result: 'fail' }] },
  ])('$name', async ({ maxdepth, want }) => {
    expectRows((await evaluate(doc(maxdepth), tree(files))).rows, want);
  });
});

describe('abort', () => {
  it('an aborted run answers nothing', async () => {
    const rec = recordingContext(tree({ '/etc/ssh/sshd_config': 'PermitRootLogin no\n' }));
    rec.controller.abort();
    expect(
      await collectRows(runScribe, scribeParams, { document: example('sshd-permitrootlogin-disabled') }, rec),
    ).toEqual([]);
  });
});
