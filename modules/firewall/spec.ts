import { z } from 'zod';
import { defineModule } from '../../protocol/module-spec.js';
import { paramHelp } from '../shared/param-help.js';
import { cidrProblem, parseEndpoint } from './address.js';
import { checked } from '../shared/param-checks.js';

/**
 * The firewall response module: block addresses or ports, in or out, for a while or until
 * removed, or quarantine a host (nothing but loopback and the MIG broker). Everything lives in
 * MIG's own nftables table (`table inet mig`) or, without nft, in MIG's own iptables chains
 * (MIG-IN, MIG-OUT), so listing and removing never touch anyone else's rules.
 */

export const MAX_IPS = 256;
const DAY_SECONDS = 86_400;
export const MAX_SECONDS = 30 * DAY_SECONDS;
const RULE_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const DURATION = /^([1-9]\d{0,6})(s|m|h|d)$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: DAY_SECONDS } as const;

/** `90s`, `30m`, `2h`, `1d` → seconds; undefined when the text is not such a duration. */
export function parseDurationSeconds(text: string): number | undefined {
  const m = DURATION.exec(text);
  return m === null ? undefined : Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS];
}

const ruleId = z
  .string()
  .regex(RULE_ID, 'expected a rule id: lower-case letters, digits and -, at most 40, e.g. r-1a2b3c4d5e');
const endpointProblem = (value: string): string | undefined => {
  const parsed = parseEndpoint(value);
  return typeof parsed === 'string' ? parsed : undefined;
};

const paramsShape = z.strictObject({
  op: z
    .enum(['add', 'remove', 'list'])
    .describe('add a block, remove one (by rule id or by what it blocks), or list what MIG blocks'),
  rule: ruleId
    .optional()
    .describe(
      'Rule id: names the block on add (default: derived from what it blocks, the same on every agent); picks it on remove and list',
    ),
  ips: z.array(checked(cidrProblem)).max(MAX_IPS).optional().describe('IPv4/IPv6 addresses or CIDR blocks to block'),
  port: z
    .number()
    .int()
    .min(1)
    .max(65535)
    .optional()
    .describe('Port to block: the local port inbound, the remote port outbound'),
  proto: z.enum(['tcp', 'udp']).optional().describe('Protocol of the port (default: both)'),
  direction: z
    .enum(['in', 'out', 'both'])
    .default('both')
    .describe('Traffic from the addresses (in), to them (out), or both'),
  forSeconds: z
    .number()
    .int()
    .min(1)
    .max(MAX_SECONDS)
    .optional()
    .describe('Remove the block by itself after this many seconds'),
  preset: z
    .enum(['quarantine'])
    .optional()
    .describe('quarantine: block everything except loopback and the kept broker connections'),
  keep: z
    .array(checked(endpointProblem))
    .min(1)
    .max(8)
    .optional()
    .describe(
      'With quarantine: broker ip:port the agent must keep reaching (TCP); DNS is blocked, so an address, not a host name',
    ),
  backend: z
    .enum(['auto', 'nft', 'iptables'])
    .default('auto')
    .describe('nft (table inet mig), iptables (chains MIG-IN/MIG-OUT), or auto: nft when it works'),
  dryrun: z.boolean().default(false).describe('Report exactly what would change and change nothing'),
});
type Shape = z.output<typeof paramsShape>;

/** Which fields each op allows, so a wrong combination is named instead of silently ignored. */
function crossProblems(p: Shape): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const hasMatch = (p.ips?.length ?? 0) > 0 || p.port !== undefined;
  const refuse = (field: keyof Shape, why: string): void => {
    if (p[field] !== undefined) problems.push({ path: field, message: why });
  };
  if (p.proto !== undefined && p.port === undefined)
    problems.push({ path: 'proto', message: 'a protocol needs a port (-port)' });
  if (p.keep !== undefined && p.preset === undefined)
    problems.push({ path: 'keep', message: 'keep goes with -preset quarantine' });
  if (p.op !== 'add') refuse('forSeconds', 'only a block being added can expire');
  if (p.op === 'list') {
    for (const field of ['ips', 'port', 'preset'] as const)
      refuse(field, 'list takes no match: it lists every block (filter with -rule)');
  } else if (p.op === 'add' && p.preset === 'quarantine') {
    if (hasMatch) problems.push({ path: 'preset', message: 'quarantine blocks everything: no -ip or -port with it' });
    if (p.keep === undefined)
      problems.push({
        path: 'keep',
        message: 'quarantine needs -keep <broker ip:port>, or the agent cuts itself off for good',
      });
  } else if (p.op === 'add' && !hasMatch) {
    problems.push({ path: 'ips', message: 'add needs -ip, -port or -preset quarantine: what should be blocked?' });
  } else if (p.op === 'remove') {
    refuse('keep', 'remove finds a quarantine by its rule id or -preset quarantine alone');
    if (!hasMatch && p.rule === undefined && p.preset === undefined)
      problems.push({
        path: 'rule',
        message: 'remove needs -rule <id>, or the -ip/-port it blocked, or -preset quarantine',
      });
  }
  return problems;
}

export const firewallParams = paramsShape.superRefine((p, ctx) => {
  for (const { path, message } of crossProblems(p)) ctx.addIssue({ code: 'custom', path: [path], message });
});
export type FirewallParams = z.output<typeof firewallParams>;

