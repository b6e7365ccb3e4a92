import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * One TCP or UDP attempt, with MIG's reading of each outcome:
 * - tcp: connected → reachable; refused (RST) or timeout → not.
 * - udp: a reply → reachable; ECONNREFUSED (the host answered ICMP port unreachable: it is up
 *   but the port is closed) → not; no answer → *maybe* open, counted reachable as MIG did
 *   ("ping may have succeeded (no udp response)"), and marked `no-reply` so nobody mistakes it
 *   for an answer.
 */

export type Outcome = 'connected' | 'reply' | 'refused' | 'timeout' | 'no-reply' | 'error';

export interface Probe {
  outcome: Outcome;
  isReachable: boolean;
  latencyMs?: number;
  error?: string;
}

export interface Target {
  address: string;
  family: 4 | 6;
  port: number;
  timeoutMs: number;
}

/** MIG's payload: recognisable in a capture, and not a valid request for any common UDP service. */
const UDP_PAYLOAD = Buffer.from('Ping!Ping!Ping!');

const elapsed = (start: number): number => Math.round((performance.now() - start) * 1000) / 1000;

function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return (e.code ?? (err instanceof Error ? err.message : String(err))).slice(0, 200);
}

/**
 * Runs `attempt` until it settles, the timeout fires or `signal` aborts; `cleanup` always runs.
 * An abort rejects with the signal's reason so the runner sees a cancelled module.
 */
function settle(
  timeoutMs: number,
  signal: AbortSignal,
  onTimeout: () => Probe,
  attempt: (done: (p: Probe) => void) => () => void,
): Promise<Probe> {
  return new Promise((resolve, reject) => {
    let cleanup: () => void = () => undefined;
    const finish = (probe: Probe | Error): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      cleanup();
      if (probe instanceof Error) reject(probe);
      else resolve(probe);
    };
    let isDone = false;
    const once = (probe: Probe | Error): void => {
      if (isDone) return;
      isDone = true;
      finish(probe);
    };
    const onAbort = (): void => once(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    const timer = setTimeout(() => once(onTimeout()), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    cleanup = attempt(once);
    if (signal.aborted) onAbort();
  });
}

// Alike on purpose (duplicates): one probe a protocol, each handing its own socket and outcomes to
// `settle`; they share their shape, not logic.
export function probeTcp(target: Target, signal: AbortSignal): Promise<Probe> {
  const start = performance.now();
  return settle(
    target.timeoutMs,
    signal,
    () => ({ outcome: 'timeout', isReachable: false }),
    (done) => {
      const socket = connect({ host: target.address, port: target.port, family: target.family });
      socket.once('connect', () => done({ outcome: 'connected', isReachable: true, latencyMs: elapsed(start) }));
      socket.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED') done({ outcome: 'refused', isReachable: false, latencyMs: elapsed(start) });
        else if (err.code === 'ETIMEDOUT') done({ outcome: 'timeout', isReachable: false });
        else done({ outcome: 'error', isReachable: false, error: errorText(err) });
      });
      return () => {
        // A late error on a socket we are done with must not become an uncaught 'error' event.
        socket.on('error', () => undefined);
        socket.destroy();
      };
    },
  );
}

export function probeUdp(target: Target, signal: AbortSignal): Promise<Probe> {
  let start = performance.now();
  return settle(
    target.timeoutMs,
    signal,
    () => ({ outcome: 'no-reply', isReachable: true }),
    (done) => {
      const socket = createSocket(target.family === 6 ? 'udp6' : 'udp4');
      // Connected, so the kernel reports the ICMP port unreachable back to us as ECONNREFUSED.
      socket.connect(target.port, target.address, () => {
        start = performance.now();
        socket.send(UDP_PAYLOAD, (err) => {
          if (err !== null) done({ outcome: 'error', isReachable: false, error: errorText(err) });
        });
      });
      socket.once('message', () => done({ outcome: 'reply', isReachable: true, latencyMs: elapsed(start) }));
      socket.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED') done({ outcome: 'refused', isReachable: false, latencyMs: elapsed(start) });
        else done({ outcome: 'error', isReachable: false, error: errorText(err) });
      });
      return () => {
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        try {
          socket.close();
        } catch {
          // already closed
        }
      };
    },
  );
}
