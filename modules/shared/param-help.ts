import { z } from 'zod';

/**
 * One description per parameter: a CLI flag (and so the console form and doc/modules.md, which
 * read the CLI schema) takes its help from the parameter it sets, adding only what the flag says
 * on its own (its repeat form, its text syntax). The agent's parameter message and the
 * investigator's help then cannot drift apart; test/one-definition.test.ts checks every flag
 * that sets a parameter of the same name starts with that parameter's description.
 *
 * flagFor goes further for a flag that reads the parameter's own type: the flag's type and the
 * default help shows come from the parameter too, so name, type, description, default and limits
 * are each written once, in the parameter schema.
 */

type Def = {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  defaultValue?: unknown;
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

/**
 * Every named field of a parameter schema, nested objects included (a file search's options, a
 * memory search's options), outer ones first: what a flag may set. Lists of objects are not
 * entered: no flag sets a field of one element.
 */
export function paramFields(schema: z.ZodType): ReadonlyMap<string, z.ZodType> {
  const found = new Map<string, z.ZodType>();
  const queue: z.ZodType[] = [schema];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const def = next.def as Def & { out?: z.ZodType; valueType?: z.ZodType };
    if (def.shape !== undefined) {
      for (const [name, field] of Object.entries(def.shape)) if (!found.has(name)) found.set(name, field);
      queue.push(...Object.values(def.shape));
    }
    for (const inner of [def.innerType, def.in, def.out, def.valueType]) if (inner !== undefined) queue.push(inner);
  }
  return found;
}

/** `params.key`'s description, then `note` (what only the flag says). Throws when it has none: a bug in the spec. */
export function paramHelp(params: z.ZodType, key: string, note?: string): string {
  const field = fieldsOf(params)[key];
  const text = field === undefined ? undefined : descriptionOf(field);
  if (text === undefined) throw new Error(`module spec: parameter ${key} has no description for its flag to use`);
  return note === undefined ? text : `${text}; ${note}`;
}

// Wrappers that make a parameter optional without changing what a flag reads.
const OPTIONAL_WRAPPERS = new Set(['optional', 'default', 'prefault']);

/** The parameter's own default, looking through its optional wrappers. */
function defaultOf(field: z.ZodType): { value: unknown } | undefined {
  for (let current: z.ZodType | undefined = field; current !== undefined;) {
    const def = current.def as Def;
    if (def.type === 'default') return { value: def.defaultValue };
    current = OPTIONAL_WRAPPERS.has(def.type) ? def.innerType : undefined;
  }
  return undefined;
}

/**
 * `flag` described by the parameter `params.key` (its description, then `note`) and carrying the
 * parameter's default as meta `default`, which help and docs show (console/flags/fields.ts) but
 * the flag does not send: the agent applies it, so an action holds only what was asked for. For
 * a flag with its own text syntax (memory's -maxlength 64m for a byte count).
 */
export function flagAs<F extends z.ZodType>(flag: F, params: z.ZodObject, key: string, note?: string): F {
  const field = fieldsOf(params)[key];
  const shown = field === undefined ? undefined : defaultOf(field);
  return flag.meta({
    description: paramHelp(params, key, note),
    ...(shown === undefined ? {} : { default: shown.value }),
  });
}

type Scalar<T> =
  T extends z.ZodEnum<infer E>
    ? z.ZodEnum<E>
    : T extends z.ZodNumber
      ? z.ZodNumber
      : T extends z.ZodBoolean
        ? z.ZodBoolean
        : T extends z.ZodString
          ? z.ZodString
          : never;
type Plain<T> = T extends z.ZodArray<infer E> ? z.ZodArray<Scalar<E>> : Scalar<T>;

/** The flag flagFor makes of a parameter field: its base type, optional when the parameter is. */
export type FlagOf<T> = T extends z.ZodOptional<infer I> | z.ZodDefault<infer I> | z.ZodPrefault<infer I>
  ? z.ZodOptional<Plain<I>>
  : Plain<T>;

/**
 * A scalar of the parameter's kind without its checks: the parameter schema judges the value
 * once, after toParams, in the words the server and agents use (protocol/check-operations.ts).
 */
function plainScalar(key: string, base: z.ZodType): z.ZodType {
  if (base instanceof z.ZodEnum) return z.enum(base.enum);
  if (base instanceof z.ZodNumber) return base.isInt ? z.number().int() : z.number();
  if (base instanceof z.ZodBoolean) return z.boolean();
  if (base instanceof z.ZodString) return z.string();
  throw new Error(`module spec: parameter ${key} is a ${base.def.type}, which no flag reads as it is: use flagAs`);
}

/**
 * The flag that sets the parameter `params.key` as it is: the parameter's type (a list stays
 * repeatable; an optional or defaulted parameter makes an optional flag), description (then
 * `note`) and default. Its limits and checks stay in the parameter schema.
 */
export function flagFor<S extends z.ZodObject, K extends keyof S['shape'] & string>(
  params: S,
  key: K,
  note?: string,
): FlagOf<S['shape'][K]> {
  const field = fieldsOf(params)[key];
  if (field === undefined) throw new Error(`module spec: no parameter ${key} for a flag to set`);
  let base = field;
  for (let inner = (base.def as Def).innerType; OPTIONAL_WRAPPERS.has(base.def.type) && inner !== undefined;) {
    base = inner;
    inner = (base.def as Def).innerType;
  }
  const plain =
    base instanceof z.ZodArray ? z.array(plainScalar(key, base.element as z.ZodType)) : plainScalar(key, base);
  const flag = flagAs(field.isOptional() ? plain.optional() : plain, params, key, note);
  // The cast states what the lines above built from the field's kind; FlagOf mirrors them and
  // modules/shared/param-help.test.ts checks the two agree.
  return flag as FlagOf<S['shape'][K]>;
}

/** The entries of `record` that are set: toParams leaves an absent flag out of the parameters. */
export function definedOnly<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}
