import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BaseError } from '../protocol/errors.js';
import type { OperationResult } from '../protocol/messages.js';
import { Limiter } from './limiter.js';
import { MASK } from './row-filter.js';
import { runCommand, runOperationsLocally, type LocalRunOptions } from './runner.js';
import { probeRunners, probeSpec, probeSpecs, tempDir } from '../test/helpers/agent/probe.js';

const local = (parameters: Record<string, unknown>, opts: Partial<LocalRunOptions> = {}): Promise<OperationResult[]> =>
  runOperationsLocally([{ module: 'probe', parameters }], {
    root: '/',
    specs: probeSpecs,
    runners: probeRunners,
    platform: 'linux',
    ...opts,
  });

describe('runner guarantees', () => {
  const cases: {
    name: string;
    params: Record<string, unknown>;
    opts?: Partial<LocalRunOptions>;
    want: Partial<OperationResult>;
    wantErrors?: RegExp;
  }[] = [
    {
      name: 'undeclared fields and fields not in privacy.leaves are dropped',
      params: { rows: 1, leak: true },
      want: { isFound: true, rows: [{ path: '/p/0', size: 0, owner: 'alice' }] },
    },
    {
      name: 'sensitive fields are masked in privacy mode',
      params: { rows: 1 },
      opts: { isPrivacyMode: true },
      want: { rows: [{ path: '/p/0', size: 0, owner: MASK }] },
    },
    {
      name: 'a row that breaks the result schema is reported, not sent',
      params: { rows: 3, badRowAt: 1 },
      want: {
        rows: [
          { path: '/p/0', size: 0, owner: 'alice' },
          { path: '/p/2', size: 2, owner: 'alice' },
        ],
      },
      wantErrors: /row dropped.*row\.size/,
    },
    {
      name: 'maxRows caps the rows and says so',
      params: { rows: 50 },
      want: { isFound: true },
      wantErrors: /truncated: more than 5 rows/,
    },
    { name: 'no rows: not found', params: { rows: 0 }, want: { isFound: false, rows: [], errors: [] } },
  ];

  it.each(cases)('$name', async ({ params, opts, want, wantErrors }) => {
    const [result] = await local(params, opts);
    expect(result).toMatchObject({ module: 'probe', ...want });
    // toMatchObject tolerates extra keys; a leaked field must fail the test.
    if (want.rows !== undefined) expect(result?.rows).toEqual(want.rows);
    expect(result?.error).toBeUndefined();
    if (wantErrors !== undefined) expect(result?.errors.join('\n')).toMatch(wantErrors);
    if (params.rows === 50) expect(result?.rows).toHaveLength(probeSpec.privacy.maxRows);
  });

  it('maxBytes caps the rows and says so', async () => {
    const spec = { ...probeSpec, privacy: { ...probeSpec.privacy, maxRows: 1000, maxBytes: 200 } };
    const [result] = await local({ rows: 50 }, { specs: new Map([['probe', spec]]) });
    expect(result?.rows.length).toBeGreaterThan(0);
    expect(result?.rows.length).toBeLessThan(50);
    expect(JSON.stringify(result?.rows).length).toBeLessThanOrEqual(200);
    expect(result?.errors.join('\n')).toMatch(/truncated: rows exceed 200 bytes/);
  });

  it('counts module statistics', async () => {
    const [result] = await local({ rows: 3 });
    expect(result?.stats.visited).toBe(3);
  });

  it('streams rows as they are collected, then each result', async () => {
    const seen: unknown[] = [];
    await local(
      { rows: 2 },
      { onRow: (i, row) => seen.push([i, row]), onResult: (r, i) => seen.push([i, r.rows.length]) },
    );
    expect(seen).toEqual([
      [0, { path: '/p/0', size: 0, owner: 'alice' }],
      [0, { path: '/p/1', size: 1, owner: 'alice' }],
      [0, 2],
    ]);
  });
});

