import { EventEmitter } from 'node:events';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadAgentConfig } from '../test/helpers/agent/config.js';
import { InvestigatorListSchema } from '../protocol/api.js';
import { publicKeyPath } from '../test/helpers/keys.js';
import { runServerCli, type ServerCliIo } from './cli.js';
import { waitFor } from '../test/helpers/broker/harness.js';

let home: string;
let out: string;
let err: string;
let signals: EventEmitter;
let io: ServerCliIo;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'mig-home-'));
  out = '';
  err = '';
  signals = new EventEmitter();
  io = {
    stdout: { write: (s: string | Uint8Array) => ((out += String(s)), true) },
    stderr: { write: (s: string | Uint8Array) => ((err += String(s)), true) },
    signals: signals as unknown as ServerCliIo['signals'],
    env: { MIG_HOME: home },
  };
});
afterEach(async () => {
  signals.emit('SIGTERM');
  await rm(home, { recursive: true, force: true });
});

it.each([
  { name: 'an unknown flag', argv: ['--colour', 'red'], wantExit: 2, wantErr: /colour/ },
  {
    name: 'a port that is not a number',
    argv: ['--http-port', 'abc'],
    wantExit: 2,
    wantErr: /--http-port: .*got "abc"/,
  },
  { name: 'a port out of range', argv: ['--mqtt-port', '70000'], wantExit: 2, wantErr: /--mqtt-port/ },
  {
    name: 'a certificate without its key',
    argv: ['--tls-cert', 'c.pem'],
    wantExit: 2,
    wantErr: /--tls-cert and --tls-key go together/,
  },
  {
    name: 'a store that is not a PostgreSQL URL',
    argv: ['--store', 'mysql://db/mig'],
    wantExit: 2,
    wantErr: /--store: .*postgres:\/\/user@host:port\/database/,
  },
  {
    name: 'a response signer count of 0',
    argv: ['--response-signers', '0'],
    wantExit: 2,
    wantErr: /--response-signers: .*got "0"/,
  },
  {
    name: 'a broker URL of another scheme',
    argv: ['--broker', 'http://b:1883', '--broker-password-file', 'p'],
    wantExit: 2,
    wantErr: /--broker: expected mqtt:\/\/HOST:PORT or mqtts:\/\/HOST:PORT.*got "http:\/\/b:1883"/,
  },
  {
    name: 'a broker URL with credentials in it',
    argv: ['--broker', 'mqtt://u:pw@b:1883', '--broker-password-file', 'p'],
    wantExit: 2,
    wantErr: /--broker: expected a URL without credentials/,
  },
  {
    name: 'a broker without a password file',
    argv: ['--broker', 'mqtt://b:1883'],
    wantExit: 2,
    wantErr: /--broker needs --broker-password-file/,
  },
  { name: 'a broker login without a broker', argv: ['--broker-user', 'x'], wantExit: 2, wantErr: /need --broker/ },
  {
    name: 'a broker password file that cannot be read',
    argv: ['--broker', 'mqtt://127.0.0.1:1', '--broker-password-file', '/nonexistent.pw', '--http-port', '0'],
    wantExit: 1,
    wantErr: /CONFIG_INVALID: --broker-password-file: cannot read/,
  },
  {
    name: 'a lease shorter than a few polls',
    argv: ['--lease-ms', '1000'],
    wantExit: 2,
    wantErr: /--lease-ms: .*got "1000"/,
  },
  {
    name: 'an enrollment secret file that cannot be read',
    argv: ['--enrollment-secret-file', '/nonexistent.secret', '--http-port', '0', '--mqtt-port', '0'],
    wantExit: 1,
    wantErr: /CONFIG_INVALID: --enrollment-secret-file: cannot read/,
  },
  {
    name: 'an admin key that cannot be read',
    argv: ['--admin-key', '/nonexistent.asc', '--http-port', '0', '--mqtt-port', '0'],
    wantExit: 1,
    wantErr: /CONFIG_INVALID: --admin-key/,
  },
])('exits $wantExit on $name', async ({ argv, wantExit, wantErr }) => {
  expect(await runServerCli(argv, io)).toBe(wantExit);
  expect(err).toMatch(wantErr);
});

it('takes the fleet enrollment secret from --enrollment-secret-file (agent.json gets it, secrets.json keeps its own), and refuses a short one', async () => {
  await writeFile(join(home, 'short'), 'short\n');
  expect(
    await runServerCli(['--enrollment-secret-file', join(home, 'short'), '--http-port', '0', '--mqtt-port', '0'], io),
  ).toBe(1);
  expect(err).toMatch(/--enrollment-secret-file: .* at least 16 characters .*got 5 characters/);

  await copyFile(publicKeyPath('alice'), join(home, 'investigator.pub.asc'));
  const shared = 'fleet-secret-shared-by-every-server';
  await writeFile(join(home, 'fleet-secret'), `${shared}\n`);
  const exit = runServerCli(
    ['--enrollment-secret-file', join(home, 'fleet-secret'), '--http-port', '0', '--mqtt-port', '0'],
    io,
  );
  await waitFor(() => out.includes('agent config:'), 'the startup banner');
  const dataDir = join(home, 'server');
  const config = await loadAgentConfig(join(dataDir, 'agent.json'));
  expect(config.enrollmentSecret).toBe(shared);
  const secrets = JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8')) as { enrollmentSecret: string };
  expect(secrets.enrollmentSecret).not.toBe(shared);
  signals.emit('SIGTERM');
  expect(await exit).toBe(0);
});

it('prints usage on --help', async () => {
  expect(await runServerCli(['--help'], io)).toBe(0);
  expect(out).toMatch(/usage: mig server/);
});

it('starts, enrols $MIG_HOME/investigator.pub.asc as admin, writes agent.json and stops on SIGINT', async () => {
  await copyFile(publicKeyPath('alice'), join(home, 'investigator.pub.asc'));
  const exit = runServerCli(['--http-port', '0', '--mqtt-port', '0'], io);
  await waitFor(() => out.includes('agent config:'), 'the startup banner');
  const dataDir = join(home, 'server');
  expect(out).toContain(join(dataDir, 'secrets.json'));

  const config = await loadAgentConfig(join(dataDir, 'agent.json'));
  const secrets = JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8')) as { enrollmentSecret: string };
  expect(config.enrollmentSecret).toBe(secrets.enrollmentSecret);
  expect(out).toContain(config.brokerUrl);
  expect(config.investigators.map((i) => i.name)).toEqual(['alice']);
  const investigators = InvestigatorListSchema.shape.investigators.parse(
    (JSON.parse(await readFile(join(dataDir, 'investigators.json'), 'utf8')) as { investigators: unknown })
      .investigators,
  );
  expect(investigators.map((i) => ({ name: i.name, isAdmin: i.isAdmin }))).toEqual([{ name: 'alice', isAdmin: true }]);

  signals.emit('SIGINT');
  expect(await exit).toBe(0);
  expect(err).toContain('SIGINT: shutting down');
});
