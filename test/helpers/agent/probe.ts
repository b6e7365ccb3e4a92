import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { defineModule, type AnyModuleSpec, type ModuleRun } from '../../../protocol/module-spec.js';
import type { AgentFacts } from '../../../protocol/target/index.js';
import { locateRunners } from '../../../agent/worker/locations.js';

/**
 * Test-only: a `probe` module whose behaviour the parameters choose (rows, leaks, bad rows,
 * hanging with or without honouring abort, throwing), so runner and session tests can exercise
 * every guarantee without depending on what a real module finds on this host.
 */
const ProbeParams = z.strictObject({
  rows: z.number().int().min(0).default(1).describe('rows to yield'),
  leak: z.boolean().default(false).describe('add an undeclared field to each row'),
  badRowAt: z.number().int().optional().describe('index of a row with a wrongly typed field'),
  hang: z.enum(['no', 'until-abort', 'forever']).default('no').describe('hang after the rows'),
  throwAfter: z.boolean().default(false).describe('throw after the rows'),
});

const ProbeRow = z.strictObject({
  path: z.string(),
  size: z.number(),
  owner: z.string(),
  /** Declared but not in privacy.leaves: must never leave. */
  inode: z.number(),
});

// Alike on purpose (duplicates): a module spec literal; every defineModule call has this shape, the
// values are this module's own.
export const probeSpec = defineModule({
  name: 'probe',
  version: '1.0.0',
  summary: 'test-only module',
  platforms: ['linux', 'darwin', 'win32', 'freebsd'],
  params: ProbeParams,
  result: ProbeRow,
  columns: [{ key: 'path', header: 'PATH' }],
  cli: { schema: ProbeParams, flags: {}, toParams: (v) => v },
  privacy: { leaves: ['path', 'size', 'owner'], sensitive: ['owner'], maxRows: 5, maxBytes: 4096 },
  limits: { timeoutMs: 60_000 },
  examples: [],
});

export const runProbe: ModuleRun<z.infer<typeof ProbeParams>, unknown> = async function* (params, ctx) {
  for (let i = 0; i < params.rows; i += 1) {
    ctx.count('visited');
    const row: Record<string, unknown> = { path: `/p/${i}`, size: i, owner: 'alice', inode: 1000 + i };
    if (params.leak) row.leak = 'must not leave';
    if (params.badRowAt === i) row.size = 'big';
    yield row;
  }
  if (params.throwAfter) throw new Error('probe exploded');
  if (params.hang === 'until-abort')
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
  if (params.hang === 'forever') await new Promise(() => undefined);
};

export const probeSpecs: ReadonlyMap<string, AnyModuleSpec> = new Map([['probe', probeSpec]]);
/** Located: with a module pool (a started agent) the probe runs in a worker thread like a real module. */
export const probeRunners: ReadonlyMap<string, ModuleRun<never, unknown>> = locateRunners(
  import.meta.url,
  'probeRunners',
  new Map([['probe', runProbe]]),
);

export function testFacts(overrides: Partial<AgentFacts> = {}): AgentFacts {
  return {
    id: 'a-0123456789abcdef0123',
    name: 'web-1',
    os: 'linux',
    arch: 'x64',
    version: '0.1.0',
    mode: 'daemon',
    queueloc: 'linux.a-0123456789abcdef0123',
    environment: { ident: 'Debian GNU/Linux 12 (bookworm)', init: 'systemd', hostname: 'web-1', addresses: '10.0.0.5' },
    tags: { env: 'prod' },
    ...overrides,
  };
}

/** A fresh temp directory and its removal, for afterEach. */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `mig-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
