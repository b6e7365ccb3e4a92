import { compileLineRegex } from '../shared/search/regex.js';
import { versionSatisfies } from '../shared/version-compare.js';
import type { Candidate, Collected } from './collect.js';
import { EVR_OPERATIONS, type ScribeDocument, type ScribeTest } from './document.js';
import type { ScribeRow } from './spec.js';

/**
 * Judges each test of a document against the values collected for its object, as scribe does:
 * a test holds when at least one value satisfies it (`exists`: when there is a value;
 * `noexists`: when there is none), `not` inverts that, and a test whose `if` dependencies do not
 * all pass fails. An object that could not be gathered, or a dependency in error, is an error.
 */

/**
 * Values that may leave the host: a package's version (the database holds nothing else there),
 * or, from a file, a dotted number like 1.4.5 or 1.1.1k. A looser rule would let a document
 * capture any run of letters and digits (a hash, a token) and read it in the result.
 */
const FILE_VERSION_VALUE = /^\d{1,9}(\.\d{1,9}){1,5}[a-z]?$/;

function isReportable(candidate: Candidate): boolean {
  return candidate.scheme !== undefined || FILE_VERSION_VALUE.test(candidate.value);
}

type Verdict = { result: 'pass' | 'fail'; decided: Candidate | undefined } | { result: 'error'; error: string };

function judge(test: ScribeTest): (c: Candidate) => boolean {
  const { evr, regexp } = test;
  if (evr !== undefined) {
    const op = EVR_OPERATIONS[evr.operation] ?? '=';
    return (c) => versionSatisfies(evr.scheme ?? c.scheme ?? 'rpm', c.value, op, evr.value);
  }
  if (regexp !== undefined) {
    const regex = compileLineRegex(regexp.value);
    return (c) => regex.test(c.value);
  }
  return () => true;
}

function ownVerdict(test: ScribeTest, collected: Collected): Verdict {
  const { candidates } = collected;
  let holds: boolean;
  let decided: Candidate | undefined;
  if (test.noexists === true) {
    holds = candidates.length === 0;
    decided = candidates[0];
  } else {
    const isSatisfied = judge(test);
    decided = candidates.find(isSatisfied);
    holds = decided !== undefined;
    decided ??= candidates[0];
  }
  return { result: holds !== test.not ? 'pass' : 'fail', decided };
}

export class Evaluator {
  private readonly verdicts = new Map<string, Verdict>();
  private readonly byId: ReadonlyMap<string, ScribeTest>;

  constructor(
    private readonly doc: ScribeDocument,
    private readonly collected: ReadonlyMap<string, Collected>,
  ) {
    this.byId = new Map(doc.tests.map((t) => [t.test, t]));
  }

  /** The verdict of one test; dependencies first (the schema ruled out cycles). */
  verdict(id: string): Verdict {
    const known = this.verdicts.get(id);
    if (known !== undefined) return known;
    const test = this.byId.get(id);
    if (test === undefined) return { result: 'error', error: `no test ${id}` };
    const verdict = this.decide(test);
    this.verdicts.set(id, verdict);
    return verdict;
  }

  private decide(test: ScribeTest): Verdict {
    const deps = (test.if ?? []).map((dep) => [dep, this.verdict(dep)] as const);
    const failedDep = deps.find(([, v]) => v.result === 'error');
    if (failedDep !== undefined) return { result: 'error', error: `dependency ${failedDep[0]} could not be judged` };
    const collected = this.collected.get(test.object);
    if (collected === undefined)
      return { result: 'error', error: `object ${test.object} was not gathered (cancelled)` };
    if (collected.problem !== undefined) return { result: 'error', error: collected.problem };
    const own = ownVerdict(test, collected);
    if (own.result === 'pass' && deps.some(([, v]) => v.result !== 'pass')) return { ...own, result: 'fail' };
    return own;
  }

  /** One row per test, in document order. */
  rows(): ScribeRow[] {
    return this.doc.tests.map((test) => {
      const verdict = this.verdict(test.test);
      const row: ScribeRow = {
        test: test.test,
        name: test.description ?? test.test,
        result: verdict.result,
        object: test.object,
      };
      if (verdict.result === 'error') return { ...row, error: verdict.error };
      if (verdict.decided !== undefined) {
        row.identifier = verdict.decided.identifier;
        if (isReportable(verdict.decided)) row.value = verdict.decided.value;
      }
      return row;
    });
  }
}
