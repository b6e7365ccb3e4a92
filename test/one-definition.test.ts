// Facts that exist once (issue "Code health"): where a second copy must still exist for a
// reason, this test holds it to the first.
import { describe, expect, it } from 'vitest';
import { targetFacts, type HostFacts } from '../agent/facts.js';
import { agentFacts } from '../broker/registry/status.js';
import { agentFacts as consoleAgentFacts } from '../console/state/agents-state.js';
import { moduleSpecs } from '../modules/registry.js';
import type { AgentRecord } from '../protocol/api.js';
import { RESPONSE_MODULES, isResponseModule } from '../protocol/limits.js';
import { evaluateTarget, parseTarget } from '../protocol/target/index.js';

const host: HostFacts = {
  agentId: 'web-1-abc',
  name: 'web-1',
  os: 'linux',
  arch: 'x64',
  version: '0.1.0',
  mode: 'daemon',
  queueloc: 'linux.web-1-abc',
  environment: { ident: 'Debian GNU/Linux 12', init: 'systemd', addresses: ['10.0.0.1', 'fe80::1'], hostname: 'web-1.example' },
  tags: { env: 'prod' },
};

/** The registry record the server keeps from that agent's heartbeat. */
const record: AgentRecord = {
  id: host.agentId,
  name: host.name,
  os: host.os,
  arch: host.arch,
  version: host.version,
  mode: host.mode,
  queueloc: host.queueloc,
  environment: host.environment,
  tags: host.tags,
  modules: ['file'],
  status: 'online',
  heartbeatMs: 30_000,
  startedAt: '2026-12-06T10:00:00.000Z',
  firstSeenAt: '2026-12-06T10:00:00.000Z',
  lastHeartbeatAt: '2026-12-06T12:00:00.000Z',
};

describe('agent facts: the agent, the server and the console see the same facts', () => {
  it('the server and the console add only status and heartbeat to what the agent sees', () => {
    const onServer = agentFacts(record);
    expect(consoleAgentFacts(record)).toEqual(onServer);
    const { status, heartbeat, ...described } = onServer;
    expect({ status, heartbeat }).toEqual({ status: 'online', heartbeat: record.lastHeartbeatAt });
    expect(targetFacts(host)).toEqual(described);
  });

  it.each([
    "environment->>'addresses' like '%10.0.0.1%'",
    "tags->>'env' = 'prod' and os = 'linux'",
    "queueloc = 'linux.web-1-abc' and environment->>'hostname' = 'web-1.example'",
  ])('a target the server matches, the agent matches too: %s', (target) => {
    const expr = parseTarget(target);
    expect(evaluateTarget(expr, agentFacts(record))).toBe(true);
    expect(evaluateTarget(expr, targetFacts(host))).toBe(true);
  });
});

describe('response modules: one list', () => {
  it('every registered spec says isResponse exactly when the protocol list has it', () => {
    const disagree = [...moduleSpecs.values()].filter((s) => s.isResponse !== isResponseModule(s.name)).map((s) => s.name);
    expect(disagree).toEqual([]);
    expect(RESPONSE_MODULES.filter((m) => !moduleSpecs.has(m))).toEqual([]);
  });
});
