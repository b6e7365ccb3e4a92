import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ENROLL_USERNAME, enrollClientId } from '../../broker/mqtt/credentials.js';
import { errorCode, ServerHarness, waitFor } from '../helpers/broker/harness.js';
import { dropCounts } from '../../broker/wire/drops.js';
import { connectClient, type FakeAgent } from '../helpers/broker/fake-agent.js';
import { fakeEnrollRequest, fakeIdentity } from '../helpers/broker/fake-identity.js';
import { AgentRecordSchema, CommandRecordSchema } from '../../protocol/api.js';
import { EnrollRequestSchema, EnrollStatusSchema, ENROLL_LIMITS } from '../../protocol/enrollment.js';
import {
  HeartbeatMessageSchema,
  MAX_MESSAGE_BYTES,
  OfflineMessageSchema,
  ResultMessageSchema,
} from '../../protocol/messages.js';
import { parsePayload } from '../../protocol/payload.js';
import { enrollRequestTopic, enrollStatusTopic, heartbeatTopic, resultsTopic } from '../../protocol/topics.js';
import { signedAction } from '../helpers/actions.js';
import { fuzzParams, fuzzTimeout, payloadFrom } from './arbitraries.js';

/**
 * Fuzzing what agents send the server (results, heartbeats, enrollment requests) through the
 * real broker into a real server. MQTT cannot answer a publisher, so the documented behaviour
 * for a bad message is a coded drop (broker/wire/drops.ts: `dropped [CODE]: …` in the log);
 * an enrollment request is answered `rejected` with the reason. Properties: every payload the
 * schemas refuse is dropped with a code (or rejected), no drop goes uncoded, the server keeps
 * answering, and what it stored still parses.
 */
const h = new ServerHarness();
let agent: FakeAgent;
let commandId = '';
let actionId = '';

beforeAll(async () => {
  await h.start();
  agent = await h.agent('fuzzer');
  const action = await signedAction(['alice'], { target: `name = 'fuzzer'` });
  actionId = action.id;
  expect((await h.submit(action)).status).toBe(201);
  await waitFor(() => agent.commands.length > 0, 'the command');
  commandId = agent.commands[0]?.commandId ?? '';
}, 60_000);
afterAll(() => h.teardown());

const HeartbeatTopicSchema = z.discriminatedUnion('kind', [HeartbeatMessageSchema, OfflineMessageSchema]);

function refused(schema: z.ZodType, payload: string | Uint8Array, maxBytes: number): boolean {
  try {
    parsePayload(schema, payload, maxBytes, 'fuzz', 'MALFORMED_MESSAGE');
    return false;
  } catch {
    return true;
  }
}

const drops = (): string[] => h.logs.filter((l) => /\bdropped\b/.test(l));
const codedDrops = (): number => h.logs.filter((l) => /: dropped \[[A-Z_]+\]: /.test(l)).length;

/** A heartbeat the server must see after everything published before it (the link keeps order). */
async function barrier(): Promise<void> {
  const startedAt = new Date(Date.now() + 1).toISOString();
  await agent.heartbeat({ startedAt });
  await waitFor(
    async () => {
      const res = await h.api('GET', `/agents/${agent.id}`);
      return res.status === 200 && (res.body as { startedAt?: string }).startedAt === startedAt;
    },
    'the barrier heartbeat',
    20_000,
  );
}

