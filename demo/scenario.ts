import { IOCS, type Ioc } from './iocs.js';
import { intBetween, sample, seededRng, weighted, type Rng } from './prng.js';

/**
 * The demo fleet as data: N simulated endpoints and which of them carry which indicator of the
 * planted intrusion. A pure function of N (seeded PRNG), so a trainer's card never goes stale.
 *
 * The story: the attacker dropped a web shell on some web servers, used it on part of them to
 * install a cron job piping their server's script into a shell and a hidden backdoor binary,
 * moved on to one database or cache host (same cron and backdoor, plus a root SSH key) and from
 * there to a bastion (backdoor and SSH key, no cron). Unrelated to the intrusion, some hosts
 * still run a vulnerable OpenSSL. Each hunt on the card thus has its own answer.
 */
export const ROLES = ['web', 'db', 'cache', 'bastion'] as const;
export type Role = (typeof ROLES)[number];
export const ENVS = ['prod', 'staging', 'dev'] as const;
export type Env = (typeof ENVS)[number];

export const MIN_HOSTS = 3;
export const MAX_HOSTS = 200;
export const DEFAULT_HOSTS = 12;

export interface OsRelease {
  id: 'ubuntu' | 'debian';
  versionId: string;
  codename: string;
  /** PRETTY_NAME: what the agent reports as environment->>'ident'. */
  pretty: string;
  /** The patched openssl package version this release ships. */
  openssl: string;
  /** An unpatched one (older than FIXED_OPENSSL). */
  vulnerableOpenssl: string;
}

const OS_RELEASES: readonly (readonly [OsRelease, number])[] = [
  [
    {
      id: 'ubuntu',
      versionId: '22.04',
      codename: 'jammy',
      pretty: 'Ubuntu 22.04.4 LTS',
      openssl: '3.0.13-0ubuntu0.22.04.1',
      vulnerableOpenssl: '3.0.2-0ubuntu1.12',
    },
    4,
  ],
  [
    {
      id: 'ubuntu',
      versionId: '22.04',
      codename: 'jammy',
      pretty: 'Ubuntu 22.04.3 LTS',
      openssl: '3.0.13-0ubuntu0.22.04.1',
      vulnerableOpenssl: '3.0.2-0ubuntu1.10',
    },
    1,
  ],
  [
    {
      id: 'ubuntu',
      versionId: '24.04',
      codename: 'noble',
      pretty: 'Ubuntu 24.04.1 LTS',
      openssl: '3.0.13-0ubuntu3.4',
      vulnerableOpenssl: '3.0.10-1ubuntu2',
    },
    3,
  ],
  [
    {
      id: 'debian',
      versionId: '12',
      codename: 'bookworm',
      pretty: 'Debian GNU/Linux 12 (bookworm)',
      openssl: '3.0.15-1~deb12u1',
      vulnerableOpenssl: '3.0.11-1~deb12u2',
    },
    3,
  ],
];

export interface DemoHost {
  name: string;
  role: Role;
  env: Env;
  /** Agent tags: what `tags->>'env'` and `tags->>'role'` see. */
  tags: Record<string, string>;
  /** Node's names, as a real agent reports them. */
  arch: 'x64' | 'arm64';
  os: OsRelease;
  /** Documentation ranges (RFC 5737): prod in 192.0.2.0/24, the others in 198.51.100.0/24. */
  addresses: string[];
  /** Planted indicators, in IOCS order. */
  iocs: readonly Ioc[];
  /** Seeds this host's benign file contents. */
  seed: number;
}

export interface Scenario {
  count: number;
  hosts: readonly DemoHost[];
  /** For each indicator, the names of the hosts carrying it, in fleet order. */
  planted: Readonly<Record<Ioc, readonly string[]>>;
}

/** The first hosts are fixed so even the smallest fleet has two web servers and a bastion. */
const FIXED_PREFIX: readonly (readonly [Role, Env])[] = [
  ['web', 'prod'],
  ['db', 'prod'],
  ['web', 'staging'],
  ['bastion', 'prod'],
];
const ROLE_WEIGHTS: readonly (readonly [Role, number])[] = [
  ['web', 4],
  ['db', 3],
  ['cache', 2],
  ['bastion', 1],
];
const ENV_WEIGHTS: readonly (readonly [Env, number])[] = [
  ['prod', 5],
  ['staging', 3],
  ['dev', 2],
];
const HOSTS_SEED = 0x6d16;
const PLANT_SEED = 0x10c5;

