import {
  BACKDOOR_NAME,
  C2_ADDRESS,
  FIXED_OPENSSL,
  ROGUE_KEY_COMMENT,
  VULNERABLE_OPENSSL_REGEX,
  WEBSHELL_SHA256,
  type Ioc,
} from './iocs.js';
import { ENVS, ROLES, type DemoHost, type Scenario } from './scenario.js';
import { shellLine } from './shell.js';

/**
 * The scenario card: hunts to try as exact `mig` command lines, each with its answer computed
 * from the scenario (so the card cannot drift from the hosts). Answers come from plain
 * predicates over the scenario, not from the target language, so a test that runs the hunts
 * for real checks the pipeline against an independent truth.
 */
export interface CardHunt {
  /** Stable, kebab-case: tests and `after` refer to hunts by it. */
  id: string;
  question: string;
  /** Only registered modules belong here; today that is `file`. */
  module: string;
  /** The -t expression. */
  target: string;
  /** Narrows to the agents that found something in this earlier hunt (-target-found). */
  after?: string;
  /** The module's own flags, in order. */
  flags: readonly string[];
  note?: string;
  /** Host names that answer "found", sorted. */
  expected: readonly string[];
}

/** A target example: `mig agents -t <target>` and the agents it selects. */
export interface CardTarget {
  target: string;
  expected: readonly string[];
}

type Recipe = Omit<CardHunt, 'expected'> & { isExpected: (host: DemoHost) => boolean };

const has = (ioc: Ioc) => (h: DemoHost) => h.iocs.includes(ioc);
const CRON_REGEX = 'curl .*\\| *sh';

/** The hunts, in the order a trainer walks through them. Add one by adding a recipe. */
const RECIPES: readonly Recipe[] = [
  {
    id: 'webshell-hash',
    question: 'Which web servers carry the web shell? (by its SHA-256)',
    module: 'file',
    target: 'all',
    flags: ['-path', '/var/www', '-sha2', WEBSHELL_SHA256],
    isExpected: has('webshell'),
  },
  {
    id: 'webshell-name-prod',
    question: 'Hidden PHP files under /var/www, on production hosts only',
    module: 'file',
    target: "tags->>'env' = 'prod'",
    flags: ['-path', '/var/www', '-name', '^\\..*\\.php$'],
    isExpected: (h) => has('webshell')(h) && h.env === 'prod',
  },
  {
    id: 'webshell-log',
    question: 'Whose web server logs show the web shell being called?',
    module: 'file',
    target: 'all',
    flags: ['-path', '/var/log/nginx', '-content', 'POST /uploads/\\.cache\\.php'],
    isExpected: has('webshell'),
  },
  {
    id: 'cron',
    question: `Which hosts run a cron job piping a download into a shell?`,
    module: 'file',
    target: 'all',
    flags: ['-path', '/etc/cron.d', '-content', CRON_REGEX],
    note: '/etc/cron.d/healthcheck runs curl too, but does not pipe it into a shell',
    isExpected: has('cron'),
  },
  {
    id: 'cron-after-webshell',
    question: 'Of the hosts carrying the web shell (hunt 1), which run that cron job?',
    module: 'file',
    target: 'all',
    after: 'webshell-hash',
    flags: ['-path', '/etc/cron.d', '-content', CRON_REGEX],
    note: 'replace ID_FROM_HUNT_1 with the action id hunt 1 printed ("launched action ...")',
    isExpected: (h) => has('cron')(h) && has('webshell')(h),
  },
  {
    id: 'backdoor-name',
    question: `Where is the hidden ${BACKDOOR_NAME} binary?`,
    module: 'file',
    target: 'all',
    flags: ['-path', '/usr/bin', '-path', '/usr/sbin', '-name', `^\\${BACKDOOR_NAME}$`],
    isExpected: has('backdoor'),
  },
  {
    id: 'recent-binaries',
    question: 'Which hosts had binaries changed in the last three days?',
    module: 'file',
    target: 'all',
    flags: ['-path', '/usr/bin', '-path', '/usr/sbin', '-mtime', '<3d'],
    isExpected: has('backdoor'),
  },
  {
    id: 'rogue-ssh-key',
    question: `Whose authorized_keys trust the attacker's key (${ROGUE_KEY_COMMENT})?`,
    module: 'file',
    target: 'all',
    flags: ['-path', '/root/.ssh', '-path', '/home', '-name', '^authorized_keys$', '-content', ROGUE_KEY_COMMENT],
    isExpected: has('sshkey'),
  },
  {
    id: 'root-login',
    question: `Where did ${C2_ADDRESS} log in as root? (web servers excluded)`,
    module: 'file',
    target: "tags->>'role' != 'web'",
    flags: [
      '-path',
      '/var/log',
      '-name',
      '^auth\\.log$',
      '-content',
      `Accepted publickey for root from ${C2_ADDRESS.replaceAll('.', '\\.')}`,
    ],
    isExpected: (h) => has('sshkey')(h) && h.role !== 'web',
  },
  {
    id: 'vulnerable-openssl',
    question: `Which prod and staging hosts run an OpenSSL older than ${FIXED_OPENSSL}?`,
    module: 'file',
    target: "tags->>'env' in ('prod', 'staging')",
    flags: ['-path', '/var/lib/dpkg/status', '-content', VULNERABLE_OPENSSL_REGEX],
    isExpected: (h) => has('openssl')(h) && h.env !== 'dev',
  },
];

