import type { ModuleRun } from '../protocol/module-spec.js';

/**
 * A run function whose module is imported when it first runs: an agent or a `-t local` hunt
 * loads the code of the modules it uses, not all thirteen (doc/performance.md, Start-up).
 */
function onFirstUse<K extends string>(load: () => Promise<Record<K, ModuleRun<never, unknown>>>, name: K): ModuleRun<never, unknown> {
  return async function* (params, ctx) {
    const run = (await load())[name];
    yield* run(params, ctx);
  };
}

/**
 * Agent-only: module name → run function. A test checks it covers every spec in registry.ts.
 * Rows are unknown here on purpose: the runner parses each one through the spec's result schema.
 */
export const moduleRunners: ReadonlyMap<string, ModuleRun<never, unknown>> = new Map<string, ModuleRun<never, unknown>>([
  ['file', onFirstUse(() => import('./file/run.js'), 'runFile')],
  ['agentdestroy', onFirstUse(() => import('./agentdestroy/run.js'), 'runAgentdestroy')],
  ['account', onFirstUse(() => import('./account/run.js'), 'runAccount')],
  ['process', onFirstUse(() => import('./process/run.js'), 'runProcess')],
  ['firewall', onFirstUse(() => import('./firewall/run.js'), 'runFirewall')],
  ['scribe', onFirstUse(() => import('./scribe/run.js'), 'runScribe')],
  ['sshkey', onFirstUse(() => import('./sshkey/run.js'), 'runSshkey')],
  ['pkg', onFirstUse(() => import('./pkg/run.js'), 'runPkg')],
  ['timedrift', onFirstUse(() => import('./timedrift/run.js'), 'runTimedrift')],
  ['ping', onFirstUse(() => import('./ping/run.js'), 'runPing')],
  ['netstat', onFirstUse(() => import('./netstat/run.js'), 'runNetstat')],
  ['yara', onFirstUse(() => import('./yara/run.js'), 'runYara')],
  ['memory', onFirstUse(() => import('./memory/run.js'), 'runMemory')],
]);
