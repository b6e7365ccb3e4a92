import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import { ModuleError } from '../../protocol/errors.js';
import type { ModuleContext, ModuleRun } from '../../protocol/module-spec.js';
import { parseGoDuration, type TimedriftParams } from './params.js';
import { defaultServers, namedServers, type NtpServer } from './servers.js';
import { NtpError, queryNtp } from './sntp.js';
import type { timedriftRow } from './spec.js';

/**
 * MIG's timedrift: ask NTP servers in order and compare their time with ours. Like MIG it stops
 * at the first server that answers, unless `all`; every server asked gets a row (MIG kept the
 * unreachable ones in its statistics). The spec's isFound: some answering server is further
 * than `drift` away.
 */

export type TimedriftRow = z.output<typeof timedriftRow>;

/**
 * Local time with sub-millisecond steps: ctx.now() anchors it (so tests and a faked clock are
 * honoured) and the monotonic clock measures from there.
 */
function localClock(ctx: ModuleContext): () => number {
  const anchor = ctx.now().getTime() - performance.now();
  return () => anchor + performance.now();
}

async function ask(
  server: NtpServer,
  params: TimedriftParams,
  driftMs: number,
  ctx: ModuleContext,
  clock: () => number,
): Promise<TimedriftRow> {
  const localTime = new Date(clock()).toISOString();
  const base = { server: server.name, source: server.source, localTime };
  try {
    const answer = await queryNtp({
      host: server.host,
      port: server.port,
      timeoutMs: params.timeout * 1000,
      clock,
      signal: ctx.signal,
    });
    return {
      ...base,
      address: answer.address,
      isReachable: true,
      offsetMs: answer.offsetMs,
      delayMs: answer.delayMs,
      stratum: answer.stratum,
      hasDrifted: Math.abs(answer.offsetMs) > driftMs,
    };
  } catch (err) {
    if (!(err instanceof NtpError)) throw err;
    const row: TimedriftRow = { ...base, isReachable: false, error: err.message.slice(0, 256) };
    if (err.address !== undefined) row.address = err.address;
    return row;
  }
}

export const runTimedrift: ModuleRun<TimedriftParams, TimedriftRow> = async function* (params, ctx) {
  // The schema validated it; parse once more for the number.
  const driftMs = parseGoDuration(params.drift) ?? 0;
  const servers =
    params.servers === undefined ? await defaultServers(ctx.root, (m) => ctx.warn(m)) : namedServers(params.servers);
  const clock = localClock(ctx);
  let hasAnswer = false;
  for (const server of servers) {
    ctx.signal.throwIfAborted();
    const row = await ask(server, params, driftMs, ctx, clock);
    ctx.count(row.isReachable ? 'serversAnswered' : 'serversUnreachable');
    yield row;
    hasAnswer ||= row.isReachable;
    if (hasAnswer && !params.all) return;
  }
  // MIG failed the run when it was asked to check the drift and could not.
  if (!hasAnswer)
    throw new ModuleError(
      'MODULE_FAILED',
      `timedrift: none of ${servers.length} NTP server(s) answered; the drift was not checked`,
    );
};
