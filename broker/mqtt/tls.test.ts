import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IClientOptions } from 'mqtt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commandsTopic } from '../../protocol/topics.js';
import { AGENT_USERNAME, newSecret } from './credentials.js';
import { BrokerHarness, nextMessage, refusalCode } from '../../test/helpers/broker/mqtt-harness.js';
import { openssl as runOpenssl, selfSignedCert } from '../../test/helpers/broker/openssl.js';

/** A throwaway PKI made with the openssl CLI: a CA, a server cert, client certs, and a rogue CA. */
interface Pem {
  cert: string;
  key: string;
}
interface Pki {
  ca: string;
  server: Pem;
  agentOne: Pem;
  agentTwo: Pem;
  rogueAgentOne: Pem;
}

let dir: string;
let pki: Pki;

function openssl(...args: string[]): void {
  runOpenssl(dir, ...args);
}

function makeCa(name: string): void {
  selfSignedCert(dir, name, name, ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign']);
}

// Alike on purpose (duplicates): openssl command lines flag by flag as in openssl's manual: a key and CSR, then the
// CA's signature; test/helpers/broker/openssl.ts makes a self-signed cert and shares only the P-256 key flags.
function issue(name: string, cn: string, ca: string, extensions: string): Pem {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${cn}`,
  );
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    `${name}.pem`,
    '-extfile',
    `${name}.ext`,
  );
  return { cert: readFileSync(join(dir, `${name}.pem`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8') };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mig-mqtt-tls-'));
  makeCa('ca');
  makeCa('rogue');
  const client = 'extendedKeyUsage=clientAuth\n';
  pki = {
    ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    server: issue(
      'server',
      'localhost',
      'ca',
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
    ),
    agentOne: issue('agent-one', 'agent-one', 'ca', client),
    agentTwo: issue('agent-two', 'agent-two', 'ca', client),
    rogueAgentOne: issue('rogue-one', 'agent-one', 'rogue', client),
  };
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let h: BrokerHarness;
beforeEach(() => {
  h = new BrokerHarness();
});
afterEach(async () => {
  await h.teardown();
});

const startTls = (withCa: boolean) => h.start({ tls: { ...pki.server, ca: withCa ? pki.ca : undefined } });
/** Trust the test CA for the server certificate; add a client certificate when given. */
const tlsClient = (extra: IClientOptions, cert?: Pem): IClientOptions => ({
  clientId: 'agent-one',
  ca: pki.ca,
  rejectUnauthorized: true,
  ...cert,
  ...extra,
});

describe('mqtts', () => {
  const cases: { name: string; input: (h: BrokerHarness) => IClientOptions; want: number | 'connected' }[] = [
    {
      name: 'own password, no certificate',
      input: (h) => tlsClient({ username: AGENT_USERNAME, password: h.passwordOf('agent-one') }),
      want: 'connected',
    },
    {
      name: 'enrollment secret, no certificate',
      input: (h) => tlsClient({ username: AGENT_USERNAME, password: h.enrollmentSecret }),
      want: 5,
    },
    {
      name: 'wrong password, no certificate',
      input: () => tlsClient({ username: AGENT_USERNAME, password: newSecret() }),
      want: 5,
    },
    {
      name: 'certificate with CN = client id, no password',
      input: () => tlsClient({ username: AGENT_USERNAME }, pki.agentOne),
      want: 'connected',
    },
    { name: 'certificate alone, no username', input: () => tlsClient({}, pki.agentOne), want: 'connected' },
    {
      name: 'certificate naming another agent',
      input: () => tlsClient({ username: AGENT_USERNAME }, pki.agentTwo),
      want: 5,
    },
    {
      name: 'certificate naming another agent, good password',
      input: (h) => tlsClient({ username: AGENT_USERNAME, password: h.passwordOf('agent-one') }, pki.agentTwo),
      want: 5,
    },
    {
      name: 'certificate from an unknown CA, no password',
      input: () => tlsClient({ username: AGENT_USERNAME }, pki.rogueAgentOne),
      want: 5,
    },
    {
      name: 'certificate from an unknown CA, good password',
      input: (h) => tlsClient({ username: AGENT_USERNAME, password: h.passwordOf('agent-one') }, pki.rogueAgentOne),
      want: 'connected',
    },
  ];

  it.each(cases)('$name: $want', async ({ input, want }) => {
    await startTls(true);
    expect(h.broker.url).toBe(`mqtts://127.0.0.1:${h.broker.port}`);
    expect(await refusalCode(h.connect(input(h)))).toBe(want);
  });

  it('without a CA it asks for no certificate, so a certificate alone is not enough', async () => {
    await startTls(false);
    expect(await refusalCode(h.connect(tlsClient({ username: AGENT_USERNAME }, pki.agentOne)))).toBe(5);
    expect(
      await refusalCode(h.connect(tlsClient({ username: AGENT_USERNAME, password: h.passwordOf('agent-one') }))),
    ).toBe('connected');
  });

  it('carries a command to an agent authenticated by its certificate', async () => {
    await startTls(true);
    const agent = await h.connect(tlsClient({}, pki.agentOne));
    await agent.subscribeAsync(commandsTopic('agent-one'), { qos: 1 });
    const server = await h.server({ ca: pki.ca, rejectUnauthorized: true });
    const got = nextMessage(agent, commandsTopic('agent-one'));
    await server.publishAsync(commandsTopic('agent-one'), 'over-tls', { qos: 1 });
    expect((await got).payload).toBe('over-tls');
  });
});
