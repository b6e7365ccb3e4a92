import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseAgentConfig } from '../../../agent/config.js';
import { startAgent, type RunningAgent } from '../../../agent/start.js';
import type { FakeAgent } from '../../helpers/broker/fake-agent.js';
import { errorCode, ServerHarness, waitFor } from '../../helpers/broker/harness.js';
import { moduleSpecs } from '../../../modules/registry.js';
import type { Operation, SignedAction } from '../../../protocol/action.js';
import { ActionListSchema, ActionRecordSchema, CommandListSchema } from '../../../protocol/api.js';
import { parameterProblemText, parameterProblems } from '../../../protocol/check-operations.js';
import { ACTION_LIMITS, MAX_SIGNED_PART_BYTES } from '../../../protocol/limits.js';
import { signedAction, type TestActionOptions } from '../../helpers/actions.js';
import { armoredPublicKey } from '../../helpers/keys.js';
import type { Attack } from '../attack.js';

/**
 * Attacks on the limits layer (protocol/limits.ts): an investigator's action, validly signed,
 * that breaks a limit. A real in-process server, a real agent (the honest fleet) and a fake
 * agent that records every command it is sent. Each row asserts the refusal comes from the API
 * with a code and the field's name, that nothing was stored or sent, and that a valid action
 * right after runs on the honest agent and finds its file.
 */

const DAY = 24 * 3_600_000;
const HUNT: Operation[] = [
  { module: 'file', parameters: { searches: { s1: { paths: ['/etc'], names: ['^passwd$'] } } } },
];

interface Fleet {
  h: ServerHarness;
  honest: RunningAgent;
  spy: FakeAgent;
}

