import { z } from 'zod';
import { defineModule } from '../../protocol/module-spec.js';
import { paramHelp } from '../shared/param-help.js';
import { DIRECTIONS, PROTOCOLS, snifferParams } from './params.js';

/**
 * The sniffer module's self-description: listen for a bounded time on one interface or all of
 * them for traffic matching hosts, ports, protocol and direction, and answer whether it was seen:
 * a row per peer with packets, bytes, first and last seen and ports. Headers only, never payload.
 * One of the modules MIG's roadmap listed and never shipped.
 */

const port = z.number().int().min(0).max(65535).describe('A port');
const ports = (what: string) => z.array(port).max(16).optional().describe(what);
const count = (what: string) => z.number().int().nonnegative().describe(what);

export const snifferRow = z.strictObject({
  peer: z
    .string()
    .max(45)
    .describe('The address at the other end: the source of what came in, the destination of what went out'),
  proto: z.enum(['tcp', 'udp', 'icmp', 'icmp6', 'other']).describe('IP protocol of these packets'),
  packets: count('Matching packets exchanged with this peer while listening'),
  bytes: count('Their bytes on the wire (IP and link headers included)'),
  packetsIn: count('Of those, packets this host received'),
  packetsOut: count('Of those, packets this host sent'),
  firstSeen: z.iso.datetime().describe('Capture time of the first such packet'),
  lastSeen: z.iso.datetime().describe('Capture time of the last such packet'),
  localPorts: ports("This host's TCP/UDP ports in these packets (at most 16, ascending)"),
  peerPorts: ports("The peer's TCP/UDP ports in these packets (at most 16, ascending)"),
});

// Alike on purpose (duplicates): the flag table, one flag a line described by the parameter
// it sets (paramHelp, flagFor); flags share their shape, not logic.
/** `mig sniffer -host 203.0.113.7 -port 443 -duration 30s`. */
const snifferCli = z.strictObject({
  host: z
    .array(z.string())
    .optional()
    .describe(paramHelp(snifferParams, 'hosts', 'repeatable')),
  port: z
    .array(z.number().int())
    .optional()
    .describe(paramHelp(snifferParams, 'ports', 'repeatable')),
  proto: z.enum(PROTOCOLS).optional().describe(paramHelp(snifferParams, 'proto')),
  direction: z
    .enum(DIRECTIONS)
    .optional()
    .describe(paramHelp(snifferParams, 'direction', 'default any')),
  iface: z
    .string()
    .optional()
    .describe(paramHelp(snifferParams, 'iface', 'default any')),
  duration: z
    .string()
    .optional()
    .describe(paramHelp(snifferParams, 'duration', 'default 30s')),
  count: z.number().int().optional().describe(paramHelp(snifferParams, 'count')),
});

type SnifferCli = z.output<typeof snifferCli>;

function toParams(values: SnifferCli): z.input<typeof snifferParams> {
  const params: z.input<typeof snifferParams> = {};
  if (values.host !== undefined && values.host.length > 0) params.hosts = values.host;
  if (values.port !== undefined && values.port.length > 0) params.ports = values.port;
  for (const key of ['proto', 'direction', 'iface', 'duration', 'count'] as const) {
    const value = values[key];
    if (value !== undefined) Object.assign(params, { [key]: value });
  }
  return params;
}

// Alike on purpose (duplicates): the fact table every module fills in (protocol/module-spec.ts);
// its columns, caps and examples are rows of data, alike in shape only.
export const snifferModule = defineModule({
  name: 'sniffer',
  version: '1.0.0',
  summary: 'Listen for a while for traffic to or from hosts and ports; answer who was seen, packets, bytes, when',
  platforms: ['linux'],
  params: snifferParams,
  result: snifferRow,
  columns: [
    { key: 'peer', header: 'PEER' },
    { key: 'proto', header: 'PROTO' },
    { key: 'packets', header: 'PACKETS', align: 'right' },
    { key: 'bytes', header: 'BYTES', align: 'right', isBytes: true },
    { key: 'peerPorts', header: 'PEER PORTS' },
    { key: 'localPorts', header: 'LOCAL PORTS' },
    { key: 'firstSeen', header: 'FIRST', isTime: true },
    { key: 'lastSeen', header: 'LAST', isTime: true },
    { key: 'packetsIn', header: 'IN', align: 'right', isWide: true },
    { key: 'packetsOut', header: 'OUT', align: 'right', isWide: true },
  ],
  cli: { schema: snifferCli, flags: {}, toParams },
  // Nothing masked. Who talked to whom is the answer asked for; payload is never read, so never in a row.
  privacy: { maxRows: 1024, maxBytes: 1024 * 1024 },
  // The longest listening time (4m30s) plus room to start tcpdump and let it flush.
  limits: { timeoutMs: 5 * 60_000 },
  examples: [
    {
      command: 'mig sniffer -port 443 -host 203.0.113.7 -duration 30s',
      explains: 'Does this host talk to 203.0.113.7 on port 443 right now? Packets, bytes, first and last seen',
    },
    {
      command: 'mig sniffer -proto udp -port 53 -direction out -duration 2m',
      explains: 'Which DNS servers does the host query over two minutes?',
    },
    {
      command: 'mig sniffer -host 198.51.100.23 -count 1 -duration 4m',
      explains: 'Is there any traffic with a known C2 address? Answers at the first packet, or after 4 minutes',
    },
    {
      command: 'mig sniffer -iface eth0 -proto icmp -direction in -duration 1m',
      explains: 'Who pings this host on eth0?',
    },
  ],
});
