import type { AnyModuleSpec } from '../protocol/module-spec.js';
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
 * Every module's spec, safe to import anywhere (console, docs, agent). Run code lives in
 * runners.ts, which only the agent imports.
 */
const specs: readonly AnyModuleSpec[] = [fileModule as unknown as AnyModuleSpec, memoryModule as unknown as AnyModuleSpec, yaraModule as unknown as AnyModuleSpec, netstatModule as unknown as AnyModuleSpec, pingModule as unknown as AnyModuleSpec, timedriftModule as unknown as AnyModuleSpec, pkgModule as unknown as AnyModuleSpec, sshkeyModule as unknown as AnyModuleSpec, scribeModule as unknown as AnyModuleSpec, firewallModule as unknown as AnyModuleSpec, processModule as unknown as AnyModuleSpec, accountModule as unknown as AnyModuleSpec, agentdestroyModule as unknown as AnyModuleSpec];

function indexByName(list: readonly AnyModuleSpec[]): ReadonlyMap<string, AnyModuleSpec> {
  const map = new Map<string, AnyModuleSpec>();
  for (const spec of list) {
    if (map.has(spec.name)) throw new Error(`module ${spec.name} is registered twice`);
    map.set(spec.name, spec);
  }
  return map;
}

export const moduleSpecs: ReadonlyMap<string, AnyModuleSpec> = indexByName(specs);

export function getModuleSpec(name: string): AnyModuleSpec | undefined {
  return moduleSpecs.get(name);
}