const TARGETS: readonly { target: string; isExpected: (host: DemoHost) => boolean }[] = [
  { target: "tags->>'env' = 'prod'", isExpected: (h) => h.env === 'prod' },
  { target: "tags->>'role' in ('db', 'cache')", isExpected: (h) => h.role === 'db' || h.role === 'cache' },
  { target: "environment->>'ident' like 'Debian%'", isExpected: (h) => h.os.pretty.startsWith('Debian') },
];

export function cardHunts(scenario: Scenario): CardHunt[] {
  return RECIPES.map(({ isExpected, ...hunt }) => ({ ...hunt, expected: namesOf(scenario, isExpected) }));
}

export function cardTargets(scenario: Scenario): CardTarget[] {
  return TARGETS.map(({ target, isExpected }) => ({ target, expected: namesOf(scenario, isExpected) }));
}

/** Sorted by name: easier to compare with a console listing than fleet order. */
function namesOf(scenario: Scenario, isExpected: (host: DemoHost) => boolean): string[] {
  return scenario.hosts
    .filter(isExpected)
    .map((h) => h.name)
    .sort();
}

/** The placeholder the card prints where an earlier hunt's action id goes. */
export function actionIdPlaceholder(hunts: readonly CardHunt[], id: string): string {
  return `ID_FROM_HUNT_${hunts.findIndex((h) => h.id === id) + 1}`;
}

/** The hunt's argv after `mig`; `actionIds` (hunt id → action id) fills -target-found. */
export function huntArgv(
  hunt: CardHunt,
  hunts: readonly CardHunt[],
  actionIds: Readonly<Record<string, string>> = {},
): string[] {
  const after =
    hunt.after === undefined ? [] : ['-target-found', actionIds[hunt.after] ?? actionIdPlaceholder(hunts, hunt.after)];
  return [hunt.module, '-t', hunt.target, ...after, ...hunt.flags];
}

export function renderCard(scenario: Scenario): string {
  const hunts = cardHunts(scenario);
  const lines = [
    `MIG demo: ${scenario.count} simulated endpoints (${tally(scenario, ROLES, (h) => h.role)}; ${tally(scenario, ENVS, (h) => h.env)})`,
    `Scenario: an intruder from ${C2_ADDRESS} dropped a PHP web shell on web servers, then kept`,
    'access with a cron job, a hidden backdoor binary and a root SSH key, and moved on to other',
    `hosts. Separately, some hosts still run an OpenSSL older than ${FIXED_OPENSSL}. Find them all.`,
    '',
    '',
    // The README's set-up (`npm link`) makes `mig` a command; say so where the commands are.
    '`mig` is a command after `npm link` in the repository (README); there, `npx mig` works too.',
    'Hunts (exit status 0: something was found, 1: nothing was found):',
  ];
  hunts.forEach((hunt, i) => {
    lines.push('', `${String(i + 1).padStart(2)}. ${hunt.question}`, `    mig ${shellLine(huntArgv(hunt, hunts))}`);
    if (hunt.note !== undefined) lines.push(`    (${hunt.note})`);
    lines.push(...answer(hunt.expected, 'host'));
  });
  lines.push('', 'Targeting: which agents a target expression selects');
  for (const t of cardTargets(scenario))
    lines.push('', `    mig agents -t ${shellLine([t.target])}`, ...answer(t.expected, 'agent'));
  return `${lines.join('\n')}\n`;
}

function tally<T extends string>(scenario: Scenario, values: readonly T[], key: (h: DemoHost) => T): string {
  return values
    .map((v) => [v, scenario.hosts.filter((h) => key(h) === v).length] as const)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `${v} ${n}`)
    .join(', ');
}

/** "answer: 2 hosts: a, b", wrapped under the command so 200 names stay readable. */
function answer(names: readonly string[], noun: string): string[] {
  if (names.length === 0) return [`    answer: no ${noun}`];
  const head = `    answer: ${names.length} ${noun}${names.length === 1 ? '' : 's'}: `;
  const out: string[] = [];
  let line = head;
  for (const [i, name] of names.entries()) {
    const piece = `${name}${i < names.length - 1 ? ',' : ''}`;
    if (line.length + piece.length > 100 && line !== head) {
      out.push(line.trimEnd());
      line = ' '.repeat(12);
    }
    line += `${piece} `;
  }
  out.push(line.trimEnd());
  return out;
}
