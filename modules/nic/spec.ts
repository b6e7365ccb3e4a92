import { z } from 'zod';
import { defineModule } from '../../protocol/module-spec.js';
import { paramHelp } from '../shared/param-help.js';
import { nicParams } from './params.js';

/**
 * The nic module's self-description: interface state from the kernel (up or down, promiscuous
 * mode, MTU, speed, MAC, driver), answering "which hosts have an interface like this?" with a
 * row per matching interface. One of the modules MIG's roadmap listed and never shipped.
 */

const text = (max: number, what: string) => z.string().max(max).optional().describe(what);
const counter = (what: string) => z.number().int().nonnegative().optional().describe(what);

export const nicRow = z.strictObject({
  name: z.string().max(15).describe('Interface name, e.g. eth0'),
  state: z
    .enum(['up', 'down'])
    .describe('up: administratively up with the link up (operstate up, or unknown with a carrier); down otherwise'),
  promisc: z
    .boolean()
    .describe('In promiscuous mode (IFF_PROMISC): the interface takes every frame it sees, as a sniffer needs'),
  isAdminUp: z.boolean().describe('IFF_UP: configured up (ip link set up), whatever the link'),
  operstate: text(16, "The kernel's operational state (up, down, unknown, dormant, lowerlayerdown...)"),
  carrier: z.boolean().optional().describe('A link is detected (absent when the interface is administratively down)'),
  mtu: z.number().int().nonnegative().optional().describe('MTU in bytes'),
  speed: z.number().int().nonnegative().optional().describe('Link speed in Mb/s, when the driver reports one'),
  mac: text(64, 'Hardware address, aa:bb:cc:dd:ee:ff (absent for loopback and tunnels)'),
  type: text(24, 'Link type: ether, loopback, none (tun), sit, gre, ieee80211... or arphrd-<n>'),
  driver: text(64, 'Kernel driver of the device (e1000e, virtio_net...); absent for virtual interfaces'),
  flags: z.string().max(10).describe('The raw flag word as the kernel prints it, e.g. 0x1103'),
  rxBytes: counter('Bytes received since boot (/proc/net/dev)'),
  rxPackets: counter('Packets received since boot'),
  txBytes: counter('Bytes sent since boot'),
  txPackets: counter('Packets sent since boot'),
});

const repeatable = (what: string) => z.array(z.string()).optional().describe(what);

// Alike on purpose (duplicates): the flag table, one flag a line described by the parameter
// it sets (paramHelp, flagFor); flags share their shape, not logic.
/** `mig nic -promisc`, `mig nic -name '^eth' -state down`. */
const nicCli = z.strictObject({
  promisc: z
    .boolean()
    .optional()
    .describe(paramHelp(nicParams, 'promisc', 'as a flag: -promisc, or -promisc=false')),
  state: z.enum(['up', 'down']).optional().describe(paramHelp(nicParams, 'state')),
  name: repeatable(paramHelp(nicParams, 'name', 'repeatable')),
  mac: repeatable(paramHelp(nicParams, 'mac', 'repeatable')),
  driver: repeatable(paramHelp(nicParams, 'driver', 'repeatable')),
  mtu: repeatable(paramHelp(nicParams, 'mtu', 'repeatable, e.g. -mtu ">1500"')),
  speed: repeatable(paramHelp(nicParams, 'speed', 'repeatable, e.g. -speed "<1000"')),
});

type NicCli = z.output<typeof nicCli>;

function toParams(values: NicCli): z.input<typeof nicParams> {
  const params: z.input<typeof nicParams> = {};
  if (values.promisc !== undefined) params.promisc = values.promisc;
  if (values.state !== undefined) params.state = values.state;
  for (const key of ['name', 'mac', 'driver', 'mtu', 'speed'] as const) {
    const list = values[key];
    if (list !== undefined && list.length > 0) params[key] = list;
  }
  return params;
}

// Alike on purpose (duplicates): the fact table every module fills in (protocol/module-spec.ts);
// its columns, caps and examples are rows of data, alike in shape only.
export const nicModule = defineModule({
  name: 'nic',
  version: '1.0.0',
  summary: 'Report network interfaces by state, promiscuous mode, MTU, speed, MAC and driver',
  platforms: ['linux'],
  params: nicParams,
  result: nicRow,
  columns: [
    { key: 'name', header: 'IFACE' },
    { key: 'state', header: 'STATE' },
    { key: 'promisc', header: 'PROMISC' },
    { key: 'mtu', header: 'MTU', align: 'right' },
    { key: 'speed', header: 'SPEED', align: 'right' },
    { key: 'mac', header: 'MAC' },
    { key: 'driver', header: 'DRIVER' },
    { key: 'type', header: 'TYPE', isWide: true },
    { key: 'operstate', header: 'OPERSTATE', isWide: true },
    { key: 'flags', header: 'FLAGS', isWide: true },
    { key: 'rxBytes', header: 'RX', align: 'right', isBytes: true, isWide: true },
    { key: 'txBytes', header: 'TX', align: 'right', isBytes: true, isWide: true },
  ],
  cli: { schema: nicCli, flags: {}, toParams },
  // Nothing masked. Interface state is the answer; a MAC identifies hardware, not a person, and is what hunts match on.
  privacy: { maxRows: 4096, maxBytes: 2 * 1024 * 1024 },
  limits: { timeoutMs: 60_000 },
  examples: [
    {
      command: 'mig nic -promisc',
      explains: 'Which hosts have an interface in promiscuous mode, a classic sign of a sniffer?',
    },
    { command: "mig nic -name '^eth' -state down", explains: 'Hosts whose eth interfaces are down' },
    {
      command: "mig nic -mac '^52:54:00'",
      explains: 'Which hosts carry a QEMU/KVM virtual NIC (by its vendor prefix)?',
    },
    {
      command: "mig nic -mtu '>1500' -speed '<1000'",
      explains: 'Jumbo-frame interfaces on links slower than a gigabit: a misconfiguration worth a look',
    },
  ],
});
