import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../test/helpers/broker/harness.js';
import { HeartbeatMessageSchema } from '../protocol/messages.js';
import type { AnyModuleSpec } from '../protocol/module-spec.js';
import { parseAgentConfig } from './config.js';
import { runCommand, type RunCommandOptions } from './runner.js';
import { DEFAULT_WATCHDOG, Watchdog, type WatchdogConfig } from './watchdog.js';
import { ModulePool } from './worker/pool.js';
import { startAgentRig, type AgentRig } from '../test/helpers/agent/worker-rig.js';
import { hogRunners, hogSpec, hogSpecs } from '../test/helpers/agent/hog-module.js';

const MB = 2 ** 20;
const rssMb = (): number => process.memoryUsage.rss() / MB;

function run(pool: ModulePool, params: Record<string, unknown>, opts: Partial<RunCommandOptions> = {}) {
  const spec: AnyModuleSpec = hogSpec;
  return runCommand([{ module: spec.name, spec, params: spec.params.parse(params) }], {
    root: '/',
    isPrivacyMode: false,
    timeoutMs: 60_000,
    runners: hogRunners,
    pool,
    ...opts,
  });
}

describe('the watchdog over a real module worker pool', () => {
  let pool: ModulePool;
  const logs: string[] = [];
  beforeAll(() => {
    pool = new ModulePool({ size: 1, memoryMb: 128, log: (_l, m) => logs.push(m) });
  });
  afterAll(() => pool.close());

  function watchdog(limits: Partial<WatchdogConfig>): Watchdog {
    // Checked by hand (check()), not on a timer: the test decides when the watchdog looks.
    return new Watchdog({
      limits: { ...DEFAULT_WATCHDOG, ...limits },
      workers: pool,
      log: (level, m) => logs.push(`${level} ${m}`),
    });
  }

  it('restarts the workers when the agent goes over its RSS limit: the module fails with MODULE_MEMORY_LIMIT, the next runs', async () => {
    await run(pool, { mode: 'rows', rows: 1 }); // a warm worker: its start is not counted as the module's doing
    const before = pool.threadIds();
    const dog = watchdog({ maxRssMb: Math.ceil(rssMb()) + 100 });
    dog.check();
    expect(dog.resources()).toMatchObject({ watchdogRestarts: 0 });
    // No module timeout: on a loaded machine, taking the memory may be slow.
    const held = run(pool, { mode: 'hold', megabytes: 300 }, { timeoutMs: 600_000 });
    // Well over, then checked until it acts: RSS moves (GC) and a check at the edge may see it under.
    await waitFor(() => rssMb() > dog.limits.maxRssMb + 50, 'the module to hold its memory', 180_000);
    await waitFor(() => {
      dog.check();
      return dog.resources().watchdogRestarts === 1;
    }, 'the RSS restart');
    const outcome = await held;
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'MODULE_MEMORY_LIMIT' } });
    expect(outcome.error?.message).toMatch(
      /agent watchdog restarted the module workers: agent RSS \d+ MB is over the limit of \d+ MB \(agent config watchdog.maxRssMb\)/,
    );
    const resources = dog.resources();
    expect(resources.watchdogRestarts).toBe(1);
    expect(resources.lastRestart?.reason).toMatch(/RSS .* over the limit/);
    expect(logs.some((l) => /^warn watchdog: agent RSS .* restarting the module workers \(restart 1\)/.test(l))).toBe(
      true,
    );
    expect(pool.threadIds().some((id) => before.includes(id))).toBe(false);
    expect(await run(pool, { mode: 'rows', rows: 2 })).toMatchObject({ status: 'success' });
  }, 240_000);

  it('restarts the workers after cpuStrikes checks over the CPU limit while a module runs (MODULE_FAILED)', async () => {
    const dog = watchdog({ maxCpuPercent: 1, cpuStrikes: 2, maxRssMb: 1_048_576 });
    const spinning = run(pool, { mode: 'spin' });
    await waitFor(() => pool.busyWorkers() === 1, 'the spin module to start');
    // Each check measures CPU since the one before; a spinning thread is far over 1 % of a core.
    await waitFor(
      () => {
        dog.check();
        return dog.resources().watchdogRestarts === 1;
      },
      'a CPU restart',
      60_000,
    );
    const outcome = await spinning;
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'MODULE_FAILED' } });
    expect(outcome.error?.message).toMatch(/agent CPU \d+ % of a core for 2 checks is over the limit of 1 %/);
    expect(dog.resources().cpuPercent).toBeGreaterThan(1);
  }, 90_000);

  it('does not restart idle workers for CPU, nor anything when disabled', async () => {
    const idle = watchdog({ maxCpuPercent: 1, cpuStrikes: 1, maxRssMb: 1_048_576 });
    for (let i = 0; i < 3; i++) idle.check();
    expect(idle.resources().watchdogRestarts).toBe(0);
    const disabled = watchdog({ enabled: false, maxRssMb: 64 });
    disabled.check();
    expect(disabled.resources().watchdogRestarts).toBe(0);
    expect(logs.some((l) => /watchdog: agent RSS .* restarts are disabled/.test(l))).toBe(true);
  });
});

