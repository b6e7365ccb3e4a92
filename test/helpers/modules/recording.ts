import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { z } from 'zod';
import { HuntFlagsSchema, HUNT_FLAG_HINTS, splitHuntArgv } from '../../../console/cli/hunt-flags.js';
import { parseFlags } from '../../../console/flags/parse-flags.js';
import type { AgentSelf, AnyModuleSpec, ModuleContext } from '../../../protocol/module-spec.js';

/**
 * Test and benchmark support every module shares: a ModuleContext that records what a module
 * reports, a run to the end as the agent does it, and the spec checks the registry test runs
 * over every module (modules/registry.test.ts). Module-specific fixtures are in the
 * test/helpers/modules/<module>.ts files. No vitest import here: benchmarks load this file outside the test runner.
 */

export interface Recording {
  ctx: ModuleContext;
  warnings: string[];
  logs: string[];
  stats: Record<string, number>;
  /** What a response module journaled (ctx.journal), in order. */
  journal: Record<string, unknown>[];
  controller: AbortController;
}

export interface RecordingOptions {
  /** A fixed instant, or a clock (e.g. one skewed from real time). Default: the real clock. */
  now?: Date | (() => Date);
  /** false leaves ctx.journal absent, as outside an agent. Default: journal entries are recorded. */
  journal?: boolean;
  /** The agent the operation runs in (agentdestroy); absent by default, as with `-t local`. */
  agent?: AgentSelf;
}

/** A real ModuleContext over `root` that records warnings, logs, statistics and journal entries. */
export function recordingContext(root: string, opts: RecordingOptions = {}): Recording {
  const controller = new AbortController();
  const { now = () => new Date() } = opts;
  const rec: Recording = {
    warnings: [],
    logs: [],
    stats: {},
    journal: [],
    controller,
    ctx: undefined as unknown as ModuleContext,
  };
  rec.ctx = {
    signal: controller.signal,
    root,
    now: typeof now === 'function' ? now : () => now,
    log: (message) => rec.logs.push(message),
    warn: (message) => rec.warnings.push(message),
    count: (stat, delta = 1) => {
      rec.stats[stat] = (rec.stats[stat] ?? 0) + delta;
    },
    ...(opts.journal === false ? {} : { journal: (entry: Record<string, unknown>) => rec.journal.push(entry) }),
    ...(opts.agent === undefined ? {} : { agent: opts.agent }),
  };
  return rec;
}

/** Parses `params` with the module's schema (as the agent does) and runs the module to the end. */
export async function collectRows<S extends z.ZodType, R>(
  run: (params: z.output<S>, ctx: ModuleContext) => AsyncIterable<R>,
  schema: S,
  params: unknown,
  rec: { ctx: ModuleContext },
): Promise<R[]> {
  const rows: R[] = [];
  for await (const row of run(schema.parse(params), rec.ctx)) rows.push(row);
  return rows;
}

/** Whether some wrapper layer (optional, default, pipe input...) carries a description, as deriveFlags reads it. */
function hasDescription(schema: z.ZodType): boolean {
  let current: z.ZodType | undefined = schema;
  while (current !== undefined) {
    if (current.description !== undefined) return true;
    const def = current.def as { innerType?: z.ZodType; in?: z.ZodType };
    current = def.innerType ?? def.in;
  }
  return false;
}

/** Paths of object fields (at any depth: wrappers, pipes, arrays, records, unions) that nothing describes. */
export function undescribed(schema: z.ZodType, path: string): string[] {
  const def = schema.def as {
    innerType?: z.ZodType;
    in?: z.ZodType;
    out?: z.ZodType;
    element?: z.ZodType;
    valueType?: z.ZodType;
    options?: z.ZodType[];
  };
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape).flatMap(([key, field]) => {
      const own = hasDescription(field as z.ZodType) ? [] : [`${path}.${key}`];
      return [...own, ...undescribed(field as z.ZodType, `${path}.${key}`)];
    });
  }
  const inner = [def.innerType, def.in, def.out, def.element, def.valueType, ...(def.options ?? [])].filter(
    (s): s is z.ZodType => s !== undefined,
  );
  return inner.flatMap((s) => undescribed(s, path));
}

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * The inside of "...", as the shell reads it in one pass: \" \\ \$ \` lose their backslash, and
 * `$(cat path)` expands when `path` is a file of this repository (the scribe examples); any other
 * substitution is kept as written (`$(cat webshells.yar)` is the user's own file).
 */
function doubleQuoted(text: string): string {
  return text.replace(
    /\\(["\\$`])|\$\(cat ([^)]+)\)/g,
    (whole, escaped: string | undefined, path: string | undefined) => {
      if (escaped !== undefined) return escaped;
      try {
        return readFileSync(join(REPO, path ?? ''), 'utf8');
      } catch {
        return whole;
      }
    },
  );
}

/** A command line split as a POSIX shell does it: '...' verbatim, "..." through doubleQuoted, the rest on blanks. */
export function shellWords(command: string): string[] {
  const words = command.match(/'[^']*'|"(?:\\.|[^"\\])*"|\S+/g) ?? [];
  return words.map((w) => (w.startsWith("'") ? w.slice(1, -1) : w.startsWith('"') ? doubleQuoted(w.slice(1, -1)) : w));
}

/** `mig <module> ...` → the argv after the module name; throws when the command is for another module. */
export function exampleArgv(spec: AnyModuleSpec, command: string): string[] {
  const words = shellWords(command);
  if (words[0] !== 'mig' || words[1] !== spec.name)
    throw new Error(`example does not start with mig ${spec.name}: ${command}`);
  return words.slice(2);
}

/** A hunt's argv after `mig <module>`, through the real CLI parsers: the hunt flags, and the params in the form that travels. */
export function cliParams(spec: AnyModuleSpec, argv: readonly string[]): { common: string[]; params: unknown } {
  const { common, module } = splitHuntArgv(argv, spec);
  const { values, positionals } = parseFlags(spec.cli.schema, module, spec.cli.flags, {
    subject: `module ${spec.name}`,
  });
  if (positionals.length > 0)
    throw new Error(`unexpected argument ${JSON.stringify(positionals[0])} for mig ${spec.name}`);
  return { common, params: spec.cli.toParams(values) };
}

/**
 * What the real `mig <module>` does with a command line: split the hunt flags off and parse them,
 * parse the module's flags, build and validate the params (returned parsed). Hunt flags lead
 * (`mig firewall -t all -op list`), so a module flag can never have been taken for one.
 */
export function paramsOfCommand(spec: AnyModuleSpec, command: string): unknown {
  const argv = exampleArgv(spec, command);
  const { common, params } = cliParams(spec, argv);
  if (common.some((arg, i) => argv[i] !== arg))
    throw new Error(`hunt flags ${common.join(' ')} must come before the module's own in: ${command}`);
  parseFlags(HuntFlagsSchema, common, HUNT_FLAG_HINTS);
  return spec.params.parse(params);
}
