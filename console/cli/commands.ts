import type { AnyModuleSpec } from '../../protocol/module-spec.js';
import { alignColumns } from '../flags/help.js';
import { EXIT_STATUS_TEXT, type CliContext } from './context.js';

export type CommandRun = (ctx: CliContext, argv: readonly string[]) => Promise<number>;

/**
 * A command whose code is imported when it runs: `mig --help` and hunts must not load every
 * command (and openpgp, the API client, the importer) to print a table (doc/performance.md).
 */
function onUse<K extends string>(load: () => Promise<Record<K, CommandRun>>, name: K): CommandRun {
  return async (ctx, argv) => (await load())[name](ctx, argv);
}
const actionFiles = () => import('./action-files.js');
const actionServer = () => import('./action-server.js');
const approve = () => import('./approve.js');
const enrollment = () => import('./enrollment.js');
const fleet = () => import('./fleet.js');
const ioc = () => import('./ioc.js');

/** One command of the overview. Help is generated from this table, so it cannot drift from dispatch. */
export interface CommandEntry {
  /** Words that select it: `['action', 'sign']`. */
  path: readonly string[];
  /** What follows the words in the overview. */
  args: string;
  summary: string;
  group: 'Setup' | 'Actions' | 'Fleet' | 'Processes';
  /** Absent for commands bin/main.ts runs itself (server, agent, console, demo). */
  run?: CommandRun;
}

// Alike on purpose (duplicates): the command table, one entry a command; entries share their shape, not logic.
export const COMMANDS: readonly CommandEntry[] = [
  {
    path: ['init'],
    args: '[--name N] [--gpg FP] [--server URL]',
    summary: 'create your investigator key and config',
    group: 'Setup',
    run: onUse(() => import('./init.js'), 'runInit'),
  },
  {
    path: ['action', 'sign'],
    args: 'FILE [-o OUT] [--verify]',
    summary: 'add your signature to an action file (two-person rule)',
    group: 'Actions',
    run: onUse(actionFiles, 'runActionSign'),
  },
  {
    path: ['action', 'launch'],
    args: 'FILE',
    summary: 'launch a signed action file and follow it',
    group: 'Actions',
    run: onUse(actionFiles, 'runActionLaunch'),
  },
  {
    path: ['action', 'import'],
    args: 'MIGFILE [-o OUT] [-t T] [--launch]',
    summary: 'convert a MIG action file and sign it',
    group: 'Actions',
    run: onUse(actionFiles, 'runActionImport'),
  },
  {
    path: ['action', 'show'],
    args: 'ID',
    summary: 'show an action and its counters',
    group: 'Actions',
    run: onUse(actionServer, 'runActionShow'),
  },
  {
    path: ['action', 'results'],
    args: 'ID [-show S] [-render R] [--verify[=strict]] [-out F | -export]',
    summary: "print a stored action's results, optionally checking each agent's signature",
    group: 'Actions',
    run: onUse(() => import('./action-results.js'), 'runActionResults'),
  },
  {
    path: ['action', 'list'],
    args: '',
    summary: 'list actions, newest first',
    group: 'Actions',
    run: onUse(actionServer, 'runActionList'),
  },
  {
    path: ['action', 'cancel'],
    args: 'ID',
    summary: 'cancel a running action',
    group: 'Actions',
    run: onUse(actionServer, 'runActionCancel'),
  },
  {
    path: ['action', 'pending'],
    args: '',
    summary: 'list actions waiting for a second investigator',
    group: 'Actions',
    run: onUse(approve, 'runActionPending'),
  },
  {
    path: ['action', 'approve'],
    args: 'ID [-y]',
    summary: 'review, co-sign and launch an action waiting for approval',
    group: 'Actions',
    run: onUse(approve, 'runActionApprove'),
  },
  {
    path: ['ioc', 'hunt'],
    args: 'FEED [-t T] [-path DIR]... [-e EXPIRY]',
    summary: 'hunt a threat-intel feed (STIX 2.1, YARA rules, or a list of hashes, IPs, file names)',
    group: 'Actions',
    run: onUse(ioc, 'runIocHunt'),
  },
  {
    path: ['ioc', 'import'],
    args: 'FEED -o DIR [-t T] [-path DIR]...',
    summary: 'turn a threat-intel feed into unsigned action files to sign and launch',
    group: 'Actions',
    run: onUse(ioc, 'runIocImport'),
  },
  { path: ['agents'], args: '[-t TARGET]', summary: 'list agents', group: 'Fleet', run: onUse(fleet, 'runAgents') },
  {
    path: ['agents', 'pending'],
    args: '',
    summary: 'list agents waiting for enrollment approval',
    group: 'Fleet',
    run: onUse(enrollment, 'runAgentsPending'),
  },
  {
    path: ['agents', 'accept'],
    args: 'ID|--all',
    summary: 'accept a pending agent, or all of them (admin)',
    group: 'Fleet',
    run: onUse(enrollment, 'runAgentsAccept'),
  },
  {
    path: ['agents', 'reject'],
    args: 'ID',
    summary: "reject a pending agent or withdraw an agent's credential (admin)",
    group: 'Fleet',
    run: onUse(enrollment, 'runAgentsReject'),
  },
  {
    path: ['investigators'],
    args: '[add --name N --key F [--admin] | disable NAME | enable NAME]',
    summary: 'list or manage investigators',
    group: 'Fleet',
    run: onUse(fleet, 'runInvestigators'),
  },
  {
    path: ['policy'],
    args: '[show | publish [--acl FILE] [-y] | sign [-y]]',
    summary: 'the policy bundle agents follow: show, publish the next (admin), co-sign',
    group: 'Fleet',
    run: onUse(() => import('./policy.js'), 'runPolicy'),
  },
  {
    path: ['runner'],
    args: '--config FILE [--once JOB] [--check]',
    summary: 'run action templates on cron schedules; results and compliance items to NDJSON, syslog, webhooks',
    group: 'Processes',
    run: onUse(() => import('./runner.js'), 'runRunner'),
  },
  { path: ['server'], args: '', summary: 'run the server (API, scheduler, embedded MQTT broker)', group: 'Processes' },
  {
    path: ['audit'],
    args: 'verify [--pinned HASH] | show [--who W] [--what P] [--since T]',
    summary: "check the server's hash-chained audit log, or list its entries (on the server's host)",
    group: 'Processes',
  },
  { path: ['agent'], args: '', summary: 'run an agent on this host', group: 'Processes' },
  { path: ['console'], args: '[--embedded]', summary: 'the interactive console', group: 'Processes' },
  {
    path: ['demo'],
    args: '[--hosts N] [--http-port P] [--mqtt-port P]',
    summary: 'a server, agents and a console on this machine',
    group: 'Processes',
  },
];

