import {
  ADMIN_KEY,
  BACKDOOR_CONTENT,
  BACKDOOR_PATH,
  C2_ADDRESS,
  CRON_CONTENT,
  CRON_PATH,
  ROGUE_KEY,
  WEBSHELL_CONTENT,
  WEBSHELL_PATH,
  sshEd25519Key,
  webshellAccessLine,
} from './iocs.js';
import { dpkgStatus } from './dpkg.js';
import { intBetween, seededRng, type Rng } from './prng.js';
import type { DemoHost } from './scenario.js';

/** One file of a simulated host: an absolute path inside the host, its bytes, mode and age. */
export interface HostFile {
  path: string;
  content: string | Uint8Array;
  /** Permission bits, e.g. 0o644. */
  mode: number;
  /** How long ago it was last modified: planted files are days old, benign ones months. */
  ageDays: number;
}

const OPS_USERS = ['ana', 'bruno', 'chen'] as const;
/** Where admins log in from (TEST-NET-2). */
const ADMIN_ADDRESS = '198.51.100.250';

/** Every file of a host, benign and planted, in a fixed order: a pure function of the host. */
export function hostFiles(host: DemoHost): HostFile[] {
  const rng = seededRng(host.seed);
  const old = (): number => intBetween(rng, 60, 500);
  const has = (ioc: DemoHost['iocs'][number]): boolean => host.iocs.includes(ioc);
  const files: HostFile[] = [
    text('/etc/hostname', `${host.name}\n`, old()),
    text(
      '/etc/hosts',
      `127.0.0.1\tlocalhost\n${host.addresses[0] ?? '127.0.1.1'}\t${host.name}.corp.example ${host.name}\n`,
      old(),
    ),
    text('/etc/os-release', osRelease(host), old()),
    text('/etc/passwd', passwd(host), old()),
    text('/etc/group', group(host), old()),
    text('/etc/ssh/sshd_config', sshdConfig(host), old()),
    text('/etc/crontab', CRONTAB, old()),
    text(
      '/etc/cron.d/e2scrub_all',
      '30 3 * * 0 root test -e /run/systemd/system || /usr/lib/x86_64-linux-gnu/e2fsprogs/e2scrub_all_cron\n',
      old(),
    ),
    // A benign curl in cron: the card's regex must tell it from the planted `curl ... | sh`.
    text(
      '/etc/cron.d/healthcheck',
      `*/5 * * * * root curl -fsS -o /dev/null https://status.corp.example/ping/${host.name}\n`,
      old(),
    ),
    text('/var/lib/dpkg/status', dpkgStatus(host, has('openssl')), old()),
    {
      path: '/root/.ssh/authorized_keys',
      content: `${ADMIN_KEY}\n${has('sshkey') ? `${ROGUE_KEY}\n` : ''}`,
      mode: 0o600,
      ageDays: has('sshkey') ? 3 : old(),
    },
    text(
      '/home/deploy/.bashrc',
      '# ~/.bashrc\n[ -z "$PS1" ] && return\nHISTCONTROL=ignoreboth\nalias ll=\'ls -alF\'\n',
      old(),
    ),
    {
      path: '/home/deploy/.ssh/authorized_keys',
      content: `${sshEd25519Key(`deploy ${host.env}`, `deploy@ci.corp.example`)}\n`,
      mode: 0o600,
      ageDays: old(),
    },
    ...binaries(host, old),
    ...logs(host, rng),
    ...roleFiles(host, old),
  ];
  if (has('webshell')) files.push(text(WEBSHELL_PATH, WEBSHELL_CONTENT, 2));
  if (has('backdoor')) files.push({ path: BACKDOOR_PATH, content: BACKDOOR_CONTENT, mode: 0o755, ageDays: 1 });
  if (has('cron')) files.push(text(CRON_PATH, CRON_CONTENT, 1));
  return files;
}

function text(path: string, content: string, ageDays: number): HostFile {
  return { path, content, mode: 0o644, ageDays };
}

