import { makeTree, recorder, removeTree, type Entry, type Recorder } from '../file/testing.js';
import { yaraParams } from './params.js';
import { makeRunYara, type YaraRow, type YaraRunOptions } from './run.js';

/** Test support: fixture trees in a tmpdir (ctx.root) and a run of the module over them. */

export { makeTree, recorder, removeTree, type Entry, type Recorder };

/** Parses `params` with the module's schema (as the agent does) and runs the module to the end. */
export async function runScan(params: unknown, rec: Recorder, options: YaraRunOptions = {}): Promise<YaraRow[]> {
  const rows: YaraRow[] = [];
  for await (const row of makeRunYara(options)(yaraParams.parse(params), rec.ctx)) rows.push(row);
  return rows;
}

/** `path:rule`, plus `[tags]` when the rule has some and `@namespace` when the row has one. */
export function brief(row: YaraRow): string {
  const tags = row.tags.length > 0 ? `[${row.tags.join(',')}]` : '';
  const namespace = row.namespace === undefined ? '' : `@${row.namespace}`;
  return `${row.path}:${row.rule}${tags}${namespace}`;
}
