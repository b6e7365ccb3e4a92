import { z } from 'zod';
import { defineModule } from '../../protocol/module-spec.js';
import { paramHelp } from '../shared/param-help.js';
import { MAX_COUNT, PROTOCOLS, TIMEOUT_TEXT, parseTimeoutSeconds, pingParams } from './params.js';

/**
 * The ping module's self-description: MIG's ping (can this endpoint reach that host or port?),
 * answering with one row per attempt.
 */

export const pingRow = z.strictObject({
  destination: z.string().max(253).describe('The destination as asked'),
  address: z.string().max(64).optional().describe('The address it resolved to and was probed'),
  protocol: z.enum(PROTOCOLS).describe('icmp, tcp or udp'),
  port: z.number().int().min(1).max(65535).optional().describe('Port probed (tcp, udp)'),
  attempt: z.number().int().min(1).max(MAX_COUNT).describe('Attempt number, from 1'),
  isReachable: z
    .boolean()
    .describe('MIG’s verdict: a reply or connection; for udp also no answer at all (the port may be open)'),
  outcome: z
    .enum(['connected', 'reply', 'refused', 'timeout', 'no-reply', 'error'])
    .describe(
      'What happened: connected (tcp), reply, refused (RST or ICMP port unreachable), timeout, no-reply (udp), error',
    ),
  latencyMs: z
    .number()
    .nonnegative()
    .optional()
    .describe('Round trip in milliseconds, for connected, reply and refused'),
  error: z.string().max(256).optional().describe('Why the attempt failed, for outcome error'),
});

// Alike on purpose (duplicates): the flag table, one flag a line described by the parameter
// it sets (paramHelp, flagFor); flags share their shape, not logic.
/** MIG's flags, except -t: here -t is the target of every hunt, so the timeout is -timeout. */
const pingCli = z.strictObject({
  d: z.string().describe(paramHelp(pingParams, 'destination', 'e.g. www.mozilla.org')),
  dp: z
    .number()
    .int()
    .optional()
    .describe(paramHelp(pingParams, 'destinationport', 'e.g. 53')),
  p: z
    .enum(PROTOCOLS)
    .default('icmp')
    .describe(paramHelp(pingParams, 'protocol', 'default icmp')),
  c: z
    .number()
    .int()
    .optional()
    .describe(paramHelp(pingParams, 'count', 'default 3')),
  timeout: z
    .string()
    .regex(TIMEOUT_TEXT, 'expected seconds like 5, 5s or 1.5s, or milliseconds like 500ms')
    .optional()
    .describe(paramHelp(pingParams, 'timeout', 'as a flag: seconds (5, 5s, 1.5s) or milliseconds (500ms); default 5s')),
});

type PingCli = z.output<typeof pingCli>;

function toParams(values: PingCli): z.input<typeof pingParams> {
  const params: z.input<typeof pingParams> = { destination: values.d, protocol: values.p };
  if (values.dp !== undefined) params.destinationport = values.dp;
  if (values.c !== undefined) params.count = values.c;
  if (values.timeout !== undefined) params.timeout = parseTimeoutSeconds(values.timeout);
  return params;
}

// Alike on purpose (duplicates): the fact table every module fills in (protocol/module-spec.ts);
// its columns, caps and examples are rows of data, alike in shape only.
export const pingModule = defineModule({
  name: 'ping',
  version: '1.0.0',
  summary: 'Check that an endpoint reaches a host or port over icmp, tcp or udp (MIG ping module)',
  platforms: ['linux', 'darwin'],
  params: pingParams,
  result: pingRow,
  columns: [
    { key: 'destination', header: 'DESTINATION' },
    { key: 'protocol', header: 'PROTO' },
    { key: 'port', header: 'PORT', align: 'right' },
    { key: 'attempt', header: '#', align: 'right' },
    { key: 'outcome', header: 'OUTCOME' },
    { key: 'latencyMs', header: 'MS', align: 'right' },
    { key: 'address', header: 'ADDRESS', isWide: true },
    { key: 'error', header: 'ERROR', isWide: true },
  ],
  cli: {
    schema: pingCli,
    flags: {
      d: { param: 'destination' },
      dp: { param: 'destinationport' },
      p: { param: 'protocol' },
      c: { param: 'count' },
    },
    toParams,
  },
  privacy: { maxRows: MAX_COUNT, maxBytes: 64 * 1024 },
  // 100 attempts of 60 s would be 100 minutes: the agent's own cap applies first.
  limits: { timeoutMs: 5 * 60_000 },
  examples: [
    { command: 'mig ping -d 10.0.0.1 -p icmp -c 2', explains: 'Which hosts can reach the gateway at all?' },
    {
      command: 'mig ping -d db.internal.example -p tcp -dp 5432 -timeout 2s',
      explains: 'Which hosts can open a connection to the database (segmentation check)?',
    },
    {
      command: 'mig ping -d 10.20.0.53 -p udp -dp 53 -c 1',
      explains: 'Is the DNS port closed (refused), answering, or silent from each host?',
    },
  ],
  isFound: (rows) => rows.some((row) => row.isReachable === true),
});
