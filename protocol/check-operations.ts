import type { Operation } from './action.js';
import { ModuleError, ProtocolError } from './errors.js';
import { checkActionSize, checkWindowAt, type Window } from './limits.js';
import type { AnyModuleSpec } from './module-spec.js';
import { expectedGot, fieldProblems } from './zod-issues.js';

/**
 * Module parameters checked against each module's spec schema: the one function the CLI and
 * the console run before signing, the server at POST /actions and at co-sign, and the agent
 * before it runs anything. One function, one message, so the investigator reads at the
 * prompt the words an agent would have answered with.
 */

/** One bad parameter of one operation. */
export interface ParameterProblem {
  /** Index in `operations`. */
  index: number;
  module: string;
  /** Path inside the operation's parameters, e.g. `searches.s1.paths`. */
  path: string;
  /** The same path as keys, for callers that look the value up. */
  segments: readonly PropertyKey[];
  expected: string;
  given: string;
}

/** `operations.0.parameters.searches.s1.paths (module file): expected one or more values, got "/etc"` */
export function parameterProblemText(p: ParameterProblem): string {
  const where = p.path === '' ? `operations.${p.index}.parameters` : `operations.${p.index}.parameters.${p.path}`;
  return `${where} (module ${p.module}): ${expectedGot(p.expected, p.given)}`;
}

/** Every bad field of one operation's parameters; empty when the spec's schema accepts them. */
export function parameterProblems(spec: AnyModuleSpec, parameters: unknown, index = 0): ParameterProblem[] {
  const parsed = spec.params.safeParse(parameters);
  if (parsed.success) return [];
  return fieldProblems(parsed.error, parameters).map((f) => ({
    index,
    module: spec.name,
    path: f.path.map(String).join('.'),
    segments: f.path,
    expected: f.expected,
    given: f.given,
  }));
}

/**
 * The spec of operation `i`'s module, or UNKNOWN_MODULE naming the field. `whose` words the list
 * of known modules for the one who checks (the server knows every module, an agent only its own).
 */
export function specOfOperation(
  op: Operation,
  i: number,
  specs: ReadonlyMap<string, AnyModuleSpec>,
  whose: (known: string) => string,
): AnyModuleSpec {
  const spec = specs.get(op.module);
  if (spec === undefined) {
    throw new ModuleError(
      'UNKNOWN_MODULE',
      `operations.${i}.module: '${op.module}' is not a module ${whose([...specs.keys()].join(', '))}`,
    );
  }
  return spec;
}

/** Throws INVALID_PARAMETERS listing every problem, or UNKNOWN_MODULE for a module nobody has. */
export function checkOperations(operations: readonly Operation[], specs: ReadonlyMap<string, AnyModuleSpec>): void {
  const problems: ParameterProblem[] = [];
  operations.forEach((op, i) => {
    const spec = specOfOperation(op, i, specs, (known) => `(known: ${known})`);
    problems.push(...parameterProblems(spec, op.parameters, i));
  });
  if (problems.length > 0) throw invalidParameters(problems);
}

export function invalidParameters(problems: readonly ParameterProblem[]): ProtocolError {
  return new ProtocolError(
    'INVALID_PARAMETERS',
    `invalid parameters: ${problems.map(parameterProblemText).join('; ')}`,
  );
}

/**
 * Everything protocol/limits.ts and the module specs say about an action, in the order the
 * server checks it: size, validity window at `now`, then every operation's parameters. The
 * server runs it at submission; the CLI (hunts, `mig action sign`, `mig action import`) and
 * the console launcher run it before signing, so they refuse the same actions with the same
 * code and the same words. Signatures and the target are checked elsewhere.
 */
export function checkActionLimits(
  action: Readonly<Record<string, unknown>> & Window & { operations: readonly Operation[] },
  specs: ReadonlyMap<string, AnyModuleSpec>,
  now: Date,
): void {
  checkActionSize(action);
  checkWindowAt(action, now);
  checkOperations(action.operations, specs);
}
