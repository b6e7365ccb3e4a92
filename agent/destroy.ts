import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_KEY_FILE } from './agent-key.js';
import { BROKER_PASSWORD_FILE, ENROLLED_FILE } from './credential.js';
import { AGENT_ID_FILE } from './identity.js';
import { ANSWER_JOURNAL_FILE } from './journal/answer-journal.js';
import { REPLAY_JOURNAL_FILE } from './journal/replay-journal.js';
import { RESPONSE_JOURNAL_FILE } from './journal/response-journal.js';
import { LEGACY_RUNNING_DIR, RUNNING_JOURNAL_FILE } from './journal/running-journal.js';
import type { LogFn } from './log.js';
import { POLICY_FILE, POLICY_PREV_FILE } from './policy/policy-files.js';

/** Everything the agent itself writes in its dataDir (plus `<name>.<pid>.tmp` leftovers of atomic writes). */
const STATE_NAMES: readonly string[] = [
  AGENT_ID_FILE,
  AGENT_KEY_FILE,
  BROKER_PASSWORD_FILE,
  ENROLLED_FILE,
  RUNNING_JOURNAL_FILE,
  LEGACY_RUNNING_DIR,
  REPLAY_JOURNAL_FILE,
  RESPONSE_JOURNAL_FILE,
  ANSWER_JOURNAL_FILE,
  POLICY_FILE,
  POLICY_PREV_FILE,
];

function isOurs(name: string): boolean {
  return STATE_NAMES.some((known) => name === known || name.startsWith(`${known}.`));
}

/**
 * What destroying this agent removes, as absolute paths: only entries the agent wrote, never a
 * recursive delete of dataDir itself (an operator who pointed dataDir at /etc must not lose it).
 * The directory is listed last when nothing else lives in it, since it is removed then too.
 */
export function agentStateFiles(dataDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dataDir).sort();
  } catch {
    return [];
  }
  const ours = names.filter(isOurs).map((name) => join(dataDir, name));
  return ours.length === names.length ? [...ours, dataDir] : ours;
}

/** Removes agentStateFiles(dataDir); what cannot be removed is logged, the rest still goes. */
export function removeAgentState(dataDir: string, log: LogFn): void {
  for (const path of agentStateFiles(dataDir)) {
    try {
      if (path === dataDir) rmdirSync(path);
      else rmSync(path, { recursive: true, force: true });
    } catch (err) {
      log('error', `destroy: could not remove ${path}: ${(err as Error).message}`);
    }
  }
}
