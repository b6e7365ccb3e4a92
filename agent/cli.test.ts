import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { armoredPublicKey } from '../test/helpers/keys.js';
import { runAgentCli } from './cli.js';
import { ENROLLMENT_SECRET, startTestBroker, type TestBroker } from '../test/helpers/agent/broker.js';
import { tempDir } from '../test/helpers/agent/probe.js';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const REPO = fileURLToPath(new URL('..', import.meta.url));

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir('cli');
});
afterEach(() => dir.remove());

function captureIo(): { stderr: { write(s: string): boolean }; text(): string; signals: EventEmitter } {
  let text = '';
  return { stderr: { write: (s: string) => ((text += s), true) }, text: () => text, signals: new EventEmitter() };
}

describe('runAgentCli usage errors', () => {
  const cases: { name: string; argv: string[]; file?: string; want: number; wantStderr: RegExp }[] = [
    { name: 'no --config', argv: [], want: 2, wantStderr: /--config FILE is required/ },
    { name: 'unknown flag', argv: ['--cnofig', 'x'], want: 2, wantStderr: /cnofig/ },
    {
      name: 'missing config file',
      argv: ['--config', 'absent.json'],
      want: 1,
      wantStderr: /CONFIG_INVALID.*cannot read/,
    },
    {
      name: 'config field wrong',
      argv: ['--config', 'agent.json'],
      file: '{"brokerUrl":"http://x"}',
      want: 1,
      wantStderr: /brokerUrl: expected mqtt:\/\/host:port/,
    },
    { name: '--help', argv: ['--help'], want: 0, wantStderr: /usage: mig agent --config FILE/ },
  ];
  it.each(cases)('$name → exit $want', async ({ argv, file, want, wantStderr }) => {
    if (file !== undefined) writeFileSync(join(dir.path, 'agent.json'), file);
    const io = captureIo();
    const args = argv.map((a) => (a.endsWith('.json') ? join(dir.path, a) : a));
    expect(await runAgentCli(args, { stderr: io.stderr, signals: io.signals as unknown as NodeJS.Process })).toBe(want);
    expect(io.text()).toMatch(wantStderr);
  });
});

describe('mig agent as a real process', () => {
  let mq: TestBroker;
  let child: ChildProcess | undefined;
  let stderr = '';
  beforeEach(async () => {
    mq = await startTestBroker();
    stderr = '';
  });
  afterEach(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    await mq.close();
  });

  function spawnAgent(): { exited: Promise<number | null> } {
    const config = {
      brokerUrl: mq.url,
      enrollmentSecret: ENROLLMENT_SECRET,
      investigators: [{ name: 'alice', publicKey: armoredPublicKey('alice') }],
      dataDir: 'data',
    };
    const path = join(dir.path, 'agent.json');
    writeFileSync(path, JSON.stringify(config));
    const script = `const { runAgentCli } = await import(${JSON.stringify(CLI)}); process.exitCode = await runAgentCli(process.argv.slice(1));`;
    child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', '--config', path], {
      cwd: REPO,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const proc = child;
    return { exited: new Promise((resolve) => proc.on('exit', (code) => resolve(code))) };
  }

  const cases: { name: string; signal: NodeJS.Signals; wantReason: 'shutdown' | 'lost'; wantExit: number | null }[] = [
    { name: 'SIGTERM: clean shutdown', signal: 'SIGTERM', wantReason: 'shutdown', wantExit: 0 },
    { name: 'SIGINT: clean shutdown', signal: 'SIGINT', wantReason: 'shutdown', wantExit: 0 },
    { name: 'SIGKILL: the broker publishes the will', signal: 'SIGKILL', wantReason: 'lost', wantExit: null },
  ];
  it.each(cases)('$name', async ({ signal, wantReason, wantExit }) => {
    const { exited } = spawnAgent();
    const hb = await mq.inbox.waitFor((m) => m.kind === 'heartbeat');
    child?.kill(signal);
    const offline = await mq.inbox.waitFor((m) => m.kind === 'offline');
    expect(offline).toMatchObject({ agentId: hb.kind === 'heartbeat' ? hb.agentId : '', reason: wantReason });
    expect(await exited).toBe(wantExit);
    if (wantExit === 0) expect(stderr).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z info {2}agent a-[0-9a-f]{20} .*started/m);
  });
});
