import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { overviewHelp } from '../console/cli/commands.js';
import { moduleSpecs } from '../modules/registry.js';
import { MIG_BIN } from '../test/helpers/mig-process.js';

// bin/mig.js prints `mig --help` from the text the build rendered (dist/cli/overview-help.txt)
// when dist/ is current: it must be, byte for byte, what the CLI renders from the sources.
function mig(args: string[]): { status: number | null; stdout: string } {
  const out = spawnSync(process.execPath, [MIG_BIN, ...args], {
    env: { ...process.env, NO_COLOR: '1', MIG_NO_GPG: '1' },
    encoding: 'utf8',
  });
  return { status: out.status, stdout: out.stdout };
}

describe('mig --help', () => {
  it.each(['--help', '-h', '-help', 'help'])('`mig %s` prints the overview the sources render, exit 0', (flag) => {
    expect(mig([flag])).toEqual({ status: 0, stdout: overviewHelp(moduleSpecs) });
  });

  it('`mig` with no command prints the same overview and exits 2', () => {
    expect(mig([])).toEqual({ status: 2, stdout: overviewHelp(moduleSpecs) });
  });
});
