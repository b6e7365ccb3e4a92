import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SignedAction } from '../../protocol/action.js';
import { signAs, signedAction, unsignedAction } from '../../test/helpers/actions.js';
import { armoredPublicKey, fingerprint } from '../../test/helpers/keys.js';
import { errorCode, ServerHarness } from '../../test/helpers/broker/harness.js';

let h: ServerHarness;
beforeEach(async () => {
  h = new ServerHarness();
  await h.start();
  // Alike on purpose (duplicates): each file enrolls the investigators its refusals need (bob disabled here; bob, and
  // carol disabled, in auth.test.ts).
  // bob is enrolled, then disabled; mallory is never enrolled.
  await h.api('POST', '/investigators', { body: { name: 'bob', publicKey: armoredPublicKey('bob') } });
  await h.api('POST', `/investigators/${await fingerprint('bob')}/disable`);
});
afterEach(async () => {
  await h.teardown();
});

const HOUR = 3_600_000;
const cases: Array<{
  name: string;
  input: () => Promise<SignedAction | string>;
  wantStatus: number;
  wantCode: string;
}> = [
  {
    name: 'tampered after signing',
    input: async () => ({ ...(await signedAction(['alice'])), name: 'something else' }),
    wantStatus: 400,
    wantCode: 'BAD_SIGNATURE',
  },
  {
    name: 'signed by an unknown key',
    input: () => signedAction(['mallory']),
    wantStatus: 400,
    wantCode: 'UNKNOWN_SIGNER',
  },
  {
    name: 'signed by a disabled investigator',
    input: () => signedAction(['bob']),
    wantStatus: 403,
    wantCode: 'FORBIDDEN',
  },
  {
    name: 'not signed at all',
    input: async () => ({ ...unsignedAction(), signatures: [] }),
    wantStatus: 400,
    wantCode: 'NO_SIGNATURE',
  },
  {
    name: 'already expired',
    input: () =>
      signedAction(['alice'], { validFrom: new Date(Date.now() - 2 * HOUR), expireAfter: new Date(Date.now() - HOUR) }),
    wantStatus: 400,
    wantCode: 'EXPIRED',
  },
  {
    name: 'window ends before it starts',
    input: () =>
      signedAction(['alice'], { validFrom: new Date(Date.now() + 2 * HOUR), expireAfter: new Date(Date.now() + HOUR) }),
    wantStatus: 400,
    wantCode: 'BAD_REQUEST',
  },
  {
    name: 'window longer than 7 days',
    input: () => signedAction(['alice'], { expireAfter: new Date(Date.now() + 8 * 24 * HOUR) }),
    wantStatus: 400,
    wantCode: 'VALIDITY_TOO_LONG',
  },
  {
    name: 'target does not parse',
    input: () => signedAction(['alice'], { target: "os = 'linux' and" }),
    wantStatus: 400,
    wantCode: 'TARGET_PARSE',
  },
  {
    name: 'unknown key in the action',
    input: async () =>
      signAs({ ...unsignedAction(), extra: 1 } as unknown as ReturnType<typeof unsignedAction>, ['alice']),
    wantStatus: 400,
    wantCode: 'MALFORMED_ACTION',
  },
  // JSON.parse gives Infinity for 1e999 and keeps lone surrogates: RFC 8785 cannot sign either.
  {
    name: 'a number JSON cannot hold',
    input: async () => JSON.stringify(await signedAction(['alice'])).replace('"names":', '"depth":1e999,"names":'),
    wantStatus: 400,
    wantCode: 'MALFORMED_ACTION',
  },
  {
    name: 'a lone surrogate',
    input: async () =>
      JSON.stringify(await signedAction(['alice'])).replace('"name":"test action"', '"name":"test \\ud800"'),
    wantStatus: 400,
    wantCode: 'MALFORMED_ACTION',
  },
  { name: 'body is not JSON', input: async () => '{"v":1,', wantStatus: 400, wantCode: 'BAD_REQUEST' },
  {
    name: 'body is too large',
    input: async () => JSON.stringify({ pad: 'x'.repeat(600 * 1024) }),
    wantStatus: 413,
    wantCode: 'PAYLOAD_TOO_LARGE',
  },
];

it.each(cases)('refuses an action: $name', async ({ input, wantStatus, wantCode }) => {
  const res = await h.api('POST', '/actions', { body: await input() });
  expect({ status: res.status, code: errorCode(res) }).toEqual({ status: wantStatus, code: wantCode });
  expect((await h.api('GET', '/actions')).body).toMatchObject({ total: 0 });
});

it('refuses a second action with the same id', async () => {
  const signed = await signedAction(['alice']);
  expect((await h.submit(signed)).status).toBe(201);
  const again = await h.submit(signed);
  expect({ status: again.status, code: errorCode(again) }).toEqual({ status: 409, code: 'CONFLICT' });
});

it('audits refused actions', async () => {
  await h.submit(await signedAction(['mallory']));
  const { readFile } = await import('node:fs/promises');
  const audit = await readFile(`${h.dataDir}/audit.log`, 'utf8');
  expect(audit).toContain('"what":"action.invalid"');
  expect(audit).toContain('UNKNOWN_SIGNER');
});
