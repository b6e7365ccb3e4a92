import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../protocol/errors.js';
import { AGENT_ID_PATTERN } from '../protocol/topics.js';
import { loadOrCreateAgentKey, type AgentKey } from './agent-key.js';
import { loadOrCreateStateFile, readStateText } from './state-file.js';

export const AGENT_ID_FILE = 'agent-id';

/** `a-` plus 80 random bits in hex: unguessable enough that agents cannot squat each other's topics by accident. */
export function newAgentId(): string {
  return `a-${randomBytes(10).toString('hex')}`;
}

/**
 * The agent's id, created once and kept in dataDir: it is the MQTT client id and names the
 * agent's topics, so it must survive restarts (queued commands wait under it).
 */
export function loadOrCreateAgentId(dataDir: string): string {
  return loadOrCreateStateFile(dataDir, AGENT_ID_FILE, readIdFile, () => {
    const id = newAgentId();
    return { value: id, text: `${id}\n` };
  });
}

export interface AgentIdentity {
  agentId: string;
  key: AgentKey;
  /**
   * True for an agent enrolled before per-agent identity: it keeps its old random id (queued
   * commands and the replay journal are under it) and binds its key to it at re-enrollment.
   */
  isLegacy: boolean;
}

/**
 * The agent's key (made at first start) and its id: the id its key derives for a new agent,
 * the id in `agent-id` for an agent from before, which keeps it.
 */
export function loadAgentIdentity(dataDir: string): AgentIdentity {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, AGENT_ID_FILE);
  const existing = readIdFile(path);
  const key = loadOrCreateAgentKey(dataDir);
  if (existing !== undefined) return { agentId: existing, key, isLegacy: existing !== key.derivedId };
  try {
    writeFileSync(path, `${key.derivedId}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return loadAgentIdentity(dataDir);
  }
  return { agentId: key.derivedId, key, isLegacy: false };
}

function readIdFile(path: string): string | undefined {
  const text = readStateText(path);
  if (text === undefined) return undefined;
  const id = text.trim();
  if (!AGENT_ID_PATTERN.test(id)) {
    throw new UserError(
      'CONFIG_INVALID',
      `agent id file ${path}: expected an id like a-<20 hex>, got ${JSON.stringify(id.slice(0, 80))}`,
      'restore the file from a backup, or remove it to enroll as a new agent',
    );
  }
  return id;
}