describe('watchdog config', () => {
  const base = {
    brokerUrl: 'mqtt://127.0.0.1:1883',
    enrollmentSecret: 's',
    investigators: [{ name: 'a', publicKey: 'k' }],
    dataDir: '/tmp/x',
  };

  it('has sane defaults when the config says nothing', () => {
    expect(parseAgentConfig(base).watchdog).toEqual({
      enabled: true,
      maxRssMb: 1536,
      maxCpuPercent: 90,
      cpuStrikes: 12,
      intervalMs: 5000,
    });
  });

  it('refuses a bad limit naming the field, the value and what it expects', () => {
    expect(() => parseAgentConfig({ ...base, watchdog: { maxRssMb: 10 } })).toThrow(
      /watchdog\.maxRssMb.*10.*64|watchdog\.maxRssMb.*>=\s*64/,
    );
    expect(() => parseAgentConfig({ ...base, watchdog: { maxCpu: 5 } })).toThrow(/watchdog.*maxCpu/);
  });
});

describe('a real agent over its RSS limit', () => {
  let rig: AgentRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('fails the module with MODULE_MEMORY_LIMIT, says so in its log and next heartbeat, and answers the next hunt', async () => {
    const logs: string[] = [];
    const limit = Math.ceil(rssMb()) + 350;
    rig = await startAgentRig({
      specs: hogSpecs,
      runners: hogRunners,
      config: { allowedModules: ['hog', 'file'], watchdog: { maxRssMb: limit, intervalMs: 100 } },
      log: (_level, m) => logs.push(m),
    });
    const first = rig.mq.inbox.messages.length;
    const held = await rig.hunt([{ module: 'hog', parameters: { mode: 'hold', megabytes: 700 } }]);
    const result = await rig.result(held);
    expect(result).toMatchObject({ status: 'failed', operations: [{ error: { code: 'MODULE_MEMORY_LIMIT' } }] });
    const beat = await rig.mq.inbox.waitFor(
      (m) => m.kind === 'heartbeat' && (m.resources?.watchdogRestarts ?? 0) > 0,
      first,
    );
    const resources = HeartbeatMessageSchema.parse(beat).resources;
    expect(resources?.lastRestart?.reason).toMatch(new RegExp(`over the limit of ${limit} MB`));
    expect(resources?.rssMb).toBeGreaterThan(0);
    expect(logs.some((l) => l.includes('watchdog: agent RSS') && l.includes('restarting the module workers'))).toBe(
      true,
    );
    const again = await rig.hunt([{ module: 'hog', parameters: { mode: 'rows', rows: 1 } }]);
    expect(await rig.result(again)).toMatchObject({ status: 'success' });
  }, 240_000);
});
