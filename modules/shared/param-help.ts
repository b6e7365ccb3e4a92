import type { z } from 'zod';

/**
 * One description per parameter: a CLI flag (and so the console form and doc/modules.md, which
 * read the CLI schema) takes its help from the parameter it sets, adding only what the flag says
 * on its own (its repeat form, its text syntax, its default). The agent's parameter message and
 * the investigator's help then cannot drift apart; test/one-definition.test.ts checks every flag
 * that sets a parameter of the same name starts with that parameter's description.
 */

type Def = {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
};

/** The described text of a field, looking through optional/default/array/pipe wrappers. */
export function descriptionOf(field: z.ZodType): string | undefined {
  let current: z.ZodType | undefined = field;
  for (let depth = 0; current !== undefined && depth < 8; depth += 1) {
    if (current.description !== undefined) return current.description;
    const def = current.def as Def;
    current = def.innerType ?? def.in ?? def.element;
  }
  return undefined;
}

/** The fields of an object schema, looking through wrappers (a refined or piped object). */
export function fieldsOf(schema: z.ZodType): Readonly<Record<string, z.ZodType>> {
  let current: z.ZodType | undefined = schema;
  for (let depth = 0; current !== undefined && depth < 8; depth += 1) {
    const def = current.def as Def;
    if (def.shape !== undefined) return def.shape;
    current = def.innerType ?? def.in;
  }
  return {};
}

/** `params.key`'s description, then `note` (what only the flag says). Throws when it has none: a bug in the spec. */
export function paramHelp(params: z.ZodType, key: string, note?: string): string {
  const field = fieldsOf(params)[key];
  const text = field === undefined ? undefined : descriptionOf(field);
  if (text === undefined) throw new Error(`module spec: parameter ${key} has no description for its flag to use`);
  return note === undefined ? text : `${text}; ${note}`;
}