function osRelease(host: DemoHost): string {
  const { id, versionId, codename, pretty } = host.os;
  const name = id === 'ubuntu' ? 'Ubuntu' : 'Debian GNU/Linux';
  return `PRETTY_NAME="${pretty}"\nNAME="${name}"\nVERSION_ID="${versionId}"\nVERSION_CODENAME=${codename}\nID=${id}\n${id === 'ubuntu' ? 'ID_LIKE=debian\n' : ''}`;
}

function serviceUsers(host: DemoHost): [string, number, string][] {
  const byRole: Record<DemoHost['role'], [string, number, string][]> = {
    web: [['www-data', 33, '/var/www']],
    db: [['postgres', 114, '/var/lib/postgresql']],
    cache: [['redis', 115, '/var/lib/redis']],
    bastion: OPS_USERS.map((u, i): [string, number, string] => [u, 1001 + i, `/home/${u}`]),
  };
  return byRole[host.role];
}

function passwd(host: DemoHost): string {
  const base = [
    'root:x:0:0:root:/root:/bin/bash',
    'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
    'bin:x:2:2:bin:/bin:/usr/sbin/nologin',
    'sys:x:3:3:sys:/dev:/usr/sbin/nologin',
    'sshd:x:105:65534::/run/sshd:/usr/sbin/nologin',
    'deploy:x:1000:1000:deploy:/home/deploy:/bin/bash',
  ];
  const extra = serviceUsers(host).map(
    ([u, id, home]) => `${u}:x:${id}:${id}::${home}:${id >= 1000 ? '/bin/bash' : '/usr/sbin/nologin'}`,
  );
  return `${[...base, ...extra].join('\n')}\n`;
}

function group(host: DemoHost): string {
  const ops = host.role === 'bastion' ? [`ops:x:2000:${OPS_USERS.join(',')}`] : [];
  return `${['root:x:0:', 'sudo:x:27:deploy', 'ssh:x:110:', 'deploy:x:1000:', ...ops].join('\n')}\n`;
}

function sshdConfig(host: DemoHost): string {
  const lines = [
    'Include /etc/ssh/sshd_config.d/*.conf',
    'Port 22',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM yes',
    'X11Forwarding no',
    'PrintMotd no',
    'AcceptEnv LANG LC_*',
    'Subsystem sftp /usr/lib/openssh/sftp-server',
  ];
  if (host.role === 'bastion') lines.push('AllowGroups ops sudo', 'AllowTcpForwarding yes', 'MaxSessions 20');
  return `${lines.join('\n')}\n`;
}

const CRONTAB = [
  'SHELL=/bin/sh',
  'PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin',
  '17 *\t* * *\troot\tcd / && run-parts --report /etc/cron.hourly',
  '25 6\t* * *\troot\ttest -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )',
  '',
].join('\n');

/** Stand-ins for binaries: ELF magic, then what they are (their hashes differ per release and arch). */
function binaries(host: DemoHost, old: () => number): HostFile[] {
  const bin = ['bash', 'cat', 'ls', 'curl', 'ssh', 'sudo', 'python3', 'openssl'].map((n) => `/usr/bin/${n}`);
  const sbin = ['sshd', 'cron'].map((n) => `/usr/sbin/${n}`);
  const byRole: Record<DemoHost['role'], string[]> = {
    web: ['/usr/sbin/nginx', '/usr/sbin/php-fpm8.1'],
    db: [`/usr/lib/postgresql/${host.os.id === 'debian' ? 15 : 14}/bin/postgres`],
    cache: ['/usr/bin/redis-server'],
    bastion: ['/usr/bin/fail2ban-server'],
  };
  return [...bin, ...sbin, ...byRole[host.role]].map((path) => ({
    path,
    content: Buffer.concat([
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]),
      Buffer.from(`${path} ${host.os.pretty} ${host.arch}\n`),
    ]),
    mode: 0o755,
    ageDays: old(),
  }));
}

