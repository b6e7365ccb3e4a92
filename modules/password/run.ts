import type { z } from 'zod';
import { ModuleError } from '../../protocol/errors.js';
import type { ModuleContext, ModuleRun } from '../../protocol/module-spec.js';
import { changeEachAccount } from '../shared/each-account.js';
import { changeDate, methodOf, readPasswords, type PasswordEntry } from './shadow.js';
import type { passwordParams, passwordRow } from './spec.js';
import { forceChange, setHash } from './tools.js';

type Params = z.output<typeof passwordParams>;
type Row = z.output<typeof passwordRow>;

/**
 * Sets each account's hash and/or forces a change at next login with the shadow tools, then
 * reads /etc/shadow again: `after`, `isHashSet` and `mustChange` are what the file says, not
 * what we hoped. An account already as asked is left alone. Every row, dry or not, is journaled;
 * no row, journal entry or log line carries the hash.
 */
export const runPassword: ModuleRun<Params, Row> = async function* (params, ctx) {
  // chpasswd and chage have no --prefix (usermod's): they change this host's own /etc only.
  if (ctx.root !== '/')
    throw new ModuleError(
      'MODULE_FAILED',
      `password changes this host's own accounts only: the agent's root is ${ctx.root}, not /`,
    );
  const before = await readPasswords();
  yield* changeEachAccount(params.users, before, (user, state) => changeOne(user, params, state, ctx), ctx);
};

const mustChange = (entry: PasswordEntry): boolean => entry.lastChangeDays === 0;

function report(user: string, params: Params, before: PasswordEntry, after: PasswordEntry, isApplied: boolean): Row {
  const row: Row = {
    user,
    isApplied,
    isDryRun: params.dryrun,
    before: before.state,
    after: after.state,
    mustChange: mustChange(after),
  };
  const method = methodOf(after);
  const changed = changeDate(before.lastChangeDays);
  if (method !== undefined) row.method = method;
  if (params.hash !== undefined) row.isHashSet = after.field === params.hash;
  if (changed !== undefined) row.changedBefore = changed;
  return row;
}

/** What the tools would leave: the hash as given (unlocked), then day 0 when expiring. */
function predict(params: Params, entry: PasswordEntry, today: number): PasswordEntry {
  const field = params.hash ?? entry.field;
  const state = params.hash === undefined ? entry.state : 'password';
  const lastChangeDays = params.expire ? 0 : params.hash === undefined ? entry.lastChangeDays : today;
  return { state, field, lastChangeDays };
}

async function changeOne(
  user: string,
  params: Params,
  entry: PasswordEntry | undefined,
  ctx: ModuleContext,
): Promise<Row> {
  if (entry === undefined)
    return {
      user,
      isApplied: false,
      isDryRun: params.dryrun,
      before: 'missing',
      after: 'missing',
      mustChange: false,
      error: 'no such account in /etc/shadow',
    };
  const needsHash = params.hash !== undefined && entry.field !== params.hash;
  // A new hash dates the change today, so a wanted expiry must be set again after it.
  const needsExpiry = params.expire && (needsHash || !mustChange(entry));
  if (!needsHash && !needsExpiry) return report(user, params, entry, entry, false);
  const today = Math.floor(ctx.now().getTime() / 86_400_000);
  if (params.dryrun) return report(user, params, entry, predict(params, entry, today), false);
  let problem: string | undefined;
  try {
    if (needsHash && params.hash !== undefined) await setHash(user, params.hash, ctx.signal);
    if (needsExpiry) await forceChange(user, ctx.signal);
  } catch (err) {
    problem = err instanceof Error ? err.message : String(err);
  }
  const after = (await readPasswords()).get(user);
  if (after === undefined)
    return {
      ...report(user, params, entry, entry, false),
      after: 'missing',
      error: 'the account vanished from /etc/shadow during the change',
    };
  const row = report(
    user,
    params,
    entry,
    after,
    after.field !== entry.field || after.lastChangeDays !== entry.lastChangeDays,
  );
  const isAsked = (params.hash === undefined || row.isHashSet === true) && (!params.expire || row.mustChange);
  if (isAsked && problem === undefined) return row;
  return { ...row, error: problem ?? 'the tools left the account otherwise than asked' };
}
