import { createHash } from 'node:crypto';
import { canonicalCidr, parseEndpoint, type Endpoint, type Family } from './address.js';
import type { FirewallParams, FirewallRow } from './spec.js';

/**
 * The firewall's own model, shared by both backends: one Block is one thing blocked (an element
 * of an nft set, or the iptables rules of one match), the unit added, listed and removed.
 */
export type Direction = 'in' | 'out';
export type BlockFamily = Family | 'any';
export type BackendName = FirewallRow['backend'];

export interface Block {
  rule: string;
  kind: 'match' | 'quarantine';
  direction: Direction | 'both';
  /** 'any': one block covers IPv4 and IPv6 (nft's inet sets); iptables splits it per family. */
  family: BlockFamily;
  /** Canonical address or CIDR block, as the backends print it. */
  cidr?: string;
  proto?: 'tcp' | 'udp';
  port?: number;
  /** Quarantine: the broker connections left open. */
  keep?: Endpoint[];
  expiresAt?: Date;
}

export const QUARANTINE_RULE = 'quarantine';

/** Identity of a block in the kernel, whatever its rule id: used to find duplicates and removals by match. */
export function blockKey(b: Block): string {
  if (b.kind === 'quarantine') return `quarantine|${b.family}`;
  return [b.direction, b.family, b.cidr ?? '*', b.proto ?? '*', b.port ?? '*'].join('|');
}

/** The default rule id: a digest of what is blocked, so one action gives one id on every agent. */
export function defaultRuleId(p: FirewallParams): string {
  if (p.preset === 'quarantine') return QUARANTINE_RULE;
  const ips = (p.ips ?? []).map((ip) => canonicalCidr(ip).text).sort();
  const digest = createHash('sha256')
    .update(JSON.stringify([ips, p.port ?? null, p.proto ?? null, p.direction]))
    .digest('hex');
  return `r-${digest.slice(0, 10)}`;
}

/** What `p` asks to block, one Block per address × protocol × direction (quarantine: one). */
export function blocksOf(p: FirewallParams, rule: string, expiresAt?: Date): Block[] {
  const extra = expiresAt === undefined ? {} : { expiresAt };
  if (p.preset === 'quarantine') {
    return [
      { rule, kind: 'quarantine', direction: 'both', family: 'any', keep: (p.keep ?? []).map(parseKeep), ...extra },
    ];
  }
  const directions: Direction[] = p.direction === 'both' ? ['in', 'out'] : [p.direction];
  const protos = p.port === undefined ? [undefined] : p.proto === undefined ? (['tcp', 'udp'] as const) : [p.proto];
  const cidrs = p.ips === undefined || p.ips.length === 0 ? [undefined] : p.ips.map((ip) => canonicalCidr(ip));
  const blocks: Block[] = [];
  for (const direction of directions) {
    for (const cidr of cidrs) {
      for (const proto of protos) {
        const block: Block = { rule, kind: 'match', direction, family: cidr?.family ?? 'any', ...extra };
        if (cidr !== undefined) block.cidr = cidr.text;
        if (proto !== undefined && p.port !== undefined) Object.assign(block, { proto, port: p.port });
        blocks.push(block);
      }
    }
  }
  return dedupe(blocks);
}

function dedupe(blocks: Block[]): Block[] {
  const seen = new Map<string, Block>();
  for (const b of blocks) if (!seen.has(blockKey(b))) seen.set(blockKey(b), b);
  return [...seen.values()];
}

/** Params passed the schema, which checked every endpoint. */
function parseKeep(text: string): Endpoint {
  const endpoint = parseEndpoint(text);
  if (typeof endpoint === 'string') throw new Error(endpoint);
  return endpoint;
}

/** Splits family-'any' blocks per family (iptables and ip6tables are separate tables). */
export function perFamily(blocks: readonly Block[]): Block[] {
  return blocks.flatMap((b) => {
    if (b.family !== 'any') return [b];
    return ([4, 6] as const).map((family) => ({
      ...b,
      family,
      ...(b.keep === undefined ? {} : { keep: b.keep.filter((k) => k.family === family) }),
    }));
  });
}

const endpointText = (k: Endpoint): string => (k.family === 6 ? `[${k.address}]:${k.port}` : `${k.address}:${k.port}`);

/** Human text of what a block stops, e.g. `from 203.0.113.0/24 to port tcp/22`. */
export function describeMatch(b: Block): string {
  if (b.kind === 'quarantine') {
    const keep = (b.keep ?? []).map(endpointText);
    return `everything except loopback${keep.length === 0 ? '' : ` and tcp ${keep.join(', ')}`}`;
  }
  const port = b.port === undefined ? '' : ` port ${b.proto ?? 'tcp'}/${b.port}`;
  if (b.direction === 'in') return `from ${b.cidr ?? 'any'}${port === '' ? '' : ` to${port}`}`;
  return `to ${b.cidr ?? 'any'}${port}`;
}

export function rowOf(
  b: Block,
  op: FirewallRow['op'],
  isApplied: boolean,
  isDryRun: boolean,
  backend: BackendName,
): FirewallRow {
  const row: FirewallRow = {
    op,
    rule: b.rule,
    direction: b.direction,
    family: b.family === 'any' ? 'any' : b.family === 4 ? 'ipv4' : 'ipv6',
    match: describeMatch(b),
    isApplied,
    isDryRun,
    backend,
  };
  if (b.expiresAt !== undefined) row.expiresAt = b.expiresAt.toISOString();
  return row;
}
