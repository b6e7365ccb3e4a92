import type { UnsignedAction } from '../../protocol/action.js';
import type { ActionRecord, CommandRecord } from '../../protocol/api.js';
import { newActionId } from '../../protocol/canonical.js';
import { checkActionLimits } from '../../protocol/check-operations.js';
import { parseExpiry } from '../../protocol/limits.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { DEFAULT_TARGET } from '../../protocol/target/index.js';
import { TERMINAL_ACTION_STATUSES } from '../cli/follow.js';
import { signAction } from '../services/action-signing.js';
import type { ApiClient } from '../services/api-client.js';
import type { Signer } from '../services/signer-contract.js';
import type { ActionTemplate, JobConfig } from './config.js';
import { actionFinishedEvent, complianceEvents, resultEvents, type OutputEvent } from './outputs/ecs.js';

export interface JobDeps {
  client: ApiClient;
  signer: Signer;
  modules: ReadonlyMap<string, AnyModuleSpec>;
  now(): Date;
  /** How often to look at a launched action until it is finished. */
  pollMs: number;
  sleep(ms: number): Promise<void>;
}

/** A template's run at `scheduledAt`: a fresh id and window, the runner's signature. */
export function actionOfRun(job: JobConfig, template: ActionTemplate, scheduledAt: Date, now: Date): UnsignedAction {
  const expiry = parseExpiry(job.expiry);
  return {
    v: 1,
    id: newActionId(),
    name: `${template.name ?? job.name} (${job.name} ${scheduledAt.toISOString()})`.slice(0, 256),
    target: job.target ?? template.target ?? DEFAULT_TARGET,
    validFrom: now.toISOString(),
    expireAfter: new Date(now.getTime() + (expiry.ok ? expiry.ms : 3_600_000)).toISOString(),
    operations: template.operations,
  };
}

async function allCommands(client: ApiClient, actionId: string): Promise<CommandRecord[]> {
  const out: CommandRecord[] = [];
  for (;;) {
    const page = await client.listCommands(actionId, { limit: 500, offset: out.length });
    out.push(...page.commands);
    if (page.commands.length === 0 || out.length >= page.total) return out;
  }
}

/**
 * One run of a job: sign, launch, wait until the action is finished (completed, expired,
 * cancelled or invalid), then the events: the action's summary, every row found, and every
 * compliance item (scribe).
 */
export async function runJob(
  deps: JobDeps,
  job: JobConfig,
  template: ActionTemplate,
  scheduledAt: Date,
): Promise<{ record: ActionRecord; events: OutputEvent[] }> {
  const action = actionOfRun(job, template, scheduledAt, deps.now());
  checkActionLimits(action, deps.modules, deps.now());
  let record = await deps.client.createAction(await signAction(action, deps.signer));
  while (!TERMINAL_ACTION_STATUSES.has(record.status)) {
    await deps.sleep(deps.pollMs);
    record = await deps.client.getAction(action.id);
  }
  const at = deps.now().toISOString();
  const commands = await allCommands(deps.client, action.id);
  const events: OutputEvent[] = [actionFinishedEvent(record, job.name, at, commands)];
  for (const cmd of commands) {
    events.push(...resultEvents(record, cmd, job.name, at), ...complianceEvents(record, cmd, job.name, at));
  }
  return { record, events };
}
