import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/agent/probe.js';
import { armoredPublicKey } from '../../test/helpers/keys.js';
import { runAgentCli } from '../cli.js';
import { UNIT_NAME, unitText } from './systemd.js';

/** Only --dry-run with a temporary --unit-dir: these tests never call systemctl nor touch /etc. */
let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir('unit');
});
afterEach(() => dir.remove());

async function mig(argv: string[]): Promise<{ code: number; text: string }> {
  let text = '';
  const stderr = { write: (s: string) => ((text += s), true) };
  const code = await runAgentCli(argv, { stderr, signals: process });
  return { code, text };
}

function writeConfig(): string {
  const path = join(dir.path, 'agent.json');
  writeFileSync(
    path,
    JSON.stringify({
      brokerUrl: 'mqtt://127.0.0.1:1883',
      enrollmentSecret: 's',
      investigators: [{ name: 'alice', publicKey: armoredPublicKey('alice') }],
      dataDir: 'state',
    }),
  );
  return path;
}

describe('mig agent install / uninstall (dry run)', () => {
  it('writes a unit that restarts always, writes only the dataDir, and says what it would run', async () => {
    const config = writeConfig();
    const units = join(dir.path, 'units');
    const { code, text } = await mig([
      'install',
      '--config',
      config,
      '--bundle',
      '/opt/mig/agent.mjs',
      '--unit-dir',
      units,
      '--dry-run',
    ]);
    expect(code).toBe(0);
    const unit = readFileSync(join(units, UNIT_NAME), 'utf8');
    expect(unit).toContain(`ExecStart=${process.execPath} /opt/mig/agent.mjs --config ${config}`);
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).toMatch(/^RestartPreventExitStatus=3$/m);
    expect(unit).toMatch(/^ProtectSystem=strict$/m);
    expect(unit).toContain(`ReadWritePaths=${join(dir.path, 'state')}`);
    expect(unit).toMatch(/^ReadWritePaths=\/etc$/m);
    expect(unit).toMatch(/^ReadWritePaths=\/run$/m);
    expect(unit).toMatch(/^NoNewPrivileges=yes$/m);
    expect(unit).toMatch(/^ProtectHome=read-only$/m);
    expect(unit).not.toMatch(/^User=/m);
    expect(text).toContain(`wrote ${join(units, UNIT_NAME)}`);
    expect(text).toContain('dry run: would run systemctl enable --now mig-agent.service');

    const removed = await mig(['uninstall', '--unit-dir', units, '--dry-run']);
    expect(removed.code).toBe(0);
    expect(existsSync(join(units, UNIT_NAME))).toBe(false);
    expect(removed.text).toContain('dry run: would run systemctl disable --now mig-agent.service');
    expect(removed.text).toContain(`removed ${join(units, UNIT_NAME)}`);
  });

  it('opens /etc and /run only when the config allows the modules that write there', () => {
    const unit = unitText({
      execStart: ['/usr/bin/node', '/opt/agent.mjs'],
      dataDir: '/var/lib/mig',
      allowedModules: ['file', 'netstat'],
    });
    expect(unit).not.toMatch(/^ReadWritePaths=\/(etc|run)$/m);
    expect(unitText({ execStart: ['node'], dataDir: '/d', allowedModules: ['firewall'] })).toMatch(
      /^ReadWritePaths=\/run$/m,
    );
    expect(unitText({ execStart: ['node'], dataDir: '/d', allowedModules: ['password'] })).toMatch(
      /^# password: .*\nReadWritePaths=\/etc$/m,
    );
    // account and password both write /etc: one directive, both reasons above it.
    expect(unitText({ execStart: ['node'], dataDir: '/d' }).match(/^ReadWritePaths=\/etc$/gm)).toHaveLength(1);
  });

  it('every directive line is explained by a comment above it (or belongs to a commented group)', () => {
    const lines = unitText({ execStart: ['/usr/bin/node', '/opt/a b/agent.mjs'], dataDir: '/var/lib/mig' }).split('\n');
    expect(lines).toContain('ExecStart=/usr/bin/node "/opt/a b/agent.mjs"');
    for (const [i, line] of lines.entries()) {
      if (!/^(NoNewPrivileges|ProtectSystem|PrivateTmp|ProtectHome|Restart|RestrictAddressFamilies)=/.test(line))
        continue;
      expect(lines[i - 1], `comment above ${line}`).toMatch(/^#|^[A-Z]\w+=/);
    }
  });

  const refusals: { name: string; argv: string[]; want: RegExp }[] = [
    {
      name: 'install without config nor bundle',
      argv: ['install', '--dry-run'],
      want: /expected --config FILE, --bundle FILE, or both/,
    },
    {
      name: 'an option of another subcommand',
      argv: ['uninstall', '-o', 'x.mjs'],
      want: /--out is not an option of this command/,
    },
    { name: 'bundle without -o', argv: ['bundle'], want: /-o FILE\.mjs is required/ },
  ];
  it.each(refusals)('$name → exit 2 with a reason', async ({ argv, want }) => {
    const { code, text } = await mig(argv);
    expect(code).toBe(2);
    expect(text).toMatch(want);
  });
});
