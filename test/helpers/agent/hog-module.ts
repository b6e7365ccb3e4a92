import { z } from 'zod';
import { defineModule, type AnyModuleSpec, type ModuleRun } from '../../../protocol/module-spec.js';
import { locateRunners } from '../../../agent/worker/locations.js';

/**
 * Test-only: a `hog` module that misbehaves on purpose, for the worker pool's tests and the
 * adversarial suite. Never registered in modules/registry.ts: tests hand it to the runner or
 * the agent through their injectable specs/runners maps.
 */
const HogParams = z.strictObject({
  mode: z
    .enum(['spin', 'memory', 'hold', 'rows', 'echo-clock'])
    .describe(
      'spin: a loop that never yields; memory: keep allocating; hold: take `megabytes` off the heap and wait until stopped; rows: yield `rows` rows; echo-clock: one row with ctx.now()',
    ),
  rows: z.number().int().min(0).default(1).describe('rows to yield in rows mode'),
  megabytes: z
    .number()
    .int()
    .min(1)
    .max(4096)
    .default(64)
    .describe('MB held in hold mode (Buffers: process RSS, not the worker heap ceiling)'),
});

const HogRow = z.strictObject({ n: z.number(), at: z.string().optional() });

// Alike on purpose (duplicates): a module spec literal; every defineModule call has this shape, the
// values are this module's own.
export const hogSpec = defineModule({
  name: 'hog',
  version: '1.0.0',
  summary: 'test-only module that hogs the CPU or memory',
  platforms: ['linux', 'darwin', 'win32', 'freebsd'],
  params: HogParams,
  result: HogRow,
  columns: [{ key: 'n', header: 'N' }],
  cli: { schema: HogParams, flags: {}, toParams: (v) => v },
  privacy: { leaves: ['n', 'at'], sensitive: [], maxRows: 10_000, maxBytes: 1024 * 1024 },
  limits: { timeoutMs: 60_000 },
  examples: [],
});

export const runHog: ModuleRun<z.infer<typeof HogParams>, unknown> = async function* (params, ctx) {
  if (params.mode === 'echo-clock') yield { n: 0, at: ctx.now().toISOString() };
  if (params.mode === 'rows') for (let n = 0; n < params.rows; n++) yield { n, secret: 'not declared: must not leave' };
  if (params.mode === 'spin') {
    // Never awaits: only terminating the thread stops it. Reports progress like a busy scan.
    for (let n = 0; ; n++) if (n % 1_000_000 === 0) ctx.count('spins');
  }
  if (params.mode === 'hold') {
    // Filled, so the pages are resident: the agent's RSS grows, as the watchdog tests need.
    const held = Array.from({ length: params.megabytes }, () => Buffer.alloc(1 << 20, 1));
    ctx.count('megabytesHeld', held.length);
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    yield { n: held.length };
  }
  if (params.mode === 'memory') {
    const hoard: number[][] = [];
    for (let n = 0; ; n++) {
      hoard.push(new Array<number>(1_000_000).fill(n));
      ctx.count('megabytesHeld', 8);
    }
  }
};

export const hogSpecs: ReadonlyMap<string, AnyModuleSpec> = new Map([['hog', hogSpec]]);
export const hogRunners: ReadonlyMap<string, ModuleRun<never, unknown>> = locateRunners(
  import.meta.url,
  'hogRunners',
  new Map([['hog', runHog]]),
);
