import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// bin/investigator-main.ts, where bin/main.ts hands the investigator's commands, turns zod's JIT
// off for those one-shot commands (a parser compiled per object schema costs more than it saves
// in one hunt); long-running processes keep it. zod's config is process-wide, so each case runs
// in its own node process.
const MAIN = new URL('./main.ts', import.meta.url).href;

function jitlessAfter(argv: readonly string[]): boolean {
  const script =
    `const { main } = await import(${JSON.stringify(MAIN)});` +
    `await main(${JSON.stringify(argv)});` +
    `const { z } = await import('zod');` +
    `console.error('jitless=' + String(z.config().jitless === true));`;
  const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', MIG_NO_GPG: '1' },
  });
  const match = /jitless=(\S+)/.exec(out.stderr);
  if (match?.[1] === undefined) throw new Error(`no jitless line: ${out.stderr}`);
  return match[1] === 'true';
}

describe('zod JIT in the mig executable', () => {
  it('is off for an investigator command (`mig file --help`)', () => {
    expect(jitlessAfter(['file', '--help'])).toBe(true);
  });

  it('stays on where main does not run an investigator command (`mig agent --help`)', () => {
    expect(jitlessAfter(['agent', '--help'])).toBe(false);
  });
});
