// `mig action results ID`: a stored action's answers, paged, filtered, rendered, written to a
// file, and checked end to end against each agent's own signature (--verify).
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  agentIdFromPublicKey,
  answerSigningBytes,
  publicKeyBase64,
  signWithAgentKey,
} from '../../protocol/agent-key.js';
import { signedResultOf } from '../../protocol/answer-check.js';
import { emptyCounters, type ActionRecord, type CommandRecord } from '../../protocol/api.js';
import type { OperationResult } from '../../protocol/messages.js';
import { signedAction } from '../../test/helpers/actions.js';
import { fingerprint } from '../../test/helpers/keys.js';
import { fileHit, fileMiss } from '../../test/helpers/console/cli/fake-actions.js';
import type { FakeApi } from '../../test/helpers/console/services/fake-api.js';
import { EXIT } from './main.js';
import { startCliOnServer, stopCliOnServer, type Harness } from '../../test/helpers/console/cli/harness.js';

const T = '2026-01-01T00:00:00.000Z';
const hit = (path: string) => fileHit(path);
const miss = fileMiss;

/** A command answered by a real Ed25519 agent key, signed the way agents sign (protocol/agent-key.ts). */
function signedCommand(actionId: string, i: number, name: string, operations: OperationResult[]): CommandRecord {
  const { privateKey } = generateKeyPairSync('ed25519');
  const publicKey = publicKeyBase64(privateKey);
  const agentId = agentIdFromPublicKey(publicKey);
  const record: CommandRecord = {
    id: `${i}`.padStart(16, '0'),
    actionId,
    agentId,
    agentName: name,
    status: 'success',
    createdAt: T,
    finishedAt: T,
    isFound: operations.some((o) => o.isFound),
    operations,
    agentAnswer: {
      status: 'success',
      startedAt: T,
      finishedAt: T,
      signature: { publicKey, value: 'x'.repeat(86) + '==' },
    },
  };
  const result = signedResultOf(record);
  if (result === undefined || record.agentAnswer === undefined) throw new Error('no signed result');
  record.agentAnswer.signature.value = signWithAgentKey(privateKey, answerSigningBytes(agentId, result));
  return record;
}

