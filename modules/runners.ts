import {
  indexByName,
  registerModule,
  type AnyModuleRun,
  type ModuleContext,
  type ModuleRun,
  type RegisteredRun,
} from '../protocol/module-spec.js';
import { fileModule } from './file/spec.js';
import { agentdestroyModule } from './agentdestroy/spec.js';
import { accountModule } from './account/spec.js';
import { execModule } from './exec/spec.js';
import { passwordModule } from './password/spec.js';
import { processModule } from './process/spec.js';
import { firewallModule } from './firewall/spec.js';
import { scribeModule } from './scribe/spec.js';
import { sshkeyModule } from './sshkey/spec.js';
import { pkgModule } from './pkg/spec.js';
import { timedriftModule } from './timedrift/spec.js';
import { pingModule } from './ping/spec.js';
import { netstatModule } from './netstat/spec.js';
import { nicModule } from './nic/spec.js';
import { yaraModule } from './yara/spec.js';
import { memoryModule } from './memory/spec.js';

type RunOf<M, K extends keyof M> = M[K] extends ModuleRun<infer P, infer R> ? ModuleRun<P, R> : never;

/**
 * A run function whose module is imported when it first runs: an agent or a `-t local` hunt
 * loads the code of the modules it uses, not every one (doc/performance.md, Start-up). Its
 * type is that of the function it stands for, so registerModule still checks it against the spec.
 */
function onFirstUse<M, K extends keyof M>(load: () => Promise<M>, name: K): RunOf<M, K> {
  const lazy = async function* (params: unknown, ctx: ModuleContext): AsyncIterable<unknown> {
    // The one cast: M[K] is the module's run function (RunOf above refuses anything else).
    const run = (await load())[name] as unknown as ModuleRun<unknown, unknown>;
    yield* run(params, ctx);
  };
  return lazy as unknown as RunOf<M, K>;
}

/**
 * Agent-only: module name → run function. A test checks it covers every spec in registry.ts.
 * Each line pairs a spec with its run function (registerModule checks they fit each other);
 * rows are unknown in the table on purpose: the runner parses each one through the spec's result schema.
 */
const registered: readonly RegisteredRun[] = [
  registerModule(
    fileModule,
    onFirstUse(() => import('./file/run.js'), 'runFile'),
  ),
  registerModule(
    agentdestroyModule,
    onFirstUse(() => import('./agentdestroy/run.js'), 'runAgentdestroy'),
  ),
  registerModule(
    accountModule,
    onFirstUse(() => import('./account/run.js'), 'runAccount'),
  ),
  registerModule(
    execModule,
    onFirstUse(() => import('./exec/run.js'), 'runExec'),
  ),
  registerModule(
    passwordModule,
    onFirstUse(() => import('./password/run.js'), 'runPassword'),
  ),
  registerModule(
    processModule,
    onFirstUse(() => import('./process/run.js'), 'runProcess'),
  ),
  registerModule(
    firewallModule,
    onFirstUse(() => import('./firewall/run.js'), 'runFirewall'),
  ),
  registerModule(
    scribeModule,
    onFirstUse(() => import('./scribe/run.js'), 'runScribe'),
  ),
  registerModule(
    sshkeyModule,
    onFirstUse(() => import('./sshkey/run.js'), 'runSshkey'),
  ),
  registerModule(
    pkgModule,
    onFirstUse(() => import('./pkg/run.js'), 'runPkg'),
  ),
  registerModule(
    timedriftModule,
    onFirstUse(() => import('./timedrift/run.js'), 'runTimedrift'),
  ),
  registerModule(
    pingModule,
    onFirstUse(() => import('./ping/run.js'), 'runPing'),
  ),
  registerModule(
    netstatModule,
    onFirstUse(() => import('./netstat/run.js'), 'runNetstat'),
  ),
  registerModule(
    nicModule,
    onFirstUse(() => import('./nic/run.js'), 'runNic'),
  ),
  registerModule(
    yaraModule,
    onFirstUse(() => import('./yara/run.js'), 'runYara'),
  ),
  registerModule(
    memoryModule,
    onFirstUse(() => import('./memory/run.js'), 'runMemory'),
  ),
];

export const moduleRunners: ReadonlyMap<string, AnyModuleRun> = new Map(
  [...indexByName(registered, (r) => r.name, 'run functions')].map(([name, r]) => [name, r.run]),
);
