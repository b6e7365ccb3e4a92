import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBSHELL_SHA256 } from '../../demo/iocs.js';
import { MIG_BIN, startMig, type MigProcess } from '../helpers/mig-process.js';
import { extractCommands, withoutComment, type DocCommand } from './doc-commands.js';

/**
 * Every `mig ...` command shown in README.md and doc/*.md runs, as a user types it (through a
 * shell, with `mig` on the PATH as `npm link` puts it), against a demo fleet (`mig demo --hosts
 * 3` on free ports, real child processes), and exits 0 (found) or 1 (nothing found). So the
 * examples cannot rot. Commands that cannot run here are listed in NOT_RUN with the reason: a
 * new command in the docs fails this test until it runs or is listed.
 */

const REPO = fileURLToPath(new URL('../..', import.meta.url));

const FIXED_PORTS =
  'starts a server on the fixed ports 8765/1883 (taken on a test machine); the demo fleet stands in for it, and broker/cli.test.ts starts `mig server` on free ports';
const INTERACTIVE = 'the interactive console needs a terminal; test/e2e/console.test.ts drives it in tmux';
const LONG_DEMO = 'a long-running demo of its own; this test runs `mig demo --hosts 3` as its fleet';
const RESPONSE =
  'a response action: changes the host (firewall, accounts, processes, the agent) and needs a second investigator; test/e2e/two-person.test.ts and the module tests run these in namespaces';
const HOST_MEMORY =
  "reads the test machine's process memory, outside the repository (tests read nothing outside it); modules/memory tests use their own child processes";
const HOST_SOCKETS =
  "reads the test machine's sockets and interfaces, outside the repository; modules/netstat tests use their own sockets";
const NETWORK = 'sends packets to addresses outside the test machine; modules/ping tests probe loopback';
const NTP = 'queries NTP servers on the network; modules/timedrift tests use a local NTP responder';

/** Commands a test cannot run, by their exact text, with the reason. */
const NOT_RUN: Readonly<Record<string, string>> = {
  'mig server': FIXED_PORTS,
  'mig agent --config ~/.mig/server/agent.json':
    'joins the `mig server` started just before it (fixed ports, not run here); the demo agents stand in',
  'mig server --data-dir /var/lib/mig --host 0.0.0.0 --http-port 8765 --mqtt-port 1883 --tls-cert server.pem --tls-key server.key [--tls-ca agents-ca.pem]':
    'a production start: writes /var/lib/mig, fixed ports, TLS files the reader supplies (and [...] marks an optional flag)',
  'mig console': INTERACTIVE,
  'mig console --read-only': INTERACTIVE,
  'mig server --broker mqtt://broker.example:1883 --broker-password-file broker-admin.pw':
    'needs a Mosquitto with dynamic security at that address; broker/external/mosquitto.test.ts runs the server on a real one',
  'mig demo': LONG_DEMO,
  'mig demo --hosts 12': LONG_DEMO,
  'mig demo --hosts 40': LONG_DEMO,
  'mig investigators disable bob':
    'a transcript of disabling a second investigator, who the demo fleet does not have; console/cli/policy.test.ts disables one and publishes the bundle end to end',
  'mig investigators add --name compliance-runner --key /var/lib/mig-runner/investigator.pub.asc':
    'adds the key a runner made in /var/lib/mig-runner (outside the test); test/e2e/runner.test.ts enrolls a runner investigator end to end',
  'mig policy publish --acl acl.json -y':
    'publishes an ACL the reader writes with their own fingerprints; test/e2e/runner.test.ts publishes one and checks agents enforce it',
  'mig agent bundle -o mig-agent.mjs --config agent.json':
    "bundles the reader's agent.json; agent/bundle/bundle.test.ts builds bundles (with a baked config and without) and runs each alone in an empty directory",
  'mig action approve 5f0c…':
    'needs an action waiting for a second investigator (5f0c… stands for its id); test/e2e/two-person.test.ts runs approve end to end',
};

/** Modules whose every example is not run, with the reason. */
const NOT_RUN_MODULES: Readonly<Record<string, string>> = {
  account: RESPONSE,
  exec: RESPONSE,
  password: RESPONSE,
  agentdestroy: RESPONSE,
  firewall: RESPONSE,
  process: RESPONSE,
  memory: HOST_MEMORY,
  netstat: HOST_SOCKETS,
  ping: NETWORK,
  timedrift: NTP,
};

function whyNotRun(command: string): string | undefined {
  return NOT_RUN[command] ?? NOT_RUN_MODULES[command.split(' ')[1] ?? ''];
}

const commands = extractCommands(REPO);
const runnable = commands.filter((c) => whyNotRun(c.command) === undefined);

/** Placeholders the docs use, and what this run puts in their place. */
function fill(command: string, lastActionId: string | undefined): string {
  if (command.includes('<action id>') && lastActionId === undefined)
    throw new Error(`${command}: no earlier command launched an action`);
  return command.replaceAll('<sha256 hex>', WEBSHELL_SHA256).replaceAll('<action id>', lastActionId ?? '');
}

interface Ran {
  code: number;
  output: string;
}

