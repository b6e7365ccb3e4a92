import type { StoredAgent } from '../../../broker/store/store.js';

/** The facts an agent reports about itself that stay put between heartbeats. */
export type WebHostFacts = Pick<StoredAgent, 'name' | 'os' | 'arch' | 'version' | 'mode' | 'queueloc' | 'environment'>;

/**
 * One Debian web server's facts, as its heartbeat carries them and the registry stores them: the
 * registry tests build both the message and the stored record from this, so the two cannot drift.
 */
export function webHostFacts(agentId: string): WebHostFacts {
  return {
    name: 'web-1',
    os: 'linux',
    arch: 'x64',
    version: '0.1.0',
    mode: 'daemon',
    queueloc: `linux.${agentId}`,
    environment: { ident: 'Debian 12', init: 'systemd', addresses: ['10.0.0.5'], hostname: 'web-1' },
  };
}
