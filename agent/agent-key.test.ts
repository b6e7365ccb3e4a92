import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentIdFromPublicKey } from '../protocol/agent-key.js';
import { AGENT_KEY_FILE, loadOrCreateAgentKey } from './agent-key.js';

describe('loadOrCreateAgentKey', () => {
  it('creates a 0600 Ed25519 key once and reads the same key back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mig-key-'));
    const first = loadOrCreateAgentKey(dir);
    expect(statSync(join(dir, AGENT_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(first.derivedId).toBe(agentIdFromPublicKey(first.publicKey));
    expect(loadOrCreateAgentKey(dir).publicKey).toBe(first.publicKey);
    expect(readFileSync(join(dir, AGENT_KEY_FILE), 'utf8')).toContain('PRIVATE KEY');
  });

  it('refuses a damaged key file with the path and a hint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mig-key-'));
    writeFileSync(join(dir, AGENT_KEY_FILE), 'garbage');
    expect(() => loadOrCreateAgentKey(dir)).toThrow(/agent key file .*agent-key\.pem/);
  });
});
