import { randomUUID } from 'node:crypto';
import type { ActionRecord, CommandRecord } from '../../../protocol/api.js';

/**
 * What the runner sends to a SIEM: one JSON event per finished action, per result row and per
 * compliance item, with Elastic Common Schema field names where ECS has the field (`host.name`,
 * `file.path`, `file.hash.sha256`, `destination.ip`, `process.pid`, `rule.id`,
 * `event.outcome`), and ours under `mig.*`. `event.id` is unique per event, so a receiver can
 * drop the duplicates that at-least-once delivery may bring.
 */
export type OutputEvent = Record<string, unknown> & {
  '@timestamp': string;
  event: { id: string; dataset: string; kind: string; action: string };
  message: string;
};

type Row = Readonly<Record<string, unknown>>;

function base(
  at: string,
  dataset: string,
  kind: string,
  action: string,
  extra: Record<string, unknown>,
): Pick<OutputEvent, '@timestamp' | 'event'> {
  return { '@timestamp': at, event: { id: randomUUID(), dataset, kind, action, ...extra } };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The summary of an action once it is finished, whatever it found. */
export function actionFinishedEvent(
  record: ActionRecord,
  job: string | undefined,
  at: string,
  commands: readonly CommandRecord[] = [],
): OutputEvent {
  const c = record.counters;
  // Why agents did not answer, by code (ACL_WEIGHT_TOO_LOW, EXPIRED…): a refusal is news too.
  const errors: Record<string, number> = {};
  for (const cmd of commands) if (cmd.error !== undefined) errors[cmd.error.code] = (errors[cmd.error.code] ?? 0) + 1;
  const outcome = record.status === 'completed' ? 'success' : 'failure';
  return {
    ...base(at, 'mig.action', 'event', 'action-finished', { outcome, category: ['host'], type: ['info'] }),
    message: `${record.action.name}: ${record.status}, ${c.targeted} targeted, ${c.success + c.failed} answered, ${c.found ?? 0} found`,
    mig: {
      job,
      action: {
        id: record.action.id,
        name: record.action.name,
        status: record.status,
        target: record.action.target,
        counters: c,
        errors,
      },
    },
  };
}

/** ECS fields a module row maps onto; the row itself rides along under mig.row. */
function ecsOfRow(module: string, row: Row): Record<string, unknown> {
  if (module === 'file' || module === 'yara' || module === 'sshkey') {
    const file: Record<string, unknown> = { path: str(row.path) };
    if (typeof row.size === 'number') file.size = row.size;
    if (str(row.mtime) !== undefined) file.mtime = row.mtime;
    if (str(row.sha256) !== undefined) file.hash = { sha256: row.sha256 };
    return { file, ...(module === 'yara' ? { rule: { name: str(row.rule), category: 'yara' } } : {}) };
  }
  if (module === 'netstat') {
    return {
      source: { ip: str(row.localAddress), port: row.localPort },
      destination: { ip: str(row.remoteAddress), port: row.remotePort },
      network: { transport: str(row.proto)?.replace(/6$/, '') },
      ...(typeof row.pid === 'number' ? { process: { pid: row.pid, name: str(row.process) } } : {}),
    };
  }
  if (module === 'process' || module === 'memory')
    return { process: { pid: row.pid, name: str(row.name) ?? str(row.command), executable: str(row.exe) } };
  if (module === 'pkg') return { package: { name: str(row.name), version: str(row.version), type: str(row.type) } };
  if (module === 'nic') return nicEcs(row);
  if (module === 'sniffer') return snifferEcs(row);
  return {};
}

/**
 * A peer the sniffer saw. Its rows fold both directions together, so the peer is not a source
 * nor a destination: ECS's related.ip is the field for "an address this event is about".
 * network.transport takes IANA's lowercase names (ICMPv6 is "ipv6-icmp"); packets and bytes are
 * network.packets and network.bytes. Ports, directions and times stay in mig.row.
 */
function snifferEcs(row: Row): Record<string, unknown> {
  const proto = str(row.proto);
  const transport = proto === 'icmp6' ? 'ipv6-icmp' : proto === 'other' ? undefined : proto;
  return {
    related: { ip: [str(row.peer)] },
    network: { transport, packets: row.packets, bytes: row.bytes },
  };
}

/**
 * A network interface of the host. ECS has no root-level interface: its interface fields are
 * nested under observer.ingress/egress, and "a single observer interface (a sensor on a span
 * port) populates only observer.ingress" — what a host with an interface in promiscuous mode
 * is. host.mac is ECS's list of the host's MACs, written as ECS asks: uppercase, hyphens.
 * State, MTU, speed and driver have no ECS field: they stay in mig.row.
 */
function nicEcs(row: Row): Record<string, unknown> {
  const mac = str(row.mac);
  const isEthernetMac = mac !== undefined && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac);
  return {
    observer: { ingress: { interface: { name: str(row.name) } } },
    ...(isEthernetMac ? { host: { mac: [mac.toUpperCase().replaceAll(':', '-')] } } : {}),
  };
}

