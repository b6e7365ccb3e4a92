import { canonicalActionBytes, newActionId } from '../../protocol/canonical.js';
import { signDetached } from '../../protocol/signature.js';
import type { Operation, SignedAction, UnsignedAction } from '../../protocol/action.js';
import { privateKey, type TestPerson } from './keys.js';

export interface TestActionOptions {
  operations?: Operation[];
  target?: string;
  name?: string;
  validFrom?: Date;
  expireAfter?: Date;
  now?: Date;
  id?: string;
}

/** An unsigned action valid from a minute ago for five minutes, running a harmless file search. */
export function unsignedAction(opts: TestActionOptions = {}): UnsignedAction {
  const now = opts.now ?? new Date();
  return {
    v: 1,
    id: opts.id ?? newActionId(),
    name: opts.name ?? 'test action',
    target: opts.target ?? 'all',
    validFrom: (opts.validFrom ?? new Date(now.getTime() - 60_000)).toISOString(),
    expireAfter: (opts.expireAfter ?? new Date(now.getTime() + 5 * 60_000)).toISOString(),
    operations: opts.operations ?? [
      { module: 'file', parameters: { searches: { s1: { paths: ['/etc'], names: ['^passwd$'] } } } },
    ],
  };
}

/** Signs with each listed test key, in order, exactly as an investigator's console would. */
export async function signAs(action: UnsignedAction, signers: readonly TestPerson[]): Promise<SignedAction> {
  const bytes = canonicalActionBytes(action);
  const signatures: string[] = [];
  for (const person of signers) signatures.push(await signDetached(bytes, await privateKey(person)));
  return { ...action, signatures };
}

export async function signedAction(
  signers: readonly TestPerson[],
  opts: TestActionOptions = {},
): Promise<SignedAction> {
  return signAs(unsignedAction(opts), signers);
}
