import { canonicalCidr, type Endpoint, type Family } from './address.js';
import { blockKey, type Block, type Direction } from './rules.js';

/**
 * iptables text for MIG's own chains (MIG-IN jumped from INPUT, MIG-OUT from OUTPUT, in both
 * iptables and ip6tables). iptables has no rule timeouts: an expiring rule carries its deadline
 * in its comment (`mig:<rule>/exp=<unix seconds>`) and the next firewall operation removes it.
 */
export const CHAIN: Readonly<Record<Direction, string>> = { in: 'MIG-IN', out: 'MIG-OUT' };
export const HOOK: Readonly<Record<Direction, string>> = { in: 'INPUT', out: 'OUTPUT' };
export const TOOL: Readonly<Record<Family, string>> = { 4: 'iptables', 6: 'ip6tables' };
export const RESTORE: Readonly<Record<Family, string>> = { 4: 'iptables-restore', 6: 'ip6tables-restore' };

export interface IptRule {
  family: Family;
  direction: Direction;
  /** After `-A <chain>`: the rule's own arguments. */
  args: string[];
  /** Blocks go first; quarantine goes last, so its final DROP never hides a block. */
  position: 'head' | 'tail';
}

export function commentOf(rule: string, expiresAt: Date | undefined): string {
  return expiresAt === undefined ? `mig:${rule}` : `mig:${rule}/exp=${Math.floor(expiresAt.getTime() / 1000)}`;
}

const commentArgs = (b: Block): string[] => ['-m', 'comment', '--comment', commentOf(b.rule, b.expiresAt)];

function quarantineRules(b: Block, family: Family): IptRule[] {
  const keep = (b.keep ?? []).filter((k) => k.family === family);
  const c = commentArgs(b);
  // RETURN, not ACCEPT: kept traffic goes back to INPUT/OUTPUT and the host's own rules.
  const inbound = [
    ['-i', 'lo', ...c, '-j', 'RETURN'],
    ...keep.map((k) => [
      '-s',
      k.address,
      '-p',
      'tcp',
      '-m',
      'tcp',
      '--sport',
      String(k.port),
      '-m',
      'conntrack',
      '--ctstate',
      'ESTABLISHED',
      ...c,
      '-j',
      'RETURN',
    ]),
    [...c, '-j', 'DROP'],
  ];
  const outbound = [
    ['-o', 'lo', ...c, '-j', 'RETURN'],
    ...keep.map((k) => ['-d', k.address, '-p', 'tcp', '-m', 'tcp', '--dport', String(k.port), ...c, '-j', 'RETURN']),
    [...c, '-j', 'DROP'],
  ];
  return [
    ...inbound.map((args) => ({ family, direction: 'in' as const, args, position: 'tail' as const })),
    ...outbound.map((args) => ({ family, direction: 'out' as const, args, position: 'tail' as const })),
  ];
}

/** The rules of one block; `b.family` is 4 or 6 (see perFamily). */
export function rulesOf(b: Block): IptRule[] {
  const family: Family = b.family === 6 ? 6 : 4;
  if (b.kind === 'quarantine') return quarantineRules(b, family);
  const direction: Direction = b.direction === 'out' ? 'out' : 'in';
  const addr = b.cidr === undefined ? [] : [direction === 'in' ? '-s' : '-d', b.cidr];
  const port =
    b.port === undefined || b.proto === undefined ? [] : ['-p', b.proto, '-m', b.proto, '--dport', String(b.port)];
  return [{ family, direction, args: [...addr, ...port, ...commentArgs(b), '-j', 'DROP'], position: 'head' }];
}

export interface ListedLine {
  family: Family;
  direction: Direction;
  args: string[];
}

const quote = (token: string): string =>
  /^[A-Za-z0-9_.:/=,!+-]+$/.test(token) ? token : `"${token.replace(/["\\]/g, '\\$&')}"`;

/** An iptables-restore script (used with --noflush): every line in one atomic commit. */
export function restoreScript(
  lines: readonly { op: '-I' | '-A' | '-D'; direction: Direction; args: readonly string[] }[],
): string {
  const body = lines.map((l) =>
    [l.op, CHAIN[l.direction], ...(l.op === '-I' ? ['1'] : []), ...l.args.map(quote)].join(' '),
  );
  return ['*filter', ...body, 'COMMIT', ''].join('\n');
}

function tokens(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) =>
    m[1] === undefined ? (m[2] ?? '') : m[1].replace(/\\(.)/g, '$1'),
  );
}

/** `iptables -S MIG-IN` output → our rules' arguments (the -N line and other chains are skipped). */
export function parseChainListing(text: string, family: Family, direction: Direction): ListedLine[] {
  const prefix = `-A ${CHAIN[direction]} `;
  return text
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .map((l) => ({ family, direction, args: tokens(l.slice(prefix.length)) }));
}

interface Fields {
  rule?: string;
  expiresAt?: Date;
  cidr?: string;
  proto?: string;
  dport?: number;
  sport?: number;
  target?: string;
}

function fieldsOf(args: readonly string[]): Fields {
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i < 0 ? undefined : args[i + 1];
  };
  const m = /^mig:([a-z0-9][a-z0-9-]{0,39})(?:\/exp=(\d+))?$/.exec(value('--comment') ?? '');
  const addr = value('-s') ?? value('-d');
  const fields: Fields = { target: value('-j') };
  if (m?.[1] !== undefined) fields.rule = m[1];
  if (m?.[2] !== undefined) fields.expiresAt = new Date(Number(m[2]) * 1000);
  if (addr !== undefined) fields.cidr = canonicalCidr(addr).text;
  if (value('-p') !== undefined) fields.proto = value('-p');
  if (value('--dport') !== undefined) fields.dport = Number(value('--dport'));
  if (value('--sport') !== undefined) fields.sport = Number(value('--sport'));
  return fields;
}

/** Listed rules back into blocks, with the lines of each (blockKey → lines), for removal. */
export function blocksFromLines(lines: readonly ListedLine[]): { blocks: Block[]; lines: Map<string, ListedLine[]> } {
  const byKey = new Map<string, { block: Block; lines: ListedLine[] }>();
  for (const line of lines) {
    const f = fieldsOf(line.args);
    if (f.rule === undefined) continue; // not ours: left alone
    const isMatch = f.target === 'DROP' && (f.cidr !== undefined || f.dport !== undefined);
    const block: Block = isMatch
      ? { rule: f.rule, kind: 'match', direction: line.direction, family: line.family }
      : { rule: f.rule, kind: 'quarantine', direction: 'both', family: line.family, keep: [] };
    if (isMatch && f.cidr !== undefined) block.cidr = f.cidr;
    if (isMatch && f.dport !== undefined) Object.assign(block, { proto: f.proto, port: f.dport });
    if (f.expiresAt !== undefined) block.expiresAt = f.expiresAt;
    const entry = byKey.get(blockKey(block)) ?? { block, lines: [] };
    entry.lines.push(line);
    if (!isMatch && f.target === 'RETURN' && f.cidr !== undefined)
      addKeep(entry.block, { family: line.family, address: f.cidr, port: f.sport ?? f.dport ?? 0 });
    byKey.set(blockKey(block), entry);
  }
  return { blocks: [...byKey.values()].map((e) => e.block), lines: new Map([...byKey].map(([k, e]) => [k, e.lines])) };
}

function addKeep(block: Block, keep: Endpoint): void {
  if (!(block.keep ?? []).some((k) => k.address === keep.address && k.port === keep.port))
    block.keep = [...(block.keep ?? []), keep];
}