function sh(command: string, env: NodeJS.ProcessEnv, cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 137, output });
    });
  });
}

describe('the commands in README.md and doc/', () => {
  it('are found (the extractor sees code blocks, prompts, continuations and comments)', () => {
    expect(commands.length).toBeGreaterThan(50);
    expect(commands.find((c) => c.where.startsWith('README.md'))?.command).toBe('mig init --no-passphrase');
    expect(
      commands.some((c) => c.command.startsWith('mig server --data-dir') && c.command.includes('--tls-key server.key')),
    ).toBe(true);
    expect(withoutComment(`mig file -content "^(#.*|x)$" -y   # a comment`)).toBe('mig file -content "^(#.*|x)$" -y');
  });

  it('every exclusion names a command the docs still show', () => {
    const shown = new Set(commands.map((c) => c.command));
    expect(Object.keys(NOT_RUN).filter((c) => !shown.has(c))).toEqual([]);
    const modules = new Set(commands.map((c) => c.command.split(' ')[1]));
    expect(Object.keys(NOT_RUN_MODULES).filter((m) => !modules.has(m))).toEqual([]);
  });

  it('write `mig`, never `npx mig`, once `npm link` is in the set-up (README)', () => {
    expect(readFileSync(join(REPO, 'README.md'), 'utf8')).toContain('npm ci && npm link');
    for (const c of commands) expect(c.command).toMatch(/^mig /);
    const npx = commands.filter((c) => c.command.includes('npx'));
    expect(npx).toEqual([]);
  });
});

describe('run against a demo fleet', () => {
  let dir: string;
  let demo: MigProcess;
  let env: NodeJS.ProcessEnv;
  let cwd: string;
  let lastActionId: string | undefined;
  let inits = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mig-doc-'));
    const home = join(dir, 'home');
    // `mig` on the PATH, as `npm link` puts it there: a link to bin/mig.js.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(MIG_BIN, join(bin, 'mig'));
    // The working directory of a reader in the repository: modules/scribe/examples, plus the files the docs name.
    cwd = join(dir, 'work');
    mkdirSync(cwd);
    symlinkSync(join(REPO, 'modules'), join(cwd, 'modules'));
    copyFileSync(join(REPO, 'test/fixtures/mig-actions/shellshock_iocs.json'), join(cwd, 'shellshock_iocs.json'));
    for (const feed of ['demo-iocs.stix.json', 'demo-iocs.txt', 'demo-iocs.yar'])
      copyFileSync(join(REPO, 'demo/feeds', feed), join(cwd, feed));
    writeFileSync(join(cwd, 'webshells.yar'), 'rule php_system { strings: $a = "system($_GET" condition: $a }\n');
    writeFileSync(join(cwd, 'elf-implants.yar'), 'rule elf { strings: $a = { 7F 45 4C 46 } condition: $a at 0 }\n');
    writeFileSync(join(cwd, 'loaders.yar'), 'rule loader { strings: $a = "LD_PRELOAD" condition: $a }\n');
    const base = { MIG_HOME: home, HOME: dir, MIG_NO_GPG: '1', NO_COLOR: '1' };
    demo = startMig(['demo', '--hosts', '3'], base);
    const [, url] = await demo.waitFor(/export MIG_SERVER=(\S+)/, 120_000);
    env = {
      ...process.env,
      ...base,
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      MIG_SERVER: url,
      // `-t local` searches this demo host's tree, not the test machine.
      MIG_LOCAL_ROOT: join(home, 'demo/hosts/web-prod-01/root'),
    };
  }, 150_000);

  afterAll(async () => {
    await demo?.stop('SIGINT');
    rmSync(dir, { recursive: true, force: true });
  });

  /** `mig init` makes an identity: each one gets a fresh MIG_HOME (and a passphrase, there being no terminal). */
  function envFor(c: DocCommand): NodeJS.ProcessEnv {
    if (!c.command.startsWith('mig init')) return env;
    return { ...env, MIG_HOME: join(dir, `init-${++inits}`), MIG_PASSPHRASE: 'doc test' };
  }

  it.each(runnable.map((c) => [c.where, c] as const))(
    '%s',
    async (_where, c) => {
      const command = fill(c.command, lastActionId);
      const ran = await sh(command, envFor(c), cwd);
      lastActionId = /launched action (\S+)/.exec(ran.output)?.[1] ?? lastActionId;
      // 0: something was found, 1: nothing was found, 3: nothing found but the search was
      // incomplete (a demo host lacks a path the example names); 2 is an error, 130 an interruption.
      const isAnswer = (n: number): boolean => n === 0 || n === 1 || n === 3;
      expect({ command, code: ran.code, output: isAnswer(ran.code) ? '' : ran.output }).toEqual({
        command,
        code: expect.toSatisfy(isAnswer),
        output: '',
      });
    },
    120_000,
  );

  it('the demo is still up after every command', () => {
    expect(
      execFileSync(process.execPath, [MIG_BIN, 'agents', '-t', 'all', '-render', 'json'], { env }).toString(),
    ).toContain('web-prod-01');
  });
});
