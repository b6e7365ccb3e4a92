import { spawnSync } from 'node:child_process';
import { isAscii } from 'node:buffer';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBundleFor, commonJsFileFor } from './cli-bundle.js';
import { CLI_COMMONJS, INVESTIGATOR_COMMONJS, REPO_ROOT, distIsFresh } from './dist-state.js';

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

  it('is the investigator’s CommonJS file for every command but the server’s, the agent’s and audit’s', () => {
    for (const command of ['file', 'netstat', 'action', 'investigators', 'policy', '--help', 'nonsense', undefined])
      expect(commonJsFileFor(command), String(command)).toBe(INVESTIGATOR_COMMONJS);
    for (const command of ['server', 'agent', 'audit']) expect(commonJsFileFor(command), command).toBe(CLI_COMMONJS);
  });

  it('never sends a command bin/main.ts handles itself to the investigator’s file, which knows none of them', () => {
    // The two lists in bin/cli-bundle.js must follow bin/main.ts's switch: a command added there
    // and not here would reach the investigator's CLI and be refused as unknown.
    const main = readFileSync(new URL('./main.ts', import.meta.url), 'utf8');
    const cases = [...main.matchAll(/case '([^']+)':/g)].map((m) => m[1] ?? '');
    expect(cases.length).toBeGreaterThanOrEqual(5);
    for (const command of cases)
      expect(cliBundleFor(command, {}, modern) === 'esm' || commonJsFileFor(command) === CLI_COMMONJS, command).toBe(
        true,
      );
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

describe.skipIf(!fresh)('the built bundles', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mig-cli-bundle-'));
    mkdirSync(join(dir, 'tree'));
    mkdirSync(join(dir, 'home'));
    writeFileSync(join(dir, 'tree', 'x'), 'one file\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * `main(argv)` of one bundle in a node process of its own: `esm` for the ES module one, else
   * a CommonJS file's repository-relative path. Stdout, stderr and exit code.
   */
  function run(bundle: string, argv: string[]): { status: number | null; stdout: string; stderr: string } {
    const load =
      bundle === 'esm'
        ? `const { main } = await import(${JSON.stringify(`${REPO_ROOT}dist/cli/main.js`)});`
        : `const { loadCommonJs } = await import(${JSON.stringify(`${REPO_ROOT}bin/code-cache.js`)});` +
          `const { main } = loadCommonJs(${JSON.stringify(`${REPO_ROOT}${bundle}`)}).exports;`;
    const out = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `${load} process.exitCode = await main(${JSON.stringify(argv)});`],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', MIG_NO_GPG: '1', MIG_HOME: join(dir, 'home') } },
    );
    return { status: out.status, stdout: out.stdout, stderr: out.stderr };
  }

  it('answer a local hunt by name and content alike', () => {
    const argv = ['file', '-t', 'local', '-path', join(dir, 'tree'), '-name', '^x$', '-content', 'o[n]e'];
    const investigator = run(INVESTIGATOR_COMMONJS, argv);
    expect(investigator.stdout).toContain(join(dir, 'tree', 'x'));
    expect(investigator).toEqual(run('esm', argv));
    expect(investigator).toEqual(run(CLI_COMMONJS, argv));
  });

  it('refuse a bad flag alike, naming it', () => {
    const argv = ['file', '-t', 'local', '-path', join(dir, 'tree'), '-size', 'huge'];
    const investigator = run(INVESTIGATOR_COMMONJS, argv);
    expect(investigator.status).toBe(2);
    expect(investigator.stderr).toContain('size');
    expect(investigator).toEqual(run('esm', argv));
    expect(investigator).toEqual(run(CLI_COMMONJS, argv));
  });

  it('leave the server’s, agent’s and console’s code out of the investigator’s file', () => {
    const investigator = readFileSync(`${REPO_ROOT}${INVESTIGATOR_COMMONJS}`, 'latin1');
    const whole = readFileSync(`${REPO_ROOT}${CLI_COMMONJS}`, 'latin1');
    for (const source of ['broker/cli.ts', 'agent/cli.ts', 'broker/audit/cli.ts', 'bin/console-command.ts']) {
      // esbuild marks each inlined source with a `// path` line.
      expect(whole, source).toContain(`// ${source}\n`);
      expect(investigator, source).not.toContain(`// ${source}\n`);
    }
    expect(investigator).toContain('// console/cli/main.ts\n');
    expect(investigator.length).toBeLessThan(whole.length * 0.8);
  });

  it('are ASCII where bin/code-cache.js loads them, so it decodes them as Latin-1', () => {
    for (const file of [CLI_COMMONJS, INVESTIGATOR_COMMONJS, 'dist/vendor/zod.cjs', 'dist/vendor/re2js.cjs'])
      expect(isAscii(readFileSync(`${REPO_ROOT}${file}`)), file).toBe(true);
  });
});
