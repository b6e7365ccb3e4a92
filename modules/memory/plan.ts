import { compileLineRegex, type LineRegex } from '../shared/search/regex.js';
import type { BytesCheck, ContentCheck } from './matcher.js';
import type { MemoryParams } from './params.js';

/**
 * The search compiled for the run. Regexes go through the file module's compiler: the same
 * linear-time engines (proven-linear patterns on V8, everything else on re2js), the same RE2
 * syntax, the same line semantics for contents.
 */

export interface RegexCheck {
  re: LineRegex;
  /** How the check reads in `matched`: `name:^sshd$`, `lib:libssl`. */
  label: string;
}

export interface MemoryPlan {
  mode: 'all' | 'any';
  names: readonly RegexCheck[];
  libraries: readonly RegexCheck[];
  contents: readonly ContentCheck[];
  bytes: readonly BytesCheck[];
  /** How many checks there are in all: matchall wants every one. */
  checkCount: number;
  pids: ReadonlySet<number> | undefined;
  offset: number;
  /** Infinity when the investigator set no limit (maxlength 0). */
  maxBytes: number;
  isLogFailures: boolean;
}

function regexChecks(kind: string, values: readonly string[] | undefined): RegexCheck[] {
  return (values ?? []).map((value) => ({ re: compileLineRegex(value), label: `${kind}:${value}` }));
}

export function planMemory(params: MemoryParams): MemoryPlan {
  const { options } = params;
  const names = regexChecks('name', params.names);
  const libraries = regexChecks('lib', params.libraries);
  const contents = regexChecks('content', params.contents);
  const bytes = (params.bytes ?? []).map((hex) => ({ needle: Buffer.from(hex, 'hex'), label: `bytes:${hex}` }));
  return {
    // MIG: matchall unless matchany is set (or matchall explicitly false).
    mode: options.matchany === true || options.matchall === false ? 'any' : 'all',
    names,
    libraries,
    contents,
    bytes,
    checkCount: names.length + libraries.length + contents.length + bytes.length,
    pids: params.pids === undefined ? undefined : new Set(params.pids),
    offset: options.offset,
    maxBytes: options.maxlength === 0 ? Number.POSITIVE_INFINITY : options.maxlength,
    isLogFailures: options.logfailures,
  };
}

/** Does answering need the process's memory (not only its names and maps)? */
export function readsMemory(plan: MemoryPlan): boolean {
  return plan.contents.length + plan.bytes.length > 0;
}
