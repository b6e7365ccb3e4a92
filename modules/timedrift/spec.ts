import { z } from 'zod';
import { defineModule } from '../../protocol/module-spec.js';
import { paramHelp } from '../shared/param-help.js';
import { MAX_SERVERS, parseGoDuration, timedriftParams } from './params.js';

/**
 * The timedrift module's self-description: MIG's timedrift (is this host's clock within the
 * allowed drift of network time?), answering with one row per NTP server asked.
 */

export const timedriftRow = z.strictObject({
  server: z.string().max(260).describe('NTP server asked, as listed (host or host:port)'),
  source: z
    .string()
    .max(64)
    .describe('Where the server came from: parameter, a config file such as /etc/chrony.conf, or fallback'),
  address: z.string().max(64).optional().describe('Address the server resolved to'),
  localTime: z.iso.datetime().describe('Local time when the server was asked'),
  isReachable: z.boolean().describe('The server gave a usable answer'),
  offsetMs: z
    .number()
    .optional()
    .describe('Server time minus local time, in ms: positive when the local clock is behind'),
  delayMs: z.number().nonnegative().optional().describe('Network round trip to the server, in ms'),
  stratum: z.number().int().min(1).max(15).optional().describe("Server's distance from a reference clock"),
  hasDrifted: z.boolean().optional().describe('|offset| is larger than the allowed drift'),
  error: z.string().max(256).optional().describe('Why the server gave no usable answer'),
});

// Alike on purpose (duplicates): the flag table, one flag a line described by the parameter
// it sets (paramHelp, flagFor); flags share their shape, not logic.
/** MIG's -drift, plus -ntp (servers) and -all. */
const timedriftCli = z.strictObject({
  drift: z
    .string()
    .optional()
    .describe(paramHelp(timedriftParams, 'drift', 'default 5s')),
  ntp: z
    .array(z.string())
    .optional()
    .describe(paramHelp(timedriftParams, 'servers', 'as a flag: host, host:port or [ipv6]:port; repeatable')),
  all: z.boolean().optional().describe(paramHelp(timedriftParams, 'all')),
  timeout: z
    .string()
    .refine((text) => timeoutSeconds(text) !== undefined, 'expected seconds like 2 or a duration like 2s or 500ms')
    .optional()
    .describe(paramHelp(timedriftParams, 'timeout', 'as a flag: seconds (2) or a duration (2s, 500ms); default 5s')),
});

/** Like ping's -timeout: bare seconds, or a Go duration. */
function timeoutSeconds(text: string): number | undefined {
  if (/^\d{1,5}(\.\d{1,3})?$/.test(text)) return Number(text);
  const ms = parseGoDuration(text);
  return ms === undefined ? undefined : ms / 1000;
}

type TimedriftCli = z.output<typeof timedriftCli>;

function toParams(values: TimedriftCli): z.input<typeof timedriftParams> {
  const params: z.input<typeof timedriftParams> = {};
  if (values.drift !== undefined) params.drift = values.drift;
  if (values.ntp !== undefined && values.ntp.length > 0) params.servers = values.ntp;
  if (values.all !== undefined) params.all = values.all;
  if (values.timeout !== undefined) params.timeout = timeoutSeconds(values.timeout);
  return params;
}

// Alike on purpose (duplicates): the fact table every module fills in (protocol/module-spec.ts);
// its columns, caps and examples are rows of data, alike in shape only.
export const timedriftModule = defineModule({
  name: 'timedrift',
  version: '1.0.0',
  summary: 'Check that the local clock is within a drift of NTP time (MIG timedrift module)',
  platforms: ['linux', 'darwin', 'freebsd'],
  params: timedriftParams,
  result: timedriftRow,
  columns: [
    { key: 'server', header: 'SERVER' },
    { key: 'offsetMs', header: 'OFFSET MS', align: 'right' },
    { key: 'delayMs', header: 'DELAY MS', align: 'right' },
    { key: 'hasDrifted', header: 'DRIFTED' },
    { key: 'localTime', header: 'LOCAL TIME', isTime: true },
    { key: 'stratum', header: 'STRATUM', align: 'right', isWide: true },
    { key: 'address', header: 'ADDRESS', isWide: true },
    { key: 'source', header: 'SOURCE', isWide: true },
    { key: 'error', header: 'ERROR', isWide: true },
  ],
  cli: { schema: timedriftCli, flags: { ntp: { param: 'servers' } }, toParams },
  privacy: { maxRows: MAX_SERVERS, maxBytes: 64 * 1024 },
  limits: { timeoutMs: 10 * 60_000 },
  examples: [
    {
      command: 'mig timedrift -drift 5s',
      explains: 'Which hosts have a clock more than 5 seconds away from their NTP servers?',
    },
    {
      command: 'mig timedrift -drift 500ms -ntp ntp1.corp.example -ntp ntp2.corp.example -all',
      explains: 'Clock offsets against both corporate NTP servers, flagging any beyond half a second',
    },
  ],
  // MIG: found when the local time is out of the allowed drift from a server that answered.
  isFound: (rows) => rows.some((row) => row.hasDrifted === true),
});
