// Test-only: turns card command lines into what `mig` would send, with the console's own
// parsers, so the tests check the card against the real CLI (demo/ code never imports console/).
import { execFileSync } from 'node:child_process';
import type { Operation } from '../../protocol/action.js';
import { UserError } from '../../protocol/errors.js';
import { moduleSpecs } from '../../modules/registry.js';
import { moduleParams } from '../../console/cli/hunt.js';
import { HUNT_FLAG_HINTS, HuntFlagsSchema, composeTarget, splitHuntArgv } from '../../console/cli/hunt-flags.js';
import { parseFlags } from '../../console/flags/parse-flags.js';

/** Splits a command line exactly as a POSIX shell does (a real `sh`), `mig` itself dropped. */
export function shellSplit(commandLine: string): string[] {
  if (!commandLine.startsWith('mig ')) throw new Error(`not a mig command line: ${commandLine}`);
  const out = execFileSync('sh', ['-c', `printf '%s\\0' ${commandLine.slice('mig '.length)}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

/** `mig <module> ...` argv → the action's target and operations, as `mig` builds them. */
export function huntFromArgv(argv: readonly string[]): { target: string; operations: Operation[] } {
  const [module, ...rest] = argv;
  const spec = moduleSpecs.get(module ?? '');
  if (spec === undefined) throw new UserError('UNKNOWN_MODULE', `no module ${module}`);
  const split = splitHuntArgv(rest, spec);
  const { values } = parseFlags(HuntFlagsSchema, split.common, HUNT_FLAG_HINTS);
  return {
    target: composeTarget(values),
    operations: [{ module: spec.name, parameters: moduleParams(spec, split.module) }],
  };
}
