import type { StoredAgent } from '../../../broker/store/store.js';

/**
 * A plausible agent record as the store keeps it (online, heartbeating each second since the
 * first minute of 2026); tests override only the fields they are about.
 */
export function storedAgent(over: Partial<StoredAgent> = {}): StoredAgent {
  const id = over.id ?? 'agent-1';
  return {
    id,
    name: id,
    os: 'linux',
    arch: 'x64',
    version: '1',
    mode: 'daemon',
    queueloc: 'q',
    environment: { ident: '', init: '', addresses: [], hostname: 'h' },
    tags: {},
    modules: [],
    status: 'online',
    heartbeatMs: 1000,
    startedAt: '2026-01-01T00:00:00.000Z',
    firstSeenAt: '2026-01-01T00:00:00.000Z',
    lastHeartbeatAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}
