import type { Operation } from '../../protocol/action.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { moduleSpecs } from '../../modules/registry.js';
import { convertFilechecker } from './legacy-filechecker.js';
import { convertMigFileParams, type Converted } from './legacy-file.js';
import type { MigOperation } from './mig-schema.js';

/** What became of one MIG operation. */
export type OperationOutcome =
  | { kind: 'ok'; operation: Operation; warnings: string[] }
  /** The module does not exist here, or is one of MIG's own (upgrade protocol): may be skipped on request. */
  | { kind: 'unsupported'; problem: string }
  /** The module exists but the parameters are wrong: never skipped. */
  | { kind: 'invalid'; problems: string[] };

/**
 * MIG's own agent-upgrade protocol: these never carry over, and are checked before the registry
 * because a module of ours with the same name means something else (our agentdestroy stops the
 * targeted agents themselves; MIG's killed an older agent process by pid).
 */
const MIG_ONLY: Readonly<Record<string, string>> = {
  agentdestroy:
    "is not imported: MIG's upgrade protocol ran it to kill an older agent process (parameters.pid, parameters.version), which has no equivalent here",
  upgrade:
    "is not imported: MIG's upgrade protocol ran it to download and start a new agent binary; upgrade agents with the tooling that deployed them",
};

// Per module: MIG's parameters to ours, where the two differ.
const CONVERTERS: Readonly<Record<string, (parameters: unknown) => Converted>> = {
  file: convertMigFileParams,
};

// hasOwn: a module named "constructor" must not find Object's.
const migOnly = (module: string): string | undefined =>
  Object.hasOwn(MIG_ONLY, module) ? MIG_ONLY[module] : undefined;

function unsupported(where: string, module: string, modules: ReadonlyMap<string, AnyModuleSpec>): OperationOutcome {
  // Every registered module, so the investigator sees at once whether a rename would do.
  const available = [...modules.keys()].sort().join(', ');
  const why = migOnly(module) ?? `is not available here (available: ${available})`;
  return { kind: 'unsupported', problem: `${where}: module ${module} ${why}` };
}

/** filechecker's checks become file searches when every one of them converts. */
function fromFilechecker(
  parameters: unknown,
  where: string,
): { module: string; parameters: unknown; warnings: string[] } | OperationOutcome {
  const converted = convertFilechecker(parameters);
  if (converted.problems.length > 0)
    return { kind: 'invalid', problems: converted.problems.map((p) => `${where}: ${p}`) };
  return { module: 'file', parameters: converted.parameters, warnings: converted.warnings };
}

/**
 * One MIG operation checked against our registry: module known, legacy shapes converted (each
 * conversion a warning), parameters valid under the module's own schema, the one the agent runs.
 * The parsed parameters (defaults filled in) are what gets signed, so the action says exactly
 * what will run.
 */
export function resolveOperation(
  op: MigOperation,
  index: number,
  modules: ReadonlyMap<string, AnyModuleSpec> = moduleSpecs,
): OperationOutcome {
  let where = `operations[${index}] (${op.module})`;
  let module = op.module.toLowerCase();
  let parameters = op.parameters;
  const warnings: string[] = [];
  if (module === 'filechecker') {
    const step = fromFilechecker(parameters, where);
    if ('kind' in step) return step;
    ({ module, parameters } = step);
    warnings.push(...step.warnings);
    where = `operations[${index}] (filechecker → file)`;
  }
  const spec = migOnly(module) === undefined ? modules.get(module) : undefined;
  if (spec === undefined) return unsupported(where, module, modules);
  const convert = Object.hasOwn(CONVERTERS, module) ? CONVERTERS[module] : undefined;
  const converted = convert?.(parameters) ?? { parameters, warnings: [] };
  warnings.push(...converted.warnings);
  const parsed = spec.params.safeParse(converted.parameters);
  if (!parsed.success)
    return { kind: 'invalid', problems: [`${where}: ${describeIssues(parsed.error, 'parameters')}`] };
  return {
    kind: 'ok',
    operation: { module, parameters: parsed.data as Record<string, unknown> },
    warnings: warnings.map((w) => `${where}: ${w}`),
  };
}
