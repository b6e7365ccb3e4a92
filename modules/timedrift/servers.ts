import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_SERVERS, parseServer, type ServerAddress } from './params.js';

/**
 * Which NTP servers to ask when the investigator names none: the ones this host is configured
 * with (MIG read `server` lines of /etc/ntp.conf; chrony and systemd-timesyncd hosts are the
 * common case now), then MIG's public fallbacks.
 */

export interface NtpServer extends ServerAddress {
  /** As written (host or host:port). */
  name: string;
  /** Where it came from: `parameter`, a config file path, or `fallback`. */
  source: string;
}

/** MIG's NtpBackupPool. */
export const FALLBACK_SERVERS: readonly string[] = [
  'time.nist.gov',
  '0.pool.ntp.org',
  '1.pool.ntp.org',
  '2.pool.ntp.org',
  '3.pool.ntp.org',
];

const CONFIG_FILES = [
  '/etc/ntp.conf',
  '/etc/ntpsec/ntp.conf',
  '/etc/chrony.conf',
  '/etc/chrony/chrony.conf',
  '/etc/systemd/timesyncd.conf',
] as const;

/** ntpd's reference-clock drivers are pseudo-addresses 127.127.t.u, not servers. */
const REFCLOCK = /^127\.127\.\d{1,3}\.\d{1,3}$/;

/** `server|pool <host> [options]` lines (ntpd, ntpsec, chrony); `NTP=a b` (timesyncd). */
export function serversInConfig(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const ntp = /^NTP=(.*)$/.exec(line);
    if (ntp !== null)
      out.push(
        ...(ntp[1] ?? '')
          .trim()
          .split(/\s+/)
          .filter((s) => s !== ''),
      );
    const directive = /^(server|pool)\s+(\S+)/.exec(line);
    if (directive?.[2] !== undefined) out.push(directive[2]);
  }
  return out.filter((name) => !REFCLOCK.test(name));
}

function add(list: NtpServer[], name: string, source: string): void {
  const parsed = parseServer(name);
  if (parsed === undefined || list.length >= MAX_SERVERS) return;
  if (list.some((s) => s.host === parsed.host && s.port === parsed.port)) return;
  list.push({ ...parsed, name, source });
}

/** The servers to ask, in order; `warn` hears about config files that exist but cannot be read. */
export async function defaultServers(root: string, warn: (message: string) => void): Promise<NtpServer[]> {
  const list: NtpServer[] = [];
  for (const path of CONFIG_FILES) {
    let text: string;
    try {
      text = await readFile(join(root, path), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') warn(`cannot read ${path}: ${code ?? String(err)}`);
      continue;
    }
    for (const name of serversInConfig(text)) add(list, name, path);
  }
  for (const name of FALLBACK_SERVERS) add(list, name, 'fallback');
  return list;
}

export function namedServers(names: readonly string[]): NtpServer[] {
  const list: NtpServer[] = [];
  for (const name of names) add(list, name, 'parameter');
  return list;
}
