import { TERMINAL_COMMAND_STATUSES } from '../../protocol/action.js';
import type { CommandRecord } from '../../protocol/api.js';
import { BugError } from '../../protocol/errors.js';
import type { Attribution, IndicatorHit } from '../../intel/ioc/attribute.js';
import { PLAIN, type Palette } from '../render/colors.js';
import { csvLine } from '../render/csv.js';
import { commandEntries, type RenderEntry, type ShowFilter } from '../render/entries.js';
import { plainText } from '../render/format.js';
import type { RenderFormat, Renderer } from '../render/renderer.js';
import { addToTally, emptyTally, type AnswerTally } from '../render/tally.js';
import { warningLines } from '../render/warnings.js';

/**
 * What an IOC hunt prints: one line per (agent, indicator, place) — which indicator, by id and
 * name, matched where on which agent — in text, JSON, NDJSON or CSV. With -show notfound/all,
 * agents that found nothing and failures get a line of their own, without an indicator.
 */
export interface IocRow {
  agent: string;
  agentId: string;
  status: CommandRecord['status'];
  found: boolean;
  indicatorId: string | null;
  indicatorName: string | null;
  kind: string | null;
  value: string | null;
  module: string | null;
  /** The file path, or the connection (local → remote, process), on the endpoint. */
  where: string | null;
  /** The module's own row, as the agent sent it. */
  row: Readonly<Record<string, unknown>> | null;
  error?: { code: string; message: string };
  warnings?: string[];
}

const CSV_COLUMNS = [
  'agent',
  'agentId',
  'status',
  'found',
  'indicatorId',
  'indicatorName',
  'kind',
  'value',
  'module',
  'where',
  'error',
  'warnings',
] as const;

function whereOf(module: string | undefined, row: Readonly<Record<string, unknown>>): string {
  if (module === 'netstat') {
    const local = `${plainText(row.localAddress)}:${plainText(row.localPort)}`;
    const remote = `${plainText(row.remoteAddress)}:${plainText(row.remotePort)}`;
    const owner = row.pid === undefined ? '' : ` pid ${plainText(row.pid)} ${plainText(row.process)}`;
    return `${plainText(row.proto)} ${local} -> ${remote} ${plainText(row.state)}${owner}`.trim();
  }
  return plainText(row.path);
}

function rowsOf(entry: RenderEntry, hits: readonly IndicatorHit[]): IocRow[] {
  const base = {
    agent: entry.agent,
    agentId: entry.agentId,
    status: entry.status,
    found: entry.found,
    module: entry.module ?? null,
  };
  const extra = {
    ...(entry.error === undefined ? {} : { error: entry.error }),
    ...(entry.warnings === undefined ? {} : { warnings: entry.warnings }),
  };
  if (entry.row === null || hits.length === 0) {
    return [
      {
        ...base,
        indicatorId: null,
        indicatorName: null,
        kind: null,
        value: null,
        where: entry.row === null ? null : whereOf(entry.module, entry.row),
        row: entry.row,
        ...extra,
      },
    ];
  }
  const row = entry.row;
  return hits.map((h, i) => ({ ...base, ...h, where: whereOf(entry.module, row), row, ...(i === 0 ? extra : {}) }));
}

function textLine(r: IocRow, palette: Palette): string {
  if (r.error !== undefined) return palette.error(`${r.agent} ${r.error.code}: ${r.error.message}`);
  if (r.indicatorId === null)
    return palette.notFound(
      `${r.agent} ${r.found ? `found (${r.where ?? 'no rows'}), no indicator named` : 'nothing found'}`,
    );
  const name = r.indicatorName === r.indicatorId || r.indicatorName === r.value ? '' : ` "${r.indicatorName ?? ''}"`;
  return palette.found(`${r.agent} ${r.where ?? ''} ${r.kind ?? ''}:${r.value ?? ''} ${r.indicatorId}${name}`);
}

export interface IocRendererOptions {
  show: ShowFilter;
  palette?: Palette;
  warn?(line: string): void;
  /** The attribution of the action a command belongs to. */
  attributionOf(actionId: string): Attribution | undefined;
}

export interface IocRenderer extends Renderer {
  /** The answers of one action (the hunt's actions each get their summary line). */
  tallyOf(actionId: string): AnswerTally;
}

/** A Renderer (console/render/renderer.ts) for IOC hunts: the same follow loop, rows named by indicator. */
export function createIocRenderer(
  format: RenderFormat,
  out: NodeJS.WritableStream,
  opts: IocRendererOptions,
): IocRenderer {
  const seen = new Set<string>();
  const tally = emptyTally();
  const tallies = new Map<string, AnswerTally>();
  const palette = opts.palette ?? PLAIN;
  let isEnded = false;
  let jsonCount = 0;
  if (format === 'csv') out.write(csvLine(CSV_COLUMNS));
  if (format === 'json') out.write('[');
  const write = (r: IocRow): void => {
    if (format === 'text') out.write(`${textLine(r, palette)}\n`);
    else if (format === 'ndjson') out.write(`${JSON.stringify(r)}\n`);
    else if (format === 'json') out.write(`${jsonCount++ === 0 ? '\n' : ',\n'}${JSON.stringify(r)}`);
    else
      out.write(
        csvLine(
          CSV_COLUMNS.map((c) =>
            c === 'error'
              ? r.error === undefined
                ? ''
                : `${r.error.code}: ${r.error.message}`
              : c === 'warnings'
                ? (r.warnings ?? []).join(' | ')
                : r[c],
          ),
        ),
      );
  };
  return {
    command(cmd) {
      if (isEnded) throw new BugError(`IOC renderer got command ${cmd.id} after end()`);
      if (!TERMINAL_COMMAND_STATUSES.has(cmd.status) || seen.has(cmd.id)) return;
      seen.add(cmd.id);
      addToTally(tally, cmd);
      const own = tallies.get(cmd.actionId) ?? emptyTally();
      addToTally(own, cmd);
      tallies.set(cmd.actionId, own);
      for (const line of warningLines(cmd)) opts.warn?.(line);
      const attribution = opts.attributionOf(cmd.actionId);
      for (const entry of commandEntries(cmd, 'file', { show: opts.show, isWarningCarried: format !== 'text' })) {
        const hits = entry.row === null || attribution === undefined ? [] : attribution.hits(entry.module, entry.row);
        for (const r of rowsOf(entry, hits)) write(r);
      }
    },
    end() {
      if (isEnded) throw new BugError('IOC renderer end() called twice');
      isEnded = true;
      if (format === 'json') out.write(jsonCount === 0 ? ']\n' : '\n]\n');
    },
    tally: () => tally,
    tallyOf: (actionId) => tallies.get(actionId) ?? emptyTally(),
  };
}
