import { describe, expect, it } from 'vitest';
import { fakeEnrollRequest, fakeIdentity } from '../../test/helpers/broker/fake-identity.js';
import type { StoredAgent } from '../store/store.js';
import { decideEnrollment, type EnrollContext } from './enrollment.js';

const me = fakeIdentity('web-1');
const request = fakeEnrollRequest(me);
const NOW = '2026-12-06T12:00:00.000Z';
const HASH = 'a'.repeat(64);
const OTHER_HASH = 'b'.repeat(64);

const stored = (over: Partial<StoredAgent>): StoredAgent => ({
  id: me.id,
  name: 'web-1',
  os: 'linux',
  arch: 'x64',
  version: '1',
  mode: 'daemon',
  queueloc: 'q',
  environment: { ident: '', init: '', addresses: [], hostname: '' },
  tags: {},
  modules: [],
  status: 'offline',
  heartbeatMs: 1000,
  startedAt: NOW,
  firstSeenAt: NOW,
  lastHeartbeatAt: NOW,
  ...over,
});
const ctx = (over: Partial<EnrollContext>): EnrollContext => ({
  existing: undefined,
  pendingCount: 0,
  policy: { autoAccept: false, maxPending: 2 },
  binding: 'derived',
  passwordHash: HASH,
  nowIso: NOW,
  ...over,
});

describe('decideEnrollment', () => {
  it.each([
    { name: 'a new agent waits', input: ctx({}), want: { store: true, state: 'pending' } },
    {
      name: 'a new agent under auto-accept',
      input: ctx({ policy: { autoAccept: true, maxPending: 2 } }),
      want: { store: true, state: 'accepted' },
    },
    {
      name: 'a new agent beyond the pending cap',
      input: ctx({ pendingCount: 2 }),
      want: { store: false, state: 'rejected', isCapped: true },
    },
    // Alike on purpose (duplicates): one row per stored enrollment state and request, each with what is stored and
    // the state answered.
    {
      name: 'a stranger claiming an id its key does not derive',
      input: ctx({ binding: 'legacy' }),
      want: { store: false, state: 'rejected' },
    },
    {
      name: 'pending, asking again unchanged',
      input: ctx({ existing: stored({ enrollment: 'pending', publicKey: me.publicKey, passwordHash: HASH }) }),
      want: { store: false, state: 'pending' },
    },
    {
      name: 'pending, auto-accept turned on since',
      input: ctx({
        existing: stored({ enrollment: 'pending', publicKey: me.publicKey, passwordHash: HASH }),
        policy: { autoAccept: true, maxPending: 2 },
      }),
      want: { store: true, state: 'accepted' },
    },
    {
      name: 'accepted, asking again unchanged',
      input: ctx({ existing: stored({ enrollment: 'accepted', publicKey: me.publicKey, passwordHash: HASH }) }),
      want: { store: false, state: 'accepted' },
    },
    {
      name: 'accepted, a new password signed by its key',
      input: ctx({ existing: stored({ enrollment: 'accepted', publicKey: me.publicKey, passwordHash: OTHER_HASH }) }),
      want: { store: true, state: 'accepted' },
    },
    {
      name: 'rejected stays rejected',
      input: ctx({ existing: stored({ enrollment: 'rejected', publicKey: me.publicKey, passwordHash: HASH }) }),
      want: { store: false, state: 'rejected' },
    },
    {
      name: 'another key for a bound id',
      input: ctx({
        existing: stored({ enrollment: 'accepted', publicKey: fakeIdentity('x').publicKey, passwordHash: HASH }),
        binding: 'legacy',
      }),
      want: { store: false, state: 'rejected' },
    },
    {
      name: 'a legacy agent binds its first key',
      input: ctx({ existing: stored({}), binding: 'legacy' }),
      want: { store: true, state: 'accepted' },
    },
  ])('$name', ({ input, want }) => {
    expect(decideEnrollment(request, input)).toMatchObject(want);
  });

  it('binds a legacy id once: the stored record carries the key, the hash and who decided', () => {
    const decision = decideEnrollment(request, ctx({ existing: stored({ name: 'old' }), binding: 'legacy' }));
    expect(decision.store && decision.record).toMatchObject({
      publicKey: me.publicKey,
      passwordHash: HASH,
      enrollment: 'accepted',
      decidedBy: 'legacy-binding',
      name: 'web-1',
    });
  });
});
