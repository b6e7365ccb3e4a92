import { describe, expect, it } from 'vitest';
import { CONNACK, authenticateClient, type ConnectAttempt } from './authenticate.js';
import {
  AGENT_USERNAME,
  ENROLL_USERNAME,
  SERVER_USERNAME,
  newSecret,
  passwordHash,
  secretMatches,
  serverClientId,
} from './credentials.js';

/** agent-one is accepted with its own password; agent-two is not enrolled. */
const agentOnePassword = newSecret();
const secrets = {
  enrollmentSecret: newSecret(),
  serverSecret: newSecret(),
  agentPasswordHash: (id: string) => (id === 'agent-one' ? passwordHash(agentOnePassword) : undefined),
};
const enroll = Buffer.from(secrets.enrollmentSecret);
const own = Buffer.from(agentOnePassword);
const serverPw = Buffer.from(secrets.serverSecret);
const ENROLLEE_ID = 'mig-enroll-a-0123456789abcdef0123-0badcafe';
const SERVER_ID = 'mig-server-0123456789abcdef';

const attempt = (over: Partial<ConnectAttempt>): ConnectAttempt => ({
  clientId: 'agent-one',
  username: AGENT_USERNAME,
  password: own,
  verifiedCertCn: undefined,
  ...over,
});

interface Case {
  name: string;
  input: ConnectAttempt;
  want?: string;
  wantCode?: number;
}

const cases: Case[] = [
  { name: 'accepted agent with its own password', input: attempt({}), want: 'agent:agent-one:password' },
  {
    name: 'accepted agent logging in under its own id',
    input: attempt({ username: 'agent-one' }),
    want: 'agent:agent-one:password',
  },
  {
    name: "an agent's own password under another agent's id as login",
    input: attempt({ username: 'agent-two' }),
    wantCode: CONNACK.BAD_USERNAME_OR_PASSWORD,
  },
  {
    name: "another agent's id as login and client id, with this one's password",
    input: attempt({ clientId: 'agent-two', username: 'agent-two' }),
    wantCode: CONNACK.NOT_AUTHORIZED,
  },
  {
    name: 'accepted agent id with the enrollment secret (impersonation)',
    input: attempt({ password: enroll }),
    wantCode: CONNACK.NOT_AUTHORIZED,
  },
  {
    name: 'accepted agent id with a wrong password',
    input: attempt({ password: Buffer.from('nope') }),
    wantCode: CONNACK.NOT_AUTHORIZED,
  },
  { name: 'agent with the server secret', input: attempt({ password: serverPw }), wantCode: CONNACK.NOT_AUTHORIZED },
  { name: 'agent without a password', input: attempt({ password: undefined }), wantCode: CONNACK.NOT_AUTHORIZED },
  {
    name: 'agent with an empty password',
    input: attempt({ password: Buffer.alloc(0) }),
    wantCode: CONNACK.NOT_AUTHORIZED,
  },
  { name: "another agent's password", input: attempt({ clientId: 'agent-two' }), wantCode: CONNACK.NOT_AUTHORIZED },
  {
    name: 'not enrolled agent with the enrollment secret',
    input: attempt({ clientId: 'agent-two', password: enroll }),
    wantCode: CONNACK.NOT_AUTHORIZED,
  },
  {
    name: 'enrollee with the enrollment secret',
    input: attempt({ clientId: ENROLLEE_ID, username: ENROLL_USERNAME, password: enroll }),
    want: 'enrollee:a-0123456789abcdef0123:enrollment',
  },
  {
    name: 'enrollee with a wrong secret',
    input: attempt({ clientId: ENROLLEE_ID, username: ENROLL_USERNAME, password: Buffer.from('nope') }),
    wantCode: CONNACK.BAD_USERNAME_OR_PASSWORD,
  },
  // Alike on purpose (duplicates): one row per refused login. The enrollee rows and the server rows make the same
  // mistakes on purpose (the other role's password, an agent id as client id, an id without its suffix): each role
  // must refuse every one.
  {
    name: 'enrollee with an agent password',
    input: attempt({ clientId: ENROLLEE_ID, username: ENROLL_USERNAME }),
    wantCode: CONNACK.BAD_USERNAME_OR_PASSWORD,
  },
  {
    name: 'enrollee using the agent id as client id',
    input: attempt({ username: ENROLL_USERNAME, password: enroll }),
    wantCode: CONNACK.IDENTIFIER_REJECTED,
  },
  {
    name: 'enrollee without the random suffix',
    input: attempt({ clientId: 'mig-enroll-agent-one', username: ENROLL_USERNAME, password: enroll }),
    wantCode: CONNACK.IDENTIFIER_REJECTED,
  },
  {
    name: 'enrollee for a server id',
    input: attempt({
      clientId: `mig-enroll-${'mig-server-0123456789abcdef'}-0badcafe`,
      username: ENROLL_USERNAME,
      password: enroll,
    }),
    wantCode: CONNACK.IDENTIFIER_REJECTED,
  },
  {
    name: 'no username, no certificate',
    input: attempt({ username: undefined }),
    wantCode: CONNACK.BAD_USERNAME_OR_PASSWORD,
  },
  { name: 'unknown username', input: attempt({ username: 'admin' }), wantCode: CONNACK.BAD_USERNAME_OR_PASSWORD },
  { name: 'agent id with capitals', input: attempt({ clientId: 'Agent-One' }), wantCode: CONNACK.IDENTIFIER_REJECTED },
  { name: 'agent id too short', input: attempt({ clientId: 'ab' }), wantCode: CONNACK.IDENTIFIER_REJECTED },
  {
    name: 'aedes-generated id (empty client id)',
    input: attempt({ clientId: 'aedes_1234' }),
    wantCode: CONNACK.IDENTIFIER_REJECTED,
  },
  {
    name: "agent taking a server's client id",
    input: attempt({ clientId: SERVER_ID }),
    wantCode: CONNACK.IDENTIFIER_REJECTED,
  },
  {
    name: 'agent by certificate, no password',
    input: attempt({ password: undefined, verifiedCertCn: 'agent-one' }),
    want: 'agent:agent-one:certificate',
  },
  {
    name: 'agent by certificate, no username',
    input: attempt({ username: undefined, password: undefined, verifiedCertCn: 'agent-one' }),
    want: 'agent:agent-one:certificate',
  },
  {
    name: 'certificate naming another agent',
    input: attempt({ password: undefined, verifiedCertCn: 'agent-two' }),
    wantCode: CONNACK.NOT_AUTHORIZED,
  },
  {
    name: 'certificate naming another agent, good password',
    input: attempt({ verifiedCertCn: 'agent-two' }),
    wantCode: CONNACK.NOT_AUTHORIZED,
  },
  {
    name: 'certificate of an agent not enrolled yet',
    input: attempt({ clientId: 'agent-two', password: undefined, verifiedCertCn: 'agent-two' }),
    want: 'agent:agent-two:certificate',
  },
  {
    name: 'certificate whose CN is not an agent id',
    input: attempt({ clientId: 'Bad Id', password: undefined, verifiedCertCn: 'Bad Id' }),
    wantCode: CONNACK.IDENTIFIER_REJECTED,
  },
  {
    name: 'server with the server secret',
    input: attempt({ clientId: SERVER_ID, username: SERVER_USERNAME, password: serverPw }),
    want: `server:${SERVER_ID}:password`,
  },
  {
    name: 'server with the enrollment secret',
    input: attempt({ clientId: SERVER_ID, username: SERVER_USERNAME }),
    wantCode: CONNACK.BAD_USERNAME_OR_PASSWORD,
  },
  {
    name: 'server with an agent id',
    input: attempt({ username: SERVER_USERNAME, password: serverPw }),
    wantCode: CONNACK.IDENTIFIER_REJECTED,
  },
  {
    name: 'server id with non-hex suffix',
    input: attempt({ clientId: 'mig-server-xyz12345', username: SERVER_USERNAME, password: serverPw }),
    wantCode: CONNACK.IDENTIFIER_REJECTED,
  },
  {
    name: 'server by certificate only',
    input: attempt({ clientId: SERVER_ID, username: SERVER_USERNAME, password: undefined, verifiedCertCn: SERVER_ID }),
    wantCode: CONNACK.BAD_USERNAME_OR_PASSWORD,
  },
];

