import { generateKeyPairSync } from 'node:crypto';
import type { Operation } from '../../../../protocol/action.js';
import {
  agentIdFromPublicKey,
  answerSigningBytes,
  publicKeyBase64,
  signWithAgentKey,
} from '../../../../protocol/agent-key.js';
import { signedResultOf } from '../../../../protocol/answer-check.js';
import type {
  ActionRecord,
  AgentRecord,
  CommandRecord,
  InvestigatorRecord,
} from '../../../../console/state/backend.js';
import { emptyCounters } from '../../../../protocol/api.js';

/** Record builders for tests: plausible defaults, every field overridable. */
export const T0 = Date.parse('2026-01-15T12:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();

export function hexId(n: number, length = 32): string {
  return n.toString(16).padStart(length, '0');
}

export function makeAgent(i: number, over: Partial<AgentRecord> = {}): AgentRecord {
  return {
    id: `agent-${String(i).padStart(5, '0')}`,
    name: `host${String(i).padStart(5, '0')}.example.org`,
    os: i % 3 === 0 ? 'darwin' : 'linux',
    arch: 'amd64',
    version: '1.0.0',
    mode: 'daemon',
    queueloc: 'default',
    environment: {
      ident: 'Debian 12',
      init: 'systemd',
      addresses: [`10.0.${Math.floor(i / 256) % 256}.${i % 256}`],
      hostname: `host${i}`,
    },
    tags: { env: i % 2 === 0 ? 'prod' : 'dev' },
    modules: ['probe'],
    status: 'online',
    heartbeatMs: 60_000,
    startedAt: iso(T0 - 3_600_000),
    firstSeenAt: iso(T0 - 86_400_000),
    lastHeartbeatAt: iso(T0 - 5000 - i * 1000),
    ...over,
  };
}

export function makeActionRecord(
  n: number,
  over: Partial<ActionRecord> & { operations?: Operation[]; target?: string; name?: string } = {},
): ActionRecord {
  const { operations, target, name, ...rest } = over;
  return {
    action: {
      v: 1,
      id: hexId(n),
      name: name ?? `hunt ${n}`,
      target: target ?? 'all',
      validFrom: iso(T0 - 60_000),
      expireAfter: iso(T0 + 300_000),
      operations: operations ?? [{ module: 'probe', parameters: { names: ['passwd'], depth: 3, recursive: false } }],
      signatures: ['sig'],
    },
    status: 'inflight',
    investigators: ['a'.repeat(40)],
    counters: {
      ...emptyCounters(),
      targeted: 10,
      sent: 10,
      success: 4,
      failed: 1,
      done: 5,
      found: 3,
    },
    createdAt: iso(T0 - 120_000 + n * 1000),
    ...rest,
  };
}

export function makeCommand(
  action: ActionRecord,
  agent: AgentRecord,
  over: Partial<CommandRecord> & { rows?: Record<string, unknown>[] } = {},
): CommandRecord {
  const { rows, ...rest } = over;
  const isFound = rows === undefined ? false : rows.length > 0;
  return {
    id: `${action.action.id.slice(-16)}${agent.id.replace(/\D/g, '').padStart(16, '0')}`,
    actionId: action.action.id,
    agentId: agent.id,
    agentName: agent.name,
    status: 'success',
    createdAt: action.createdAt,
    sentAt: action.createdAt,
    finishedAt: iso(Date.parse(action.createdAt) + 2000),
    isFound,
    operations: [
      {
        module: action.action.operations[0]?.module ?? 'probe',
        isFound,
        rows: rows ?? [],
        stats: { files: 12 },
        errors: [],
      },
    ],
    ...rest,
  };
}

export function makeInvestigator(
  name: string,
  fpChar: string,
  over: Partial<InvestigatorRecord> = {},
): InvestigatorRecord {
  return {
    fingerprint: fpChar.repeat(40),
    name,
    publicKey: '-----BEGIN PGP PUBLIC KEY BLOCK-----',
    isAdmin: false,
    status: 'active',
    createdAt: iso(T0 - 86_400_000),
    ...over,
  };
}

/**
 * The command as a signed answer of an agent whose id derives from a fresh Ed25519 key (what
 * an enrolled agent's answer looks like once stored): agentId replaced, agentAnswer added.
 */
export function signedCommand(c: CommandRecord): CommandRecord {
  const { privateKey } = generateKeyPairSync('ed25519');
  const publicKey = publicKeyBase64(privateKey);
  const unsigned: CommandRecord = {
    ...c,
    agentId: agentIdFromPublicKey(publicKey),
    agentAnswer: {
      status: c.status === 'sent' || c.status === 'expired' ? 'success' : c.status,
      startedAt: c.createdAt,
      finishedAt: c.finishedAt ?? c.createdAt,
      signature: { publicKey, value: 'A'.repeat(86) + '==' },
    },
  };
  const message = signedResultOf(unsigned) ?? {};
  const value = signWithAgentKey(privateKey, answerSigningBytes(unsigned.agentId, message));
  return {
    ...unsigned,
    agentAnswer: {
      ...(unsigned.agentAnswer as NonNullable<CommandRecord['agentAnswer']>),
      signature: { publicKey, value },
    },
  };
}
