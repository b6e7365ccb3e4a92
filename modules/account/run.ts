import type { z } from 'zod';
import type { ModuleContext, ModuleRun } from '../../protocol/module-spec.js';
import { changeEachAccount } from '../shared/each-account.js';
import { expiryDate, readShadow, type ShadowState } from './shadow.js';
import type { accountParams, accountRow } from './spec.js';
import { LOCKED_EXPIRE_DAYS, usermod, usermodArgs } from './usermod.js';

type Params = z.output<typeof accountParams>;
type Row = z.output<typeof accountRow>;
type Op = Params['op'];

const NO_PASSWORD = 'unlocking would leave the account without a password, which usermod refuses: set a password first';

/**
 * Locks or unlocks each account with one usermod call (password lock and account expiry together),
 * then reads /etc/shadow again: `after` is what the file says, not what we hoped. An account
 * already in the asked state is left alone. Every row, dry or not, is journaled.
 */
export const runAccount: ModuleRun<Params, Row> = async function* (params, ctx) {
  const before = await readShadow(ctx.root);
  yield* changeEachAccount(params.users, before, (user, state) => changeOne(user, params, state, ctx), ctx);
};

function isWanted(op: Op, state: ShadowState, today: number): boolean {
  const isExpired = state.expireDays !== undefined && state.expireDays <= today;
  return op === 'lock' ? state.isLocked && isExpired : !state.isLocked && state.expireDays === undefined;
}

const lockState = (state: ShadowState | undefined): Row['before'] =>
  state === undefined ? 'missing' : state.isLocked ? 'locked' : 'unlocked';

function report(user: string, params: Params, before: ShadowState, after: ShadowState, isApplied: boolean): Row {
  const row: Row = {
    user,
    op: params.op,
    isApplied,
    isDryRun: params.dryrun,
    before: lockState(before),
    after: lockState(after),
  };
  const expiresBefore = expiryDate(before.expireDays);
  const expiresAfter = expiryDate(after.expireDays);
  if (expiresBefore !== undefined) row.expiresBefore = expiresBefore;
  if (expiresAfter !== undefined) row.expiresAfter = expiresAfter;
  return row;
}

/** What usermod would leave: unlocking a `!`-only password is refused, the expiry goes anyway. */
function predict(op: Op, state: ShadowState): ShadowState {
  if (op === 'lock') return { ...state, isLocked: true, expireDays: LOCKED_EXPIRE_DAYS };
  return { ...state, isLocked: state.isLocked && state.hasNoPassword, expireDays: undefined };
}

async function changeOne(
  user: string,
  params: Params,
  state: ShadowState | undefined,
  ctx: ModuleContext,
): Promise<Row> {
  const untouched = {
    user,
    op: params.op,
    isApplied: false,
    isDryRun: params.dryrun,
    before: lockState(state),
    after: lockState(state),
  };
  // The schema refuses root already; this is the agent's own last word.
  if (user === 'root') return { ...untouched, error: 'refused: root is never locked' };
  if (state === undefined) return { ...untouched, error: 'no such account in /etc/shadow' };
  const today = Math.floor(ctx.now().getTime() / 86_400_000);
  if (isWanted(params.op, state, today)) return report(user, params, state, state, false);
  if (params.dryrun) {
    const row = report(user, params, state, predict(params.op, state), false);
    return params.op === 'unlock' && state.hasNoPassword ? { ...row, error: NO_PASSWORD } : row;
  }
  const said = await usermod(usermodArgs(params.op, user, ctx.root), ctx.signal);
  if (said !== '') ctx.log(`usermod ${user}: ${said}`);
  const after = (await readShadow(ctx.root)).get(user);
  if (after === undefined)
    return { ...untouched, after: 'missing', error: 'the account vanished from /etc/shadow during the change' };
  const row = report(
    user,
    params,
    state,
    after,
    lockState(after) !== lockState(state) || after.expireDays !== state.expireDays,
  );
  if (isWanted(params.op, after, today)) return row;
  return {
    ...row,
    error:
      state.hasNoPassword && params.op === 'unlock'
        ? NO_PASSWORD
        : `usermod left the account ${row.after}${said === '' ? '' : `: ${said}`}`,
  };
}