/** The entry with the longest path that argv starts with. */
export function findCommand(argv: readonly string[]): CommandEntry | undefined {
  let best: CommandEntry | undefined;
  for (const entry of COMMANDS) {
    const matches = entry.path.every((word, i) => argv[i] === word);
    if (matches && entry.path.length > (best?.path.length ?? 0)) best = entry;
  }
  return best;
}

/** `mig --help`: every command and every module hunt, grouped. */
export function overviewHelp(modules: ReadonlyMap<string, AnyModuleSpec>): string {
  const section = (title: string, rows: string[][]): string => `${title}:\n${indent(alignColumns(rows))}\n`;
  const hunts = [...modules.values()].map((spec) => [`${spec.name} [flags]`, spec.summary]);
  const groups = (['Setup', 'Actions', 'Fleet', 'Processes'] as const).map((group) =>
    section(
      group,
      COMMANDS.filter((c) => c.group === group).map((c) => [
        [...c.path, c.args].filter((s) => s !== '').join(' '),
        c.summary,
      ]),
    ),
  );
  return [
    'mig: hunt across your fleet in real time, with actions signed by your own key.',
    '',
    'Usage: mig <command> [flags]      mig <command> --help for its flags',
    '',
    section('Hunts (one per module; -t TARGET, -t local runs here without a server)', hunts),
    ...groups,
    `${EXIT_STATUS_TEXT.replace('Exit status:', 'Exit status of hunts and action results:')}`,
    'Environment: MIG_HOME (default ~/.mig), MIG_SERVER (the server URL; else that of a console --embedded or demo running here, else config.json), MIG_PASSPHRASE, MIG_LOCAL_ROOT (root for -t local), NO_COLOR / FORCE_COLOR.',
    '',
  ].join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
