import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { armoredPublicKey, fingerprint, privateKeyPath } from '../../test/helpers/keys.js';
import { signedAction } from '../../test/helpers/actions.js';
import { ApiClient } from './api-client.js';
import { openKeyfileSigner, type Signer } from './signer.js';
import { startFakeApi, type FakeApi } from '../../test/helpers/console/services/fake-api.js';
import { emptyCounters } from '../../protocol/api.js';
import { freePort } from '../../test/helpers/free-port.js';

const noPassphrase = () => Promise.resolve('');

function actionRecord(action: Awaited<ReturnType<typeof signedAction>>, fp: string) {
  const counters = {
    ...emptyCounters(),
    targeted: 2,
    sent: 2,
  };
  return { action, status: 'inflight', investigators: [fp], counters, createdAt: new Date().toISOString() };
}

describe('ApiClient', () => {
  let api: FakeApi;
  let signer: Signer;
  let client: ApiClient;
  beforeEach(async () => {
    api = await startFakeApi({ publicKeys: [armoredPublicKey('alice')] });
    signer = await openKeyfileSigner(privateKeyPath('alice'), noPassphrase);
    client = new ApiClient({ serverUrl: `${api.url}/`, signer, now: () => new Date() });
  });
  afterEach(() => api.close());

  it('signs every request with a fresh token the server accepts', async () => {
    api.route('GET', /^\/agents\/count$/, (req) => ({
      body: { total: req.query.get('target') === 'all' ? 3 : 0, online: 2, idle: 1, offline: 0 },
    }));
    expect(await client.countAgents('all')).toEqual({ total: 3, online: 2, idle: 1, offline: 0 });
    // A second call must not be refused as a replay: each request gets its own nonce.
    expect((await client.countAgents("os = 'linux'")).total).toBe(0);
    expect(api.requests.map((r) => r.fingerprint)).toEqual([await fingerprint('alice'), await fingerprint('alice')]);
  });

  it('posts an action as JSON and parses the record', async () => {
    const action = await signedAction(['alice']);
    api.route('POST', /^\/actions$/, async (req) => ({
      status: 201,
      body: actionRecord(req.body as typeof action, await fingerprint('alice')),
    }));
    const record = await client.createAction(action);
    expect(record.action).toEqual(action);
    expect(api.requests[0]?.body).toEqual(action);
  });

  it.each([
    {
      name: 'server error body keeps code, message and hint',
      status: 400,
      body: { error: { code: 'TARGET_PARSE', message: 'target: bad at column 3', hint: 'quote strings' } },
      want: { code: 'TARGET_PARSE', message: 'target: bad at column 3', hint: 'quote strings' },
    },
    {
      name: 'unknown server code is kept in the message',
      status: 409,
      body: { error: { code: 'SOMETHING_NEW', message: 'newer server' } },
      want: { code: 'INTERNAL', message: 'SOMETHING_NEW: newer server' },
    },
    {
      name: 'error without a body',
      status: 502,
      body: '<html>bad gateway</html>',
      want: { code: 'INTERNAL', message: expect.stringContaining('HTTP 502') },
    },
    {
      name: 'success that does not match the schema',
      status: 200,
      body: { total: 'three' },
      want: { code: 'INTERNAL', message: expect.stringContaining('total') },
    },
  ])('$name', async ({ status, body, want }) => {
    api.route('GET', /^\/agents\/count$/, () => ({ status, body }));
    await expect(client.countAgents('all')).rejects.toMatchObject(want);
  });

  it('an unknown key gets UNAUTHENTICATED with a hint about registering the key', async () => {
    const bob = await openKeyfileSigner(privateKeyPath('bob'), noPassphrase);
    const stranger = new ApiClient({ serverUrl: api.url, signer: bob, now: () => new Date() });
    await expect(stranger.me()).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      hint: expect.stringContaining('mig investigators add'),
    });
  });

  it('a token from a clock an hour off is refused', async () => {
    const skewed = new ApiClient({ serverUrl: api.url, signer, now: () => new Date(Date.now() - 3_600_000) });
    await expect(skewed.me()).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'stale token' });
  });

  it('connection refused → SERVER_UNREACHABLE with a hint naming the URL', async () => {
    const port = await freePort();
    const dead = new ApiClient({ serverUrl: `http://127.0.0.1:${port}`, signer, now: () => new Date() });
    await expect(dead.health()).rejects.toMatchObject({
      code: 'SERVER_UNREACHABLE',
      message: expect.stringContaining('ECONNREFUSED'),
      hint: expect.stringContaining(`nothing listens at http://127.0.0.1:${port}, so no server runs there`),
    });
  });
});
