import { describe, expect, it } from 'vitest';
import { BaseError } from '../../protocol/errors.js';
import type { AgentSelf } from '../../protocol/module-spec.js';
import { collectRows, recordingContext, type Recording } from '../../test/helpers/modules/recording.js';
import { runAgentdestroy } from './run.js';
import { agentdestroyModule, agentdestroyParams } from './spec.js';

interface Harness extends Recording {
  destroyRequests: number;
}

/** A recording context, inside an agent that counts destroy requests when `hasAgent`. */
function harness(hasAgent: boolean): Harness {
  const h = { destroyRequests: 0 } as Harness;
  const agent: AgentSelf = {
    id: 'a-0123456789abcdef0123',
    stateFiles: () => ['/var/lib/mig/agent-id', '/var/lib/mig/replay.jsonl', '/var/lib/mig'],
    requestDestroy: () => {
      h.destroyRequests += 1;
    },
  };
  return Object.assign(
    h,
    recordingContext('/', { now: new Date('2030-01-01T00:00:00Z'), ...(hasAgent ? { agent } : {}) }),
  );
}

const rowsOf = (params: unknown, h: Harness): Promise<unknown[]> =>
  collectRows(runAgentdestroy, agentdestroyParams, params, h);

const REMOVES = ['/var/lib/mig/agent-id', '/var/lib/mig/replay.jsonl', '/var/lib/mig'];

describe('runAgentdestroy', () => {
  it.each([
    {
      name: 'dry run: reports, asks nothing',
      input: { dryrun: true },
      want: {
        row: { agentId: 'a-0123456789abcdef0123', isDestroyed: false, isDryRun: true, removes: REMOVES },
        destroyRequests: 0,
      },
    },
    {
      name: 'for real: asks the agent to destroy itself after the answer',
      input: {},
      want: {
        row: { agentId: 'a-0123456789abcdef0123', isDestroyed: true, isDryRun: false, removes: REMOVES },
        destroyRequests: 1,
      },
    },
  ])('$name', async ({ input, want }) => {
    const h = harness(true);
    const rows = await rowsOf(input, h);
    expect(rows).toEqual([want.row]);
    expect(agentdestroyModule.result.safeParse(rows[0]).success).toBe(true);
    expect(h.destroyRequests).toBe(want.destroyRequests);
    expect(h.journal).toEqual([{ op: 'destroy', isDryRun: want.row.isDryRun, removes: REMOVES }]);
  });

  it('refuses outside an agent (-t local): there is no agent to destroy', async () => {
    const h = harness(false);
    const err = await rowsOf({}, h).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BaseError);
    expect((err as BaseError).code).toBe('MODULE_FAILED');
    expect((err as Error).message).toMatch(/-t local/);
    expect(h.journal).toEqual([]);
  });

  it.each([
    { name: 'unknown field', input: { dryrun: true, force: true }, wantPath: [] },
    { name: 'dryrun not a boolean', input: { dryrun: 'yes' }, wantPath: ['dryrun'] },
  ])('refuses bad parameters: $name', ({ input, wantPath }) => {
    const parsed = agentdestroyParams.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(wantPath);
  });
});
