import { join } from 'node:path';
import type { InvestigatorRecord } from '../protocol/api.js';
import { writePrivateFile } from './secrets.js';

export interface AgentConfigFacts {
  brokerUrl: string;
  enrollmentSecret: string;
  investigators: readonly InvestigatorRecord[];
  /** PEM of the broker's CA (or self-signed certificate), written beside agent.json. */
  brokerCa?: string;
  /** Admin keys and threshold policy bundles must be signed with (broker/policy/policy-service.ts). */
  admins?: { keys: { name: string; publicKey: string }[]; threshold: number };
}

export function agentConfigPath(dataDir: string): string {
  return join(dataDir, 'agent.json');
}

/**
 * Writes `agent.json`: a config an agent can start with as is (see agent/config.ts), holding
 * the broker URL, the enrollment secret and every active investigator's public key. It holds a
 * secret, hence 0600. Relative paths in it resolve against its own directory.
 */
export async function writeAgentConfig(dataDir: string, facts: AgentConfigFacts): Promise<string> {
  const path = agentConfigPath(dataDir);
  if (facts.brokerCa !== undefined) await writePrivateFile(join(dataDir, 'broker-ca.pem'), facts.brokerCa);
  const config = {
    brokerUrl: facts.brokerUrl,
    enrollmentSecret: facts.enrollmentSecret,
    ...(facts.brokerCa === undefined ? {} : { tls: { ca: 'broker-ca.pem' } }),
    investigators: facts.investigators
      .filter((inv) => inv.status === 'active')
      .map((inv) => ({ name: inv.name, publicKey: inv.publicKey })),
    ...(facts.admins === undefined || facts.admins.keys.length === 0 ? {} : { admins: facts.admins }),
    tags: {},
    // A starting point: point it at a directory the agent owns on its host.
    dataDir: './agent-data',
  };
  await writePrivateFile(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}
