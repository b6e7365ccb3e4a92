import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validateOperations } from '../../agent/verify/validate-params.js';
import { moduleSpecs } from '../../modules/registry.js';
import { checkOperations } from '../../protocol/check-operations.js';
import { BaseError } from '../../protocol/errors.js';
import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { fuzzParams, fuzzTimeout, mutationOf, nastyValue } from './arbitraries.js';

/**
 * Fuzzing every registered module's parameter schema (modules/registry.ts) through the two
 * places that judge parameters: the server's checkOperations and the agent's
 * validateOperations. Properties: neither throws anything but INVALID_PARAMETERS; both agree;
 * the refusal names a field; and what is accepted survives the JSON round trip an action makes
 * (server store → MQTT → agent) and still parses: nothing malformed is kept.
 */

/** Parameters shaped by the schema's own field names (from its JSON Schema), filled with hostile values. */
function shapedParams(spec: AnyModuleSpec): fc.Arbitrary<unknown> {
  let keys: string[] = [];
  try {
    const schema = z.toJSONSchema(spec.params, { unrepresentable: 'any', io: 'input' }) as {
      properties?: Record<string, unknown>;
    };
    keys = Object.keys(schema.properties ?? {});
  } catch {
    keys = [];
  }
  const key =
    keys.length > 0 ? fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 })) : fc.string({ maxLength: 8 });
  const value = fc.oneof(
    nastyValue,
    fc.dictionary(fc.string({ maxLength: 6 }), nastyValue, { maxKeys: 3 }),
    fc.array(nastyValue, { maxLength: 3 }),
  );
  const shaped = fc.dictionary(key, value, { maxKeys: Math.max(3, keys.length) });
  return fc.oneof(
    shaped,
    shaped.chain((p) => mutationOf(p)),
    nastyValue,
  );
}

const platform: NodeJS.Platform = 'linux';

describe('fuzzing module parameters through the server and agent checks', () => {
  for (const spec of moduleSpecs.values()) {
    it(
      `${spec.name}: coded refusals naming a field, the same verdict on both sides, accepted values round-trip`,
      () => {
        fc.assert(
          fc.property(shapedParams(spec), (parameters) => {
            const operations = [{ module: spec.name, parameters }];
            let serverCode: string | undefined;
            let serverMessage = '';
            try {
              checkOperations(operations as never, moduleSpecs);
            } catch (err) {
              expect(err).toBeInstanceOf(BaseError);
              serverCode = (err as BaseError).code;
              serverMessage = (err as Error).message;
            }
            let agentCode: string | undefined;
            let accepted: unknown;
            try {
              accepted = validateOperations(
                operations as never,
                moduleSpecs,
                spec.platforms.includes(platform) ? platform : (spec.platforms[0] as NodeJS.Platform),
              )[0]?.params;
            } catch (err) {
              expect(err).toBeInstanceOf(BaseError);
              agentCode = (err as BaseError).code;
            }
            expect(agentCode).toBe(serverCode);
            if (serverCode !== undefined) {
              expect(serverCode).toBe('INVALID_PARAMETERS');
              expect(serverMessage).toMatch(/operations\.0|parameters/);
            } else {
              // What the server keeps and the agent receives is JSON: the parsed value must parse again.
              const again = spec.params.safeParse(JSON.parse(JSON.stringify(parameters)));
              expect(again.success).toBe(true);
              expect(accepted).toBeDefined();
            }
          }),
          fuzzParams(120),
        );
      },
      fuzzTimeout(30_000),
    );
  }
});
