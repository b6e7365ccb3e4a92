import { isDeepStrictEqual } from 'node:util';
import { agentRank, type StoredAgent } from '../store/store.js';

/**
 * True when the two differ only in when the agent was last heard: every server hears every
 * heartbeat, so this is most of what a refresh brings, and it changes nothing worth an event.
 */
export function isOnlyLaterBeat(incoming: StoredAgent, local: StoredAgent): boolean {
  return (
    incoming.lastHeartbeatAt > local.lastHeartbeatAt &&
    isDeepStrictEqual({ ...incoming, lastHeartbeatAt: '' }, { ...local, lastHeartbeatAt: '' })
  );
}

/**
 * True when `incoming` (read from the shared store) should replace `local`: newer by rank, or
 * as new but different (another server's offline notice or new password keeps both times).
 */
export function isNewerAgent(incoming: StoredAgent, local: StoredAgent): boolean {
  const a = agentRank(incoming);
  const b = agentRank(local);
  if (a !== b) return a > b;
  // Key order differs between a parsed row and a record built in memory: compare values.
  return !isDeepStrictEqual(incoming, local);
}
