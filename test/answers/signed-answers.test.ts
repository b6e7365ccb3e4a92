import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateAgentKey } from '../../agent/agent-key.js';
import { parseAgentConfig } from '../../agent/config.js';
import { AGENT_ID_FILE } from '../../agent/identity.js';
import { signResult, type AnswerSigner } from '../../agent/outbox.js';
import { startAgent, type RunningAgent } from '../../agent/start.js';
import { tempDir } from '../helpers/agent/probe.js';
import { FakeAgent } from '../helpers/broker/fake-agent.js';
import { ServerHarness, waitFor } from '../helpers/broker/harness.js';
import { agentIdFromPublicKey, publicKeyBase64 } from '../../protocol/agent-key.js';
import { signedResultOf, verifyStoredAnswer } from '../../protocol/answer-check.js';
import { CommandListSchema, type CommandRecord } from '../../protocol/api.js';
import type { ResultMessage } from '../../protocol/messages.js';
import { signedAction } from '../helpers/actions.js';
import { armoredPublicKey } from '../helpers/keys.js';

/**
 * Answers authenticated end to end: what an agent signs is what the server stores, and an
 * investigator holding only the stored record can tell a genuine answer from a forged,
 * tampered or re-labelled one.
 */

let h: ServerHarness;
let dir: ReturnType<typeof tempDir>;
const running: RunningAgent[] = [];

beforeEach(() => {
  h = new ServerHarness();
  dir = tempDir('signed-answers');
});
afterEach(async () => {
  for (const agent of running.splice(0)) await agent.close();
  await h.teardown();
  dir.remove();
});

/** A key pair and the id it derives, as an enrolled agent has. */
function newSigner(): AnswerSigner {
  const { privateKey } = generateKeyPairSync('ed25519');
  const publicKey = publicKeyBase64(privateKey);
  return { agentId: agentIdFromPublicKey(publicKey), privateKey, publicKey };
}

async function commandsOf(actionId: string): Promise<CommandRecord[]> {
  return CommandListSchema.parse((await h.api('GET', `/actions/${actionId}/commands`)).body).commands;
}

/** `timeoutMs`: a real agent's first command also boots its module worker, slow on a loaded machine. */
async function terminalCommand(actionId: string, timeoutMs?: number): Promise<CommandRecord> {
  let found: CommandRecord | undefined;
  await waitFor(
    async () => {
      found = (await commandsOf(actionId)).find((c) => c.status !== 'sent');
      return found !== undefined;
    },
    'a stored answer',
    timeoutMs,
  );
  if (found === undefined) throw new Error('unreachable');
  return found;
}

let fakes = 0;

/** An enrolled fake agent (its id derives from its key), one command sent to it; returns the agent, its signer and the command id. */
async function fakeWithCommand(): Promise<{
  agent: FakeAgent;
  signer: AnswerSigner;
  actionId: string;
  commandId: string;
}> {
  const agent = await h.agent(`fake-${++fakes}`);
  const { id, privateKey, publicKey } = agent.identity;
  const signer: AnswerSigner = { agentId: id, privateKey, publicKey };
  const action = await signedAction(['alice'], { target: `id = '${id}'` });
  await h.submit(action);
  await waitFor(() => agent.commands.length === 1, 'the command');
  return { agent, signer, actionId: action.id, commandId: agent.commands[0]?.commandId ?? '' };
}

describe('a real agent signs its answer and the server stores what it signed', () => {
  it('verifies from the stored record alone', async () => {
    await h.start();
    const dataDir = join(dir.path, 'data');
    const root = join(dir.path, 'root');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
    // The id derived from the agent's key, as enrolled agents have (legacy random ids cannot verify).
    const key = loadOrCreateAgentKey(dataDir);
    writeFileSync(join(dataDir, AGENT_ID_FILE), `${key.derivedId}\n`);
    const config = parseAgentConfig({
      brokerUrl: h.server.mqttUrl,
      enrollmentSecret: h.server.enrollmentSecret,
      investigators: [{ name: 'alice', publicKey: armoredPublicKey('alice') }],
      dataDir,
      root,
    });
    const agent = await startAgent(config, { backoff: { initialMs: 20, maxMs: 100 } });
    running.push(agent);
    expect(agent.agentId).toBe(key.derivedId);
    await waitFor(async () => (await h.api('GET', `/agents/${agent.agentId}`)).status === 200, 'the agent registered');
    const action = await signedAction(['alice'], { target: `id = '${agent.agentId}'` });
    await h.submit(action);

    const record = await terminalCommand(action.id, 25_000);

    expect(record).toMatchObject({
      status: 'success',
      isFound: true,
      agentAnswer: { status: 'success', signature: { publicKey: key.publicKey } },
    });
    expect(verifyStoredAnswer(record)).toEqual({ ok: true });
    expect(verifyStoredAnswer({ ...record, isFound: false, status: 'success' })).toEqual({ ok: true }); // server-side fields are not signed
    const tampered = structuredClone(record);
    tampered.operations?.[0]?.rows.pop();
    expect(verifyStoredAnswer(tampered)).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
  });
});

// Agents whose ids predate keys: their answers cannot pass `KEY_NOT_OF_AGENT` (protocol/agent-key.test.ts,
// 'a legacy random id'); test/e2e/legacy-reenroll.test.ts runs such an agent through re-enrollment.

