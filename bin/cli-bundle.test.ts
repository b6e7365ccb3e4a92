import { spawnSync } from 'node:child_process';
import { isAscii } from 'node:buffer';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBundleFor } from './cli-bundle.js';
import { CLI_COMMONJS, REPO_ROOT, distIsFresh } from './dist-state.js';

describe('the bundle mig runs', () => {
  const modern = { require_module: true };

  it('is the CommonJS file for investigator, server and agent commands on a Node that can require ES modules', () => {
    for (const command of ['file', 'netstat', 'server', 'agent', 'audit', undefined])
      expect(cliBundleFor(command, {}, modern)).toBe('commonjs');
  });

  it('is the ES module bundle for the console (Ink has top-level await)', () => {
    expect(cliBundleFor('console', {}, modern)).toBe('esm');
    expect(cliBundleFor('demo', {}, modern)).toBe('esm');
  });

  it('is the ES module bundle on a Node whose require() loads no ES module, or when MIG_CLI_BUNDLE=esm', () => {
    expect(cliBundleFor('file', {}, {})).toBe('esm');
    expect(cliBundleFor('file', {}, { require_module: false })).toBe('esm');
    expect(cliBundleFor('file', { MIG_CLI_BUNDLE: 'esm' }, modern)).toBe('esm');
  });

  it('refuses any other MIG_CLI_BUNDLE, naming it and what it was given', () => {
    expect(() => cliBundleFor('file', { MIG_CLI_BUNDLE: 'ESM' }, modern)).toThrow(
      'MIG_CLI_BUNDLE: expected esm (or unset), got "ESM"',
    );
    expect(cliBundleFor('file', { MIG_CLI_BUNDLE: '' }, modern)).toBe('commonjs');
  });
});

// The built files themselves: what `npm ci` leaves (CI), not a dev checkout edited since its build.
const fresh = distIsFresh();
if (!fresh) console.warn('\n*** SKIPPED bin/cli-bundle.test.ts (built bundles): dist/ is older than the sources ***\n');

describe.skipIf(!fresh)('the two built bundles', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mig-cli-bundle-'));
    mkdirSync(join(dir, 'tree'));
    mkdirSync(join(dir, 'home'));
    writeFileSync(join(dir, 'tree', 'x'), 'one file\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** `main(argv)` of one bundle in a node process of its own; stdout, stderr and exit code. */
  function run(bundle: 'commonjs' | 'esm', argv: string[]): { status: number | null; stdout: string; stderr: string } {
    const load =
      bundle === 'esm'
        ? `const { main } = await import(${JSON.stringify(`${REPO_ROOT}dist/cli/main.js`)});`
        : `const { loadCommonJs } = await import(${JSON.stringify(`${REPO_ROOT}bin/code-cache.js`)});` +
          `const { main } = loadCommonJs(${JSON.stringify(`${REPO_ROOT}${CLI_COMMONJS}`)}).exports;`;
    const out = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `${load} process.exitCode = await main(${JSON.stringify(argv)});`],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', MIG_NO_GPG: '1', MIG_HOME: join(dir, 'home') } },
    );
    return { status: out.status, stdout: out.stdout, stderr: out.stderr };
  }

  it('answer a local hunt by name and content alike', () => {
    const argv = ['file', '-t', 'local', '-path', join(dir, 'tree'), '-name', '^x$', '-content', 'o[n]e'];
    const commonJs = run('commonjs', argv);
    expect(commonJs.stdout).toContain(join(dir, 'tree', 'x'));
    expect(commonJs).toEqual(run('esm', argv));
  });

  it('refuse a bad flag alike, naming it', () => {
    const argv = ['file', '-t', 'local', '-path', join(dir, 'tree'), '-size', 'huge'];
    const commonJs = run('commonjs', argv);
    expect(commonJs.status).toBe(2);
    expect(commonJs.stderr).toContain('size');
    expect(commonJs).toEqual(run('esm', argv));
  });

  it('are ASCII where bin/code-cache.js loads them, so it decodes them as Latin-1', () => {
    for (const file of [CLI_COMMONJS, 'dist/vendor/zod.cjs', 'dist/vendor/re2js.cjs'])
      expect(isAscii(readFileSync(`${REPO_ROOT}${file}`)), file).toBe(true);
  });
});
