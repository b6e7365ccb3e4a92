import type { ModuleContext } from '../../protocol/module-spec.js';

/**
 * The loop of the account-changing response modules (account, password): each named account
 * once (a name given twice is changed once), stopped by a cancel between accounts, and every
 * row, dry or not, journaled and counted before it is yielded.
 */
export async function* changeEachAccount<State, Row extends { isApplied: boolean } & Record<string, unknown>>(
  users: readonly string[],
  before: ReadonlyMap<string, State>,
  changeOne: (user: string, state: State | undefined) => Promise<Row>,
  ctx: ModuleContext,
): AsyncGenerator<Row> {
  for (const user of new Set(users)) {
    if (ctx.signal.aborted) return;
    const row = await changeOne(user, before.get(user));
    ctx.journal?.({ ...row });
    ctx.count(row.isApplied ? 'changed' : 'unchanged');
    yield row;
  }
}
