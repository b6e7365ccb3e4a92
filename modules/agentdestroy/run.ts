import type { z } from 'zod';
import { ModuleError } from '../../protocol/errors.js';
import type { ModuleRun } from '../../protocol/module-spec.js';
import type { agentdestroyParams, agentdestroyRow } from './spec.js';

type Params = z.output<typeof agentdestroyParams>;
type Row = z.output<typeof agentdestroyRow>;

/**
 * Reports what goes and asks the agent to destroy itself once this command is answered: doing it
 * here would lose the answer (and the running journal entry the agent is about to close).
 */
export const runAgentdestroy: ModuleRun<Params, Row> = async function* (params, ctx) {
  const agent = ctx.agent;
  if (agent === undefined) {
    throw new ModuleError(
      'MODULE_FAILED',
      'agentdestroy acts on the agent running it: send it to agents, it does nothing with -t local',
    );
  }
  const removes = [...agent.stateFiles()];
  ctx.journal?.({ op: 'destroy', isDryRun: params.dryrun, removes });
  ctx.count('stateFiles', removes.length);
  if (!params.dryrun) agent.requestDestroy();
  yield { agentId: agent.id, isDestroyed: !params.dryrun, isDryRun: params.dryrun, removes };
};
