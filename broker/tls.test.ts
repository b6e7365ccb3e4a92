import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { AgentRecordSchema } from '../protocol/api.js';
import { FakeAgent } from '../test/helpers/broker/fake-agent.js';
import { ServerHarness, waitFor } from '../test/helpers/broker/harness.js';
import { selfSignedCert } from '../test/helpers/broker/openssl.js';

let h: ServerHarness;
let pkiDir: string;
let pem: { cert: string; key: string };

beforeEach(async () => {
  pkiDir = await mkdtemp(join(tmpdir(), 'mig-server-tls-'));
  // A self-signed server certificate for 127.0.0.1, as an operator would make for a first try.
  selfSignedCert(pkiDir, 'server', '127.0.0.1', ['subjectAltName=IP:127.0.0.1']);
  pem = {
    cert: await readFile(join(pkiDir, 'server.pem'), 'utf8'),
    key: await readFile(join(pkiDir, 'server.key'), 'utf8'),
  };
  h = new ServerHarness();
});
afterEach(async () => {
  await h.teardown();
  await rm(pkiDir, { recursive: true, force: true });
});

function httpsGet(url: string, authorization?: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      url,
      { ca: pem.cert, headers: authorization === undefined ? {} : { authorization } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
      },
    );
    req.on('error', reject);
  });
}

it('serves MQTT over TLS and HTTPS with one certificate, and tells agents to trust it', async () => {
  const server = await h.start({ tls: pem });
  expect(server.mqttUrl).toMatch(/^mqtts:\/\//);
  expect(server.httpUrl).toMatch(/^https:\/\//);
  expect((await httpsGet(`${server.httpUrl}/health`)).body).toMatchObject({ ok: true });

  const agent = await FakeAgent.connect(server.mqttUrl, server.enrollmentSecret, 'tls-host', { ca: pem.cert });
  try {
    await agent.heartbeat();
    // The heartbeat reaching the registry proves the server's own client got in over TLS.
    let answer = { status: 0, body: null as unknown };
    await waitFor(async () => {
      answer = await httpsGet(`${server.httpUrl}/agents/${agent.id}`, await h.token('alice'));
      return answer.status === 200 && (answer.body as { status?: string }).status === 'online';
    }, 'the agent in the registry');
    expect(AgentRecordSchema.parse(answer.body).name).toBe('tls-host');
  } finally {
    await agent.close();
  }

  const config = JSON.parse(await readFile(server.agentConfigPath, 'utf8')) as {
    brokerUrl: string;
    tls: { ca: string };
  };
  expect(config.brokerUrl).toBe(server.mqttUrl);
  expect(await readFile(join(h.dataDir, config.tls.ca), 'utf8')).toBe(pem.cert);
});
