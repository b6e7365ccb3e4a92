import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedAction } from '../../test/helpers/actions.js';
import { ENROLLMENT_SECRET, startTestBroker, type TestBroker } from '../../test/helpers/agent/broker.js';
import { writeHostRoot } from '../../test/helpers/agent/config.js';
import { tempDir } from '../../test/helpers/agent/probe.js';
import { armoredPublicKey } from '../../test/helpers/keys.js';
import { buildAgentBundle } from './build.js';

/**
 * The single-file agent as a real process, run from a directory holding nothing but that file:
 * no repository and no node_modules reachable (cwd empty, NODE_PATH empty, /tmp has none).
 */
const BUILD_MS = 180_000;

let dir: ReturnType<typeof tempDir>;
let mq: TestBroker;
let child: ChildProcess | undefined;

beforeAll(async () => {
  dir = tempDir('bundle');
  mq = await startTestBroker();
}, BUILD_MS);

afterAll(async () => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  await mq.close();
  dir.remove();
});

/**
 * A build folder `<prefix>build` holding the agent.json to bake (this broker, alice trusted as
 * `alice`, data relative to the running file) and a host root `<prefix>root` for it to hunt.
 */
function prepareBuild(prefix: string, alice: { publicKey: string } | { publicKeyFile: string }): string {
  const build = join(dir.path, `${prefix}build`);
  const root = join(dir.path, `${prefix}root`);
  writeHostRoot(root);
  mkdirSync(build);
  const config = {
    brokerUrl: mq.url,
    enrollmentSecret: ENROLLMENT_SECRET,
    investigators: [{ name: 'alice', ...alice }],
    dataDir: 'data',
    root,
  };
  writeFileSync(join(build, 'agent.json'), JSON.stringify(config));
  return build;
}

/** Copies the bundle alone into a fresh empty directory. */
function shipAlone(bundle: string, name: string): string {
  const host = join(dir.path, name);
  mkdirSync(host);
  const shipped = join(host, 'agent.mjs');
  copyFileSync(bundle, shipped);
  return shipped;
}

const isolatedEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_PATH: '' };

