import { afterEach, beforeEach, expect, it } from 'vitest';
import { InvestigatorListSchema, InvestigatorRecordSchema } from '../../protocol/api.js';
import { encodeToken, newTokenPayload } from '../../protocol/auth-token.js';
import { signDetached } from '../../protocol/signature.js';
import { armoredPrivateKey, armoredPublicKey, fingerprint, privateKey } from '../../test/helpers/keys.js';
import { errorCode, ServerHarness } from '../../test/helpers/broker/harness.js';

let h: ServerHarness;
beforeEach(async () => {
  h = new ServerHarness();
  await h.start();
  await h.api('POST', '/investigators', { body: { name: 'bob', publicKey: armoredPublicKey('bob') } });
  await h.api('POST', '/investigators', { body: { name: 'carol', publicKey: armoredPublicKey('carol') } });
  await h.api('POST', `/investigators/${await fingerprint('carol')}/disable`);
});
afterEach(async () => {
  await h.teardown();
});

const MIN = 60_000;
const cases: Array<{
  name: string;
  call: () => Promise<{ path: string; method?: string; authorization: string | null; body?: unknown }>;
  wantStatus: number;
  wantCode: string;
  wantMessage: RegExp;
}> = [
  {
    name: 'missing token',
    call: async () => ({ path: '/me', authorization: null }),
    wantStatus: 401,
    wantCode: 'UNAUTHENTICATED',
    wantMessage: /no Authorization/,
  },
  {
    name: 'malformed token',
    call: async () => ({ path: '/me', authorization: 'Bearer abc' }),
    wantStatus: 401,
    wantCode: 'UNAUTHENTICATED',
    wantMessage: /MIG-PGP/,
  },
  {
    name: 'payload that is not a token',
    call: async () => ({
      path: '/me',
      authorization: `MIG-PGP ${Buffer.from('{"v":2}').toString('base64url')}.${Buffer.from('sig').toString('base64url')}`,
    }),
    wantStatus: 401,
    wantCode: 'UNAUTHENTICATED',
    wantMessage: /token payload/,
  },
  {
    name: "alice's fingerprint signed by mallory",
    call: async () => {
      const { bytes } = newTokenPayload(await fingerprint('alice'), h.clock.now());
      return { path: '/me', authorization: encodeToken(bytes, await signDetached(bytes, await privateKey('mallory'))) };
    },
    wantStatus: 401,
    wantCode: 'UNAUTHENTICATED',
    wantMessage: /does not verify/,
  },
  {
    name: 'stale token',
    call: async () => ({
      path: '/me',
      authorization: await h.token('alice', { issuedAt: new Date(h.clock.now().getTime() - 6 * MIN) }),
    }),
    wantStatus: 401,
    wantCode: 'UNAUTHENTICATED',
    wantMessage: /stale/,
  },
  {
    name: 'token from the future',
    call: async () => ({
      path: '/me',
      authorization: await h.token('alice', { issuedAt: new Date(h.clock.now().getTime() + 6 * MIN) }),
    }),
    wantStatus: 401,
    wantCode: 'UNAUTHENTICATED',
    wantMessage: /stale/,
  },
  {
    name: 'replayed token',
    call: async () => {
      const token = await h.token('alice');
      expect((await h.api('GET', '/me', { authorization: token })).status).toBe(200);
      return { path: '/me', authorization: token };
    },
    wantStatus: 401,
    wantCode: 'UNAUTHENTICATED',
    wantMessage: /replayed/,
  },
  {
    name: 'unknown investigator',
    call: async () => ({ path: '/me', authorization: await h.token('mallory') }),
    wantStatus: 401,
    wantCode: 'UNAUTHENTICATED',
    wantMessage: /no investigator/,
  },
  {
    name: 'disabled investigator',
    call: async () => ({ path: '/me', authorization: await h.token('carol') }),
    wantStatus: 403,
    wantCode: 'FORBIDDEN',
    wantMessage: /disabled/,
  },
  {
    name: 'non-admin on an admin route',
    call: async () => ({
      path: '/investigators',
      method: 'POST',
      authorization: await h.token('bob'),
      body: { name: 'mallory', publicKey: armoredPublicKey('mallory') },
    }),
    wantStatus: 403,
    wantCode: 'FORBIDDEN',
    wantMessage: /not an admin/,
  },
];