describe('signedResultOf rebuilds exactly the signed message', () => {
  const cases: { name: string; answer: Parameters<FakeAgent['answer']>[1] & { withActionId: boolean } }[] = [
    { name: 'found rows, with action id', answer: { isFound: true, withActionId: true } },
    { name: 'nothing found', answer: { isFound: false, withActionId: true } },
    {
      name: 'no action id (the agent could not read the action)',
      answer: { status: 'failed', error: { code: 'MALFORMED_ACTION', message: 'not json' }, withActionId: false },
    },
    {
      name: 'failed with an error, empty operations',
      answer: {
        status: 'failed',
        error: { code: 'BAD_SIGNATURE', message: 'signature 1 does not verify' },
        withActionId: true,
      },
    },
    {
      name: 'timeout',
      answer: {
        status: 'timeout',
        error: { code: 'MODULE_TIMEOUT', message: 'stopped after 5 s' },
        withActionId: true,
      },
    },
  ];
  it.each(cases)('$name', async ({ answer }) => {
    await h.start();
    const { agent, signer, actionId, commandId } = await fakeWithCommand();
    let signed: ResultMessage | undefined;
    const sign = (msg: ResultMessage): ResultMessage => (signed = signResult(msg, signer));
    await agent.answer(commandId, { ...answer, ...(answer.withActionId ? { actionId } : {}), sign });

    const record = await terminalCommand(actionId);

    expect(verifyStoredAnswer(record)).toEqual({ ok: true });
    const { signature: _s, ...unsigned } = signed ?? {};
    expect(signedResultOf(record)).toEqual(unsigned);
  });

  it('reports a tampered record as BAD_SIGNATURE, field by field', async () => {
    await h.start();
    const { agent, signer, actionId, commandId } = await fakeWithCommand();
    await agent.answer(commandId, { isFound: true, actionId, sign: (m) => signResult(m, signer) });
    const record = await terminalCommand(actionId);
    const tampers: ((r: CommandRecord) => void)[] = [
      (r) => (r.operations = []),
      (r) => ((r.operations ?? [])[0] = { module: 'file', isFound: false, rows: [], stats: { files: 1 }, errors: [] }),
      (r) => (r.error = { code: 'X', message: 'added' }),
      (r) => r.agentAnswer && (r.agentAnswer.status = 'failed'),
      (r) => r.agentAnswer && (r.agentAnswer.hasActionId = false),
      (r) => (r.id = 'ab'.repeat(16)),
      (r) => (r.actionId = 'cd'.repeat(16)),
    ];
    for (const tamper of tampers) {
      const copy = structuredClone(record);
      tamper(copy);
      expect(verifyStoredAnswer(copy), tamper.toString()).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
    }
    const { agentAnswer: _a, ...stripped } = record;
    expect(verifyStoredAnswer(stripped)).toMatchObject({ ok: false, code: 'UNSIGNED' });
  });
});

describe("an answer re-labelled as another agent's", () => {
  // Through an external broker, which could move or change messages, the server refuses these
  // (test/external/mosquitto.test.ts). Through its own broker only B can publish on B's topic, so
  // B itself sent them: stored as sent, unverified, and the investigator sees they are not B's.
  it('through our own broker: stored as B sent it, and the investigator reports it not verified', async () => {
    await h.start();
    const a = newSigner();
    const moved = await fakeWithCommand();
    // A signs an answer to B's command as A, and B publishes it on its own topic.
    await moved.agent.answer(moved.commandId, {
      isFound: false,
      actionId: moved.actionId,
      sign: (m) => signResult(m, a),
    });
    const changed = await fakeWithCommand();
    // A copy of B's own answer changed after signing.
    await changed.agent.answer(changed.commandId, {
      isFound: false,
      actionId: changed.actionId,
      sign: (m) => ({ ...signResult(m, changed.signer), status: 'failed' }),
    });

    const movedRecord = await terminalCommand(moved.actionId);
    expect(movedRecord.agentAnswer?.signature.publicKey).toBe(a.publicKey);
    expect(verifyStoredAnswer(movedRecord)).toMatchObject({ ok: false, code: 'KEY_NOT_OF_AGENT' });
    const changedRecord = await terminalCommand(changed.actionId);
    expect(changedRecord).toMatchObject({ status: 'failed', agentAnswer: { status: 'failed' } });
    expect(verifyStoredAnswer(changedRecord)).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
    expect(h.logs.filter((l) => l.includes('signature does not hold'))).toEqual([]);

    // A server that re-labels a genuine stored answer as another agent's is caught by the investigator.
    const honest = await fakeWithCommand();
    await honest.agent.answer(honest.commandId, {
      isFound: true,
      actionId: honest.actionId,
      sign: (m) => signResult(m, honest.signer),
    });
    const record = await terminalCommand(honest.actionId);
    expect(verifyStoredAnswer(record)).toEqual({ ok: true });
    expect(verifyStoredAnswer({ ...record, agentId: a.agentId })).toMatchObject({
      ok: false,
      code: 'KEY_NOT_OF_AGENT',
    });
  });

  it("signed with another key under B's id: stored (the server cannot tell), reported KEY_NOT_OF_AGENT to the investigator", async () => {
    await h.start();
    const a = newSigner();
    const b = await fakeWithCommand();
    await b.agent.answer(b.commandId, {
      isFound: false,
      actionId: b.actionId,
      sign: (m) => signResult(m, { ...a, agentId: b.signer.agentId }),
    });
    const record = await terminalCommand(b.actionId);
    expect(verifyStoredAnswer(record)).toMatchObject({ ok: false, code: 'KEY_NOT_OF_AGENT' });
  });

  it('keeps an unsigned answer (an agent older than signed answers), reported UNSIGNED', async () => {
    await h.start();
    const { agent, actionId, commandId } = await fakeWithCommand();
    await agent.answer(commandId, { isFound: true, actionId });
    const record = await terminalCommand(actionId);
    expect(record.status).toBe('success');
    expect(verifyStoredAnswer(record)).toMatchObject({ ok: false, code: 'UNSIGNED' });
  });
});