async function withFleet(run: (fleet: Fleet) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mig-limits-'));
  const h = new ServerHarness();
  let honest: RunningAgent | undefined;
  try {
    await h.start();
    const root = join(dir, 'root');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
    const config = parseAgentConfig({
      brokerUrl: h.server.mqttUrl,
      enrollmentSecret: h.server.enrollmentSecret,
      investigators: [{ name: 'alice', publicKey: armoredPublicKey('alice') }],
      dataDir: join(dir, 'data'),
      root,
      environment: { os: 'linux' },
    });
    honest = await startAgent(config, { platform: 'linux', backoff: { initialMs: 20, maxMs: 200 } });
    const id = honest.agentId;
    await waitFor(async () => (await h.api('GET', `/agents/${id}`)).status === 200, 'the honest agent in the registry');
    const spy = await h.agent('spy-agent');
    await run({ h, honest, spy });
  } finally {
    await honest?.close();
    await h.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Submits the attack, expects its refusal, then that nothing is stored or sent and the fleet still answers. */
async function refusedThenFleetAnswers(
  fleet: Fleet,
  attack: SignedAction,
  want: { status: number; code: string; message: RegExp | string },
): Promise<void> {
  const { h, honest, spy } = fleet;
  const res = await h.submit(attack);
  const message = (res.body as { error?: { message?: string } } | null)?.error?.message ?? '';
  expect({ status: res.status, code: errorCode(res) }).toEqual({ status: want.status, code: want.code });
  if (typeof want.message === 'string') expect(message).toContain(want.message);
  else expect(message).toMatch(want.message);

  expect(ActionListSchema.parse((await h.api('GET', '/actions')).body).total).toBe(0);
  expect((await h.api('GET', `/actions/${attack.id}`)).status).toBe(404);

  const valid = await signedAction(['alice'], { operations: HUNT, now: h.clock.now() });
  expect((await h.submit(valid)).status).toBe(201);
  await waitFor(async () => {
    const commands = CommandListSchema.parse((await h.api('GET', `/actions/${valid.id}/commands?found=true`)).body);
    return commands.commands.some((c) => c.agentId === honest.agentId && c.status === 'success');
  }, 'the honest agent to find /etc/passwd');
  // The spy was sent the valid action only: the refused one never left the server.
  expect(spy.commands.map((c) => (JSON.parse(c.action) as { id: string }).id)).toEqual([valid.id]);
  expect(ActionRecordSchema.parse((await h.api('GET', `/actions/${valid.id}`)).body).action.id).toBe(valid.id);
}

function signedNow(fleet: Fleet, opts: TestActionOptions): Promise<SignedAction> {
  return signedAction(['alice'], { operations: HUNT, now: fleet.h.clock.now(), ...opts });
}

export const limitsAttacks: Attack[] = [
  {
    name: 'limits: an oversized action is refused at the API (PAYLOAD_TOO_LARGE), before it reaches any agent',
    run: () =>
      withFleet(async (fleet) => {
        // Under the HTTP body cap, over what is signed may take: only the limit can refuse it.
        const pad = 'x'.repeat(MAX_SIGNED_PART_BYTES);
        const op = HUNT[0] as Operation;
        const attack = await signedNow(fleet, {
          operations: [{ module: 'file', parameters: { ...op.parameters, pad } }],
        });
        await refusedThenFleetAnswers(fleet, attack, {
          status: 413,
          code: 'PAYLOAD_TOO_LARGE',
          message: `the limit is ${MAX_SIGNED_PART_BYTES}`,
        });
      }),
  },
  {
    name: 'limits: an over-long validity window is refused at the API (VALIDITY_TOO_LONG, expireAfter)',
    run: () =>
      withFleet(async (fleet) => {
        const now = fleet.h.clock.now().getTime();
        const attack = await signedNow(fleet, { validFrom: new Date(now), expireAfter: new Date(now + 30 * DAY) });
        await refusedThenFleetAnswers(fleet, attack, {
          status: 400,
          code: 'VALIDITY_TOO_LONG',
          message: /^expireAfter: the validity window \(expireAfter − validFrom\) is 30d, the limit is 7d$/,
        });
      }),
  },
  {
    name: 'limits: a validFrom far in the future is refused at the API (VALID_FROM_TOO_FAR, validFrom)',
    run: () =>
      withFleet(async (fleet) => {
        const now = fleet.h.clock.now().getTime();
        const attack = await signedNow(fleet, {
          validFrom: new Date(now + 90 * DAY),
          expireAfter: new Date(now + 90 * DAY + 3_600_000),
        });
        await refusedThenFleetAnswers(fleet, attack, {
          status: 400,
          code: 'VALID_FROM_TOO_FAR',
          message: /^validFrom: .* is 90d ahead of .*, the limit is 7d$/,
        });
      }),
  },
  {
    name: 'limits: bad module parameters are refused at the API (INVALID_PARAMETERS naming operation, module, field, given, expected)',
    run: () =>
      withFleet(async (fleet) => {
        const bad = { searches: { s1: { paths: ['etc'], names: ['^passwd$'] } } };
        const attack = await signedNow(fleet, { operations: [...HUNT, { module: 'file', parameters: bad }] });
        const spec = moduleSpecs.get('file');
        if (spec === undefined) throw new Error('no file module');
        // The very words the CLI and the console show before signing (same function).
        const words = parameterProblems(spec, bad, 1).map(parameterProblemText).join('; ');
        expect(words).toBe(
          'operations.1.parameters.searches.s1.paths.0 (module file): expected an absolute path (starting with /), got "etc"',
        );
        await refusedThenFleetAnswers(fleet, attack, {
          status: 400,
          code: 'INVALID_PARAMETERS',
          message: `invalid parameters: ${words}`,
        });
      }),
  },
  {
    name: 'limits: more operations than an action may hold are refused at the API (MALFORMED_ACTION, operations)',
    run: () =>
      withFleet(async (fleet) => {
        const attack = await signedNow(fleet, {
          operations: Array.from({ length: ACTION_LIMITS.maxOperations + 1 }, () => HUNT[0] as Operation),
        });
        await refusedThenFleetAnswers(fleet, attack, { status: 400, code: 'MALFORMED_ACTION', message: 'operations' });
      }),
  },
];
