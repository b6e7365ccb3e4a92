/**
 * crypt(3) hashes an investigator may set (made with `openssl passwd -6`, `mkpasswd -m yescrypt`):
 * shape only, so plaintext is refused before it is signed, let alone sent. Pure: the spec uses it.
 * Messages never repeat the value: it may be someone's password typed in the wrong flag.
 */
const B64 = '[./A-Za-z0-9]';
const METHODS: readonly { name: string; shape: RegExp }[] = [
  { name: 'yescrypt', shape: new RegExp(`^\\$y\\$${B64}{3,64}\\$${B64}{1,86}\\$${B64}{43}$`) },
  { name: 'gost-yescrypt', shape: new RegExp(`^\\$gy\\$${B64}{3,64}\\$${B64}{1,86}\\$${B64}{43}$`) },
  { name: 'sha512crypt', shape: new RegExp(`^\\$6\\$(rounds=\\d{4,9}\\$)?${B64}{1,16}\\$${B64}{86}$`) },
  { name: 'sha256crypt', shape: new RegExp(`^\\$5\\$(rounds=\\d{4,9}\\$)?${B64}{1,16}\\$${B64}{43}$`) },
  { name: 'bcrypt', shape: new RegExp(`^\\$2[aby]\\$\\d{2}\\$${B64}{53}$`) },
];

export const HASH_METHODS = METHODS.map((m) => m.name);

/** The crypt method of a hash of an accepted shape, else undefined. */
export function cryptMethod(value: string): string | undefined {
  return METHODS.find((m) => m.shape.test(value))?.name;
}

/**
 * Why `value` is not a hash we set, or undefined. Every sentence says what it got (its length),
 * so the CLI, server and agent do not append the value itself (protocol/zod-issues.ts expectedGot).
 */
export function cryptHashProblem(value: string): string | undefined {
  if (cryptMethod(value) !== undefined) return undefined;
  const got = `got ${value.length} characters (not repeated here: they may be a plaintext password)`;
  if (/^\$1\$|^\$md5|^_/.test(value) || /^[./A-Za-z0-9]{13}$/.test(value))
    return `expected a strong crypt(3) hash, not MD5 or DES crypt (broken): use openssl passwd -6 or mkpasswd -m yescrypt; ${got}`;
  if (value.startsWith('!') || value.startsWith('*'))
    return `expected a hash without ! or * (to lock an account, use the account module); ${got}`;
  return `expected a crypt(3) hash ($y$…, $6$…, $5$… or $2b$…, e.g. from openssl passwd -6), ${got}`;
}
