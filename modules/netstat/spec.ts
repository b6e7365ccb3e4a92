import { z } from 'zod';
import { defineModule } from '../../protocol/module-spec.js';
import { paramHelp } from '../shared/param-help.js';
import { netstatParams } from './params.js';

/**
 * The netstat module's self-description: MIG's netstat (who is this host talking to, what does
 * it listen on, which MACs and neighbours does it see), answering with connection tuples only.
 */

const portField = (what: string) => z.number().int().min(0).max(65535).optional().describe(what);
const text = (what: string) => z.string().max(256).optional().describe(what);

export const netstatRow = z.strictObject({
  check: z.string().max(1100).describe('The check and value that matched, e.g. connectedip:10.0.0.0/8'),
  proto: z.enum(['tcp', 'tcp6', 'udp', 'udp6']).optional().describe('Connection table the socket is in'),
  localAddress: text('Local address of the socket, or the matching address of this host'),
  localPort: portField('Local port'),
  remoteAddress: text('Remote address of the connection, or the neighbour address'),
  remotePort: portField('Remote port'),
  state: text('TCP state (ESTABLISHED, LISTEN, TIME_WAIT...); UNCONN for a UDP socket without a peer'),
  uid: z.number().int().nonnegative().optional().describe('User id owning the socket'),
  pid: z.number().int().positive().optional().describe('Process holding the socket, when one could be found'),
  process: text('Command name of that process (/proc/<pid>/comm)'),
  mac: text('The matching MAC address (local interface or neighbour)'),
  interface: text('Network interface of the MAC, neighbour or address'),
});

const repeatable = (what: string) => z.array(z.string()).optional().describe(what);

// Alike on purpose (duplicates): the flag table, one flag a line described by the parameter
// it sets (paramHelp, flagFor); flags share their shape, not logic.
/** MIG's own flags: `mig netstat -ci 10.0.0.0/8 -lp 443`. */
const netstatCli = z.strictObject({
  lm: repeatable(paramHelp(netstatParams, 'localmac', 'case-insensitive, e.g. ^8c:70:5a; repeatable')),
  nm: repeatable(paramHelp(netstatParams, 'neighbormac', 'case-insensitive; repeatable')),
  li: repeatable(paramHelp(netstatParams, 'localip', 'repeatable')),
  ni: repeatable(paramHelp(netstatParams, 'neighborip', 'repeatable')),
  ci: repeatable(paramHelp(netstatParams, 'connectedip', 'repeatable')),
  lp: z
    .array(z.number().int())
    .optional()
    .describe(paramHelp(netstatParams, 'listeningport', 'repeatable')),
});

type NetstatCli = z.output<typeof netstatCli>;

function toParams(values: NetstatCli): z.input<typeof netstatParams> {
  const params = {
    localmac: values.lm,
    neighbormac: values.nm,
    localip: values.li,
    neighborip: values.ni,
    connectedip: values.ci,
    listeningport: values.lp,
  };
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v.length > 0));
}

// Alike on purpose (duplicates): the fact table every module fills in (protocol/module-spec.ts);
// its columns, caps and examples are rows of data, alike in shape only.
export const netstatModule = defineModule({
  name: 'netstat',
  version: '1.0.0',
  summary: 'Find connections, listening ports, local addresses, MACs and ARP neighbours (MIG netstat module)',
  platforms: ['linux'],
  params: netstatParams,
  result: netstatRow,
  columns: [
    { key: 'check', header: 'CHECK' },
    { key: 'proto', header: 'PROTO' },
    { key: 'localAddress', header: 'LOCAL' },
    { key: 'localPort', header: 'LPORT', align: 'right' },
    { key: 'remoteAddress', header: 'REMOTE' },
    { key: 'remotePort', header: 'RPORT', align: 'right' },
    { key: 'state', header: 'STATE' },
    { key: 'pid', header: 'PID', align: 'right' },
    { key: 'process', header: 'PROCESS' },
    { key: 'mac', header: 'MAC' },
    { key: 'interface', header: 'IFACE', isWide: true },
    { key: 'uid', header: 'UID', align: 'right', isWide: true },
  ],
  // Alike on purpose (duplicates): each module's CLI flag table (its MIG short flags to its parameters) is data of
  // that module; ping's has its own flags.
  cli: {
    schema: netstatCli,
    flags: {
      lm: { param: 'localmac' },
      nm: { param: 'neighbormac' },
      li: { param: 'localip' },
      ni: { param: 'neighborip' },
      ci: { param: 'connectedip' },
      lp: { param: 'listeningport' },
    },
    toParams,
  },
  // Alike on purpose (duplicates): caps, timeout and example commands are this module's own data; memory and pkg
  // declare the same fields with their own values.
  // Nothing masked. The tuples are the answer: masking them would leave nothing to act on.
  privacy: { maxRows: 10_000, maxBytes: 2 * 1024 * 1024 },
  limits: { timeoutMs: 2 * 60_000 },
  examples: [
    {
      command: 'mig netstat -ci 203.0.113.0/24 -ci 2001:db8:bad::/48',
      explains: 'Which hosts have a connection open to the attacker’s networks, and which process holds it?',
    },
    {
      command: 'mig netstat -lp 4444 -lp 31337',
      explains: 'Hosts listening on classic backdoor ports (TCP LISTEN or unconnected UDP)',
    },
    {
      command: 'mig netstat -nm "^00:50:56" -ni 10.20.0.0/16',
      explains: 'Hosts that recently talked to a VMware MAC, or to a neighbour in the lab network',
    },
    {
      command: 'mig netstat -li 192.0.2.10 -lm "^8c:70:5a"',
      explains: 'Which host owns this address, and which carries a NIC from this vendor?',
    },
  ],
});