export function buildScenario(count: number): Scenario {
  if (!Number.isInteger(count) || count < MIN_HOSTS || count > MAX_HOSTS) {
    throw new RangeError(`hosts: expected an integer from ${MIN_HOSTS} to ${MAX_HOSTS}, got ${count}`);
  }
  const fleet = makeHosts(count);
  // Mixing N in: a different fleet size is a different (but just as fixed) intrusion.
  const planted = plant(fleet, seededRng(PLANT_SEED ^ (count * 0x9e37)));
  const hosts = fleet.map((h) => ({ ...h, iocs: IOCS.filter((ioc) => planted[ioc].includes(h.name)) }));
  return { count, hosts, planted };
}

function makeHosts(count: number): DemoHost[] {
  const rng = seededRng(HOSTS_SEED);
  const perName = new Map<string, number>();
  const perRange = { prod: 0, other: 0 };
  const hosts: DemoHost[] = [];
  for (let i = 0; i < count; i++) {
    const [role, env] = FIXED_PREFIX[i] ?? [weighted(rng, ROLE_WEIGHTS), weighted(rng, ENV_WEIGHTS)];
    const stem = `${role}-${env}`;
    const n = (perName.get(stem) ?? 0) + 1;
    perName.set(stem, n);
    const range = env === 'prod' ? 'prod' : 'other';
    perRange[range] += 1;
    const address = `${range === 'prod' ? '192.0.2' : '198.51.100'}.${9 + perRange[range]}`;
    hosts.push({
      name: `${stem}-${String(n).padStart(2, '0')}`,
      role,
      env,
      tags: { env, role },
      arch: rng() < 0.2 ? 'arm64' : 'x64',
      os: weighted(rng, OS_RELEASES),
      addresses: [address],
      iocs: [],
      seed: intBetween(rng, 1, 0x7fffffff),
    });
  }
  return hosts;
}

type Planted = Record<Ioc, string[]>;

/** Which hosts carry what: every indicator lands on at least one host and never on all of them. */
function plant(hosts: readonly DemoHost[], rng: Rng): Planted {
  const names = (list: readonly DemoHost[]): string[] => list.map((h) => h.name);
  const web = hosts.filter((h) => h.role === 'web');
  // One production web server always, so the prod-targeted hunt has an answer; one web server stays clean.
  const firstShell = sample(
    rng,
    web.filter((h) => h.env === 'prod'),
    1,
  );
  const shellCount = Math.min(web.length - 1, Math.max(1, Math.round(web.length / 3)));
  const moreShells = sample(
    rng,
    web.filter((h) => !firstShell.includes(h)),
    shellCount - firstShell.length,
  );
  const webshell = inFleetOrder(hosts, [...firstShell, ...moreShells]);
  // Cron and backdoor on part of the shelled servers (all of them when there is only one)...
  const persisted = sample(rng, webshell, webshell.length === 1 ? 1 : Math.ceil(webshell.length / 2));
  // ...then one host reached from there (db-prod-01 always exists) and a bastion, if any.
  const lateral = sample(
    rng,
    hosts.filter((h) => h.role === 'db' || h.role === 'cache'),
    1,
  );
  const bastion = sample(
    rng,
    hosts.filter((h) => h.role === 'bastion'),
    1,
  );
  const vulnerableCount = Math.min(hosts.length - 1, Math.max(1, Math.round(hosts.length * 0.3)));
  const openssl = sample(rng, hosts, vulnerableCount);
  return {
    webshell: names(webshell),
    backdoor: names(inFleetOrder(hosts, [...persisted, ...lateral, ...bastion])),
    cron: names(inFleetOrder(hosts, [...persisted, ...lateral])),
    sshkey: names(inFleetOrder(hosts, [...lateral, ...bastion])),
    openssl: names(openssl),
  };
}

function inFleetOrder(hosts: readonly DemoHost[], chosen: readonly DemoHost[]): DemoHost[] {
  return hosts.filter((h) => chosen.includes(h));
}
