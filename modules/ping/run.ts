import { lookup } from 'node:dns/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { ModuleError } from '../../protocol/errors.js';
import type { ModuleContext, ModuleRun } from '../../protocol/module-spec.js';
import { pingIcmp } from './icmp.js';
import type { PingParams } from './params.js';
import { probeTcp, probeUdp, type Probe } from './probes.js';
import type { pingRow } from './spec.js';

/**
 * MIG's ping: resolve once (first address, as MIG did), then `count` attempts 100 ms apart so a
 * fleet-wide ping does not flood the destination. A row per attempt; the spec's isFound says the
 * destination was reached when any attempt was.
 */

export type PingRow = z.output<typeof pingRow>;

/** MIG's pause between attempts. */
const PAUSE_MS = 100;

async function resolve(destination: string): Promise<{ address: string; family: 4 | 6 }> {
  try {
    const { address, family } = await lookup(destination, { verbatim: true });
    return { address, family: family === 6 ? 6 : 4 };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ModuleError('MODULE_FAILED', `ping: cannot resolve ${destination}: ${code}`, { cause: err });
  }
}

function row(params: PingParams, address: string, attempt: number, probe: Probe): PingRow {
  const out: PingRow = {
    destination: params.destination,
    address,
    protocol: params.protocol,
    attempt,
    isReachable: probe.isReachable,
    outcome: probe.outcome,
  };
  if (params.destinationport !== undefined) out.port = params.destinationport;
  if (probe.latencyMs !== undefined) out.latencyMs = probe.latencyMs;
  if (probe.error !== undefined) out.error = probe.error;
  return out;
}

async function* portAttempts(
  params: PingParams,
  target: { address: string; family: 4 | 6 },
  ctx: ModuleContext,
): AsyncGenerator<Probe> {
  const probe = params.protocol === 'tcp' ? probeTcp : probeUdp;
  const port = params.destinationport ?? 0;
  for (let attempt = 1; attempt <= params.count; attempt++) {
    if (attempt > 1) await sleep(PAUSE_MS, undefined, { signal: ctx.signal });
    yield await probe({ ...target, port, timeoutMs: params.timeout * 1000 }, ctx.signal);
  }
}

export const runPing: ModuleRun<PingParams, PingRow> = async function* (params, ctx) {
  const target = await resolve(params.destination);
  ctx.signal.throwIfAborted();
  ctx.log(`${params.protocol} ping of ${params.destination} (${target.address})`);
  if (params.protocol === 'icmp') {
    const probes = await pingIcmp(
      { ...target, count: params.count, timeoutS: params.timeout, platform: process.platform },
      ctx.signal,
    );
    for (const [i, probe] of probes.entries()) {
      ctx.count(probe.isReachable ? 'reachable' : 'unreachable');
      yield row(params, target.address, i + 1, probe);
    }
    return;
  }
  let attempt = 0;
  for await (const probe of portAttempts(params, target, ctx)) {
    ctx.count(probe.isReachable ? 'reachable' : 'unreachable');
    yield row(params, target.address, ++attempt, probe);
  }
};
