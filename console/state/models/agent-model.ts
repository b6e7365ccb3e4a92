import type { AgentRecord, CommandRecord } from '../backend.js';
import type { ColumnDef } from '../columns.js';
import type { ConsoleSnapshot } from '../console-stores.js';
import { tableHeight } from '../layout.js';
import type { NavEntry } from '../nav.js';
import { agentCommandItems } from '../selectors.js';
import { relativeTime, sanitize, shortTime } from '../text.js';
import { timeColumn } from './time-column.js';
import { agentStatusTone } from './agent-columns.js';
import { buildTable, wideOf, type TableModel } from './table-model.js';

export interface DetailLine {
  label: string;
  value: string;
}

export interface AgentViewModel {
  title: string;
  details: DetailLine[];
  table: TableModel;
  statusTone: ReturnType<typeof agentStatusTone>;
}

function details(a: AgentRecord | undefined, now: number): DetailLine[] {
  if (a === undefined) return [{ label: 'status', value: 'this agent is no longer known to the server' }];
  const env = a.environment;
  const join = (r: Readonly<Record<string, string>>): string =>
    Object.entries(r)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
  return [
    { label: 'id', value: a.id },
    { label: 'platform', value: `${a.os}/${a.arch}  version ${a.version}  mode ${a.mode}` },
    {
      label: 'status',
      value: `${a.status}  last heartbeat ${relativeTime(a.lastHeartbeatAt, now)} ago  every ${Math.round(a.heartbeatMs / 1000)}s`,
    },
    { label: 'started', value: `${shortTime(a.startedAt)}  first seen ${shortTime(a.firstSeenAt)}` },
    { label: 'host', value: `${env.hostname}  ${env.addresses.join(', ')}` },
    { label: 'system', value: `${env.ident}  init ${env.init}  queue ${a.queueloc}` },
    { label: 'tags', value: join(a.tags) },
    { label: 'modules', value: a.modules.join(', ') },
    {
      label: 'policy',
      value:
        a.policyVersion === undefined
          ? 'not reported (an agent older than policy bundles)'
          : a.policyVersion === 0
            ? 'v0 (its baked config)'
            : `v${a.policyVersion}`,
    },
  ].map((d) => ({ label: d.label, value: sanitize(d.value) }));
}

export function agentViewModel(snap: ConsoleSnapshot, entry: NavEntry): AgentViewModel | undefined {
  if (entry.view.kind !== 'agent') return undefined;
  const agent = snap.agents.byId.get(entry.view.agentId);
  // Alike on purpose (duplicates): the column table, one entry a column (k9s: columns as data);
  // entries share their shape, not logic.
  const columns: ColumnDef<CommandRecord>[] = [
    {
      key: 'action',
      header: 'ACTION',
      width: 12,
      isFlex: true,
      text: (c) => sanitize(snap.actions.byId.get(c.actionId)?.action.name ?? c.actionId.slice(0, 12)),
    },
    { key: 'status', header: 'STATUS', width: 9, text: (c) => c.status },
    { key: 'found', header: 'FOUND', width: 5, text: (c) => (c.isFound === undefined ? '' : c.isFound ? 'yes' : 'no') },
    {
      key: 'error',
      header: 'ERROR',
      width: 10,
      isFlex: true,
      isWide: true,
      text: (c) => sanitize(c.error?.code ?? ''),
    },
    timeColumn('when', 'WHEN', 6, (c) => c.createdAt),
  ];
  return {
    title: `Agent ${sanitize(agent?.name ?? entry.view.agentId)}  recent commands below`,
    details: details(agent, snap.nowMs),
    statusTone: agentStatusTone(agent?.status ?? 'offline'),
    table: buildTable({
      defs: columns,
      items: agentCommandItems(snap, entry.view.agentId),
      win: entry,
      height: tableHeight('agent', snap.ui.size),
      width: snap.ui.size.columns,
      nowMs: snap.nowMs,
      keyOf: (c) => c.id,
      wide: wideOf(snap.ui, entry),
      emptyText: 'no commands seen for this agent yet',
    }),
  };
}