describe('mig agent bundle', () => {
  it(
    'without a config: the file alone prints its usage with plain node',
    async () => {
      const report = await buildAgentBundle({ outFile: join(dir.path, 'plain.mjs') });
      expect(report).toMatchObject({ mode: 0o755, hasBakedConfig: false });
      const shipped = shipAlone(report.outFile, 'host-plain');
      const run = spawnSync(process.execPath, [shipped, '--help'], {
        cwd: join(dir.path, 'host-plain'),
        env: isolatedEnv,
        encoding: 'utf8',
      });
      expect(run.status).toBe(0);
      expect(run.stderr).toMatch(/usage: node FILE \[--config FILE\]/);
      expect(run.stderr).toMatch(/required: none is baked into this file/);
      const noConfig = spawnSync(process.execPath, [shipped], {
        cwd: join(dir.path, 'host-plain'),
        env: isolatedEnv,
        encoding: 'utf8',
      });
      expect(noConfig.status).toBe(2);
      expect(noConfig.stderr).toMatch(/--config FILE is required/);
    },
    BUILD_MS,
  );

  it('refuses an output name node would run as CommonJS', async () => {
    await expect(buildAgentBundle({ outFile: join(dir.path, 'agent.js') })).rejects.toThrow(/does not end in \.mjs/);
  });

  it(
    'with a baked config: enrolls, runs a file hunt and a yara hunt (its wasm inside the file) in threads started from the file',
    async () => {
      const build = prepareBuild('', { publicKeyFile: 'alice.asc' });
      // A key file beside the config: baked as text, the shipped file does not need it.
      writeFileSync(join(build, 'alice.asc'), armoredPublicKey('alice'));
      const report = await buildAgentBundle({
        outFile: join(build, 'agent.mjs'),
        configFile: join(build, 'agent.json'),
      });
      expect(report.mode).toBe(0o600);
      expect(statSync(report.outFile).mode & 0o777).toBe(0o600);
      const shipped = shipAlone(report.outFile, 'host-baked');
      rmSync(build, { recursive: true });

      let stderr = '';
      child = spawn(process.execPath, [shipped], {
        cwd: join(dir.path, 'host-baked'),
        env: isolatedEnv,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const proc = child;
      const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
      const hb = await mq.inbox.waitFor((m) => m.kind === 'heartbeat');
      if (hb.kind !== 'heartbeat') throw new Error('expected a heartbeat');
      expect(hb.modules).toContain('file');
      expect(hb.modules).toContain('yara');
      // The build stamps the version: no package.json travels with the file.
      const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
        version: string;
      };
      expect(hb.version).toBe(version);

      const hunt = await signedAction(['alice']);
      const result = await mq.inbox.resultFor(await mq.sendCommand(hb.agentId, hunt));
      expect(result).toMatchObject({ status: 'success', actionId: hunt.id });
      expect(JSON.stringify(result.operations[0]?.rows)).toMatch(/passwd/);

      // YARA-X's WebAssembly engine runs from the file alone: no node_modules on this "host".
      const rule = 'rule root_account { strings: $a = "root:x:0:0" condition: $a }';
      const yara = await signedAction(['alice'], {
        operations: [{ module: 'yara', parameters: { rules: [rule], paths: ['/etc'] } }],
      });
      const scanned = await mq.inbox.resultFor(await mq.sendCommand(hb.agentId, yara));
      expect(scanned).toMatchObject({ status: 'success', actionId: yara.id });
      expect(scanned.operations[0]?.rows).toEqual([
        expect.objectContaining({ path: '/etc/passwd', rule: 'root_account' }),
      ]);

      // Installs itself: the unit runs this file and lets it write the baked config's dataDir.
      const units = join(dir.path, 'units');
      const install = spawnSync(process.execPath, [shipped, 'install', '--unit-dir', units, '--dry-run'], {
        cwd: join(dir.path, 'host-baked'),
        env: isolatedEnv,
        encoding: 'utf8',
      });
      expect(install.stderr).toContain('dry run: would run systemctl enable --now mig-agent.service');
      const unit = readFileSync(join(units, 'mig-agent.service'), 'utf8');
      expect(unit).toContain(`ExecStart=${process.execPath} ${shipped}\n`);
      expect(unit).toContain(`ReadWritePaths=${join(dir.path, 'host-baked', 'data')}\n`);

      // The data dir of a baked config is relative to the file: the agent wrote its identity there.
      expect(statSync(join(dir.path, 'host-baked', 'data')).isDirectory()).toBe(true);
      proc.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).not.toMatch(/unavailable in this single-file agent/);
      expect(stderr).not.toMatch(/module worker failed to start|yara engine stderr/);
    },
    BUILD_MS,
  );
  it(
    "as one executable (SEA): runs alone, without node, hunts with file and yara, installs itself as the unit's program",
    async () => {
      const build = prepareBuild('sea-', { publicKey: armoredPublicKey('alice') });
      const report = await buildAgentBundle({
        outFile: join(build, 'mig-agent'),
        configFile: join(build, 'agent.json'),
        sea: true,
      });
      expect(report).toMatchObject({ isSea: true, mode: 0o700, hasBakedConfig: true });
      const host = join(dir.path, 'host-sea');
      mkdirSync(host);
      const exe = join(host, 'mig-agent');
      copyFileSync(report.outFile, exe);
      chmodSync(exe, 0o700);
      rmSync(build, { recursive: true });
      // Where the launcher writes the module it imports (default /dev/shm): checked emptied at exit.
      const extractDir = join(dir.path, 'sea-extract');
      mkdirSync(extractDir);
      // No node on PATH: the executable is its own runtime.
      const env = { PATH: '/nonexistent', NODE_PATH: '', MIG_SEA_DIR: extractDir };

      const from = mq.inbox.messages.length;
      let stderr = '';
      const sea = spawn(exe, [], { cwd: host, env, stdio: ['ignore', 'ignore', 'pipe'] });
      child = sea;
      sea.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => sea.on('exit', (code) => resolve(code)));
      const hb = await mq.inbox.waitFor((m) => m.kind === 'heartbeat', from);
      if (hb.kind !== 'heartbeat') throw new Error('expected a heartbeat');
      expect(hb.modules).toEqual(expect.arrayContaining(['file', 'yara']));
      const hunt = await signedAction(['alice']);
      const found = await mq.inbox.resultFor(await mq.sendCommand(hb.agentId, hunt));
      expect(JSON.stringify(found.operations[0]?.rows)).toMatch(/passwd/);
      const yara = await signedAction(['alice'], {
        operations: [
          {
            module: 'yara',
            parameters: { rules: ['rule root_account { strings: $a = "root:x:0:0" condition: $a }'], paths: ['/etc'] },
          },
        ],
      });
      const scanned = await mq.inbox.resultFor(await mq.sendCommand(hb.agentId, yara));
      expect(scanned.operations[0]?.rows).toEqual([
        expect.objectContaining({ path: '/etc/passwd', rule: 'root_account' }),
      ]);

      const units = join(dir.path, 'sea-units');
      const install = spawnSync(exe, ['install', '--unit-dir', units, '--dry-run'], {
        cwd: host,
        env,
        encoding: 'utf8',
      });
      expect(install.status).toBe(0);
      const unit = readFileSync(join(units, 'mig-agent.service'), 'utf8');
      expect(unit).toContain(`ExecStart=${exe}\n`);
      expect(unit).toContain(`ReadWritePaths=${join(host, 'data')}\n`);

      sea.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).not.toMatch(/module worker failed to start|yara engine stderr/);
      expect(readdirSync(extractDir)).toEqual([]);
    },
    BUILD_MS,
  );
});
