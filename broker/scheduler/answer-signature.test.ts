// Where the server checks an agent's signature: by the path a result arrived on (the link's
// `arrival`), never by anything in the message. Real Ed25519 keys; no broker needed here
// (broker/wire/arrival.test.ts covers which link says which path).
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resultMessage, type AnswerSigner } from '../../test/helpers/agent/result-message.js';
import { agentIdFromPublicKey, publicKeyBase64 } from '../../protocol/agent-key.js';
import { verifyStoredAnswer } from '../../protocol/answer-check.js';
import type { CommandRecord } from '../../protocol/api.js';
import { ResultMessageSchema, type ResultMessage } from '../../protocol/messages.js';
import { agentAnswerOf, type ResultArrival } from './answer-signature.js';

function newSigner(): AnswerSigner {
  const { privateKey } = generateKeyPairSync('ed25519');
  const publicKey = publicKeyBase64(privateKey);
  return { agentId: agentIdFromPublicKey(publicKey), privateKey, publicKey };
}

const b = newSigner(); // the agent whose topic carries every message below
const a = newSigner();
const commandId = 'c'.repeat(32);
const actionId = 'd'.repeat(32);
const at = new Date('2026-12-07T00:00:00.000Z');

const answer = (signer?: AnswerSigner): ResultMessage =>
  resultMessage(
    {
      commandId,
      actionId,
      status: 'success',
      operations: [{ module: 'file', isFound: true, rows: [{ path: '/etc/passwd' }], stats: {}, errors: [] }],
      startedAt: at,
      finishedAt: at,
    },
    signer,
  );

/** The record the scheduler would store for `msg` on b's topic, as the investigator reads it. */
function storedRecord(msg: ResultMessage, arrival: ResultArrival): CommandRecord | 'refused' {
  const kept = agentAnswerOf(b.agentId, msg, arrival);
  if (kept === 'refused') return 'refused';
  return {
    id: commandId,
    actionId,
    agentId: b.agentId,
    agentName: 'b',
    status: msg.status,
    createdAt: at.toISOString(),
    operations: msg.operations,
    ...kept,
  };
}

const cases: Array<{ name: string; msg: ResultMessage; external: 'kept' | 'refused'; investigator: string }> = [
  { name: "b's own signed answer", msg: answer(b), external: 'kept', investigator: 'ok' },
  {
    name: "b's answer changed after signing",
    msg: { ...answer(b), status: 'failed' },
    external: 'refused',
    investigator: 'BAD_SIGNATURE',
  },
  {
    name: "a's answer moved onto b's topic",
    msg: answer(a),
    external: 'refused',
    investigator: 'KEY_NOT_OF_AGENT',
  },
  {
    name: "signed by a under b's id",
    msg: answer({ ...a, agentId: b.agentId }),
    // The signature holds over the bytes; only the investigator knows b's id is not a's key.
    external: 'kept',
    investigator: 'KEY_NOT_OF_AGENT',
  },
  {
    name: 'an unsigned answer (agent older than signed answers)',
    msg: answer(),
    external: 'kept',
    investigator: 'UNSIGNED',
  },
];

describe('agentAnswerOf', () => {
  it.each(cases)('$name: refused or kept through an external broker, kept through our own', (c) => {
    const external = storedRecord(c.msg, 'external-broker');
    const own = storedRecord(c.msg, 'own-broker');
    expect(external === 'refused' ? 'refused' : 'kept').toBe(c.external);
    if (own === 'refused') throw new Error('our own broker never refuses on a signature');
    // Kept as the agent sent it: the investigator's end-to-end check judges it the same either way.
    expect(own.agentAnswer?.signature).toEqual(c.msg.signature);
    const check = verifyStoredAnswer(own);
    expect(check.ok ? 'ok' : check.code).toBe(c.investigator);
    if (external !== 'refused') expect(external).toEqual(own);
  });

  it('takes the path from the link only: a message cannot say which path it came by', () => {
    // The schema is strict: a field a sender adds to claim a path makes the message invalid.
    for (const claim of [{ arrival: 'own-broker' }, { viaOwnBroker: true }, { verified: true }]) {
      expect(ResultMessageSchema.safeParse({ ...answer(a), ...claim }).success).toBe(false);
    }
    // The same bytes, judged differently by arrival alone.
    const moved = answer(a);
    expect(agentAnswerOf(b.agentId, moved, 'external-broker')).toBe('refused');
    expect(agentAnswerOf(b.agentId, moved, 'own-broker')).not.toBe('refused');
  });
});
