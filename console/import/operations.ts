import type { Operation } from '../../protocol/action.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import { getModuleSpec, moduleSpecs } from '../../modules/registry.js';
import { convertFilechecker } from './legacy-filechecker.js';
import { convertMigFileParams, type Converted } from './legacy-file.js';
import type { MigOperation } from './mig-schema.js';

/** What became of one MIG operation. */
export type OperationOutcome =
  | { kind: 'ok'; operation: Operation; warnings: string[] }
  /** The module does not exist here: may be skipped on request. */
  | { kind: 'unsupported'; problem: string }
  /** The module exists but the parameters are wrong: never skipped. */
  | { kind: 'invalid'; problems: string[] };

/** Modules MIG itself retired; everything else missing is simply not (yet) available here. */
const RETIRED: Readonly<Record<string, string>> = {
  agentdestroy: 'was retired by MIG: agents are removed with the tooling that deployed them',
  upgrade: 'was retired by MIG: agents are upgraded with the tooling that deployed them',
};

// Per module: MIG's parameters to ours, where the two differ.
const CONVERTERS: Readonly<Record<string, (parameters: unknown) => Converted>> = {
  file: convertMigFileParams,
};

function unsupported(where: string, module: string): OperationOutcome {
  const available = [...moduleSpecs.keys()].sort().join(', ');
  const why = RETIRED[module] ?? `is not available here (available: ${available})`;
  return { kind: 'unsupported', problem: `${where}: module ${module} ${why}` };
}

/** filechecker's checks become file searches when every one of them converts. */
function fromFilechecker(parameters: unknown, where: string): { module: string; parameters: unknown; warnings: string[] } | OperationOutcome {
  const converted = convertFilechecker(parameters);
  if (converted.problems.length > 0) return { kind: 'invalid', problems: converted.problems.map((p) => `${where}: ${p}`) };
  return { module: 'file', parameters: converted.parameters, warnings: converted.warnings };
}

/**
 * One MIG operation checked against our registry: module known, legacy shapes converted (each
 * conversion a warning), parameters valid under the module's own schema, the one the agent runs.
 * The parsed parameters (defaults filled in) are what gets signed, so the action says exactly
 * what will run.
 */
export function resolveOperation(op: MigOperation, index: number): OperationOutcome {
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
  const spec = getModuleSpec(module);
  if (spec === undefined) return unsupported(where, module);
  const converted = CONVERTERS[module]?.(parameters) ?? { parameters, warnings: [] };
  warnings.push(...converted.warnings);
  const parsed = spec.params.safeParse(converted.parameters);
  if (!parsed.success) return { kind: 'invalid', problems: [`${where}: ${describeIssues(parsed.error, 'parameters')}`] };
  return {
    kind: 'ok',
    operation: { module, parameters: parsed.data as Record<string, unknown> },
    warnings: warnings.map((w) => `${where}: ${w}`),
  };
}
