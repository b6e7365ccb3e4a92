import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { agentIdFromPublicKey, publicKeyBase64 } from '../protocol/agent-key.js';
import { UserError } from '../protocol/errors.js';
import { loadOrCreateStateFile, readStateText } from './state-file.js';

export const AGENT_KEY_FILE = 'agent-key.pem';

export interface AgentKey {
  privateKey: KeyObject;
  /** Base64 SPKI DER: what enrollment sends and answers carry. */
  publicKey: string;
  /** The id this key derives (protocol/agent-key.ts). */
  derivedId: string;
}

/**
 * The agent's Ed25519 key pair, made once in dataDir (PKCS#8 PEM, mode 0600) and kept across
 * restarts: it is the agent's identity. Two agents started on one dataDir at once end up with
 * the same key ('wx', then read the winner's).
 */
export function loadOrCreateAgentKey(dataDir: string): AgentKey {
  return loadOrCreateStateFile(dataDir, AGENT_KEY_FILE, readKeyFile, () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    return { value: toAgentKey(privateKey), text: privateKey.export({ type: 'pkcs8', format: 'pem' }) };
  });
}

function toAgentKey(privateKey: KeyObject): AgentKey {
  const publicKey = publicKeyBase64(privateKey);
  return { privateKey, publicKey, derivedId: agentIdFromPublicKey(publicKey) };
}

function readKeyFile(path: string): AgentKey | undefined {
  const pem = readStateText(path);
  if (pem === undefined) return undefined;
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'ed25519')
      throw new Error(`a ${key.asymmetricKeyType ?? 'unknown'} key, not ed25519`);
    return toAgentKey(key);
  } catch (err) {
    throw new UserError(
      'CONFIG_INVALID',
      `agent key file ${path}: ${(err as Error).message}`,
      'restore it from a backup, or remove it to enroll as a new agent',
      { cause: err },
    );
  }
}
