import type { SignedAction, UnsignedAction } from '../../protocol/action.js';
import type { ActionRecord, AgentRecord, CommandRecord, InvestigatorRecord, LiveEvent } from '../../protocol/api.js';
import type { IocResponse } from '../../protocol/ioc-api.js';

export type { ActionRecord, AgentRecord, CommandRecord, InvestigatorRecord, LiveEvent };

/** Who is at the keyboard, as the header shows it. Never carries key material. */
export interface ConsoleInvestigator {
  name: string;
  fingerprint: string;
  backend: 'keyfile' | 'gpg';
  isAdmin?: boolean;
}

export interface AgentCount {
  total: number;
  online: number;
  idle: number;
  offline: number;
}

export interface CommandQuery {
  limit?: number;
  offset?: number;
  /** true: only commands that found something; false: only those that did not. */
  isFound?: boolean;
}

export type ExportFormat = 'json' | 'ndjson' | 'csv';
export type ConnectionStatus = 'connected' | 'reconnecting';

export interface NewInvestigator {
  name: string;
  /** Path to an armored OpenPGP public key; the backend reads it, views never touch files. */
  publicKeyPath: string;
  isAdmin: boolean;
}

/**
 * The console's only door to the server, signer and filesystem. The console never imports the
 * API client, openpgp or fs: the real adapter lives with the services and tests pass an
 * in-memory fake. Every method may reject; the console shows the message (and hint), never a stack.
 */
export interface ConsoleBackend {
  serverUrl: string;
  /**
   * Set when this console started the server (and an agent) in its own process (`npm start`):
   * quitting then asks whether to leave them running or stop them. What they are, in words.
   */
  embeddedFleet?: string;
  investigator: ConsoleInvestigator;
  listAgents(target?: string): Promise<{ agents: AgentRecord[]; total: number }>;
  countAgents(target: string): Promise<AgentCount>;
  listActions(): Promise<{ actions: ActionRecord[]; total: number }>;
  getAction(id: string): Promise<ActionRecord>;
  listCommands(actionId: string, opts?: CommandQuery): Promise<{ commands: CommandRecord[]; total: number }>;
  /**
   * Optional: an agent's most recent commands, newest first. Without it the agent view shows the
   * commands this console has seen for the agent (live events and opened actions).
   */
  listAgentCommands?(agentId: string, opts?: { limit?: number }): Promise<{ commands: CommandRecord[] }>;
  cancelAction(id: string): Promise<ActionRecord>;
  /**
   * Sends an action to the server. With `addSignature` the investigator's signature is added
   * first; the console itself always calls `sign` before its countdown and launches with false.
   */
  signAndLaunch(action: UnsignedAction | SignedAction, opts: { addSignature: boolean }): Promise<ActionRecord>;
  /**
   * Two-person rule: co-signs an action the server holds for approval, exactly as `shown` to the
   * investigator (never a fresh copy), and sends the signature. The server launches the action
   * once enough investigators signed; the record says whether it did.
   */
  approveAction(id: string, shown: SignedAction): Promise<ActionRecord>;
  /** Adds the investigator's detached signature (the passphrase, if any, is the signer's business). */
  sign(action: UnsignedAction | SignedAction): Promise<SignedAction>;
  listInvestigators(): Promise<{ investigators: InvestigatorRecord[] }>;
  addInvestigator(body: NewInvestigator): Promise<InvestigatorRecord>;
  setInvestigatorStatus(fingerprint: string, status: 'active' | 'disabled'): Promise<InvestigatorRecord>;
  /** Optional: enrollments waiting for an admin (records with `enrollment: 'pending'`). */
  listPendingAgents?(): Promise<{ agents: AgentRecord[] }>;
  /** Optional: an admin accepts or rejects an agent's enrollment. */
  decideEnrollment?(agentId: string, decision: 'accept' | 'reject'): Promise<AgentRecord>;
  /** Live events (SSE). Returns the unsubscribe function. */
  subscribe(onEvent: (e: LiveEvent) => void, onStatus: (s: ConnectionStatus) => void): () => void;
  /**
   * Optional: reads a threat-intel feed file (STIX 2.1, YARA rules, plain list) and has the server
   * translate it (POST /ioc) into unsigned actions aimed at `target`, plus what it could not translate.
   */
  importIocFeed?(path: string, opts: { target: string; expiry: string }): Promise<IocResponse>;
  /** Reads an action file, ours or MIG's; a signed one comes back with its signatures. */
  readActionFile(path: string): Promise<UnsignedAction | SignedAction>;
  /** Writes an action's results; resolves with the path written. */
  exportResults(actionId: string, format: ExportFormat, path: string): Promise<string>;
}
