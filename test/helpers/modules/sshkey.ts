import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';

/**
 * Test-only keys and expectations. Blobs here are built independently of wire.ts/blob.ts
 * (plain Buffer writes), so a bug there cannot hide by agreeing with itself.
 */

/** Public keys ssh-keygen 9.2 generated, with what `ssh-keygen -l -f` printed for each (public data). */
export const KEYGEN_VECTORS = [
  {
    name: 'ed25519',
    line: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH6wAIKXXBbgXV7/PAgukMThCHMVeU/NTXXPd4EcT4Y4 alice@laptop',
    keygen: '256 SHA256:gEv7oy32SDGR/cxfM+OdaCTMfh7cIuJ3TNE8GUWZEuQ alice@laptop (ED25519)',
  },
  {
    name: 'rsa 2048',
    line: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDc1NfevheQmI9By4of4YMm/Nyc2qvJSHSzd9HGbfzM1/yTfdrCIxPQUS5x3pZ3wXJk4OBzUFGE3Xc//fE/TfjBa4TwKFJyTDzlmAPSAlmuq7e3/XYP8SvwfpLL6TX6PxW5svMhO92J8YvVDbWGl6IUU43lqkUTA0HguKhqUVmx8yTuGyWuz6i1nNZaAeOT1cK3PAwHbqo39Ia4aKGDeUTa3UHcYHwvOwgeoPXaTZh8gd96634My7DtSSzP3VQfNxn+uNRqwQFdNeNrUpDguXDWp+X5oZ6jThsFKTS8Rt5H73Sn60WXXefBKZhtEpph5XxDmOLdDfrNlgK8BlOSOawH bob@build',
    keygen: '2048 SHA256:5YFS1DWx4RwUvoijKHEH4fmxLZ3snhtrTYBjfc+4gLQ bob@build (RSA)',
  },
  {
    name: 'ecdsa p-256 without comment',
    line: 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBDBkvvL1/4gKWr6wxvxLDFkVNnT7k0yHcDF3MxcB78SHcGm10y7N2A8cx4Oj8GiwkpHyOOx/OriIKoXCKjh7QKo= ',
    keygen: '256 SHA256:5rHHQnQEFemy5ugcKMwvOoZLL2ks5bD4m91FUGsCk2o no comment (ECDSA)',
  },
  {
    name: 'ed25519 certificate: fingerprinted by the certified key',
    line: 'ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIIT8+8HfSZtPKGsaqVwVz0wwBxtuvD4W0IIHbLr8WFfFAAAAIH6wAIKXXBbgXV7/PAgukMThCHMVeU/NTXXPd4EcT4Y4AAAAAAAAAAAAAAABAAAABWNhcm9sAAAACQAAAAVjYXJvbAAAAAAAAAAA//////////8AAAAAAAAAggAAABVwZXJtaXQtWDExLWZvcndhcmRpbmcAAAAAAAAAF3Blcm1pdC1hZ2VudC1mb3J3YXJkaW5nAAAAAAAAABZwZXJtaXQtcG9ydC1mb3J3YXJkaW5nAAAAAAAAAApwZXJtaXQtcHR5AAAAAAAAAA5wZXJtaXQtdXNlci1yYwAAAAAAAAAAAAAAMwAAAAtzc2gtZWQyNTUxOQAAACAXobuJHHeYo4GEjgM0J5MBM2Nz9xLJfmOyOCvgOuglXQAAAFMAAAALc3NoLWVkMjU1MTkAAABAfMeVNlav0iflsydM+4xw8uo72YhpYhwNwiIhx0c3g6N1Hp7JgFrcNpKmhKfE8+b1qtHy0Iuw/CvP/BSonqH2Dw== alice@laptop',
    keygen: '256 SHA256:gEv7oy32SDGR/cxfM+OdaCTMfh7cIuJ3TNE8GUWZEuQ alice@laptop (ED25519-CERT)',
  },
  {
    name: 'rsa certificate',
    line: 'ssh-rsa-cert-v01@openssh.com AAAAHHNzaC1yc2EtY2VydC12MDFAb3BlbnNzaC5jb20AAAAgpb+86eKQsd4jOrQ3nHMBiqGJPg5C16vyxGL4dVTCgqAAAAADAQABAAABAQDc1NfevheQmI9By4of4YMm/Nyc2qvJSHSzd9HGbfzM1/yTfdrCIxPQUS5x3pZ3wXJk4OBzUFGE3Xc//fE/TfjBa4TwKFJyTDzlmAPSAlmuq7e3/XYP8SvwfpLL6TX6PxW5svMhO92J8YvVDbWGl6IUU43lqkUTA0HguKhqUVmx8yTuGyWuz6i1nNZaAeOT1cK3PAwHbqo39Ia4aKGDeUTa3UHcYHwvOwgeoPXaTZh8gd96634My7DtSSzP3VQfNxn+uNRqwQFdNeNrUpDguXDWp+X5oZ6jThsFKTS8Rt5H73Sn60WXXefBKZhtEpph5XxDmOLdDfrNlgK8BlOSOawHAAAAAAAAAAAAAAABAAAABWNhcm9sAAAACQAAAAVjYXJvbAAAAAAAAAAA//////////8AAAAAAAAAggAAABVwZXJtaXQtWDExLWZvcndhcmRpbmcAAAAAAAAAF3Blcm1pdC1hZ2VudC1mb3J3YXJkaW5nAAAAAAAAABZwZXJtaXQtcG9ydC1mb3J3YXJkaW5nAAAAAAAAAApwZXJtaXQtcHR5AAAAAAAAAA5wZXJtaXQtdXNlci1yYwAAAAAAAAAAAAAAMwAAAAtzc2gtZWQyNTUxOQAAACAXobuJHHeYo4GEjgM0J5MBM2Nz9xLJfmOyOCvgOuglXQAAAFMAAAALc3NoLWVkMjU1MTkAAABA6172jgVL310WaR01YhOx5ZkayPMjoeCz7XczsQVdDRlQnC4Rp4HQfQQkSDETytIgC9+z/DokV7A58jRN+2X6CA== bob@build',
    keygen: '2048 SHA256:5YFS1DWx4RwUvoijKHEH4fmxLZ3snhtrTYBjfc+4gLQ bob@build (RSA-CERT)',
  },
] as const;

