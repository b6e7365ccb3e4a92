import { z } from 'zod';
import { defineModule } from '../../protocol/module-spec.js';

/**
 * MIG's agentdestroy: the agent answers, says 'destroyed' on its heartbeat topic (the server
 * marks it destroyed and stops targeting it), removes its own state (id, journals) and stops
 * without reconnecting. The module only reports and asks; the agent does the rest after the
 * result is published (agent/start.ts), so the investigator always gets the answer.
 */

export const agentdestroyParams = z.strictObject({
  dryrun: z.boolean().default(false).describe('Report what would be removed and change nothing'),
});

export const agentdestroyRow = z.strictObject({
  agentId: z.string().describe('The agent that answered'),
  isDestroyed: z.boolean().describe('True: the agent stops for good and removes its state right after this answer'),
  isDryRun: z.boolean().describe('True: nothing was changed, `removes` is what would go'),
  removes: z.array(z.string()).describe("Paths of the agent's own state (id, journals) removed, or that would be"),
});

// Alike on purpose (duplicates): the flag table, one flag a line described by the parameter
// it sets (paramHelp, flagFor); flags share their shape, not logic.
const agentdestroyCli = z.strictObject({
  dryrun: z.boolean().optional().describe('Report what would be removed and change nothing'),
});

// Alike on purpose (duplicates): the fact table every module fills in (protocol/module-spec.ts);
// its columns, caps and examples are rows of data, alike in shape only.
export const agentdestroyModule = defineModule({
  name: 'agentdestroy',
  version: '1.0.0',
  summary: 'Stop an agent for good and remove its state (response: needs two signatures)',
  platforms: ['linux', 'darwin', 'freebsd', 'win32'],
  params: agentdestroyParams,
  result: agentdestroyRow,
  columns: [
    { key: 'agentId', header: 'AGENT' },
    { key: 'isDestroyed', header: 'DESTROYED' },
    { key: 'isDryRun', header: 'DRY RUN' },
    { key: 'removes', header: 'REMOVES', isWide: true },
  ],
  cli: { schema: agentdestroyCli, flags: {}, toParams: (values) => ({ dryrun: values.dryrun === true }) },
  privacy: { maxRows: 1, maxBytes: 64 * 1024 },
  limits: { timeoutMs: 30_000 },
  // It asks the agent process itself to stop and remove its state (ctx.agent.requestDestroy):
  // a worker thread has no agent to ask. It reads no untrusted input and only lists file names.
  runsOnAgentThread: true,
  examples: [
    {
      command: 'mig agentdestroy -t "name = \'web-7\'" -dryrun',
      explains: 'What destroying the agent on web-7 would remove (its id and journals); nothing changes',
    },
    {
      command: 'mig agentdestroy -t "id = \'a-0123456789abcdef0123\'"',
      explains:
        'Retire one agent for good: it answers, says destroyed, removes its state and stops without reconnecting',
    },
  ],
});
