import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAgentConfig } from '../../agent/config.js';
import { runCommand } from '../../agent/runner.js';
import { ModulePool } from '../../agent/worker/pool.js';
import { execModule } from '../../modules/exec/spec.js';
import { armoredPublicKey } from '../helpers/keys.js';

/**
 * The exec allow-list from the agent config to the module, the way an agent runs it: parsed with
 * the config, handed to a module worker thread (agent/worker/) as the module's own ctx.settings.
 */
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const baseConfig = {
  brokerUrl: 'mqtt://127.0.0.1:1883',
  enrollmentSecret: 'x',
  investigators: [{ name: 'alice', publicKey: armoredPublicKey('alice') }],
  dataDir: '/nonexistent-mig-data',
};

let pool: ModulePool;
beforeAll(() => {
  pool = new ModulePool({ size: 1, memoryMb: 128 });
});
afterAll(() => pool.close());

function runEcho(settings: Readonly<Record<string, unknown>> | undefined) {
  const params = execModule.params.parse({ program: '/bin/echo', args: ['from', 'a worker'] });
  return runCommand([{ module: 'exec', spec: execModule, params }], {
    root: '/',
    isPrivacyMode: false,
    timeoutMs: 30_000,
    pool,
    ...(settings === undefined ? {} : { settings }),
  });
}

describe('exec settings in the agent config', () => {
  it('default: no moduleSettings, so exec runs nothing', () => {
    expect(parseAgentConfig(baseConfig).moduleSettings).toEqual({});
  });

  it('a bad allow-list is refused when the config loads, naming the field', () => {
    expect(() => parseAgentConfig({ ...baseConfig, moduleSettings: { exec: { programs: ['echo'] } } })).toThrow(
      /moduleSettings\.exec\.programs\.0: expected an absolute program path/,
    );
    expect(() => parseAgentConfig({ ...baseConfig, moduleSettings: { exec: { env: ['LD_PRELOAD'] } } })).toThrow(
      /moduleSettings\.exec\.env\.0: LD_PRELOAD makes programs load other code/,
    );
    expect(() => parseAgentConfig({ ...baseConfig, moduleSettings: { shell: {} } })).toThrow(/moduleSettings/);
  });

  it('reaches the module in its worker thread: listed, the program runs', async () => {
    const { moduleSettings } = parseAgentConfig({
      ...baseConfig,
      moduleSettings: { exec: { programs: ['/bin/echo'] } },
    });
    const outcome = await runEcho(moduleSettings);
    expect(outcome.status).toBe('success');
    expect(outcome.operations[0]?.rows).toMatchObject([
      { isRun: true, exitCode: 0, stdoutSha256: sha256('from a worker\n') },
    ]);
  });

  it('in a worker too, an agent without settings refuses', async () => {
    const outcome = await runEcho(undefined);
    expect(outcome.operations[0]?.rows).toMatchObject([
      { isRun: false, error: expect.stringMatching(/^refused: this agent allows no program/) },
    ]);
  });
});
