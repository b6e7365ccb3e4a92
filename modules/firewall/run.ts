import { ModuleError } from '../../protocol/errors.js';
import type { ModuleContext, ModuleRun } from '../../protocol/module-spec.js';
import type { Backend } from './backend.js';
import { IptablesBackend } from './iptables.js';
import { NftBackend } from './nft.js';
import { blockKey, blocksOf, defaultRuleId, describeMatch, rowOf, type Block } from './rules.js';
import type { FirewallParams, FirewallRow } from './spec.js';

/**
 * add / remove / list on MIG's own firewall table or chains. Every row is journaled, dry runs
 * included. A dry run reads the ruleset and reports exactly what would change; it writes nothing,
 * not even MIG's empty table.
 */
export const runFirewall: ModuleRun<FirewallParams, FirewallRow> = async function* (params, ctx) {
  const backend = await chooseBackend(params.backend, ctx);
  if (params.op === 'add' && !params.dryrun) await backend.prepare();
  const listed = await backend.list();
  const now = ctx.now();
  // Only iptables lists expired blocks (nft's kernel drops them itself): any firewall operation sweeps them.
  const expired = listed.filter((b) => b.expiresAt !== undefined && b.expiresAt <= now);
  if (expired.length > 0 && !params.dryrun) await backend.remove(expired);
  yield* emit(
    ctx,
    expired.map((b) => rowOf(b, 'expire', !params.dryrun, params.dryrun, backend.name)),
  );
  const current = listed.filter((b) => !expired.includes(b));
  if (params.op === 'list')
    yield* emit(
      ctx,
      current
        .filter((b) => params.rule === undefined || b.rule === params.rule)
        .map((b) => rowOf(b, 'list', true, false, backend.name)),
    );
  if (params.op === 'add') yield* emit(ctx, await add(params, backend, current, ctx));
  if (params.op === 'remove') yield* emit(ctx, await remove(params, backend, current, ctx));
};

function* emit(ctx: ModuleContext, rows: readonly FirewallRow[]): Generator<FirewallRow> {
  for (const row of rows) {
    ctx.journal?.({ ...row });
    ctx.count(`${row.op}${row.isDryRun ? 'DryRun' : ''}`);
    yield row;
  }
}

async function chooseBackend(choice: FirewallParams['backend'], ctx: ModuleContext): Promise<Backend> {
  const nft = (): Backend => new NftBackend(ctx.signal, ctx.now, ctx.warn);
  const ipt = (): Backend => new IptablesBackend(ctx.signal);
  const nftProblem = choice === 'iptables' ? undefined : await NftBackend.problem(ctx.signal);
  if (choice === 'nft' || (choice === 'auto' && nftProblem === undefined)) {
    if (nftProblem !== undefined)
      throw new ModuleError('MODULE_FAILED', `firewall: backend nft asked for, but ${nftProblem}`);
    return nft();
  }
  const iptProblem = await IptablesBackend.problem(ctx.signal);
  if (iptProblem === undefined) return ipt();
  const tried = [nftProblem, iptProblem].filter((p) => p !== undefined).join('; ');
  throw new ModuleError('MODULE_FAILED', `firewall: no usable backend (${tried}); install nftables (or iptables)`);
}

async function add(
  params: FirewallParams,
  backend: Backend,
  current: readonly Block[],
  ctx: ModuleContext,
): Promise<FirewallRow[]> {
  const rule = params.rule ?? defaultRuleId(params);
  const expiresAt =
    params.forSeconds === undefined ? undefined : new Date(ctx.now().getTime() + params.forSeconds * 1000);
  const wanted = backend.expand(blocksOf(params, rule, expiresAt));
  const present = new Map(current.map((b) => [blockKey(b), b]));
  const fresh: Block[] = [];
  const rows: FirewallRow[] = [];
  for (const block of wanted) {
    const existing = present.get(blockKey(block));
    if (existing === undefined) {
      fresh.push(block);
      continue;
    }
    const what = block.kind === 'quarantine' ? `a quarantine (${describeMatch(existing)})` : describeMatch(block);
    ctx.warn(
      `${what} is already in force as rule ${existing.rule}; not added again${block.kind === 'quarantine' ? ': remove it first to change it' : ''}`,
    );
    rows.push(rowOf(block, 'add', false, params.dryrun, backend.name));
  }
  if (!params.dryrun) await backend.add(fresh, params.forSeconds);
  return [...fresh.map((b) => rowOf(b, 'add', !params.dryrun, params.dryrun, backend.name)), ...rows];
}

/** By rule id, by -preset quarantine, or by the same match an add would take. */
async function remove(
  params: FirewallParams,
  backend: Backend,
  current: readonly Block[],
  ctx: ModuleContext,
): Promise<FirewallRow[]> {
  const hasMatch = (params.ips?.length ?? 0) > 0 || params.port !== undefined;
  const keys = new Set(hasMatch ? backend.expand(blocksOf(params, '')).map(blockKey) : []);
  // Each criterion given narrows: -rule x -ip y removes y's block only if it is rule x's.
  const targets = current.filter(
    (b) =>
      (params.rule === undefined || b.rule === params.rule) &&
      (params.preset === undefined || b.kind === 'quarantine') &&
      (!hasMatch || keys.has(blockKey(b))),
  );
  if (targets.length === 0) ctx.warn('nothing to remove: no MIG block matches');
  if (!params.dryrun) await backend.remove(targets);
  return targets.map((b) => rowOf(b, 'remove', !params.dryrun, params.dryrun, backend.name));
}
