import type { Operation } from '../../protocol/action.js';
import { ModuleError, ProtocolError } from '../../protocol/errors.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { describeIssues } from '../../protocol/zod-issues.js';

/** One operation after acceptance: its spec and its parameters as the spec's schema parsed them. */
export interface AcceptedOperation {
  module: string;
  spec: AnyModuleSpec;
  /** Output of spec.params: defaults applied. */
  params: unknown;
}

/**
 * Step 7: each module exists here, runs on this platform, and its parameters pass the very
 * schema the console used (one schema, both sides). Every bad field of every operation is
 * listed at once.
 */
export function validateOperations(
  operations: readonly Operation[],
  specs: ReadonlyMap<string, AnyModuleSpec>,
  platform: NodeJS.Platform,
): AcceptedOperation[] {
  const accepted: AcceptedOperation[] = [];
  const problems: string[] = [];
  operations.forEach((op, i) => {
    const spec = specs.get(op.module);
    if (spec === undefined) {
      throw new ModuleError('UNKNOWN_MODULE', `operations.${i}.module: '${op.module}' is not a module this agent has (${[...specs.keys()].join(', ')})`);
    }
    if (!spec.platforms.includes(platform)) {
      throw new ModuleError('PLATFORM_UNSUPPORTED', `module ${op.module} runs on ${spec.platforms.join(', ')}, not on ${platform}`);
    }
    const parsed = spec.params.safeParse(op.parameters);
    if (parsed.success) accepted.push({ module: op.module, spec, params: parsed.data });
    else problems.push(describeIssues(parsed.error, `operations.${i}.parameters`));
  });
  if (problems.length > 0) throw new ProtocolError('INVALID_PARAMETERS', `invalid parameters: ${problems.join('; ')}`);
  return accepted;
}
