import { z } from 'zod';
import { defineModule } from '../../protocol/module-spec.js';
import { paramHelp } from '../shared/param-help.js';
import { regexProblem } from '../shared/search/regex.js';

/**
 * The process response module: send a signal (TERM by default) to processes named by pid or by
 * an RE2 regex on their name. Never pid 1, never the agent itself. Every signal sent, and every
 * one a dry run would send, goes to the agent's response journal.
 */

export const SIGNALS = ['TERM', 'KILL', 'HUP', 'INT', 'STOP', 'CONT'] as const;
export type SignalName = (typeof SIGNALS)[number];
/** Linux PID_MAX_LIMIT (2^22): no pid is larger. */
export const MAX_PID = 4_194_304;
export const MAX_PIDS = 1024;
export const MAX_NAMES = 64;

const pid = z
  .number()
  .int()
  .superRefine((value, ctx) => {
    if (value === 1)
      ctx.addIssue({
        code: 'custom',
        message: 'pid 1 (init) is never signalled: stopping it takes the whole host down',
      });
    else if (value < 1 || value > MAX_PID)
      ctx.addIssue({ code: 'custom', message: `expected a process id between 2 and ${MAX_PID}, got ${value}` });
  });

const nameRegex = z.string().superRefine((value, ctx) => {
  const problem = regexProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

export const processParams = z
  .strictObject({
    pids: z.array(pid).max(MAX_PIDS).optional().describe('Process ids to signal'),
    names: z
      .array(nameRegex)
      .max(MAX_NAMES)
      .optional()
      .describe('RE2 regex on the process name (comm, argv[0] or its base name): every matching process is signalled'),
    signal: z
      .enum(SIGNALS)
      .default('TERM')
      .describe('Signal to send: TERM (ask to exit), KILL, HUP, INT, STOP (freeze) or CONT (thaw)'),
    dryrun: z.boolean().default(false).describe('Report which processes would be signalled and send nothing'),
  })
  .refine((p) => (p.pids?.length ?? 0) + (p.names?.length ?? 0) > 0, {
    message: 'expected at least one pid or name: which processes should be signalled?',
    path: ['pids'],
  });

export const processRow = z.strictObject({
  pid: z.number().int().positive().describe('Process id'),
  name: z.string().describe('Process name (its comm, as ps shows it); empty when the process was not found'),
  signal: z.enum(SIGNALS).describe('The signal sent, or that a dry run would send'),
  isKilled: z.boolean().describe('True when the signal was delivered'),
  isDryRun: z.boolean().describe('True: nothing was sent'),
  error: z.string().optional().describe('Why the process was not signalled (refused, gone, not permitted)'),
});

// Alike on purpose (duplicates): the flag table, one flag a line described by the parameter
// it sets (paramHelp, flagFor); flags share their shape, not logic.
const processCli = z.strictObject({
  pid: z
    .array(z.number().int())
    .optional()
    .describe(paramHelp(processParams, 'pids', 'repeat for several')),
  name: z
    .array(z.string())
    .optional()
    .describe(paramHelp(processParams, 'names', 'repeat for several')),
  signal: z
    .enum(SIGNALS)
    .optional()
    .describe(paramHelp(processParams, 'signal', 'default TERM')),
  dryrun: z.boolean().optional().describe('Report which processes would be signalled and send nothing'),
});

function toParams(values: z.output<typeof processCli>): z.input<typeof processParams> {
  const params: z.input<typeof processParams> = { dryrun: values.dryrun === true };
  if (values.pid !== undefined) params.pids = values.pid;
  if (values.name !== undefined) params.names = values.name;
  if (values.signal !== undefined) params.signal = values.signal;
  return params;
}

// Alike on purpose (duplicates): the fact table every module fills in (protocol/module-spec.ts);
// its columns, caps and examples are rows of data, alike in shape only.
export const processModule = defineModule({
  name: 'process',
  version: '1.0.0',
  summary: 'Kill, stop or signal processes by pid or name (response: needs two signatures)',
  platforms: ['linux'],
  params: processParams,
  result: processRow,
  columns: [
    { key: 'pid', header: 'PID', align: 'right' },
    { key: 'name', header: 'NAME' },
    { key: 'signal', header: 'SIGNAL' },
    { key: 'isKilled', header: 'SENT' },
    { key: 'isDryRun', header: 'DRY RUN' },
    { key: 'error', header: 'ERROR', isWide: true },
  ],
  cli: { schema: processCli, flags: {}, toParams },
  privacy: { maxRows: 10_000, maxBytes: 2 * 1024 * 1024 },
  limits: { timeoutMs: 60_000 },
  examples: [
    {
      command: 'mig process -t "tags->>\'env\' = \'prod\'" -name "^kdevtmpfsi$" -name "^kinsing$" -dryrun',
      explains: 'Which prod hosts run the kinsing cryptominer, and which processes a kill would hit; nothing is sent',
    },
    {
      command: 'mig process -t "tags->>\'env\' = \'prod\'" -name "^kdevtmpfsi$" -name "^kinsing$" -signal KILL',
      explains: 'Kill the cryptominer everywhere it runs (SIGKILL: it ignores TERM)',
    },
    {
      command: 'mig process -t "name = \'web-7\'" -pid 31337 -signal STOP',
      explains: 'Freeze one suspicious process on web-7 for inspection (thaw it later with -signal CONT)',
    },
  ],
});
