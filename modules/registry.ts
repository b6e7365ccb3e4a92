import { indexByName, type AnyModuleSpec } from '../protocol/module-spec.js';
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

/**
 * Every module's spec, safe to import anywhere (console, docs, agent). Run code lives in
 * runners.ts, which only the agent imports. A spec from defineModule is an AnyModuleSpec as it is.
 */
const specs: readonly AnyModuleSpec[] = [
  fileModule,
  memoryModule,
  yaraModule,
  netstatModule,
  nicModule,
  pingModule,
  timedriftModule,
  pkgModule,
  sshkeyModule,
  scribeModule,
  firewallModule,
  processModule,
  accountModule,
  execModule,
  passwordModule,
  agentdestroyModule,
];

export const moduleSpecs: ReadonlyMap<string, AnyModuleSpec> = indexByName(specs, (s) => s.name, 'specs');

export function getModuleSpec(name: string): AnyModuleSpec | undefined {
  return moduleSpecs.get(name);
}
