import type { AnyModuleSpec } from '../protocol/module-spec.js';

/**
 * Every module's spec by name, each imported on first use. registry.ts imports all of them,
 * which builds every module's zod schemas (~40 ms of CPU for the 17 a hunt does not use): a
 * command that needs one module (`mig file ...`, `-t local`) loads that one from here
 * (doc/performance.md, Start-up). Same modules, same order as registry.ts: a test checks it.
 */
const loaders: ReadonlyMap<string, () => Promise<AnyModuleSpec>> = new Map<string, () => Promise<AnyModuleSpec>>([
  ['file', async () => (await import('./file/spec.js')).fileModule],
  ['memory', async () => (await import('./memory/spec.js')).memoryModule],
  ['yara', async () => (await import('./yara/spec.js')).yaraModule],
  ['netstat', async () => (await import('./netstat/spec.js')).netstatModule],
  ['nic', async () => (await import('./nic/spec.js')).nicModule],
  ['sniffer', async () => (await import('./sniffer/spec.js')).snifferModule],
  ['blockdev', async () => (await import('./blockdev/spec.js')).blockdevModule],
  ['ping', async () => (await import('./ping/spec.js')).pingModule],
  ['timedrift', async () => (await import('./timedrift/spec.js')).timedriftModule],
  ['pkg', async () => (await import('./pkg/spec.js')).pkgModule],
  ['sshkey', async () => (await import('./sshkey/spec.js')).sshkeyModule],
  ['scribe', async () => (await import('./scribe/spec.js')).scribeModule],
  ['firewall', async () => (await import('./firewall/spec.js')).firewallModule],
  ['process', async () => (await import('./process/spec.js')).processModule],
  ['account', async () => (await import('./account/spec.js')).accountModule],
  ['exec', async () => (await import('./exec/spec.js')).execModule],
  ['password', async () => (await import('./password/spec.js')).passwordModule],
  ['agentdestroy', async () => (await import('./agentdestroy/spec.js')).agentdestroyModule],
]);

/** Every module name, without loading any spec. */
export const moduleNames: readonly string[] = [...loaders.keys()];

/** The spec of module `name`, imported now if it was not yet; undefined for no such module. */
export async function loadModuleSpec(name: string): Promise<AnyModuleSpec | undefined> {
  const load = loaders.get(name);
  if (load === undefined) return undefined;
  const spec = await load();
  // The key is written beside the import by hand: a spec under another name would run the wrong module.
  if (spec.name !== name) throw new Error(`modules/spec-loaders.ts lists module ${spec.name} as ${name}`);
  return spec;
}

/** The specs of the named modules (those that exist), each loaded once: what one action needs. */
export async function loadModuleSpecs(names: Iterable<string>): Promise<ReadonlyMap<string, AnyModuleSpec>> {
  const specs = await Promise.all([...new Set(names)].map(loadModuleSpec));
  return new Map(specs.flatMap((spec) => (spec === undefined ? [] : [[spec.name, spec] as const])));
}