export interface KeygenFacts {
  bits: number;
  fingerprint: string;
  comment: string;
}

/** `256 SHA256:abc comment words (ED25519)` → its parts. */
export function parseKeygenLine(line: string): KeygenFacts {
  const m = /^(\d+) (SHA256:\S+) (.*) \([A-Z0-9-]+\)$/.exec(line.trim());
  if (m === null) throw new Error(`not ssh-keygen -l output: ${line}`);
  return { bits: Number(m[1]), fingerprint: m[2] ?? '', comment: m[3] ?? '' };
}

export const hasSshKeygen = ((): boolean => {
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // ssh-keygen -? prints usage and exits 1: only a spawn failure means it is missing.
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
})();

/** What `ssh-keygen -l -f path` says about a key file. */
export function keygenFacts(path: string): KeygenFacts {
  return parseKeygenLine(execFileSync('ssh-keygen', ['-l', '-f', path], { encoding: 'utf8' }));
}

/** Generates a key with ssh-keygen (`extra` e.g. ['-m', 'PEM']). */
export function keygen(
  path: string,
  type: string,
  bits: number | undefined,
  passphrase: string,
  comment: string,
  extra: string[] = [],
): void {
  const size = bits === undefined ? [] : ['-b', String(bits)];
  execFileSync('ssh-keygen', ['-q', '-t', type, ...size, '-N', passphrase, '-C', comment, '-f', path, ...extra], {
    stdio: 'ignore',
  });
}

const str = (value: Buffer | string): Buffer => {
  const body = typeof value === 'string' ? Buffer.from(value) : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
};
const mpint = (magnitude: Buffer): Buffer =>
  str((magnitude[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude);
const sha256Fingerprint = (blob: Buffer): string =>
  `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;

export interface NodeKey {
  name: string;
  privateKey: KeyObject;
  /** The SSH public blob, built here independently. */
  blob: Buffer;
  type: string;
  bits: number;
  fingerprint: string;
  publicLine(comment: string): string;
}

function nodeKey(name: string, privateKey: KeyObject, publicKey: KeyObject): NodeKey {
  const jwk = publicKey.export({ format: 'jwk' });
  const raw = (v: string | undefined): Buffer => Buffer.from(v ?? '', 'base64url');
  let blob: Buffer;
  let type: string;
  let bits: number;
  if (jwk.kty === 'RSA') {
    type = 'ssh-rsa';
    blob = Buffer.concat([str(type), mpint(raw(jwk.e)), mpint(raw(jwk.n))]);
    bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  } else if (jwk.kty === 'OKP') {
    type = 'ssh-ed25519';
    blob = Buffer.concat([str(type), str(raw(jwk.x))]);
    bits = 256;
  } else {
    const curve = { 'P-256': 'nistp256', 'P-384': 'nistp384', 'P-521': 'nistp521' }[jwk.crv ?? ''] ?? '';
    type = `ecdsa-sha2-${curve}`;
    blob = Buffer.concat([str(type), str(curve), str(Buffer.concat([Buffer.from([4]), raw(jwk.x), raw(jwk.y)]))]);
    bits = Number(curve.slice(5));
  }
  const fingerprint = sha256Fingerprint(blob);
  return {
    name,
    privateKey,
    blob,
    type,
    bits,
    fingerprint,
    publicLine: (comment) => `${type} ${blob.toString('base64')} ${comment}`.trim(),
  };
}

/** Keys made with node:crypto: the path that needs no ssh-keygen. */
export function nodeKeys(): { ed25519: NodeKey; rsa: NodeKey; p256: NodeKey; p384: NodeKey } {
  const make = (name: string, pair: { privateKey: KeyObject; publicKey: KeyObject }): NodeKey =>
    nodeKey(name, pair.privateKey, pair.publicKey);
  return {
    ed25519: make('ed25519', generateKeyPairSync('ed25519')),
    rsa: make('rsa 2048', generateKeyPairSync('rsa', { modulusLength: 2048 })),
    p256: make('ecdsa p-256', generateKeyPairSync('ec', { namedCurve: 'P-256' })),
    p384: make('ecdsa p-384', generateKeyPairSync('ec', { namedCurve: 'P-384' })),
  };
}

/** An unencrypted OpenSSH-format private key file for an ed25519 NodeKey (PROTOCOL.key). */
export function opensshEd25519File(key: NodeKey, comment: string): string {
  const jwk = key.privateKey.export({ format: 'jwk' });
  const pub = Buffer.from(jwk.x ?? '', 'base64url');
  const seed = Buffer.from(jwk.d ?? '', 'base64url');
  const check = Buffer.from([1, 2, 3, 4]);
  let section = Buffer.concat([
    check,
    check,
    str('ssh-ed25519'),
    str(pub),
    str(Buffer.concat([seed, pub])),
    str(comment),
  ]);
  const padding = Buffer.from([1, 2, 3, 4, 5, 6, 7].slice(0, (8 - (section.length % 8)) % 8));
  section = Buffer.concat([section, padding]);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(1);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    str('none'),
    str('none'),
    str(''),
    count,
    str(key.blob),
    str(section),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}
