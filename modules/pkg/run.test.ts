import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingContext } from '../../test/helpers/modules/recording.js';
import { pkgRunner, runPkg } from './run.js';
import { pkgModule, pkgParams } from './spec.js';
import { runThroughAgent } from '../../test/helpers/modules/pkg.js';

const FIXTURES = join(import.meta.dirname, '..', 'shared', 'packages', 'fixtures');
let scratch: string;
let multi: string;
let empty: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'mig-pkg-'));
  multi = join(scratch, 'multi');
  cpSync(join(FIXTURES, 'debian'), multi, { recursive: true });
  cpSync(join(FIXTURES, 'alpine'), multi, { recursive: true });
  empty = join(scratch, 'empty');
  cpSync(join(FIXTURES, 'debian'), empty, { recursive: true, filter: (src) => !src.endsWith('status') });
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const short = (rows: readonly Record<string, unknown>[]): string[] =>
  rows.map((r) => `${String(r.name)} ${String(r.version)} ${String(r.source)}`);
const rootOf = (name: string): string => (name === 'multi' ? multi : name === 'empty' ? empty : join(FIXTURES, name));

describe('pkg through the agent runner', () => {
  it.each([
    { name: 'one name', root: 'debian', params: { names: ['^openssl$'] }, want: ['openssl 1.1.1f-1ubuntu2.16 dpkg'] },
    {
      name: 'names are ORed',
      root: 'debian',
      params: { names: ['^openssl$', '^libssl'] },
      want: ['libssl1.1 1.1.1f-1ubuntu2.16 dpkg', 'openssl 1.1.1f-1ubuntu2.16 dpkg'],
    },
    {
      name: 'older than the fixed upstream version',
      root: 'debian',
      params: { names: ['ssl'], versions: ['<1.1.1k'] },
      want: ['libssl1.1 1.1.1f-1ubuntu2.16 dpkg', 'openssl 1.1.1f-1ubuntu2.16 dpkg'],
    },
    { name: 'not older: nothing found', root: 'debian', params: { names: ['ssl'], versions: ['>=1.1.1k'] }, want: [] },
    {
      name: 'a range: every constraint holds',
      root: 'debian',
      params: { names: ['^xz-utils$', '^liblzma'], versions: ['>=5.6.0', '<5.6.2'] },
      want: ['xz-utils 5.6.0-0.1 dpkg', 'liblzma5 5.6.1-1 dpkg'],
    },
    {
      name: 'an epoch outranks the upstream version',
      root: 'debian',
      params: { names: ['^zlib1g$'], versions: ['<1.2.12'] },
      want: [],
    },
    {
      name: 'the same epoch compares upstream',
      root: 'debian',
      params: { names: ['^zlib1g$'], versions: ['<1:1.2.12'] },
      want: ['zlib1g 1:1.2.11.dfsg-2ubuntu1.5 dpkg'],
    },
    {
      name: '= without a revision matches any revision',
      root: 'debian',
      params: { names: ['^openssl$'], versions: ['=1.1.1f'] },
      want: ['openssl 1.1.1f-1ubuntu2.16 dpkg'],
    },
    {
      name: 'removed and half-installed packages are not installed',
      root: 'debian',
      params: { names: ['^openssh-server$', '^libssl3$'] },
      want: [],
    },
    {
      name: 'apk with revisions',
      root: 'alpine',
      params: { names: ['^openssl$', '^libssl'], versions: ['<3.1.4-r6'] },
      want: ['libssl3 3.1.4-r5 apk', 'openssl 3.1.4-r5 apk'],
    },
    {
      name: 'apk != excludes',
      root: 'alpine',
      params: { names: ['^openssl$'], versions: ['>=3.1.4', '!=3.1.4-r5'] },
      want: [],
    },
    {
      name: 'every database present is read',
      root: 'multi',
      params: { names: ['^openssl$'] },
      want: ['openssl 1.1.1f-1ubuntu2.16 dpkg', 'openssl 3.1.4-r5 apk'],
    },
    {
      name: 'sources limits the databases',
      root: 'multi',
      params: { names: ['^openssl$'], sources: ['apk'] },
      want: ['openssl 3.1.4-r5 apk'],
    },
    { name: 'no database: nothing, and no complaint', root: 'empty', params: { names: ['.'] }, want: [] },
  ])('$name', async ({ root, params, want }) => {
    const result = await runThroughAgent(pkgModule, runPkg, params, rootOf(root));
    expect(result.error).toBeUndefined();
    expect(short(result.rows)).toEqual(want);
    expect(result.isFound).toBe(want.length > 0);
    expect(result.errors).toEqual([]);
    for (const row of result.rows) expect(pkgModule.result.safeParse(row).success).toBe(true);
  });

  it('rows carry exactly name, version, arch and source', async () => {
    const result = await runThroughAgent(pkgModule, runPkg, { names: ['^tzdata$'] }, rootOf('debian'));
    expect(result.rows).toEqual([{ name: 'tzdata', version: '2024a-0ubuntu0.20.04', arch: 'all', source: 'dpkg' }]);
    expect(result.stats).toMatchObject({ dpkgPackages: 6, packagesMatched: 1 });
  });

  it('invalid parameters are refused before anything runs, naming the field', async () => {
    await expect(
      runThroughAgent(pkgModule, runPkg, { names: ['('], versions: ['1.0'] }, FIXTURES),
    ).rejects.toMatchObject({
      code: 'INVALID_PARAMETERS',
      message: expect.stringMatching(
        /parameters\.names\.0 \(module pkg\): not a valid RE2.*parameters\.versions\.0 \(module pkg\): expected an operator/,
      ),
    });
  });
});

