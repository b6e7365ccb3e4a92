import { indexByName, registerModule, type AnyModuleRun, type RegisteredRun } from '../protocol/module-spec.js';
import { runFile } from './file/run.js';
import { runAgentdestroy } from './agentdestroy/run.js';
import { runAccount } from './account/run.js';
import { runProcess } from './process/run.js';
import { runFirewall } from './firewall/run.js';
import { runScribe } from './scribe/run.js';
import { runSshkey } from './sshkey/run.js';
import { runPkg } from './pkg/run.js';
import { runTimedrift } from './timedrift/run.js';
import { runPing } from './ping/run.js';
import { runNetstat } from './netstat/run.js';
import { runYara } from './yara/run.js';
import { runMemory } from './memory/run.js';
import { fileModule } from './file/spec.js';
import { agentdestroyModule } from './agentdestroy/spec.js';
import { accountModule } from './account/spec.js';
import { processModule } from './process/spec.js';
import { firewallModule } from './firewall/spec.js';
import { scribeModule } from './scribe/spec.js';
import { sshkeyModule } from './sshkey/spec.js';
import { pkgModule } from './pkg/spec.js';
import { timedriftModule } from './timedrift/spec.js';
import { pingModule } from './ping/spec.js';
import { netstatModule } from './netstat/spec.js';
import { yaraModule } from './yara/spec.js';
import { memoryModule } from './memory/spec.js';

/**
 * Agent-only: module name → run function. A test checks it covers every spec in registry.ts.
 * Each line pairs a spec with its run function (registerModule checks they fit each other);
 * rows are unknown in the table on purpose: the runner parses each one through the spec's result schema.
 */
const registered: readonly RegisteredRun[] = [
  registerModule(fileModule, runFile),
  registerModule(agentdestroyModule, runAgentdestroy),
  registerModule(accountModule, runAccount),
  registerModule(processModule, runProcess),
  registerModule(firewallModule, runFirewall),
  registerModule(scribeModule, runScribe),
  registerModule(sshkeyModule, runSshkey),
  registerModule(pkgModule, runPkg),
  registerModule(timedriftModule, runTimedrift),
  registerModule(pingModule, runPing),
  registerModule(netstatModule, runNetstat),
  registerModule(yaraModule, runYara),
  registerModule(memoryModule, runMemory),
];

export const moduleRunners: ReadonlyMap<string, AnyModuleRun> = new Map([...indexByName(registered, (r) => r.name, 'run functions')].map(([name, r]) => [name, r.run]));
