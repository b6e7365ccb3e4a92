import type { Operation } from '../../protocol/action.js';
import {
  invalidParameters,
  parameterProblems,
  specOfOperation,
  type ParameterProblem,
} from '../../protocol/check-operations.js';
import { ModuleError } from '../../protocol/errors.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';

/** One operation after acceptance: its spec and its parameters as the spec's schema parsed them. */
export interface AcceptedOperation {
  module: string;
  spec: AnyModuleSpec;
  /** Output of spec.params: defaults applied. */
  params: unknown;
}

/**
 * Step 7: each module exists here, runs on this platform, and its parameters pass the very
 * schema the console and the server used, through the same function and with the same message
 * (protocol/check-operations.ts). Every bad field of every operation is listed at once.
 */
export function validateOperations(
  operations: readonly Operation[],
  specs: ReadonlyMap<string, AnyModuleSpec>,
  platform: NodeJS.Platform,
): AcceptedOperation[] {
  const accepted: AcceptedOperation[] = [];
  const problems: ParameterProblem[] = [];
  operations.forEach((op, i) => {
    const spec = specOfOperation(op, i, specs, (known) => `this agent has (${known})`);
    if (!spec.platforms.includes(platform)) {
      throw new ModuleError(
        'PLATFORM_UNSUPPORTED',
        `module ${op.module} runs on ${spec.platforms.join(', ')}, not on ${platform}`,
      );
    }
    const parsed = spec.params.safeParse(op.parameters);
    if (parsed.success) accepted.push({ module: op.module, spec, params: parsed.data });
    else problems.push(...parameterProblems(spec, op.parameters, i));
  });
  if (problems.length > 0) throw invalidParameters(problems);
  return accepted;
}
