import { z } from 'zod';
import { canonicalCidr, type Endpoint } from './address.js';
import type { NftElement } from './nft-script.js';
import { blockKey, type Block, type Direction } from './rules.js';

/**
 * Reads `nft -j list table inet mig` back into blocks. The JSON is the kernel's word, but it is
 * still parsed with a schema: an element we cannot read is reported, never guessed at.
 */

type Value =
  string | number | { prefix: { addr: string; len: number } } | { range: [Value, Value] } | { concat: Value[] };
const ValueSchema: z.ZodType<Value> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.object({ prefix: z.object({ addr: z.string(), len: z.number() }) }),
    z.object({ range: z.tuple([ValueSchema, ValueSchema]) }),
    z.object({ concat: z.array(ValueSchema) }),
  ]),
);
const ElemSchema = z.union([
  z.object({ elem: z.object({ val: ValueSchema, expires: z.number().optional(), comment: z.string().optional() }) }),
  ValueSchema,
]);
const SetSchema = z.object({
  set: z.object({ family: z.string(), table: z.string(), name: z.string(), elem: z.array(ElemSchema).optional() }),
});
const ChainSchema = z.object({ chain: z.object({ family: z.string(), table: z.string(), name: z.string() }) });
export const ListingSchema = z.object({ nftables: z.array(z.record(z.string(), z.unknown())) });

export interface Listing {
  blocks: Block[];
  /** blockKey → the elements that make the block. */
  elements: Map<string, NftElement[]>;
  sets: Set<string>;
  chains: Set<string>;
  /** Elements that are not what MIG writes (no mig: comment, unknown set). */
  problems: string[];
}

function parts(v: Value): string[] {
  if (typeof v === 'string' || typeof v === 'number') return [String(v)];
  if ('prefix' in v) return [`${v.prefix.addr}/${v.prefix.len}`];
  if ('range' in v) return [`${parts(v.range[0]).join('')}-${parts(v.range[1]).join('')}`];
  return v.concat.flatMap(parts);
}

const cidrText = (text: string): string => {
  try {
    return canonicalCidr(text).text;
  } catch {
    return text; // a range someone else wrote: kept as printed
  }
};

interface RawElement {
  set: string;
  parts: string[];
  rule: string | undefined;
  expiresAt: Date | undefined;
}

/** A block from one element of a match set; undefined for quarantine/keep sets and unknown ones. */
function matchBlock(e: RawElement): Block | undefined {
  const m = /^(addr|addrport|port)([46]?)_(in|out)$/.exec(e.set);
  if (m === null || e.rule === undefined) return undefined;
  const [, kind, fam, direction] = m;
  const block: Block = {
    rule: e.rule,
    kind: 'match',
    direction: direction as Direction,
    family: fam === '4' ? 4 : fam === '6' ? 6 : 'any',
  };
  const [first = '', second, third] = e.parts;
  if (kind === 'addr' || kind === 'addrport') block.cidr = cidrText(first);
  if (kind === 'port') Object.assign(block, { proto: first, port: Number(second) });
  if (kind === 'addrport') Object.assign(block, { proto: second, port: Number(third) });
  if (e.expiresAt !== undefined) block.expiresAt = e.expiresAt;
  return block;
}

function rawElements(json: string, now: Date, listing: Listing): RawElement[] {
  const raw: RawElement[] = [];
  for (const entry of ListingSchema.parse(JSON.parse(json)).nftables) {
    const chain = ChainSchema.safeParse(entry);
    if (chain.success) listing.chains.add(chain.data.chain.name);
    const set = SetSchema.safeParse(entry);
    if (!set.success) continue;
    listing.sets.add(set.data.set.name);
    for (const elem of set.data.set.elem ?? []) {
      const e =
        typeof elem === 'object' && 'elem' in elem ? elem.elem : { val: elem, expires: undefined, comment: undefined };
      const rule = /^mig:([a-z0-9][a-z0-9-]{0,39})$/.exec(e.comment ?? '')?.[1];
      if (rule === undefined)
        listing.problems.push(
          `nft set ${set.data.set.name}: element ${parts(e.val).join(' . ')} has no mig:<rule> comment; left alone`,
        );
      const expiresAt = e.expires === undefined ? undefined : new Date(now.getTime() + e.expires * 1000);
      raw.push({ set: set.data.set.name, parts: parts(e.val), rule, expiresAt });
    }
  }
  return raw;
}

/** Quarantine: on while the `quarantine` set holds its elements; its keeps are the keep-set elements of the same rule. */
function quarantineBlock(raw: RawElement[], listing: Listing): void {
  const flags = raw.filter((e) => e.set === 'quarantine' && e.rule !== undefined);
  const first = flags[0];
  if (first?.rule === undefined) return;
  const keeps = raw.filter((e) => /^keep[46]$/.test(e.set) && e.rule === first.rule);
  const keep: Endpoint[] = keeps.map((e) => ({
    family: e.set === 'keep6' ? 6 : 4,
    address: e.parts[0] ?? '',
    port: Number(e.parts[1]),
  }));
  const block: Block = { rule: first.rule, kind: 'quarantine', direction: 'both', family: 'any', keep };
  if (first.expiresAt !== undefined) block.expiresAt = first.expiresAt;
  listing.blocks.push(block);
  listing.elements.set(
    blockKey(block),
    [...flags, ...keeps].map((e) => ({ set: e.set, text: e.parts.join(' . ') })),
  );
}

export function parseListing(json: string, now: Date): Listing {
  const listing: Listing = { blocks: [], elements: new Map(), sets: new Set(), chains: new Set(), problems: [] };
  const raw = rawElements(json, now, listing);
  for (const e of raw) {
    const block = matchBlock(e);
    if (block === undefined) continue;
    listing.blocks.push(block);
    listing.elements.set(blockKey(block), [{ set: e.set, text: e.parts.join(' . ') }]);
  }
  quarantineBlock(raw, listing);
  return listing;
}