describe('mig action results', () => {
  let api: FakeApi;
  let h: Harness;
  let record: ActionRecord;
  let commands: CommandRecord[];

  beforeEach(async () => {
    ({ api, h } = await startCliOnServer());
    const action = await signedAction(['alice']);
    const counters = {
      ...emptyCounters(),
    };
    record = {
      action,
      status: 'completed',
      investigators: [await fingerprint('alice')],
      counters,
      createdAt: T,
      finishedAt: T,
    };
    commands = [];
    api.route('GET', /^\/actions\/([0-9a-f]+)$/, () => ({ body: record }));
    api.route('GET', /^\/actions\/([0-9a-f]+)\/commands$/, (req) => {
      const limit = Number(req.query.get('limit'));
      const offset = Number(req.query.get('offset'));
      return { body: { commands: commands.slice(offset, offset + limit), total: commands.length } };
    });
  });
  afterEach(() => stopCliOnServer({ api, h }));

  function answers(list: CommandRecord[]): void {
    commands = list;
    const c = record.counters;
    Object.assign(c, {
      targeted: list.length,
      sent: list.length,
      done: list.length,
      success: list.filter((x) => x.status === 'success').length,
      found: list.filter((x) => x.isFound).length,
    });
  }

  it('pages through every answer and renders found rows', async () => {
    answers(
      Array.from({ length: 1_203 }, (_, i) =>
        signedCommand(record.action.id, i, `h${i}`, i % 2 === 0 ? [hit(`/srv/${i}`)] : [miss()]),
      ),
    );
    expect(await h.run(['action', 'results', record.action.id])).toBe(EXIT.found);
    expect(h.stdout.text.trim().split('\n')).toHaveLength(602);
    expect(api.requests.filter((r) => r.path.endsWith('/commands')).map((r) => r.query.get('offset'))).toEqual([
      '0',
      '500',
      '1000',
    ]);
    expect(h.stderr.text).toContain('1203 agents targeted · 1203 answered · 602 found');
  });

  it('-show notfound -render csv -out writes the file and prints its path', async () => {
    answers([
      signedCommand(record.action.id, 1, 'web1', [hit('/a')]),
      signedCommand(record.action.id, 2, 'web2', [miss(['/srv: EACCES'])]),
    ]);
    const out = join(h.home, '..', 'sub', 'results.csv');
    expect(
      await h.run(['action', 'results', record.action.id, '-show', 'notfound', '-render', 'csv', '-out', out]),
    ).toBe(EXIT.found);
    expect(h.stdout.text).toBe('');
    expect(h.stderr.text).toContain(`results written to ${out}`);
    const lines = readFileSync(out, 'utf8').split('\r\n');
    expect(lines[1]).toMatch(/^web2,a-[0-9a-f]{20},success,false,.*,\/srv: EACCES$/);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('-export writes under $MIG_HOME/exports', async () => {
    answers([signedCommand(record.action.id, 1, 'web1', [hit('/a')])]);
    expect(await h.run(['action', 'results', record.action.id, '-export', '-render', 'json'])).toBe(EXIT.found);
    const path = /results written to (\S+)/.exec(h.stderr.text)?.[1] ?? '';
    expect(path.startsWith(join(h.home, 'exports', 'mig-'))).toBe(true);
    expect(path.endsWith('.json')).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toHaveLength(1);
  });

  it('nothing found with a warning exits 3', async () => {
    answers([signedCommand(record.action.id, 1, 'web1', [miss(['/srv: cannot open search path (ENOENT)'])])]);
    expect(await h.run(['action', 'results', record.action.id])).toBe(EXIT.incomplete);
    expect(h.stderr.text).toContain('warning: web1 file: /srv: cannot open search path (ENOENT)');
  });

  describe('--verify', () => {
    function mixed(): CommandRecord[] {
      const id = record.action.id;
      const good = signedCommand(id, 1, 'good', [hit('/a')]);
      const { agentAnswer: _dropped, ...legacy } = signedCommand(id, 2, 'legacy', [miss()]);
      const tampered = signedCommand(id, 3, 'tampered', [miss()]);
      tampered.operations = [hit('/planted')];
      tampered.isFound = true;
      const relabelled = { ...signedCommand(id, 4, 'relabelled', [hit('/b')]), agentId: good.agentId };
      const expired: CommandRecord = {
        id: '5'.padStart(16, '0'),
        actionId: id,
        agentId: 'a-00000000000000000000',
        agentName: 'late',
        status: 'expired',
        createdAt: T,
      };
      return [good, legacy, tampered, relabelled, expired];
    }

    it('prints a verdict per row, names each bad answer, and exits 4', async () => {
      answers(mixed());
      expect(await h.run(['action', 'results', record.action.id, '--verify', '-show', 'all'])).toBe(EXIT.unverified);
      const lines = h.stdout.text.trim().split('\n');
      expect(lines).toEqual([
        'good /a (verified)',
        'legacy nothing found (UNSIGNED)',
        'tampered /planted (BAD SIGNATURE)',
        'relabelled /b (BAD SIGNATURE)',
        'late error EXPIRED: the action expired before the agent answered',
      ]);
      expect(h.stderr.text).toContain('BAD answer from tampered');
      expect(h.stderr.text).toContain('the signature does not match the answer (BAD_SIGNATURE)');
      expect(h.stderr.text).toContain('(KEY_NOT_OF_AGENT)');
      expect(h.stderr.text).toContain('verification: 1 verified, 1 unsigned, 2 bad');
    });

    it('unsigned answers are reported but not fatal; --verify=strict makes them fatal', async () => {
      answers(mixed().filter((c) => ['good', 'legacy'].includes(c.agentName)));
      expect(await h.run(['action', 'results', record.action.id, '--verify'])).toBe(EXIT.found);
      expect(h.stderr.text).toContain('verification: 1 verified, 1 unsigned, 0 bad (unsigned:');
      expect(await h.run(['action', 'results', record.action.id, '--verify=strict'])).toBe(EXIT.unverified);
      expect(h.stderr.text).toContain('unsigned answers fail --verify=strict');
    });

    it('json carries the verdict on each entry', async () => {
      answers(mixed().slice(0, 3));
      await h.run(['action', 'results', record.action.id, '--verify', '-render', 'json', '-show', 'all']);
      const entries = JSON.parse(h.stdout.text) as { agent: string; verification?: string }[];
      expect(entries.map((e) => [e.agent, e.verification])).toEqual([
        ['good', 'verified'],
        ['legacy', 'unsigned'],
        ['tampered', 'bad'],
      ]);
    });
  });

  it.each([
    { name: 'bad id', input: ['nope'], want: 'is not an action id' },
    {
      name: '--strict alone',
      input: ['a'.repeat(32), '--strict'],
      want: '--strict: expected it with --verify, got it alone',
    },
  ])('$name', async ({ input, want }) => {
    expect(await h.run(['action', 'results', ...input])).toBe(EXIT.error);
    expect(h.stderr.text).toContain(want);
  });
});
