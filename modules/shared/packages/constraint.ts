import { VERSION_OPS, type VersionOp } from '../version-compare.js';

/**
 * A version constraint as investigators write it on the command line: an operator then a
 * version, `<1.1.1k`, `>= 2:8.9p1`, `!=3.0.2-0ubuntu1.10`. Pure: the spec validates with it.
 */
export interface VersionConstraint {
  op: VersionOp;
  version: string;
}

export const MAX_VERSION_CHARS = 128;
const CONSTRAINT = /^\s*(<=|>=|!=|<|>|=)\s*(.*?)\s*$/;
/** Characters dpkg, rpm and apk allow in a version (dpkg's set; rpm adds ^, apk nothing new). */
const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+~:_^-]*$/;

/** The constraint, or a message saying what is wrong with `text`. */
export function parseConstraint(text: string): VersionConstraint | string {
  const m = CONSTRAINT.exec(text);
  const shown = JSON.stringify(text.slice(0, 200));
  if (m === null) return `expected an operator (${VERSION_OPS.join(' ')}) then a version, like <1.1.1k, got ${shown}`;
  const version = m[2] ?? '';
  if (version === '') return `expected a version after ${m[1]}, got ${shown}`;
  if (version.length > MAX_VERSION_CHARS)
    return `expected a version of at most ${MAX_VERSION_CHARS} characters, got ${version.length}`;
  if (!VERSION.test(version))
    return `expected a version of letters, digits and . + ~ : _ ^ -, starting with a letter or digit, got ${JSON.stringify(version.slice(0, 200))}`;
  return { op: m[1] as VersionOp, version };
}

/** For schema refinements: the problem, or undefined when `text` is a constraint. */
export function constraintProblem(text: string): string | undefined {
  const parsed = parseConstraint(text);
  return typeof parsed === 'string' ? parsed : undefined;
}
