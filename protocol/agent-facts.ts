import type { AgentFacts, AgentPlatform } from './target/index.js';

/**
 * What an agent says about itself (its heartbeat's descriptive fields, or the registry record
 * built from them), as the target language sees it. The one mapping: the agent evaluates a
 * target over its own facts with it, the server over its registry, the console over its list.
 * If two copies differed, a target could match on the server and be refused by the agent.
 */
export interface DescribedAgent extends AgentPlatform {
  id: string;
  environment: { ident: string; init: string; hostname: string; addresses: readonly string[] };
  tags: Readonly<Record<string, string>>;
}

/** What only the server knows: status and last heartbeat. Absent on the agent, where they evaluate as unknown. */
export interface ServerSeen {
  status: string;
  lastHeartbeatAt: string;
}

export function targetFactsOf(agent: DescribedAgent, seen?: ServerSeen): AgentFacts {
  const { ident, init, hostname, addresses } = agent.environment;
  return {
    id: agent.id,
    name: agent.name,
    os: agent.os,
    arch: agent.arch,
    version: agent.version,
    mode: agent.mode,
    queueloc: agent.queueloc,
    // `environment->>'addresses'` is the list joined with ',' on every side.
    environment: { ident, init, hostname, addresses: addresses.join(',') },
    tags: { ...agent.tags },
    ...(seen === undefined ? {} : { status: seen.status, heartbeat: seen.lastHeartbeatAt }),
  };
}
