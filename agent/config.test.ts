import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BaseError } from '../protocol/errors.js';
import { AGENT_ID_PATTERN } from '../protocol/topics.js';
import { armoredPublicKey, armoredPrivateKey, fingerprint } from '../test/helpers/keys.js';
import { loadAgentConfig, parseAgentConfig } from './config.js';
import { detectFacts, targetFacts } from './facts.js';
import { loadOrCreateAgentId } from './identity.js';
import { loadTrustRoots } from './keys.js';
import { tempDir } from '../test/helpers/agent/probe.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir('config');
});
afterEach(() => dir.remove());

const minimal = (): Record<string, unknown> => ({
  brokerUrl: 'mqtt://127.0.0.1:1883',
  enrollmentSecret: 's3cret',
  investigators: [{ name: 'alice', publicKey: armoredPublicKey('alice') }],
  dataDir: 'data',
});

function codeAndMessage(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof BaseError) return { code: err.code, message: err.message };
    throw err;
  }
  return { code: 'OK', message: '' };
}

describe('parseAgentConfig', () => {
  it('fills the documented defaults and resolves paths against the config directory', () => {
    const config = parseAgentConfig(minimal(), { baseDir: '/etc/mig' });
    expect(config).toMatchObject({
      name: hostname(),
      heartbeatMs: 300_000,
      moduleTimeoutMs: 300_000,
      maxConcurrent: 2,
      moduleMemoryMb: 512,
      root: '/',
      dataDir: '/etc/mig/data',
      maxClockSkewMs: 60_000,
      privacyMode: false,
      tags: {},
    });
    expect(config.acl).toBeUndefined();
    expect(config.allowedModules).toBeUndefined();
  });

  const bad: { name: string; input: Record<string, unknown>; wantField: RegExp }[] = [
    {
      name: 'http broker url',
      input: { brokerUrl: 'http://x:1883' },
      wantField: /brokerUrl: expected mqtt:\/\/host:port/,
    },
    { name: 'empty secret', input: { enrollmentSecret: '' }, wantField: /enrollmentSecret/ },
    { name: 'no investigators', input: { investigators: [] }, wantField: /investigators: expected at least one/ },
    {
      name: 'key and key file both',
      input: { investigators: [{ name: 'a', publicKey: 'x', publicKeyFile: 'y' }] },
      wantField: /investigators\.0: expected exactly one/,
    },
    { name: 'negative heartbeat', input: { heartbeatMs: -5 }, wantField: /heartbeatMs/ },
    {
      name: 'module memory ceiling too small to load a module',
      input: { moduleMemoryMb: 16 },
      wantField: /moduleMemoryMb/,
    },
    { name: 'missing dataDir', input: { dataDir: undefined }, wantField: /dataDir/ },
    { name: 'unknown field (typo)', input: { heartbeatMS: 1000 }, wantField: /heartbeatMS/ },
    {
      name: 'acl without default',
      input: { acl: { file: { minimumWeight: 1, weights: {} } } },
      wantField: /acl.*default/,
    },
    { name: 'simulated os too long', input: { environment: { os: 'x'.repeat(40) } }, wantField: /environment\.os/ },
    {
      name: 'unknown module in the allowlist',
      input: { allowedModules: ['fiel'] },
      wantField: /allowedModules\.0: unknown module 'fiel'/,
    },
  ];
  it.each(bad)('$name → CONFIG_INVALID naming the field', ({ input, wantField }) => {
    const got = codeAndMessage(() => parseAgentConfig({ ...minimal(), ...input }, { knownModules: ['file'] }));
    expect(got.code).toBe('CONFIG_INVALID');
    expect(got.message).toMatch(wantField);
  });
});

