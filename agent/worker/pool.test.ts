import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { MASK } from '../row-filter.js';
import { runCommand, type RunCommandOptions } from '../runner.js';
import { probeRunners, probeSpec } from '../../test/helpers/agent/probe.js';
import { ModulePool } from './pool.js';
import { hogRunners, hogSpec } from '../../test/helpers/agent/hog-module.js';

const runners = new Map([...probeRunners, ...hogRunners]);
let pool: ModulePool;

beforeAll(() => {
  pool = new ModulePool({ size: 2, memoryMb: 128 });
});
afterAll(() => pool.close());

function run(spec: AnyModuleSpec, params: Record<string, unknown>, opts: Partial<RunCommandOptions> = {}) {
  return runCommand([{ module: spec.name, spec, params: spec.params.parse(params) }], {
    root: '/',
    isPrivacyMode: false,
    timeoutMs: 60_000,
    runners,
    pool,
    ...opts,
  });
}

describe('modules in worker threads', () => {
  it('answers exactly as on the agent thread: filtered, masked, capped, counted', async () => {
    const inWorker = await run(probeSpec, { rows: 50, leak: true, badRowAt: 1 }, { isPrivacyMode: true });
    const inline = await run(
      probeSpec,
      { rows: 50, leak: true, badRowAt: 1 },
      { isPrivacyMode: true, pool: undefined },
    );
    // Statistics aside: a worker runs ahead of the parent by up to ROW_WINDOW rows before a cap stops it.
    const strip = (o: typeof inWorker) => ({ ...o, operations: o.operations.map((r) => ({ ...r, stats: {} })) });
    expect(strip(inWorker)).toEqual(strip(inline));
    expect(inWorker.operations[0]?.stats.rowsRejected).toBe(1);
    expect(inWorker.operations[0]?.rows[0]).toEqual({ path: '/p/0', size: 0, owner: MASK });
    expect(inWorker.operations[0]?.errors.join('\n')).toMatch(/truncated: more than 5 rows/);
  });

  it('reuses a warm worker for the next operation', async () => {
    await run(probeSpec, { rows: 1 });
    const before = pool.threadIds();
    await run(probeSpec, { rows: 1 });
    expect(pool.threadIds()).toEqual(expect.arrayContaining(before));
    expect(pool.threadIds().length).toBeLessThanOrEqual(2);
  });

  it('hands the module the parent clock', async () => {
    const outcome = await run(hogSpec, { mode: 'echo-clock' }, { now: () => new Date('2001-02-03T04:05:06.000Z') });
    expect(outcome.operations[0]?.rows[0]?.at).toMatch(/^2001-02-03T04:05:0/);
  });

  it('a module that never yields times out, with how far it got; its thread is replaced', async () => {
    const outcome = await run(hogSpec, { mode: 'spin' }, { timeoutMs: 1500 });
    expect(outcome).toMatchObject({ status: 'timeout', error: { code: 'MODULE_TIMEOUT' } });
    expect(outcome.error?.message).toMatch(/within 1500 ms; it got as far as spins \d+/);
    const next = await run(probeSpec, { rows: 2 });
    expect(next).toMatchObject({ status: 'success' });
    expect(next.operations[0]?.rows).toHaveLength(2);
  });

  it('a module that ignores its abort is stopped at the timeout', async () => {
    const outcome = await run(probeSpec, { rows: 1, hang: 'forever' }, { timeoutMs: 300 });
    expect(outcome).toMatchObject({ status: 'timeout', error: { code: 'MODULE_TIMEOUT' } });
    expect(outcome.operations[0]?.rows).toHaveLength(1);
  });

  it('a cancel stops a module that never yields', async () => {
    const controller = new AbortController();
    const pending = run(hogSpec, { mode: 'spin' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    expect(await pending).toMatchObject({ status: 'cancelled', error: { code: 'MODULE_CANCELLED' } });
  });

  it('a module that eats memory ends with MODULE_MEMORY_LIMIT, and the next one runs', async () => {
    const outcome = await run(hogSpec, { mode: 'memory' });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'MODULE_MEMORY_LIMIT' } });
    expect(outcome.error?.message).toMatch(/memory ceiling of 128 MB/);
    expect(await run(probeSpec, { rows: 1 })).toMatchObject({ status: 'success' });
  });

  it('a module that throws fails with its message', async () => {
    const outcome = await run(probeSpec, { rows: 1, throwAfter: true });
    expect(outcome).toMatchObject({
      status: 'failed',
      error: { code: 'MODULE_FAILED', message: 'module probe failed: probe exploded' },
    });
  });

  it('many rows flow through the window without loss', async () => {
    const outcome = await run(hogSpec, { mode: 'rows', rows: 5000 });
    expect(outcome.operations[0]?.rows).toHaveLength(5000);
    expect(outcome.operations[0]?.rows[4999]).toEqual({ n: 4999 });
  });

  it('a job waiting for a worker: its time starts when a worker takes it; a cancel removes only it', async () => {
    const single = new ModulePool({ size: 1, memoryMb: 128 });
    try {
      const inSingle = (spec: AnyModuleSpec, params: Record<string, unknown>, opts: Partial<RunCommandOptions>) =>
        run(spec, params, { pool: single, ...opts });
      const busy = new AbortController();
      const spinning = inSingle(hogSpec, { mode: 'spin' }, { signal: busy.signal });
      const dropped = new AbortController();
      const cancelled = inSingle(probeSpec, { rows: 1 }, { signal: dropped.signal });
      // Would time out after 200 ms if waiting counted.
      const waiting = inSingle(probeSpec, { rows: 1 }, { timeoutMs: 200 });
      dropped.abort();
      expect(await cancelled).toMatchObject({ status: 'cancelled', error: { code: 'MODULE_CANCELLED' } });
      setTimeout(() => busy.abort(), 400);
      expect(await spinning).toMatchObject({ status: 'cancelled' });
      expect(await waiting).toMatchObject({ status: 'success', operations: [{ rows: [{ path: '/p/0' }] }] });
    } finally {
      await single.close();
    }
  });
});