/** The module's fields with the agent's host.name and host.id merged into any host fields they carry (nic: host.mac). */
function withHost(host: { name: string; id: string }, ecs: Record<string, unknown>): Record<string, unknown> {
  const own = ecs.host;
  return { ...ecs, host: { ...(typeof own === 'object' && own !== null ? own : {}), ...host } };
}

/** Events from one agent's answer to an action; `job` names the runner job that launched it. */
type AnswerEvents = (record: ActionRecord, cmd: CommandRecord, job: string | undefined, at: string) => OutputEvent[];
type AnsweredOperation = NonNullable<CommandRecord['operations']>[number];

/** The rows of the operations `isWanted` keeps, each with its operation, in answer order. */
function rowsOf(cmd: CommandRecord, isWanted: (op: AnsweredOperation) => boolean) {
  return (cmd.operations ?? []).filter(isWanted).flatMap((op) => op.rows.map((row) => ({ op, row })));
}

/** One event per row of every answer that found something. */
export const resultEvents: AnswerEvents = (record, cmd, job, at) =>
  rowsOf(cmd, (op) => op.isFound && op.module !== 'scribe').map(({ op, row }) => ({
    ...base(at, 'mig.result', 'alert', 'found', { category: ['host'], type: ['indicator'], module: op.module }),
    ...withHost({ name: cmd.agentName, id: cmd.agentId }, ecsOfRow(op.module, row)),
    message: `${cmd.agentName}: ${op.module} found ${str(row.path) ?? str(row.check) ?? str(row.name) ?? str(row.peer) ?? 'a match'} (${record.action.name})`,
    mig: { job, action: { id: record.action.id, name: record.action.name }, module: op.module, row },
  }));

/**
 * MIG's compliance items from scribe answers: per host and check, compliant or not, with the
 * details the agent gave (what object, which file or package decided it, the version).
 */
export const complianceEvents: AnswerEvents = (record, cmd, job, at) =>
  rowsOf(cmd, (op) => op.module === 'scribe').map(({ row }) => {
    const compliant = row.result === 'pass';
    const item = {
      utctimestamp: at,
      target: cmd.agentName,
      policy: { name: job ?? record.action.name },
      check: {
        ref: str(row.test),
        name: str(row.name),
        description: str(row.name),
        location: str(row.identifier),
        test: { type: 'scribe', value: str(row.object) },
      },
      compliance: compliant,
      details: { result: row.result, value: str(row.value), error: str(row.error) },
    };
    return {
      ...base(at, 'mig.compliance', 'state', 'compliance-checked', {
        outcome: row.result === 'error' ? 'unknown' : compliant ? 'success' : 'failure',
        category: ['configuration'],
        type: ['info'],
      }),
      host: { name: cmd.agentName, id: cmd.agentId },
      rule: { id: str(row.test), name: str(row.name) },
      message: `${cmd.agentName}: ${str(row.test) ?? 'check'} ${compliant ? 'compliant' : row.result === 'error' ? 'could not be judged' : 'NOT compliant'}`,
      mig: { job, action: { id: record.action.id, name: record.action.name }, compliance: item },
    };
  });

/** The runner's own news: a run missed while it was down, a run that failed to launch. */
export function runnerEvent(
  action: string,
  message: string,
  at: string,
  details: Record<string, unknown>,
): OutputEvent {
  return {
    ...base(at, 'mig.runner', 'event', action, { category: ['process'], type: ['info'] }),
    message,
    mig: { runner: details },
  };
}