describe('runner limits', () => {
  const cases: {
    name: string;
    params: Record<string, unknown>;
    abortAfterRows?: number;
    wantStatus: string;
    wantCode: string;
    wantRows: number;
  }[] = [
    {
      name: 'timeout (module honours abort)',
      params: { rows: 2, hang: 'until-abort' },
      wantStatus: 'timeout',
      wantCode: 'MODULE_TIMEOUT',
      wantRows: 2,
    },
    {
      name: 'timeout (module ignores abort)',
      params: { rows: 1, hang: 'forever' },
      wantStatus: 'timeout',
      wantCode: 'MODULE_TIMEOUT',
      wantRows: 1,
    },
    {
      name: 'cancelled by the caller',
      params: { rows: 1, hang: 'forever' },
      abortAfterRows: 1,
      wantStatus: 'cancelled',
      wantCode: 'MODULE_CANCELLED',
      wantRows: 1,
    },
    {
      name: 'module throws',
      params: { rows: 1, throwAfter: true },
      wantStatus: 'failed',
      wantCode: 'MODULE_FAILED',
      wantRows: 1,
    },
  ];

  it.each(cases)('$name → $wantStatus', async ({ params, abortAfterRows, wantStatus, wantCode, wantRows }) => {
    const controller = new AbortController();
    const spec = probeSpecs.get('probe');
    if (spec === undefined) throw new Error('probe spec missing');
    let rows = 0;
    const outcome = await runCommand([{ module: 'probe', spec, params: spec.params.parse(params) }], {
      root: '/',
      isPrivacyMode: false,
      // Long enough never to fire in the cancel case, short for the timeout cases.
      timeoutMs: abortAfterRows === undefined ? 50 : 60_000,
      signal: controller.signal,
      runners: probeRunners,
      onRow: () => {
        rows += 1;
        if (rows === abortAfterRows) setImmediate(() => controller.abort());
      },
    });
    expect(outcome.status).toBe(wantStatus);
    expect(outcome.error?.code).toBe(wantCode);
    expect(outcome.operations[0]?.rows).toHaveLength(wantRows);
  });

  it('the module limit wins over a higher agent limit', async () => {
    const spec = { ...probeSpec, limits: { timeoutMs: 30 } };
    const [result] = await local({ hang: 'until-abort' }, { specs: new Map([['probe', spec]]), timeoutMs: 600_000 });
    expect(result?.error?.code).toBe('MODULE_TIMEOUT');
    expect(result?.error?.message).toMatch(/within 30 ms/);
  });

  it('a command cancelled before it starts runs nothing', async () => {
    const spec = probeSpecs.get('probe');
    if (spec === undefined) throw new Error('probe spec missing');
    const controller = new AbortController();
    controller.abort();
    const outcome = await runCommand([{ module: 'probe', spec, params: spec.params.parse({}) }], {
      root: '/',
      isPrivacyMode: false,
      timeoutMs: 1000,
      signal: controller.signal,
      runners: probeRunners,
    });
    expect(outcome).toMatchObject({ status: 'cancelled', operations: [], error: { code: 'MODULE_CANCELLED' } });
  });

  it('refuses invalid parameters locally before running anything', async () => {
    const err: unknown = await local({ rows: -1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BaseError);
    expect((err as BaseError).code).toBe('INVALID_PARAMETERS');
    expect((err as BaseError).message).toMatch(/operations\.0\.parameters\.rows/);
  });
});

describe('file module through the local runner', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('runner');
    mkdirSync(join(dir.path, 'etc'), { recursive: true });
    writeFileSync(join(dir.path, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    writeFileSync(join(dir.path, 'etc', 'group'), 'root:x:0:\n');
  });
  afterEach(() => dir.remove());

  it('finds /etc/passwd under the given root and nothing else', async () => {
    const [result] = await runOperationsLocally(
      [{ module: 'file', parameters: { searches: { s1: { paths: ['/etc'], names: ['^passwd$'] } } } }],
      { root: dir.path },
    );
    expect(result?.error).toBeUndefined();
    expect(result?.isFound).toBe(true);
    expect(result?.rows).toHaveLength(1);
    expect(JSON.stringify(result?.rows[0])).toMatch(/passwd/);
    expect(JSON.stringify(result?.rows[0])).not.toMatch(/root:x/); // metadata, never contents
  });
});

describe('Limiter', () => {
  it('never runs more than max tasks at once, and runs them all', async () => {
    const limiter = new Limiter(2);
    let active = 0;
    let peak = 0;
    const task = async (): Promise<number> => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setImmediate(resolve));
      active -= 1;
      return 1;
    };
    const done = await Promise.all(Array.from({ length: 10 }, () => limiter.run(task)));
    expect(done).toHaveLength(10);
    expect(peak).toBe(2);
  });
});
