// What a fleet of simulated agents shares, built the way a real agent starts: the agent.json a
// server wrote, parsed by the agent's own config schema, its trust roots and facts. One place for
// the fan-out bench (bench/fanout-sim-agents.ts), its test and the soak (scripts/soak-agents.ts),
// so that all three simulate the same agent.
import { parseAgentConfig } from '../agent/config.js';
import { detectFacts } from '../agent/facts.js';
import { loadTrustRoots } from '../agent/keys.js';
import { moduleSpecs } from '../modules/registry.js';
import type { SimShared } from './fanout-sim-agent.js';

/**
 * `raw` is agent.json as the server wrote it; `name` names the fleet (facts are detected once, for
 * `<name>-0`, and shared). Every module this platform runs is offered unless `overrides` says otherwise.
 */
export async function simSharedFromConfig(
  raw: Record<string, unknown>,
  name: string,
  overrides: Partial<SimShared> = {},
): Promise<SimShared> {
  // No data dir: simulated agents keep their journals in memory.
  const config = parseAgentConfig({ ...raw, name, dataDir: '/nonexistent' }, { baseDir: process.cwd() });
  const trust = await loadTrustRoots(config);
  const host = detectFacts({
    agentId: `${name}-0`,
    name,
    tags: config.tags,
    root: config.root,
    overrides: config.environment,
  });
  const modules = [...moduleSpecs.values()].filter((s) => s.platforms.includes(process.platform)).map((s) => s.name);
  return {
    brokerUrl: config.brokerUrl,
    enrollmentSecret: config.enrollmentSecret,
    keyring: trust.keyring,
    acl: trust.acl,
    maxClockSkewMs: config.maxClockSkewMs,
    modules,
    host,
    verify: 'full',
    verdicts: new Map(),
    ...overrides,
  };
}
