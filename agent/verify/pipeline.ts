import type { SignedAction } from '../../protocol/action.js';
import type { Acl } from '../../protocol/acl.js';
import type { CommandMessage } from '../../protocol/messages.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import type { Keyring } from '../../protocol/signature.js';
import type { AgentFacts } from '../../protocol/target/index.js';
import { moduleSpecs } from '../../modules/registry.js';
import { checkReplay, type ReplayStore } from './check-replay.js';
import { checkValidityWindow, replayHorizon } from './check-freshness.js';
import { checkPolicy } from './check-policy.js';
import { checkTarget } from './check-target.js';
import { parseAction, parseCommand } from './parse-envelope.js';
import { validateOperations, type AcceptedOperation } from './validate-params.js';
import { verifySignatures } from './verify-signatures.js';

export type { AcceptedOperation } from './validate-params.js';
export type { ReplayStore, RunningMark } from './check-replay.js';

export interface AcceptDeps {
  /** The investigators' keys baked into this agent's config. */
  keyring: Keyring;
  acl: Acl;
  replay: ReplayStore;
  /** This agent's own facts, for the target. */
  facts: AgentFacts;
  now(): Date;
  maxClockSkewMs: number;
  /** Undefined: every registered module. */
  allowedModules?: ReadonlySet<string>;
  /** Default: the real registry. Tests inject their own. */
  specs?: ReadonlyMap<string, AnyModuleSpec>;
  /** Default: process.platform. The platform modules really run on, whatever facts.os claims. */
  platform?: NodeJS.Platform;
}

/** A command that passed every step: safe to run. */
export interface AcceptedAction {
  commandId: string;
  action: SignedAction;
  /** Distinct signer fingerprints. */
  signers: string[];
  operations: AcceptedOperation[];
}

/**
 * Filled in as the pipeline learns them, so a refusal can still be reported against its
 * command and action (the thrown error itself stays the step's coded error).
 */
export interface AcceptTrace {
  commandId?: string;
  actionId?: string;
}

/** The whole acceptance path over raw MQTT bytes. Throws the first failing step's coded error. */
export async function acceptCommand(
  payload: Uint8Array | string,
  deps: AcceptDeps,
  trace: AcceptTrace = {},
): Promise<AcceptedAction> {
  const message = parseCommand(payload);
  return acceptCommandMessage(message, deps, trace);
}

/** A command whose action parsed, is signed by known keys and is inside its validity window. */
export interface VerifiedAction {
  action: SignedAction;
  /** Distinct signer fingerprints. */
  signers: string[];
}

/**
 * The steps before the replay check: action shape → signatures → validity window. Alone, this is
 * what a command we already answered must pass before we publish our answer again: the bytes
 * that arrive are still attacker-controlled, whatever their command id says.
 */
export async function verifyCommandAction(
  message: CommandMessage,
  deps: AcceptDeps,
  trace: AcceptTrace = {},
): Promise<VerifiedAction> {
  trace.commandId = message.commandId;
  const parsed = parseAction(message.action);
  const { action } = parsed;
  trace.actionId = action.id;
  const signers = await verifySignatures(parsed, deps.keyring);
  checkValidityWindow(action, deps.now(), deps.maxClockSkewMs);
  return { action, signers };
}

/**
 * Steps after the envelope, in ARCHITECTURE.md order: action shape → signatures → validity
 * window → replay → allowlist + ACL → target → module, platform and parameters. The id is
 * recorded in the replay journal only once everything passed.
 */
export async function acceptCommandMessage(
  message: CommandMessage,
  deps: AcceptDeps,
  trace: AcceptTrace = {},
): Promise<AcceptedAction> {
  return acceptVerified(message, await verifyCommandAction(message, deps, trace), deps);
}

/**
 * The steps after verifyCommandAction: replay → allowlist + ACL → target → module, platform and
 * parameters; then the id goes into the replay journal, and this resolves once it is on disk.
 * With `receivedAt`, that same line marks the command running (agent/journal/replay-journal.ts).
 */
export async function acceptVerified(
  message: CommandMessage,
  verified: VerifiedAction,
  deps: AcceptDeps,
  receivedAt?: Date,
): Promise<AcceptedAction> {
  const { action, signers } = verified;
  checkReplay(action.id, deps.replay);
  checkPolicy(action, signers, deps.acl, deps.allowedModules);
  checkTarget(action.target, deps.facts);
  const operations = validateOperations(
    action.operations,
    deps.specs ?? moduleSpecs,
    deps.platform ?? process.platform,
  );
  // record() checks again as it is called: two copies verified concurrently must not both run.
  // Awaited: the id is on disk before anything runs, so a crash cannot let it run twice.
  const running =
    receivedAt === undefined ? undefined : { commandId: message.commandId, receivedAt: receivedAt.toISOString() };
  await deps.replay.record(action.id, replayHorizon(action, deps.maxClockSkewMs), running);
  return { commandId: message.commandId, action, signers, operations };
}