describe('loadAgentConfig', () => {
  const write = (name: string, text: string): string => {
    const path = join(dir.path, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads a file with relative key paths', async () => {
    mkdirSync(join(dir.path, 'keys'));
    write('keys/alice.asc', armoredPublicKey('alice'));
    const path = write(
      'agent.json',
      JSON.stringify({ ...minimal(), investigators: [{ name: 'alice', publicKeyFile: 'keys/alice.asc' }] }),
    );
    const config = await loadAgentConfig(path);
    expect(config.investigators[0]?.publicKeyFile).toBe(join(dir.path, 'keys/alice.asc'));
    const trust = await loadTrustRoots(config);
    expect(trust.keyring.fingerprints()).toEqual([await fingerprint('alice')]);
    expect(trust.acl.default?.weights).toEqual({ [await fingerprint('alice')]: 1 });
    expect(trust.acl.firewall?.minimumWeight).toBe(2);
  });

  const broken: { name: string; text?: string; wantMessage: RegExp }[] = [
    { name: 'missing file', wantMessage: /cannot read/ },
    { name: 'not JSON', text: '{ brokerUrl: ', wantMessage: /not JSON/ },
    {
      name: 'missing key file',
      text: JSON.stringify({ ...minimal(), investigators: [{ name: 'a', publicKeyFile: 'nope.asc' }] }),
      wantMessage: /investigators\.0\.publicKeyFile: cannot read/,
    },
    {
      name: 'missing TLS CA',
      text: JSON.stringify({ ...minimal(), tls: { ca: 'ca.pem' } }),
      wantMessage: /tls\.ca: cannot read/,
    },
  ];
  it.each(broken)('$name → CONFIG_INVALID', async ({ text, wantMessage }) => {
    const path = text === undefined ? join(dir.path, 'absent.json') : write('agent.json', text);
    const err: unknown = await loadAgentConfig(path).catch((e: unknown) => e);
    expect((err as BaseError).code).toBe('CONFIG_INVALID');
    expect((err as BaseError).message).toMatch(wantMessage);
  });

  it('refuses a private key where a public key belongs', async () => {
    const config = parseAgentConfig({
      ...minimal(),
      investigators: [{ name: 'alice', publicKey: armoredPrivateKey('alice') }],
    });
    const err: unknown = await loadTrustRoots(config).catch((e: unknown) => e);
    expect((err as BaseError).message).toMatch(/investigators\.0\.publicKey: this is a PRIVATE key/);
  });

  it('refuses text that is not a key, naming the field', async () => {
    const config = parseAgentConfig({ ...minimal(), investigators: [{ name: 'alice', publicKey: 'hello' }] });
    const err: unknown = await loadTrustRoots(config).catch((e: unknown) => e);
    expect((err as BaseError).message).toMatch(/investigators\.0\.publicKey: not an armored OpenPGP public key/);
  });
});

describe('identity and facts', () => {
  it('creates the agent id once and keeps it', () => {
    const id = loadOrCreateAgentId(dir.path);
    expect(id).toMatch(/^a-[0-9a-f]{20}$/);
    expect(id).toMatch(AGENT_ID_PATTERN);
    expect(loadOrCreateAgentId(dir.path)).toBe(id);
  });

  it('refuses a damaged id file rather than enrolling again', () => {
    writeFileSync(join(dir.path, 'agent-id'), 'NOT AN ID\n');
    expect(codeAndMessage(() => loadOrCreateAgentId(dir.path)).code).toBe('CONFIG_INVALID');
  });

  it('reads the distribution from <root>/etc/os-release and takes overrides', () => {
    mkdirSync(join(dir.path, 'etc'));
    writeFileSync(join(dir.path, 'etc', 'os-release'), 'NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n');
    const host = detectFacts({
      agentId: 'a-00',
      name: 'n',
      tags: { env: 'dev' },
      root: dir.path,
      overrides: { os: 'windows', addresses: ['10.0.0.1', 'fe80::1'] },
    });
    expect(host).toMatchObject({
      os: 'windows',
      mode: 'daemon',
      queueloc: 'windows.a-00',
      environment: { ident: 'Debian GNU/Linux 12 (bookworm)', addresses: ['10.0.0.1', 'fe80::1'] },
    });
    expect(targetFacts(host).environment).toMatchObject({
      addresses: '10.0.0.1,fe80::1',
      ident: 'Debian GNU/Linux 12 (bookworm)',
    });
    expect(targetFacts(host).tags).toEqual({ env: 'dev' });
  });
});
