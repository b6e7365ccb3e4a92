import type { ModuleRun } from '../../protocol/module-spec.js';
import { collectObjects } from './collect.js';
import { Evaluator } from './evaluate.js';
import type { ScribeParams, ScribeRow } from './spec.js';

/** The scribe module: gathers the objects the tests use, then answers one row per test. */
export const runScribe: ModuleRun<ScribeParams, ScribeRow> = async function* runScribe(params, ctx) {
  const { document } = params;
  const used = new Set(document.tests.map((t) => t.object));
  const collected = await collectObjects(
    document.objects.filter((o) => used.has(o.object)),
    ctx,
  );
  if (ctx.signal.aborted) return;
  const counts = { pass: 0, fail: 0, error: 0 };
  for (const row of new Evaluator(document, collected).rows()) {
    counts[row.result]++;
    if (params.onlypass && row.result !== 'pass') continue;
    yield row;
  }
  ctx.count('testsPassed', counts.pass);
  ctx.count('testsFailed', counts.fail);
  ctx.count('testsInError', counts.error);
};
