import { z } from 'zod';
import { defineModule, type AnyModuleSpec } from '../../../../protocol/module-spec.js';

/** Test-only module specs: one flat (form round-trips), one whose parameters the form cannot express. */
const probeParams = z.object({
  names: z.array(z.string().min(1)).min(1).describe('file names to look for'),
  depth: z.number().int().min(0).max(100).default(3).describe('how deep to walk'),
  recursive: z.boolean().default(false).describe('descend into directories'),
  mode: z.enum(['fast', 'thorough']).optional().describe('how hard to look'),
});

// Alike on purpose (duplicates): a module spec literal; every defineModule call has this shape, the
// values are this module's own.
export const probeModule = defineModule({
  name: 'probe',
  version: '1.0.0',
  summary: 'looks for files by name',
  platforms: ['linux', 'darwin', 'win32'],
  params: probeParams,
  result: z.strictObject({ path: z.string(), size: z.number(), mtime: z.string() }),
  columns: [
    { key: 'path', header: 'Path' },
    { key: 'size', header: 'Size', align: 'right', isBytes: true },
    { key: 'mtime', header: 'Modified', isTime: true, isWide: true },
  ],
  cli: { schema: probeParams, flags: {}, toParams: (v) => v },
  privacy: { leaves: ['path', 'size', 'mtime'], sensitive: [], maxRows: 1000, maxBytes: 1 << 20 },
  limits: { timeoutMs: 60_000 },
  examples: [],
});

const nestedCli = z.object({ path: z.string().min(1).describe('where to look') });
const nestedParams = z.object({ searches: z.record(z.string(), z.object({ paths: z.array(z.string()) })) });

export const nestedModule = defineModule({
  name: 'nested',
  // Alike on purpose (duplicates): two fake module specs for the console tests, each with its own params and result;
  // defineModule's fields are what repeat.
  version: '1.0.0',
  summary: 'nested parameters',
  platforms: ['linux'],
  params: nestedParams,
  result: z.strictObject({ hit: z.string() }),
  columns: [{ key: 'hit', header: 'Hit' }],
  cli: { schema: nestedCli, flags: {}, toParams: (v) => ({ searches: { s1: { paths: [v.path] } } }) },
  privacy: { leaves: ['hit'], sensitive: [], maxRows: 10, maxBytes: 1024 },
  limits: { timeoutMs: 1000 },
  examples: [],
});

export const testModules: ReadonlyMap<string, AnyModuleSpec> = new Map<string, AnyModuleSpec>([
  ['probe', probeModule],
  ['nested', nestedModule],
]);

const isolateParams = z.object({ reason: z.string().min(1).describe('why the host is isolated') });

/**
 * A response module: it changes the endpoint, so launching it asks y/n. Named like a real one
 * (protocol/limits.ts RESPONSE_MODULES decides what is a response module). Not in testModules.
 */
export const isolateModule = defineModule({
  name: 'firewall',
  version: '1.0.0',
  summary: 'cuts the host off the network',
  platforms: ['linux'],
  params: isolateParams,
  result: z.strictObject({ done: z.boolean() }),
  columns: [{ key: 'done', header: 'Done' }],
  cli: { schema: isolateParams, flags: {}, toParams: (v) => v },
  privacy: { leaves: ['done'], sensitive: [], maxRows: 1, maxBytes: 64 },
  limits: { timeoutMs: 1000 },
  examples: [],
});