export const firewallRow = z.strictObject({
  op: z
    .enum(['add', 'remove', 'list', 'expire'])
    .describe('What happened to this block (expire: its time ran out, removed by this run)'),
  rule: z.string().describe('Rule id (comment mig:<id> in the ruleset): what -op remove -rule takes'),
  direction: z.enum(['in', 'out', 'both']).describe('Inbound, outbound, or both (quarantine)'),
  family: z.enum(['ipv4', 'ipv6', 'any']).describe('Address family the block applies to'),
  match: z.string().describe('What is blocked, e.g. from 203.0.113.0/24 to port tcp/22'),
  isApplied: z
    .boolean()
    .describe('add: this run put the block in force; remove, expire: this run took it away; list: it is in force'),
  isDryRun: z.boolean().describe('True: nothing was changed'),
  expiresAt: z.iso.datetime().optional().describe('When the block removes itself'),
  backend: z.enum(['nft', 'iptables']).describe('Where the block lives'),
});
export type FirewallRow = z.output<typeof firewallRow>;

// Alike on purpose (duplicates): the flag table, one flag a line described by the parameter
// it sets (paramHelp, flagFor); flags share their shape, not logic.
const firewallCli = z.strictObject({
  op: z.enum(['add', 'remove', 'list']).describe(paramHelp(firewallParams, 'op')),
  rule: z.string().optional().describe(paramHelp(firewallParams, 'rule')),
  ip: z
    .array(z.string())
    .optional()
    .describe(paramHelp(firewallParams, 'ips', 'repeat for several')),
  port: z.number().int().optional().describe(paramHelp(firewallParams, 'port')),
  proto: z.enum(['tcp', 'udp']).optional().describe('Protocol of the port (default: both)'),
  direction: z
    .enum(['in', 'out', 'both'])
    .optional()
    .describe(paramHelp(firewallParams, 'direction', 'default both')),
  for: z
    .string()
    .regex(DURATION, 'expected a duration like 90s, 30m, 2h or 1d')
    .optional()
    .describe(
      paramHelp(firewallParams, 'forSeconds', `as a flag: 90s, 30m, 2h, 1d (at most ${MAX_SECONDS / DAY_SECONDS}d)`),
    ),
  preset: z
    .enum(['quarantine'])
    .optional()
    .describe(paramHelp(firewallParams, 'preset', 'keep them with -keep')),
  keep: z
    .array(z.string())
    .optional()
    .describe(paramHelp(firewallParams, 'keep', 'repeat for several')),
  backend: z
    .enum(['auto', 'nft', 'iptables'])
    .optional()
    .describe(paramHelp(firewallParams, 'backend', 'default auto')),
  dryrun: z.boolean().optional().describe('Report exactly what would change and change nothing'),
});

function toParams(v: z.output<typeof firewallCli>): z.input<typeof firewallParams> {
  const seconds = v.for === undefined ? undefined : (parseDurationSeconds(v.for) ?? Number.NaN);
  const optional = {
    rule: v.rule,
    ips: v.ip,
    port: v.port,
    proto: v.proto,
    direction: v.direction,
    forSeconds: seconds,
    preset: v.preset,
    keep: v.keep,
    backend: v.backend,
  };
  const defined = Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined));
  return { op: v.op, ...defined, dryrun: v.dryrun === true };
}

// Alike on purpose (duplicates): the fact table every module fills in (protocol/module-spec.ts);
// its columns, caps and examples are rows of data, alike in shape only.
export const firewallModule = defineModule({
  name: 'firewall',
  version: '1.0.0',
  summary: 'Block addresses or ports, or quarantine a host, with nftables or iptables (response: needs two signatures)',
  platforms: ['linux'],
  params: firewallParams,
  result: firewallRow,
  columns: [
    { key: 'rule', header: 'RULE' },
    { key: 'op', header: 'OP' },
    { key: 'direction', header: 'DIR' },
    { key: 'match', header: 'MATCH' },
    { key: 'isApplied', header: 'APPLIED' },
    { key: 'isDryRun', header: 'DRY RUN' },
    { key: 'expiresAt', header: 'EXPIRES', isTime: true },
    { key: 'family', header: 'FAMILY', isWide: true },
    { key: 'backend', header: 'BACKEND', isWide: true },
  ],
  cli: { schema: firewallCli, flags: { for: { param: 'forSeconds' } }, toParams },
  privacy: { maxRows: 5_000, maxBytes: 2 * 1024 * 1024 },
  limits: { timeoutMs: 60_000 },
  examples: [
    {
      command:
        "mig firewall -t \"tags->>'env' = 'prod'\" -op add -ip 203.0.113.0/24 -ip 2001:db8:bad::/48 -direction out -for 2h",
      explains: 'Cut every prod host off from a command-and-control network for two hours',
    },
    {
      command: 'mig firewall -t "name = \'web-7\'" -op add -preset quarantine -keep 192.0.2.10:4222 -for 1d -dryrun',
      explains: 'What quarantining web-7 would change: only loopback and the MIG broker would stay reachable',
    },
    {
      command: "mig firewall -t \"tags->>'role' = 'db'\" -op add -port 5432 -proto tcp -direction in -rule no-pg",
      explains: 'Stop inbound PostgreSQL on every database host, as a block named no-pg',
    },
    {
      command: 'mig firewall -t all -op remove -rule no-pg',
      explains: 'Lift the no-pg block everywhere (and list with -op list what MIG still blocks)',
    },
  ],
});
