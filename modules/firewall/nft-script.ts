import type { Block, Direction } from './rules.js';

/**
 * nftables text for MIG's own table. Every block is an element of a named set (timeouts and
 * comments are per element, so a block can expire by itself and is found by its `mig:<rule>`
 * comment); the chains are fixed and only test set membership. Priority -10 runs before the
 * usual filter chains (0): a drop here is final, an accept would not bypass the host's own rules.
 */
export const TABLE = 'inet mig';
const DIRECTIONS: readonly Direction[] = ['in', 'out'];
const ADDR_TYPE = { 4: 'ipv4_addr', 6: 'ipv6_addr' } as const;

export function setNames(): string[] {
  const perDir = DIRECTIONS.flatMap((d) => [
    `addr4_${d}`,
    `addr6_${d}`,
    `port_${d}`,
    `addrport4_${d}`,
    `addrport6_${d}`,
  ]);
  return [...perDir, 'quarantine', 'keep4', 'keep6'];
}
export const CHAIN_NAMES: readonly string[] = ['input', 'output', 'quarantine_in', 'quarantine_out'];

function setDefinitions(): string[] {
  const lines: string[] = [];
  for (const d of DIRECTIONS) {
    for (const f of [4, 6] as const)
      lines.push(`  set addr${f}_${d} { type ${ADDR_TYPE[f]}; flags interval, timeout; }`);
    lines.push(`  set port_${d} { type inet_proto . inet_service; flags timeout; }`);
    for (const f of [4, 6] as const)
      lines.push(
        `  set addrport${f}_${d} { type ${ADDR_TYPE[f]} . inet_proto . inet_service; flags interval, timeout; }`,
      );
  }
  // Quarantine is on while `quarantine` holds ipv4 and ipv6: a timed flag, since rules cannot expire.
  lines.push('  set quarantine { type nf_proto; flags timeout; }');
  for (const f of [4, 6] as const) lines.push(`  set keep${f} { type ${ADDR_TYPE[f]} . inet_service; flags timeout; }`);
  return lines;
}

function filterChain(name: string, d: Direction): string[] {
  // The port is the destination port both ways: the local service inbound, the remote one outbound.
  const [addr, port, hook] = d === 'in' ? ['saddr', 'dport', 'input'] : ['daddr', 'dport', 'output'];
  return [
    `  chain ${name} {`,
    `    type filter hook ${hook} priority -10; policy accept;`,
    `    meta nfproto @quarantine jump quarantine_${d}`,
    `    ip ${addr} @addr4_${d} drop`,
    `    ip6 ${addr} @addr6_${d} drop`,
    `    meta l4proto . th ${port} @port_${d} drop`,
    `    ip ${addr} . meta l4proto . th ${port} @addrport4_${d} drop`,
    `    ip6 ${addr} . meta l4proto . th ${port} @addrport6_${d} drop`,
    '  }',
  ];
}

/** `return` hands kept traffic back to the filter chain, where blocks still apply to it. */
function quarantineChain(d: Direction): string[] {
  const rules =
    d === 'in'
      ? [
          'iifname "lo" return',
          'ip saddr . tcp sport @keep4 ct state established return',
          'ip6 saddr . tcp sport @keep6 ct state established return',
        ]
      : ['oifname "lo" return', 'ip daddr . tcp dport @keep4 return', 'ip6 daddr . tcp dport @keep6 return'];
  return [`  chain quarantine_${d} {`, ...rules.map((r) => `    ${r}`), '    drop', '  }'];
}

/** One transaction; `create table` fails if the table exists, so two agents' races never duplicate rules. */
export function skeletonScript(): string {
  const body = [
    ...setDefinitions(),
    ...filterChain('input', 'in'),
    ...filterChain('output', 'out'),
    ...quarantineChain('in'),
    ...quarantineChain('out'),
  ];
  return [`create table ${TABLE}`, `table ${TABLE} {`, ...body, '}', ''].join('\n');
}

export interface NftElement {
  set: string;
  /** The element's key as nft reads and prints it, e.g. `203.0.113.0/24 . tcp . 22`. */
  text: string;
}

/** The set elements that make a block. */
export function elementsOf(b: Block): NftElement[] {
  if (b.kind === 'quarantine') {
    const keep = (b.keep ?? []).map((k) => ({ set: `keep${k.family}`, text: `${k.address} . ${k.port}` }));
    return [...keep, { set: 'quarantine', text: 'ipv4' }, { set: 'quarantine', text: 'ipv6' }];
  }
  const family = b.family === 'any' ? '' : String(b.family);
  const parts = [b.cidr, b.proto, b.port].filter((p) => p !== undefined).map(String);
  const kind = b.cidr === undefined ? 'port' : b.port === undefined ? `addr${family}` : `addrport${family}`;
  return [{ set: `${kind}_${b.direction}`, text: parts.join(' . ') }];
}

/** `create`, not `add`: an element already there fails the transaction instead of passing silently. */
export function addScript(blocks: readonly Block[], timeoutSeconds: number | undefined): string {
  const timeout = timeoutSeconds === undefined ? '' : ` timeout ${timeoutSeconds}s`;
  const lines = blocks.flatMap((b) =>
    elementsOf(b).map((e) => `create element ${TABLE} ${e.set} { ${e.text}${timeout} comment "mig:${b.rule}" }`),
  );
  return `${lines.join('\n')}\n`;
}

export function deleteScript(elements: readonly NftElement[]): string {
  return `${elements.map((e) => `delete element ${TABLE} ${e.set} { ${e.text} }`).join('\n')}\n`;
}
