import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * `mig agent install` / `uninstall`: a hardened systemd unit for the agent. The agent must read
 * the whole filesystem (file, yara, sshkey hunts), other processes' memory (memory module), and
 * change firewall rules, accounts and processes (response modules): the protections chosen here
 * are the ones that cost none of that. Each line of the unit says why it is there.
 */

export const UNIT_NAME = 'mig-agent.service';
export const DEFAULT_UNIT_DIR = '/etc/systemd/system';

export interface UnitOptions {
  /** What the unit runs: `node` and its arguments (a bundle, or bin/mig.js agent). */
  execStart: readonly string[];
  /** The agent's dataDir: the one place it writes. */
  dataDir: string;
  /** The config's allowedModules; undefined: every module (then the unit allows what they all write). */
  allowedModules?: readonly string[];
}

/** Paths outside dataDir a module writes, by module: the unit opens them only when the module may run. */
const MODULE_WRITES: readonly { module: string; paths: string; why: string }[] = [
  {
    module: 'account',
    paths: '/etc',
    why: 'account: usermod rewrites /etc/passwd and /etc/shadow through temporary files and locks in /etc',
  },
  { module: 'firewall', paths: '/run', why: 'firewall: iptables takes its lock, /run/xtables.lock' },
  {
    module: 'password',
    paths: '/etc',
    why: 'password: chpasswd and chage rewrite /etc/shadow through temporary files and locks in /etc',
  },
];

function moduleWrites(allowed: readonly string[] | undefined): string {
  const wanted = MODULE_WRITES.filter((w) => allowed?.includes(w.module) ?? true);
  // One directive per place, after the reasons of every module that writes there.
  const lines = [...new Set(wanted.map((w) => w.paths))].map((paths) => {
    const why = wanted.filter((w) => w.paths === paths).map((w) => `# ${w.why}.`);
    return `${why.join('\n')}\nReadWritePaths=${paths}`;
  });
  return lines.length === 0
    ? '# No module that writes outside the dataDir is allowed by the config: nothing else is writable.'
    : lines.join('\n');
}

/** systemd's quoting for one ExecStart word. */
function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `"${word.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function unitText(opts: UnitOptions): string {
  return `# Written by \`mig agent install\`; \`mig agent uninstall\` removes it. Edits are lost at the next install.
[Unit]
Description=MIG agent (endpoint investigation: runs signed actions from the MIG server)
# Starts once the network is up: the agent's first act is connecting to the MQTT broker.
Wants=network-online.target
After=network-online.target
# No start-rate limit: an agent that cannot reach its broker keeps trying.
StartLimitIntervalSec=0

[Service]
Type=simple
ExecStart=${opts.execStart.map(quote).join(' ')}
# Always back after a crash, an upgrade's kill or an out-of-memory stop, after 5 s.
Restart=always
RestartSec=5
# ...except after a signed agentdestroy (exit 3): a destroyed agent stays stopped.
RestartPreventExitStatus=3
# SIGTERM lets the agent answer its running commands and say 'shutdown' before it goes.
KillMode=mixed
TimeoutStopSec=30
# Runs as root: hunts read every file (and other processes' memory), response modules change
# firewall rules, accounts and processes. No User= line on purpose.
# Nothing the agent starts gains privileges through setuid/setgid bits or file capabilities:
# response modules run iptables/nft and usermod as root already, which needs neither.
NoNewPrivileges=yes
# The whole filesystem read-only, except the agent's dataDir (identity, journals, answers) and
# what an allowed response module must write. Reading stays possible everywhere: that is what
# hunts do. Killing processes and nft rules go through the kernel, not files.
ProtectSystem=strict
ReadWritePaths=${quote(opts.dataDir)}
${moduleWrites(opts.allowedModules)}
# PrivateTmp would hide the host's /tmp from hunts, and /tmp is where intruders drop files: off.
PrivateTmp=no
# Home directories stay readable (sshkey and file hunts look there) but not writable.
ProtectHome=read-only
# The agent never changes kernel tunables (/proc/sys) nor the clock (timedrift only measures).
# ProtectKernelModules stays off: iptables runs modprobe itself when a table's module is missing.
ProtectKernelTunables=yes
ProtectClock=yes
# The agent never creates setuid/setgid files. (MemoryDenyWriteExecute stays off: Node's JIT
# needs writable-and-executable memory.)
RestrictSUIDSGID=yes
# Sockets the modules use: IP for MQTT, timedrift and ping; netlink for the firewall backends
# and netstat; unix for journald.
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK
# Realtime scheduling and personality changes are never needed.
RestrictRealtime=yes
LockPersonality=yes
# Keeps its own logs in the journal: one line per message on stderr.
StandardOutput=journal
StandardError=journal

[Install]
WantedBy=multi-user.target
`;
}

export interface InstallOptions extends UnitOptions {
  unitDir: string;
  /** Writes nothing outside unitDir and never calls systemctl. */
  isDryRun: boolean;
}

/** Whether this host runs systemd (its runtime directory exists only then). */
export function hasSystemd(): boolean {
  return existsSync('/run/systemd/system');
}

/** Writes the unit, then enables and starts it when systemd runs here. Returns what it did, one line each. */
export function installUnit(opts: InstallOptions): string[] {
  const path = join(resolve(opts.unitDir), UNIT_NAME);
  const done: string[] = [];
  mkdirSync(resolve(opts.unitDir), { recursive: true });
  writeFileSync(path, unitText(opts), { mode: 0o644 });
  done.push(`wrote ${path}`);
  const systemctl = [['daemon-reload'], ['enable', '--now', UNIT_NAME]];
  if (opts.isDryRun) return [...done, ...systemctl.map((args) => `dry run: would run systemctl ${args.join(' ')}`)];
  if (!hasSystemd())
    return [
      ...done,
      'systemd is not running on this host: nothing enabled; start the agent with the ExecStart line above your way',
    ];
  for (const args of systemctl) {
    execFileSync('systemctl', args, { stdio: 'inherit' });
    done.push(`ran systemctl ${args.join(' ')}`);
  }
  return done;
}

/** Stops and disables the unit (when systemd runs here), then removes its file. */
export function uninstallUnit(opts: { unitDir: string; isDryRun: boolean }): string[] {
  const path = join(resolve(opts.unitDir), UNIT_NAME);
  const done: string[] = [];
  const disable = ['disable', '--now', UNIT_NAME];
  if (opts.isDryRun) done.push(`dry run: would run systemctl ${disable.join(' ')}`);
  else if (hasSystemd() && existsSync(path)) {
    execFileSync('systemctl', disable, { stdio: 'inherit' });
    done.push(`ran systemctl ${disable.join(' ')}`);
  }
  if (!existsSync(path)) return [...done, `${path} does not exist: nothing to remove`];
  rmSync(path);
  done.push(`removed ${path}`);
  if (opts.isDryRun) done.push('dry run: would run systemctl daemon-reload');
  else if (hasSystemd()) {
    execFileSync('systemctl', ['daemon-reload'], { stdio: 'inherit' });
    done.push('ran systemctl daemon-reload');
  }
  return done;
}
