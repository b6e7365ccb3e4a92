import { registerModule, runnerTable, type AnyModuleRun, type RegisteredRun } from '../protocol/module-spec.js';

/**
 * A module's line in the table, whose spec and run code are imported when it first runs: an
 * agent or a `-t local` hunt loads the modules it uses, not every one (importing every spec
 * builds every module's zod schemas; doc/performance.md, Start-up). `load` pairs the two through
 * registerModule, which checks at compile time that the run function fits its spec.
 */
function onFirstUse(name: string, load: () => Promise<RegisteredRun>): RegisteredRun {
  let loaded: Promise<AnyModuleRun> | undefined;
  const run: AnyModuleRun = async function* (params, ctx) {
    loaded ??= load().then((registered) => {
      // The name is written beside the imports by hand: a mismatch would run the wrong module.
      if (registered.name !== name) throw new Error(`modules/runners.ts lists module ${registered.name} as ${name}`);
      return registered.run;
    });
    yield* (await loaded)(params, ctx);
  };
  return { name, run };
}

// Alike on purpose (duplicates): the runner table, one line a module, each with literal import
// paths so that tsc and the bundler see every module; lines share their shape, not logic.
/**
 * Agent-only: module name → run function. A test checks it covers every spec in registry.ts.
 * Each line pairs a spec with its run function (registerModule checks they fit each other);
 * rows are unknown in the table on purpose: the runner parses each one through the spec's result schema.
 */
const registered: readonly RegisteredRun[] = [
  onFirstUse('file', async () =>
    registerModule((await import('./file/spec.js')).fileModule, (await import('./file/run.js')).runFile),
  ),
  onFirstUse('agentdestroy', async () =>
    registerModule(
      (await import('./agentdestroy/spec.js')).agentdestroyModule,
      (await import('./agentdestroy/run.js')).runAgentdestroy,
    ),
  ),
  onFirstUse('account', async () =>
    registerModule((await import('./account/spec.js')).accountModule, (await import('./account/run.js')).runAccount),
  ),
  onFirstUse('exec', async () =>
    registerModule((await import('./exec/spec.js')).execModule, (await import('./exec/run.js')).runExec),
  ),
  onFirstUse('password', async () =>
    registerModule(
      (await import('./password/spec.js')).passwordModule,
      (await import('./password/run.js')).runPassword,
    ),
  ),
  onFirstUse('process', async () =>
    registerModule((await import('./process/spec.js')).processModule, (await import('./process/run.js')).runProcess),
  ),
  onFirstUse('firewall', async () =>
    registerModule(
      (await import('./firewall/spec.js')).firewallModule,
      (await import('./firewall/run.js')).runFirewall,
    ),
  ),
  onFirstUse('scribe', async () =>
    registerModule((await import('./scribe/spec.js')).scribeModule, (await import('./scribe/run.js')).runScribe),
  ),
  onFirstUse('sshkey', async () =>
    registerModule((await import('./sshkey/spec.js')).sshkeyModule, (await import('./sshkey/run.js')).runSshkey),
  ),
  onFirstUse('pkg', async () =>
    registerModule((await import('./pkg/spec.js')).pkgModule, (await import('./pkg/run.js')).runPkg),
  ),
  onFirstUse('timedrift', async () =>
    registerModule(
      (await import('./timedrift/spec.js')).timedriftModule,
      (await import('./timedrift/run.js')).runTimedrift,
    ),
  ),
  onFirstUse('ping', async () =>
    registerModule((await import('./ping/spec.js')).pingModule, (await import('./ping/run.js')).runPing),
  ),
  onFirstUse('netstat', async () =>
    registerModule((await import('./netstat/spec.js')).netstatModule, (await import('./netstat/run.js')).runNetstat),
  ),
  onFirstUse('nic', async () =>
    registerModule((await import('./nic/spec.js')).nicModule, (await import('./nic/run.js')).runNic),
  ),
  onFirstUse('sniffer', async () =>
    registerModule((await import('./sniffer/spec.js')).snifferModule, (await import('./sniffer/run.js')).runSniffer),
  ),
  onFirstUse('blockdev', async () =>
    registerModule(
      (await import('./blockdev/spec.js')).blockdevModule,
      (await import('./blockdev/run.js')).runBlockdev,
    ),
  ),
  onFirstUse('yara', async () =>
    registerModule((await import('./yara/spec.js')).yaraModule, (await import('./yara/run.js')).runYara),
  ),
  onFirstUse('memory', async () =>
    registerModule((await import('./memory/spec.js')).memoryModule, (await import('./memory/run.js')).runMemory),
  ),
];

export const moduleRunners: ReadonlyMap<string, AnyModuleRun> = runnerTable(registered);
