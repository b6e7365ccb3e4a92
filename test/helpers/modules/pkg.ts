import { runOperationsLocally } from '../../../agent/runner.js';
import type { OperationResult } from '../../../protocol/messages.js';
import type { AnyModuleSpec, ModuleRun } from '../../../protocol/module-spec.js';

/** Test-only, shared by the pkg, sshkey and scribe tests: one operation through the agent's real runner (validation, privacy filter, caps). */
export async function runThroughAgent(
  spec: AnyModuleSpec,
  run: ModuleRun<never, unknown>,
  parameters: Record<string, unknown>,
  root: string,
  opts: { signal?: AbortSignal; onRow?: (row: Record<string, unknown>) => void } = {},
): Promise<OperationResult> {
  const [result] = await runOperationsLocally([{ module: spec.name, parameters }], {
    root,
    specs: new Map([[spec.name, spec]]),
    runners: new Map([[spec.name, run]]),
    platform: 'linux',
    signal: opts.signal,
    onRow: (_, row) => opts.onRow?.(row),
  });
  if (result === undefined) throw new Error('the runner returned no result');
  return result;
}