describe('authenticateClient', () => {
  it.each(cases)('$name', ({ input, want, wantCode }) => {
    const got = authenticateClient(input, secrets);
    if (got.ok) {
      const id = got.principal.role === 'server' ? got.principal.clientId : got.principal.agentId;
      expect(`${got.principal.role}:${id}:${got.method}`).toBe(want);
    } else {
      expect(got.returnCode).toBe(wantCode);
      expect(want).toBeUndefined();
    }
  });
});

describe('credentials', () => {
  it('makes server client ids the broker accepts', () => {
    const id = serverClientId();
    expect(id).toMatch(/^mig-server-[0-9a-f]{16}$/);
    expect(
      authenticateClient(attempt({ clientId: id, username: SERVER_USERNAME, password: serverPw }), secrets).ok,
    ).toBe(true);
  });

  it('makes 32-byte base64url secrets, each different', () => {
    const a = newSecret();
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newSecret()).not.toBe(a);
  });

  it.each([
    { name: 'same secret', input: ['s3cret', 's3cret'] as const, want: true },
    { name: 'longer guess', input: ['s3cret-and-more', 's3cret'] as const, want: false },
    { name: 'prefix guess', input: ['s3c', 's3cret'] as const, want: false },
    { name: 'empty expected secret never matches', input: ['', ''] as const, want: false },
  ])('secretMatches: $name', ({ input, want }) => {
    expect(secretMatches(Buffer.from(input[0]), input[1])).toBe(want);
  });
});