it.each(cases)('refuses $name', async ({ call, wantStatus, wantCode, wantMessage }) => {
  const { path, method, authorization, body } = await call();
  const res = await h.api(method ?? 'GET', path, { authorization, body });
  expect({ status: res.status, code: errorCode(res) }).toEqual({ status: wantStatus, code: wantCode });
  expect((res.body as { error: { message: string } }).error.message).toMatch(wantMessage);
});

it('answers /me and /health', async () => {
  const me = InvestigatorRecordSchema.parse((await h.api('GET', '/me', { as: 'bob' })).body);
  expect(me).toMatchObject({ name: 'bob', isAdmin: false, status: 'active', fingerprint: await fingerprint('bob') });
  expect((await h.api('GET', '/health', { authorization: null })).body).toMatchObject({ ok: true });
});

it.each([
  { name: 'unknown route', method: 'GET', path: '/nope', wantStatus: 404, wantCode: 'NOT_FOUND' },
  { name: 'wrong method', method: 'DELETE', path: '/actions', wantStatus: 405, wantCode: 'BAD_REQUEST' },
  {
    name: 'unknown query parameter',
    method: 'GET',
    path: '/actions?colour=red',
    wantStatus: 400,
    wantCode: 'BAD_REQUEST',
  },
  { name: 'bad limit', method: 'GET', path: '/actions?limit=0', wantStatus: 400, wantCode: 'BAD_REQUEST' },
  { name: 'unknown action', method: 'GET', path: `/actions/${'a'.repeat(32)}`, wantStatus: 404, wantCode: 'NOT_FOUND' },
])('answers $name with a coded error', async ({ method, path, wantStatus, wantCode }) => {
  const res = await h.api(method, path);
  expect({ status: res.status, code: errorCode(res) }).toEqual({ status: wantStatus, code: wantCode });
});

it.each([
  {
    name: 'a private key',
    body: async () => ({ name: 'x', publicKey: armoredPrivateKey('mallory') }),
    wantStatus: 400,
    wantCode: 'BAD_REQUEST',
  },
  {
    name: 'garbage',
    body: async () => ({ name: 'x', publicKey: 'not a key' }),
    wantStatus: 400,
    wantCode: 'BAD_REQUEST',
  },
  {
    name: 'an enrolled key',
    body: async () => ({ name: 'bob2', publicKey: armoredPublicKey('bob') }),
    wantStatus: 409,
    wantCode: 'CONFLICT',
  },
  {
    name: 'an unknown field',
    body: async () => ({ name: 'x', publicKey: armoredPublicKey('mallory'), role: 'god' }),
    wantStatus: 400,
    wantCode: 'BAD_REQUEST',
  },
])('refuses to enrol $name', async ({ body, wantStatus, wantCode }) => {
  const res = await h.api('POST', '/investigators', { body: await body() });
  expect({ status: res.status, code: errorCode(res) }).toEqual({ status: wantStatus, code: wantCode });
});

it('enables a disabled investigator again and refuses to disable the last admin', async () => {
  const carol = await fingerprint('carol');
  expect((await h.api('POST', `/investigators/${carol}/enable`)).status).toBe(200);
  expect((await h.api('GET', '/me', { as: 'carol' })).status).toBe(200);
  const last = await h.api('POST', `/investigators/${await fingerprint('alice')}/disable`);
  expect({ status: last.status, code: errorCode(last) }).toEqual({ status: 409, code: 'CONFLICT' });
  const list = InvestigatorListSchema.parse((await h.api('GET', '/investigators')).body);
  expect(list.investigators.map((i) => `${i.name}:${i.status}`)).toEqual([
    'alice:active',
    'bob:active',
    'carol:active',
  ]);
});
