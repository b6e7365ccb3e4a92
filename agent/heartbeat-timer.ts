/**
 * When the next heartbeat is due: the interval, moved by up to ±JITTER of itself at random on
 * every beat. Agents that (re)connect together, after a server restart or a network outage,
 * would otherwise beat together for ever, and the server would take a fleet's heartbeats in one
 * burst each interval instead of a steady trickle (osquery splays its schedule the same way,
 * --schedule_splay_percent, 10 % by default). ±10 % keeps every gap under 2 intervals, the age after which
 * the server stops calling an agent online (broker/registry/status.ts).
 */
export const HEARTBEAT_JITTER = 0.1;

export function nextBeatDelayMs(intervalMs: number, random: () => number = Math.random): number {
  return Math.round(intervalMs * (1 - HEARTBEAT_JITTER + 2 * HEARTBEAT_JITTER * random()));
}

/** Calls `beat` every interval (jittered); the returned function stops it. */
export function beatWithJitter(beat: () => void, intervalMs: number, random: () => number = Math.random): () => void {
  let timer: NodeJS.Timeout | undefined;
  let isStopped = false;
  const arm = (): void => {
    timer = setTimeout(
      () => {
        if (isStopped) return;
        beat();
        arm();
      },
      nextBeatDelayMs(intervalMs, random),
    );
  };
  arm();
  return () => {
    isStopped = true;
    clearTimeout(timer);
  };
}