/** Logs are written "today"; the attacker's traces are in them on the hosts they touched. */
function logs(host: DemoHost, rng: Rng): HostFile[] {
  const pid = (): number => intBetween(rng, 900, 40_000);
  const auth = [
    `Jun 11 08:02:11 ${host.name} sshd[${pid()}]: Accepted publickey for deploy from ${ADMIN_ADDRESS} port ${intBetween(rng, 40_000, 60_000)} ssh2: ED25519`,
    `Jun 11 08:02:11 ${host.name} sshd[${pid()}]: pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)`,
    `Jun 11 09:40:52 ${host.name} sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl status`,
  ];
  if (host.iocs.includes('sshkey'))
    auth.push(
      `Jun 12 02:51:30 ${host.name} sshd[${pid()}]: Accepted publickey for root from ${C2_ADDRESS} port 51514 ssh2: ED25519`,
    );
  const syslog = [
    `Jun 11 06:25:01 ${host.name} CRON[${pid()}]: (root) CMD (test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily ))`,
    `Jun 11 06:30:12 ${host.name} systemd[1]: Starting apt-daily-upgrade.service - Daily apt upgrade and clean activities...`,
    `Jun 11 06:30:14 ${host.name} systemd[1]: apt-daily-upgrade.service: Deactivated successfully.`,
  ];
  const files = [
    text('/var/log/auth.log', `${auth.join('\n')}\n`, 0),
    text('/var/log/syslog', `${syslog.join('\n')}\n`, 0),
  ];
  if (host.role === 'web')
    files.push(text('/var/log/nginx/access.log', accessLog(host, rng), 0), text('/var/log/nginx/error.log', '', 0));
  return files;
}

function accessLog(host: DemoHost, rng: Rng): string {
  const pages = ['/', '/index.php', '/about', '/assets/app.css', '/assets/logo.png', '/login', '/index.php?page=2'];
  const lines = pages.map((p, i) => {
    const client = `192.0.2.${intBetween(rng, 100, 200)}`;
    return `${client} - - [11/Jun/2024:1${i}:0${i}:3${i} +0000] "GET ${p} HTTP/1.1" 200 ${intBetween(rng, 300, 9000)} "-" "Mozilla/5.0 (X11; Linux x86_64)"`;
  });
  if (host.iocs.includes('webshell')) lines.push(webshellAccessLine('12/Jun/2024'), webshellAccessLine('13/Jun/2024'));
  return `${lines.join('\n')}\n`;
}

function roleFiles(host: DemoHost, old: () => number): HostFile[] {
  switch (host.role) {
    case 'web':
      return [
        text(
          '/var/www/html/index.php',
          `<?php\n// ${host.name}: storefront front controller\nrequire __DIR__ . '/app/bootstrap.php';\n$app->run();\n`,
          old(),
        ),
        text('/var/www/html/app/bootstrap.php', "<?php\n$app = new App\\Kernel(getenv('APP_ENV') ?: 'prod');\n", old()),
        text('/var/www/html/assets/app.css', 'body { font-family: sans-serif; margin: 0 }\n', old()),
        text('/var/www/html/uploads/README.txt', 'User uploads land here.\n', old()),
        text(
          '/etc/nginx/sites-enabled/default',
          `server {\n  listen 80 default_server;\n  root /var/www/html;\n  server_name ${host.name}.corp.example;\n  location ~ \\.php$ { fastcgi_pass unix:/run/php/php8.1-fpm.sock; }\n}\n`,
          old(),
        ),
      ];
    case 'db':
      return [
        text(
          `/etc/postgresql/${host.os.id === 'debian' ? 15 : 14}/main/postgresql.conf`,
          "listen_addresses = 'localhost'\nmax_connections = 200\nshared_buffers = 2GB\n",
          old(),
        ),
      ];
    case 'cache':
      return [
        text('/etc/redis/redis.conf', 'bind 127.0.0.1 ::1\nprotected-mode yes\nport 6379\nmaxmemory 4gb\n', old()),
      ];
    case 'bastion':
      return OPS_USERS.map((u) => ({
        path: `/home/${u}/.ssh/authorized_keys`,
        content: `${sshEd25519Key(`ops ${u}`, `${u}@corp.example`)}\n`,
        mode: 0o600,
        ageDays: old(),
      }));
  }
}
