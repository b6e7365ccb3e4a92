import { z } from 'zod';
import { BugError } from '../../protocol/errors.js';
import type { FlagHint } from '../../protocol/module-spec.js';

/**
 * What one schema field looks like as a command-line flag. Derived once from the described zod
 * field and its hint, and shared by the parser, `--help` and doc/modules.md so they cannot disagree.
 */
export interface FlagField {
  /** Key in the schema object. */
  key: string;
  /**
   * Every accepted spelling without dashes. The hint's alias (MIG's flag name) comes first because
   * it is what people type and what help shows; the field name is accepted too.
   */
  names: readonly string[];
  kind: 'string' | 'number' | 'int' | 'boolean' | 'enum';
  /** Allowed values of an enum (or of each element of an enum array). */
  options: readonly string[];
  /** Array fields take the flag once per value. */
  isRepeatable: boolean;
  /** Neither optional nor defaulted: parsing fails without it. */
  isRequired: boolean;
  /** Accepted but left out of help and docs. */
  isHidden: boolean;
  description: string | undefined;
  /** The schema's default, when it has one. */
  defaultValue: unknown;
  hasDefault: boolean;
  /**
   * What help shows as the default: the schema's own, else the parameter's that the flag sets
   * (meta `default`, from modules/shared/param-help.ts flagFor), which the flag does not send.
   */
  shownDefault: { value: unknown } | undefined;
}

/** Reserved for the caller's help handling (see isHelpRequested). */
export const HELP_FLAGS: ReadonlySet<string> = new Set(['h', 'help']);

// Wrappers that change optionality or defaults but not the value's base type.
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

interface Unwrapped {
  base: z.ZodType;
  description: string | undefined;
  defaultValue: unknown;
  hasDefault: boolean;
}

/** Peels wrappers off a field, keeping the outermost description and default found on the way. */
function unwrap(field: z.ZodType): Unwrapped {
  let current: z.ZodType = field;
  let description: string | undefined;
  let defaultValue: unknown;
  let hasDefault = false;
  for (;;) {
    // zod 4 keeps .describe()/.meta() per instance, so each wrapper layer may carry its own.
    description ??= current.description ?? metaDescription(current);
    const def = current.def as { type: string; innerType?: z.ZodType; in?: z.ZodType; defaultValue?: unknown };
    if (def.type === 'default' && !hasDefault) {
      hasDefault = true;
      defaultValue = def.defaultValue;
    }
    if (WRAPPERS.has(def.type) && def.innerType !== undefined) current = def.innerType;
    else if (def.type === 'pipe' && def.in !== undefined) current = def.in;
    else return { base: current, description, defaultValue, hasDefault };
  }
}

/** The outermost meta `default` (a parameter's default, shown for its flag; see FlagField.shownDefault). */
function metaDefault(field: z.ZodType): { value: unknown } | undefined {
  for (let current: z.ZodType | undefined = field; current !== undefined;) {
    const meta = z.globalRegistry.get(current);
    if (meta !== undefined && 'default' in meta) return { value: meta.default };
    const def = current.def as { type: string; innerType?: z.ZodType };
    current = WRAPPERS.has(def.type) ? def.innerType : undefined;
  }
  return undefined;
}

function metaDescription(schema: z.ZodType): string | undefined {
  const meta = z.globalRegistry.get(schema);
  return typeof meta?.description === 'string' ? meta.description : undefined;
}

function scalarKind(key: string, base: z.ZodType): Pick<FlagField, 'kind' | 'options'> {
  if (base instanceof z.ZodString) return { kind: 'string', options: [] };
  if (base instanceof z.ZodNumber) return { kind: base.isInt ? 'int' : 'number', options: [] };
  if (base instanceof z.ZodBoolean) return { kind: 'boolean', options: [] };
  if (base instanceof z.ZodEnum) return { kind: 'enum', options: base.options.map(String) };
  throw new BugError(
    `field ${key} is a ${base.def.type}: only strings, numbers, booleans, enums and arrays of them can be flags`,
  );
}

function deriveField(key: string, field: z.ZodType, hint: FlagHint | undefined): FlagField {
  const outer = unwrap(field);
  let base = outer.base;
  let description = outer.description;
  const isRepeatable = base instanceof z.ZodArray;
  if (base instanceof z.ZodArray) {
    const element = unwrap(base.element as z.ZodType);
    description ??= element.description;
    base = element.base;
  }
  const { kind, options } = scalarKind(key, base);
  if (isRepeatable && kind === 'boolean') throw new BugError(`field ${key}: a repeatable boolean flag means nothing`);
  const names = hint?.alias !== undefined && hint.alias !== key ? [hint.alias, key] : [key];
  for (const name of names) {
    if (HELP_FLAGS.has(name)) throw new BugError(`field ${key}: flag -${name} is reserved for help`);
  }
  return {
    key,
    names,
    kind,
    options,
    isRepeatable,
    isRequired: !field.isOptional(),
    isHidden: hint?.isHidden === true,
    description,
    defaultValue: outer.defaultValue,
    hasDefault: outer.hasDefault,
    shownDefault: outer.hasDefault ? { value: outer.defaultValue } : metaDefault(field),
  };
}

/** Every field of a flat CLI schema as a flag, in schema order. Throws BugError on a field that cannot be a flag. */
export function deriveFlags(schema: z.ZodObject, hints: Readonly<Record<string, FlagHint>> = {}): FlagField[] {
  const fields = Object.entries(schema.shape).map(([key, field]) => deriveField(key, field as z.ZodType, hints[key]));
  const seen = new Map<string, string>();
  for (const field of fields) {
    for (const name of field.names) {
      const other = seen.get(name);
      if (other !== undefined) throw new BugError(`flag -${name} is claimed by both ${other} and ${field.key}`);
      seen.set(name, field.key);
    }
  }
  return fields;
}

/** How a flag's value is written in help: `<string>...`, `<int>`, `<a|b>`; empty for a presence flag. */
export function flagTypeLabel(field: FlagField): string {
  if (field.kind === 'boolean') return '';
  const label = field.kind === 'enum' ? `<${field.options.join('|')}>` : `<${field.kind}>`;
  return field.isRepeatable ? `${label}...` : label;
}

/** A default as a person would type it; undefined when there is nothing worth showing. */
export function flagDefaultLabel(field: FlagField): string | undefined {
  if (field.shownDefault === undefined) return undefined;
  const { value } = field.shownDefault;
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map(String).join(', ');
  return String(value);
}
