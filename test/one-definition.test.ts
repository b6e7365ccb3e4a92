// Facts that exist once (issue "Code health"): where a second copy must still exist for a
// reason, this test holds it to the first.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { targetFacts, type HostFacts } from '../agent/facts.js';
import { checkValidityWindow } from '../agent/verify/check-freshness.js';
import { agentFacts } from '../broker/registry/status.js';
import { HuntFlagsSchema } from '../console/cli/hunt-flags.js';
import { agentFacts as consoleAgentFacts } from '../console/state/agents-state.js';
import { moduleSpecs } from '../modules/registry.js';
import { descriptionOf, paramFields } from '../modules/shared/param-help.js';
import type { AgentRecord } from '../protocol/api.js';
import type { SignedAction } from '../protocol/action.js';
import { ACTION_LIMITS, RESPONSE_MODULES, checkWindowAt, isResponseModule, parseExpiry } from '../protocol/limits.js';
import { evaluateTarget, parseTarget } from '../protocol/target/index.js';

const host: HostFacts = {
  agentId: 'web-1-abc',
  name: 'web-1',
  os: 'linux',
  arch: 'x64',
  version: '0.1.0',
  mode: 'daemon',
  queueloc: 'linux.web-1-abc',
  environment: {
    ident: 'Debian GNU/Linux 12',
    init: 'systemd',
    addresses: ['10.0.0.1', 'fe80::1'],
    hostname: 'web-1.example',
  },
  tags: { env: 'prod' },
};

/** The registry record the server keeps from that agent's heartbeat. */
// Alike on purpose (duplicates): the fields match agent/facts.ts platformFacts; written out by
// hand so that this test checks the mapping instead of repeating it.
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

describe('action expiry: the CLI, the console, the server and the agent draw the line at the same place', () => {
  const NOW = new Date('2026-12-06T12:00:00.000Z');
  const window = (ms: number) => ({
    id: 'ab'.repeat(16),
    validFrom: NOW.toISOString(),
    expireAfter: new Date(NOW.getTime() + ms).toISOString(),
  });
  const accepts = (fn: () => unknown): boolean => {
    try {
      fn();
      return true;
    } catch {
      return false;
    }
  };

  it.each([
    ['5m', 5 * 60_000],
    ['7d', ACTION_LIMITS.maxValidityMs],
    ['7d1s', ACTION_LIMITS.maxValidityMs + 1000],
    ['30d', 30 * 24 * 3_600_000],
  ])('%s', (text, ms) => {
    const verdicts = {
      cliFlag: HuntFlagsSchema.shape.expiry.safeParse(text).success,
      consoleAndImport: parseExpiry(text).ok,
      server: accepts(() => checkWindowAt(window(ms), NOW)),
      agent: accepts(() => checkValidityWindow(window(ms) as SignedAction, NOW, 0)),
    };
    const allowed = ms <= ACTION_LIMITS.maxValidityMs;
    expect(verdicts).toEqual({ cliFlag: allowed, consoleAndImport: allowed, server: allowed, agent: allowed });
  });
});

describe('response modules: one list', () => {
  it('module specs do not restate it: protocol/limits.ts RESPONSE_MODULES is the only list', () => {
    expect([...moduleSpecs.values()].filter((s) => 'isResponse' in s).map((s) => s.name)).toEqual([]);
    expect(RESPONSE_MODULES.filter((m) => !moduleSpecs.has(m))).toEqual([]);
    expect(RESPONSE_MODULES.every(isResponseModule)).toBe(true);
  });
});

describe('module descriptions: a flag that sets a parameter says what the parameter says', () => {
  /** The parameter a flag sets: its `param` hint, or when the names tell, the same name, its plural or its alias. */
  const pairs = [...moduleSpecs.values()].flatMap((spec) => {
    const params = paramFields(spec.params);
    return Object.entries(spec.cli.schema.shape).flatMap(([flag, field]) => {
      const param = [spec.cli.flags[flag]?.param, flag, `${flag}s`, spec.cli.flags[flag]?.alias].find(
        (name) => name !== undefined && params.has(name),
      );
      return param === undefined
        ? []
        : [
            {
              at: `${spec.name} -${flag} → ${param}`,
              flagText: descriptionOf(field as z.ZodType) ?? '',
              paramText: descriptionOf(params.get(param) as z.ZodType) ?? '',
            },
          ];
    });
  });

  it('finds the flags that set parameters (most modules have some)', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(80);
  });

  it.each(['file', 'memory'])('%s: every flag sets a parameter, nested options included', (name) => {
    const flags = Object.keys(moduleSpecs.get(name)?.cli.schema.shape ?? {});
    expect(flags.length).toBeGreaterThan(0);
    expect(flags.filter((flag) => !pairs.some((p) => p.at.startsWith(`${name} -${flag} `)))).toEqual([]);
  });

  it('a param hint names a real parameter', () => {
    const bad = [...moduleSpecs.values()].flatMap((spec) =>
      Object.entries(spec.cli.flags)
        .filter(([, hint]) => hint.param !== undefined && !paramFields(spec.params).has(hint.param))
        .map(([flag, hint]) => `${spec.name} -${flag}: ${hint.param}`),
    );
    expect(bad).toEqual([]);
  });

  it('every such flag starts with its parameter description (modules/shared/param-help.ts paramHelp)', () => {
    const drifted = pairs
      .filter((p) => p.paramText === '' || !p.flagText.startsWith(p.paramText))
      .map((p) => `${p.at}: flag says ${JSON.stringify(p.flagText)}, parameter says ${JSON.stringify(p.paramText)}`);
    expect(drifted).toEqual([]);
  });
});
