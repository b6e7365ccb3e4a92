import { createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { agentIdFromPublicKey, publicKeyBase64, signWithAgentKey } from '../../../protocol/agent-key.js';
import { enrollSigningBytes, type EnrollRequest, type UnsignedEnrollRequest } from '../../../protocol/enrollment.js';
import { MESSAGE_VERSION } from '../../../protocol/messages.js';

/**
 * Test-only: a deterministic agent identity per label (Ed25519 key from sha256 of the label,
 * its derived id, a broker password), so a test can name agents 'web-1' and reconnect one
 * under the same identity after a restart.
 */
export interface FakeIdentity {
  label: string;
  id: string;
  privateKey: KeyObject;
  publicKey: string;
  password: string;
}

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function fakeIdentity(label: string): FakeIdentity {
  const seed = createHash('sha256').update(`mig-test-agent:${label}`).digest();
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = publicKeyBase64(privateKey);
  const password = createHash('sha256').update(`mig-test-password:${label}`).digest('base64url');
  return { label, id: agentIdFromPublicKey(publicKey), privateKey, publicKey, password };
}

/** The id `fakeIdentity(label)` has, for tests that need it before connecting. */
export function fakeAgentId(label: string): string {
  return fakeIdentity(label).id;
}

export interface FakeEnrollOverrides extends Partial<Omit<UnsignedEnrollRequest, 'facts'>> {
  facts?: Partial<UnsignedEnrollRequest['facts']>;
}

/** A signed enrollment request for `identity`; overrides land before signing. */
export function fakeEnrollRequest(identity: FakeIdentity, overrides: FakeEnrollOverrides = {}): EnrollRequest {
  const { facts, ...rest } = overrides;
  const unsigned: UnsignedEnrollRequest = {
    v: MESSAGE_VERSION,
    kind: 'enroll',
    agentId: identity.id,
    publicKey: identity.publicKey,
    password: identity.password,
    name: identity.label,
    tags: {},
    facts: {
      os: 'linux',
      arch: 'x64',
      version: '0.1.0',
      mode: 'daemon',
      queueloc: `linux.${identity.label}`,
      environment: { ident: 'Debian 12', init: 'systemd', addresses: ['10.0.0.1'], hostname: identity.label },
      modules: ['file'],
      heartbeatMs: 30_000,
      ...facts,
    },
    sentAt: new Date().toISOString(),
    ...rest,
  };
  return { ...unsigned, signature: signWithAgentKey(identity.privateKey, enrollSigningBytes(unsigned)) };
}
