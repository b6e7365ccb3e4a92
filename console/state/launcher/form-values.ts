import type { z } from 'zod';
import { convertValue } from '../../flags/convert.js';
import { deriveFlags, type FlagField } from '../../flags/fields.js';
import { describeGot, expectedText, valueAtPath } from '../../../protocol/zod-issues.js';
import { canonicalJson } from '../../../protocol/canonical.js';
import type { AnyModuleSpec } from '../../../protocol/module-spec.js';
import { parameterProblemText, parameterProblems } from '../../../protocol/check-operations.js';
import { errorText } from '../text.js';

/**
 * The launcher form is generated from a module's `cli.schema`, the same flat schema (and the same
 * field derivation and conversion) as the one-shot CLI flags, so the two cannot disagree.
 * Values are kept as typed text; booleans as booleans.
 */
export type FormValues = Readonly<Record<string, string | boolean>>;

export function formFields(spec: AnyModuleSpec): FlagField[] {
  return deriveFlags(spec.cli.schema, spec.cli.flags).filter((f) => !f.isHidden);
}

/** Lists are typed comma-separated; `\,` is a literal comma (regexes have commas too). */
export function splitList(text: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && text[i + 1] === ',') {
      current += ',';
      i++;
    } else if (ch === ',') {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

export function joinList(values: readonly unknown[]): string {
  return values.map((v) => String(v).replaceAll(',', '\\,')).join(', ');
}

function textOf(field: FlagField, value: unknown): string | boolean {
  if (field.kind === 'boolean') return value === true;
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return joinList(value);
  return String(value);
}

export function initialValues(fields: readonly FlagField[]): FormValues {
  return Object.fromEntries(fields.map((f) => [f.key, textOf(f, f.hasDefault ? f.defaultValue : undefined)]));
}

type Raw = { ok: true; value: unknown } | { ok: false; problem: string };

/** Text → the raw value zod parses; an empty field is absent so defaults and `required` apply. */
export function rawValue(field: FlagField, value: string | boolean | undefined): Raw {
  if (field.kind === 'boolean') return { ok: true, value: value === true };
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') return { ok: true, value: undefined };
  const parts = field.isRepeatable ? splitList(text) : [text];
  const converted: unknown[] = [];
  for (const part of parts) {
    const c = convertValue(field, field.key, part);
    if (!c.ok) return { ok: false, problem: c.problem.replace(`${field.key}: `, '') };
    converted.push(c.value);
  }
  return { ok: true, value: field.isRepeatable ? converted : converted[0] };
}

export interface FormCheck {
  /** One problem per field key, phrased for the spot beside the field. */
  fieldIssues: Readonly<Record<string, string>>;
  /** Problems not tied to one field (cross-field rules, toParams). */
  rootIssues: readonly string[];
  /** The operation's parameters when everything is valid. */
  params: Record<string, unknown> | undefined;
}

/** Validates every field at once, as the CLI does, and builds the parameters when all is well. */
export function checkForm(spec: AnyModuleSpec, fields: readonly FlagField[], values: FormValues): FormCheck {
  const fieldIssues: Record<string, string> = {};
  const raw: Record<string, unknown> = {};
  for (const field of fields) {
    const r = rawValue(field, values[field.key]);
    if (r.ok) {
      if (r.value !== undefined) raw[field.key] = r.value;
    } else fieldIssues[field.key] = r.problem;
  }
  const parsed = spec.cli.schema.safeParse(raw);
  const rootIssues: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path[0];
      const text = `${expectedText(issue)}, got ${describeGot(valueAtPath(raw, issue.path))}`;
      if (typeof key === 'string' && fields.some((f) => f.key === key)) fieldIssues[key] ??= text;
      else rootIssues.push(issue.path.length > 0 ? `${issue.path.join('.')}: ${text}` : text);
    }
  }
  if (!parsed.success || Object.keys(fieldIssues).length > 0) return { fieldIssues, rootIssues, params: undefined };
  const built = toParams(spec, parsed.data);
  return { fieldIssues, rootIssues: built.rootIssues, params: built.params };
}

function toParams(
  spec: AnyModuleSpec,
  values: z.output<AnyModuleSpec['cli']['schema']>,
): { rootIssues: string[]; params: Record<string, unknown> | undefined } {
  try {
    const params: unknown = spec.cli.toParams(values);
    // The server and the agent run this very check (protocol/check-operations.ts): the same
    // mistakes, in the same words, before signing.
    const problems = parameterProblems(spec, params);
    if (problems.length > 0) return { rootIssues: problems.map(parameterProblemText), params: undefined };
    return { rootIssues: [], params: params as Record<string, unknown> };
  } catch (err) {
    return { rootIssues: [errorText(err)], params: undefined };
  }
}

/**
 * The form values that reproduce these parameters, or undefined when the form cannot express
 * them (then "hunt again" copies the operation verbatim). Checked by a round trip, not guessed.
 */
export function valuesFromParams(
  spec: AnyModuleSpec,
  parameters: Readonly<Record<string, unknown>>,
): FormValues | undefined {
  const fields = formFields(spec);
  const asForm = spec.cli.schema.safeParse(parameters);
  if (!asForm.success) return undefined;
  const data = asForm.data;
  const values = Object.fromEntries(fields.map((f) => [f.key, textOf(f, data[f.key])]));
  const check = checkForm(spec, fields, values);
  if (check.params === undefined) return undefined;
  const want = spec.params.safeParse(parameters);
  const got = spec.params.safeParse(check.params);
  if (!want.success || !got.success) return undefined;
  return sameJson(want.data, got.data) ? values : undefined;
}

/** Equal as JSON; a value JSON cannot hold (a transform's Date, say) is never equal, so the operation is copied verbatim. */
function sameJson(a: unknown, b: unknown): boolean {
  try {
    return canonicalJson(a) === canonicalJson(b);
  } catch {
    return false;
  }
}

/** The parameters these values make, leniently: fields that do not convert yet are left out. */
function looseParams(spec: AnyModuleSpec, fields: readonly FlagField[], values: FormValues): string | undefined {
  const raw: Record<string, unknown> = {};
  for (const field of fields) {
    const r = rawValue(field, values[field.key]);
    if (r.ok && r.value !== undefined) raw[field.key] = r.value;
  }
  const parsed = spec.cli.schema.safeParse(raw);
  try {
    return canonicalJson(spec.cli.toParams(parsed.success ? parsed.data : raw));
  } catch {
    return undefined;
  }
}

const impliedCache = new WeakMap<FormValues, ReadonlySet<string>>();

/**
 * Yes/no fields that are off in the form but in effect anyway: turning them on would not change
 * the parameters (the file module's matchall, implied unless matchany). The form shows them on,
 * so it says what the preview and the agents will see.
 */
export function impliedBooleans(spec: AnyModuleSpec, values: FormValues): ReadonlySet<string> {
  const cached = impliedCache.get(values);
  if (cached !== undefined) return cached;
  const fields = formFields(spec);
  const now = looseParams(spec, fields, values);
  const implied = new Set<string>();
  if (now !== undefined) {
    for (const field of fields) {
      if (field.kind !== 'boolean' || values[field.key] === true) continue;
      if (looseParams(spec, fields, { ...values, [field.key]: true }) === now) implied.add(field.key);
    }
  }
  impliedCache.set(values, implied);
  return implied;
}
