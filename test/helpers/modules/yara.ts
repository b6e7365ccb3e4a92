import { makeTree, removeTree, type Entry } from './search-tree.js';
import { collectRows, type Recording } from './recording.js';
import { yaraParams } from '../../../modules/yara/params.js';
import { makeRunYara, type YaraRow, type YaraRunOptions } from '../../../modules/yara/run.js';

/** Test support: fixture trees in a tmpdir (ctx.root) and a run of the module over them. */

export { makeTree, removeTree, type Entry };

/** Parses `params` with the module's schema (as the agent does) and runs the module to the end. */
export function runScan(params: unknown, rec: Recording, options: YaraRunOptions = {}): Promise<YaraRow[]> {
  return collectRows(makeRunYara(options), yaraParams, params, rec);
}

/** `path:rule`, plus `[tags]` when the rule has some and `@namespace` when the row has one. */
export function brief(row: YaraRow): string {
  const tags = row.tags.length > 0 ? `[${row.tags.join(',')}]` : '';
  const namespace = row.namespace === undefined ? '' : `@${row.namespace}`;
  return `${row.path}:${row.rule}${tags}${namespace}`;
}