describe('rpm', () => {
  const standIn = (body: string): string => {
    const path = join(scratch, `rpm-${Math.random().toString(16).slice(2)}`);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  // The stand-in answers only the exact query the reader must make.
  const answering = (output: string): string =>
    standIn(
      `[ "$1" = -qa ] && [ "$2" = --queryformat ] && [ "$3" = '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n' ] || { echo "unexpected arguments: $*" >&2; exit 3; }\nprintf '${output}'`,
    );

  it.each([
    {
      name: 'the host rpm command is asked when the root is the host',
      binary: () => answering('openssl\\t1\\t1.1.1k\\t7.el8_6\\tx86_64\\nbash\\t(none)\\t4.4.20\\t4.el8_6\\tx86_64\\n'),
      isHostRoot: true,
      want: ['openssl 1:1.1.1k-7.el8_6 rpm'],
      wantErrors: [],
    },
    {
      name: 'not the host root: the database is not readable, said once',
      binary: () => answering(''),
      isHostRoot: false,
      want: [],
      wantErrors: [expect.stringMatching(/^rpm database not readable: \/var\/lib\/rpm\/Packages .*root is not \//)],
    },
    {
      name: 'no rpm command',
      binary: () => join(scratch, 'absent'),
      isHostRoot: true,
      want: [],
      wantErrors: [expect.stringMatching(/^rpm database not readable: .*no rpm command at/)],
    },
    {
      name: 'rpm fails',
      binary: () => standIn('echo "error: rpmdb: BDB0113 Thread/process failed" >&2; exit 1'),
      isHostRoot: true,
      want: [],
      wantErrors: [expect.stringMatching(/^rpm database not readable: .*rpm -qa failed: .*BDB0113/)],
    },
  ])('$name', async ({ binary, isHostRoot, want, wantErrors }) => {
    const run = pkgRunner({ rpmBinaries: [binary()], isHostRoot });
    const result = await runThroughAgent(pkgModule, run, { names: ['^openssl'] }, rootOf('rhel'));
    expect(short(result.rows)).toEqual(want);
    expect(result.errors).toEqual(wantErrors);
  });
});

describe('abort', () => {
  it('stops yielding once the signal is aborted', async () => {
    const rec = recordingContext(rootOf('multi'));
    const rows: unknown[] = [];
    for await (const row of runPkg(pkgParams.parse({ names: ['.'] }), rec.ctx)) {
      rows.push(row);
      rec.controller.abort();
    }
    expect(rows).toHaveLength(1);
  });

  it('cancelled through the runner: MODULE_CANCELLED with the rows so far', async () => {
    const controller = new AbortController();
    const result = await runThroughAgent(pkgModule, runPkg, { names: ['.'] }, rootOf('debian'), {
      signal: controller.signal,
      onRow: () => controller.abort(),
    });
    expect(result.error?.code).toBe('MODULE_CANCELLED');
    expect(result.rows).toHaveLength(1);
  });
});