describe('fuzzing agent → server MQTT payloads against a real server', () => {
  it(
    'results and heartbeats: each refused payload is a coded drop; the server stays up; stored records parse',
    async () => {
      const baseResult = {
        v: 1,
        kind: 'result',
        commandId,
        actionId,
        status: 'success',
        operations: [{ module: 'file', isFound: false, rows: [], stats: { files: 1 }, errors: [] }],
        startedAt: new Date().toISOString(),
        finishedAt: new Date().toISOString(),
      };
      const baseBeat = {
        v: 1,
        kind: 'heartbeat',
        agentId: agent.id,
        name: 'fuzzer',
        os: 'linux',
        arch: 'x64',
        version: '0.1.0',
        mode: 'daemon',
        queueloc: 'linux.fuzzer',
        environment: { ident: 'Debian 12', init: 'systemd', addresses: ['10.0.0.1'], hostname: 'fuzzer' },
        tags: {},
        modules: ['file'],
        heartbeatMs: 30_000,
        startedAt: new Date().toISOString(),
        sentAt: new Date().toISOString(),
        resources: { rssMb: 80, cpuPercent: 1.5, watchdogRestarts: 0 },
      };
      const batch = fc.array(
        fc.oneof(
          payloadFrom(baseResult).map((p) => ['results', p] as const),
          payloadFrom(baseBeat).map((p) => ['heartbeat', p] as const),
        ),
        { minLength: 1, maxLength: 40 },
      );
      await fc.assert(
        fc.asyncProperty(batch, async (payloads) => {
          const before = codedDrops();
          let refusedCount = 0;
          for (const [kind, payload] of payloads) {
            if (kind === 'results') refusedCount += refused(ResultMessageSchema, payload, MAX_MESSAGE_BYTES) ? 1 : 0;
            else refusedCount += refused(HeartbeatTopicSchema, payload, 64 * 1024) ? 1 : 0;
            await agent.client.publishAsync(
              kind === 'results' ? resultsTopic(agent.id) : heartbeatTopic(agent.id),
              Buffer.from(payload),
              { qos: 1 },
            );
          }
          await barrier();
          await waitFor(() => codedDrops() - before >= refusedCount, `${refusedCount} coded drops`, 20_000);
          expect(drops().filter((l) => !/: dropped \[[A-Z_]+\]: /.test(l))).toEqual([]);
        }),
        fuzzParams(12),
      );
      expect((await h.api('GET', '/health', { authorization: null })).status).toBe(200);
      AgentRecordSchema.parse((await h.api('GET', `/agents/${agent.id}`)).body);
      const commands = await h.api('GET', `/actions/${actionId}/commands`);
      expect(commands.status, JSON.stringify(commands.body)).toBe(200);
      z.array(CommandRecordSchema).parse((commands.body as { commands?: unknown }).commands ?? commands.body);
      expect(h.logs.filter((l) => /internal error|unhandled/i.test(l))).toEqual([]);
      // Counted by code too (every server of this process together).
      expect(dropCounts().MALFORMED_MESSAGE ?? 0).toBeGreaterThan(0);
    },
    fuzzTimeout(120_000),
  );

  it(
    'enrollment requests: each one is answered; each the schema refuses is rejected',
    async () => {
      const identity = fakeIdentity('fuzz-enrollee');
      const base = fakeEnrollRequest(identity);
      const client = await connectClient(h.server.mqttUrl, {
        clientId: enrollClientId(identity.id),
        username: ENROLL_USERNAME,
        password: h.server.enrollmentSecret,
        clean: true,
      });
      const answers: unknown[] = [];
      client.on('message', (_topic, payload) => answers.push(JSON.parse(payload.toString())));
      await client.subscribeAsync(enrollStatusTopic(identity.id), { qos: 1 });
      try {
        await fc.assert(
          // Over the enrollee's size cap the broker itself refuses the publish and cuts the
          // connection (broker/mqtt/hooks.ts): the server never sees it, so it is not fuzzed here.
          fc.asyncProperty(
            payloadFrom(base).filter((p) => Buffer.byteLength(p) <= ENROLL_LIMITS.maxRequestBytes),
            async (payload) => {
              const isRefused = refused(EnrollRequestSchema, payload, ENROLL_LIMITS.maxRequestBytes);
              const seen = answers.length;
              await client.publishAsync(enrollRequestTopic(identity.id), Buffer.from(payload), { qos: 1 });
              await waitFor(() => answers.length > seen, 'the enrollment answer', 20_000).catch((err: unknown) => {
                throw new Error(
                  `${(err as Error).message} to ${JSON.stringify(Buffer.from(payload).toString().slice(0, 300))}; server log: ${h.logs.slice(-3).join(' | ')}`,
                );
              });
              const answer = EnrollStatusSchema.parse(answers[seen]);
              if (isRefused) expect(answer.state).toBe('rejected');
            },
          ),
          {
            ...fuzzParams(50),
            // Found by this property in CI: a lone surrogate has no canonical JSON, and the
            // request went unanswered instead of rejected (broker/enrollment/enroller.ts).
            examples: [[JSON.stringify({ ...base, facts: { ...base.facts, os: '\ud800' } })]],
          },
        );
      } finally {
        await client.endAsync(true);
      }
      expect(errorCode(await h.api('GET', '/agents/no-such-agent'))).toBe('NOT_FOUND');
    },
    fuzzTimeout(120_000),
  );
});
