import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../free-port.js';

/**
 * Test-only: a real Mosquitto on a free port of 127.0.0.1, run from the shipped
 * deploy/mosquitto/mosquitto.conf with only its port, plugin path and data paths rewritten,
 * and a dynamic-security file holding one admin login (what `mosquitto_ctrl dynsec init`
 * writes). Tests skip, loudly, when Mosquitto or its plugin is not installed.
 */
const CONF = fileURLToPath(new URL('../../../deploy/mosquitto/mosquitto.conf', import.meta.url));
const BINARIES = ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/bin/mosquitto'];
const PLUGINS = [
  '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so',
  '/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so',
  '/usr/lib/mosquitto_dynamic_security.so',
];

export const ADMIN_USER = 'mig-server';

/** Why Mosquitto tests cannot run here, or undefined when they can. */
export function mosquittoMissing(): string | undefined {
  if (mosquittoBinary() === undefined)
    return `mosquitto not found in ${BINARIES.join(', ')} (Debian: apt-get install mosquitto)`;
  if (dynsecPlugin() === undefined) return `the dynamic security plugin is not in ${PLUGINS.join(', ')}`;
  return undefined;
}

const mosquittoBinary = (): string | undefined => BINARIES.find((p) => existsSync(p));
const dynsecPlugin = (): string | undefined => PLUGINS.find((p) => existsSync(p));

/** What `mosquitto_ctrl dynsec init FILE USER PASSWORD` writes: one admin, PBKDF2-SHA512 (12-byte salt, 101 rounds). */
export function dynsecSeed(adminUser: string, password: string): object {
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(password, salt, 101, 64, 'sha512');
  const acl = (acltype: string, topic: string) => ({ acltype, topic, allow: true });
  return {
    clients: [
      {
        username: adminUser,
        textName: 'Dynsec admin user',
        password: hash.toString('base64'),
        salt: salt.toString('base64'),
        iterations: 101,
        roles: [{ rolename: 'admin' }],
      },
    ],
    roles: [
      {
        rolename: 'admin',
        acls: [
          acl('publishClientSend', '$CONTROL/dynamic-security/#'),
          acl('publishClientReceive', '$CONTROL/dynamic-security/#'),
          acl('subscribePattern', '$CONTROL/dynamic-security/#'),
          acl('publishClientReceive', '$SYS/#'),
          acl('subscribePattern', '$SYS/#'),
          acl('publishClientReceive', '#'),
          acl('subscribePattern', '#'),
          acl('unsubscribePattern', '#'),
        ],
      },
    ],
    defaultACLAccess: { publishClientSend: false, publishClientReceive: true, subscribe: false, unsubscribe: true },
  };
}

export class MosquittoFixture {
  readonly adminPassword = randomBytes(24).toString('base64url');
  readonly logs: string[] = [];
  private child: ChildProcess | undefined;
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<MosquittoFixture> {
    const dir = await mkdtemp(join(tmpdir(), 'mig-mosquitto-'));
    const fixture = new MosquittoFixture(dir, await freePort());
    await writeFile(join(dir, 'dynamic-security.json'), JSON.stringify(dynsecSeed(ADMIN_USER, fixture.adminPassword)));
    const conf = (await readFile(CONF, 'utf8'))
      .replace(/^listener 1883$/m, `listener ${fixture.port} 127.0.0.1`)
      .replace(/^plugin .*$/m, `plugin ${dynsecPlugin() ?? ''}`)
      .replace(/^plugin_opt_config_file .*$/m, `plugin_opt_config_file ${join(dir, 'dynamic-security.json')}`)
      .replace(/^persistence_location .*$/m, `persistence_location ${dir}/`)
      // As root, Mosquitto would drop to the `mosquitto` user, which cannot read our temp dir.
      .concat(process.getuid?.() === 0 ? '\nuser root\n' : '');
    await writeFile(join(dir, 'mosquitto.conf'), conf);
    await fixture.run();
    return fixture;
  }

  /** Starts (again) on the same port, with the same data: a broker restart. */
  async run(): Promise<void> {
    const child = spawn(mosquittoBinary() ?? 'mosquitto', ['-c', join(this.dir, 'mosquitto.conf')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const onData = (chunk: Buffer): void =>
      void this.logs.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((l) => l !== ''),
      );
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const deadline = Date.now() + 10_000;
    while (!this.logs.some((l) => /mosquitto version .* running/.test(l))) {
      if (child.exitCode !== null)
        throw new Error(`mosquitto exited (${child.exitCode}): ${this.logs.slice(-5).join(' | ')}`);
      if (Date.now() > deadline) throw new Error(`mosquitto did not start: ${this.logs.slice(-5).join(' | ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    this.logs.length = 0;
  }

  /** SIGTERM: Mosquitto saves its persistence file and exits. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  async teardown(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
