import type { DemoHost } from './scenario.js';

/**
 * A small `/var/lib/dpkg/status`: the packages a hunt for a vulnerable version reads. Versions
 * follow the host's release; openssl and libssl3 are the unpatched build on planted hosts.
 */
interface Package {
  name: string;
  section: string;
  ubuntu: string;
  debian: string;
  description: string;
}

const BASE: readonly Package[] = [
  {
    name: 'bash',
    section: 'shells',
    ubuntu: '5.1-6ubuntu1.1',
    debian: '5.2.15-2+b7',
    description: 'GNU Bourne Again SHell',
  },
  {
    name: 'coreutils',
    section: 'utils',
    ubuntu: '8.32-4.1ubuntu1.2',
    debian: '9.1-1',
    description: 'GNU core utilities',
  },
  {
    name: 'cron',
    section: 'admin',
    ubuntu: '3.0pl1-137ubuntu3',
    debian: '3.0pl1-162',
    description: 'process scheduling daemon',
  },
  {
    name: 'curl',
    section: 'web',
    ubuntu: '7.81.0-1ubuntu1.16',
    debian: '7.88.1-10+deb12u7',
    description: 'command line tool for transferring data with URL syntax',
  },
  {
    name: 'libc6',
    section: 'libs',
    ubuntu: '2.35-0ubuntu3.8',
    debian: '2.36-9+deb12u8',
    description: 'GNU C Library: Shared libraries',
  },
  {
    name: 'openssh-server',
    section: 'net',
    ubuntu: '1:8.9p1-3ubuntu0.10',
    debian: '1:9.2p1-2+deb12u3',
    description: 'secure shell (SSH) server',
  },
  {
    name: 'sudo',
    section: 'admin',
    ubuntu: '1.9.9-1ubuntu2.4',
    debian: '1.9.13p3-1+deb12u1',
    description: 'Provide limited super user privileges',
  },
];

const BY_ROLE: Record<DemoHost['role'], readonly Package[]> = {
  web: [
    {
      name: 'nginx',
      section: 'httpd',
      ubuntu: '1.18.0-6ubuntu14.4',
      debian: '1.22.1-9',
      description: 'small, powerful, scalable web/proxy server',
    },
    {
      name: 'php8.1-fpm',
      section: 'php',
      ubuntu: '8.1.2-1ubuntu2.18',
      debian: '8.1.2-1ubuntu2.18',
      description: 'server-side, HTML-embedded scripting language (FPM-CGI binary)',
    },
  ],
  db: [
    {
      name: 'postgresql',
      section: 'database',
      ubuntu: '14+238',
      debian: '15+248',
      description: 'object-relational SQL database (supported version)',
    },
  ],
  cache: [
    {
      name: 'redis-server',
      section: 'database',
      ubuntu: '5:6.0.16-1ubuntu1',
      debian: '5:7.0.15-1~deb12u1',
      description: 'Persistent key-value database with network interface',
    },
  ],
  bastion: [
    {
      name: 'fail2ban',
      section: 'net',
      ubuntu: '0.11.2-6',
      debian: '1.0.2-2',
      description: 'ban hosts that cause multiple authentication errors',
    },
  ],
};

export function dpkgStatus(host: DemoHost, isVulnerable: boolean): string {
  const ssl = isVulnerable ? host.os.vulnerableOpenssl : host.os.openssl;
  const tls: Package[] = [
    {
      name: 'libssl3',
      section: 'libs',
      ubuntu: ssl,
      debian: ssl,
      description: 'Secure Sockets Layer toolkit - shared libraries',
    },
    {
      name: 'openssl',
      section: 'utils',
      ubuntu: ssl,
      debian: ssl,
      description: 'Secure Sockets Layer toolkit - cryptographic utility',
    },
  ];
  const packages = [...BASE, ...tls, ...BY_ROLE[host.role]].sort((a, b) => a.name.localeCompare(b.name));
  const arch = host.arch === 'arm64' ? 'arm64' : 'amd64';
  const maintainer =
    host.os.id === 'ubuntu'
      ? 'Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>'
      : 'Debian Developers <debian-devel@lists.debian.org>';
  return packages
    .map((p) =>
      [
        `Package: ${p.name}`,
        'Status: install ok installed',
        'Priority: optional',
        `Section: ${p.section}`,
        `Maintainer: ${maintainer}`,
        `Architecture: ${arch}`,
        `Version: ${p[host.os.id]}`,
        `Description: ${p.description}`,
        '',
      ].join('\n'),
    )
    .join('\n');
}
