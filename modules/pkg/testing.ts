import { z } from 'zod';
import { runOperationsLocally } from '../../agent/runner.js';
import type { OperationResult } from '../../protocol/messages.js';
import type { AnyModuleSpec, ModuleRun } from '../../protocol/module-spec.js';

/**
 * Test-only helpers shared by the pkg, sshkey and scribe tests: the spec checks every module
 * owes (described fields, examples that parse) and a run through the real agent runner.
 */

function hasDescription(schema: z.ZodType): boolean {
  let current: z.ZodType | undefined = schema;
  while (current !== undefined) {
    if (current.description !== undefined) return true;
    const def = current.def as { innerType?: z.ZodType; in?: z.ZodType };
    current = def.innerType ?? def.in;
  }
  return false;
}

/** Paths of object fields (at any depth) that no wrapper layer describes. */
export function undescribed(schema: z.ZodType, path: string): string[] {
  const def = schema.def as { innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType; element?: z.ZodType; valueType?: z.ZodType; options?: z.ZodType[] };
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape).flatMap(([key, field]) => {
      const own = hasDescription(field as z.ZodType) ? [] : [`${path}.${key}`];
      return [...own, ...undescribed(field as z.ZodType, `${path}.${key}`)];
    });
  }
  const inner = [def.innerType, def.in, def.out, def.element, def.valueType, ...(def.options ?? [])].filter((s): s is z.ZodType => s !== undefined);
  return inner.flatMap((s) => undescribed(s, path));
}

/**
 * A documented command line as the shell would split it (single and double quotes), without
 * `mig <module>`. `substitute` expands `$(...)` inside double quotes, which the test cannot run;
 * like the shell, it applies after the quotes' own backslash escapes.
 */
export function exampleArgv(command: string, module: string, substitute: (word: string) => string = (w) => w): string[] {
  const words = command.match(/'[^']*'|"(?:\\.|[^"\\])*"|\S+/g) ?? [];
  const argv = words.map((w) => (w.startsWith("'") ? w.slice(1, -1) : w.startsWith('"') ? substitute(w.slice(1, -1).replace(/\\(["\\$`])/g, '$1')) : w));
  if (argv[0] !== 'mig' || argv[1] !== module) throw new Error(`example does not start with mig ${module}: ${command}`);
  return argv.slice(2);
}

/** Runs one operation through the agent's real runner (validation, privacy filter, caps). */
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
