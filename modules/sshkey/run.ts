import { readFileSync } from 'node:fs';
import type { ModuleContext, ModuleRun } from '../../protocol/module-spec.js';
import { errorCode, HostRoot } from '../shared/search/resolve.js';
import { keyFiles, keyPlaces, readHead, type KeyFile } from './discover.js';
import { parseKeyLine } from './key-line.js';
import { looksLikePrivateKey, privateKeyFacts } from './private-key.js';
import type { SshkeyParams, SshkeyRow } from './spec.js';

/** authorized_keys files with thousands of keys exist; beyond this it is not one. */
const MAX_AUTHORIZED_KEYS_BYTES = 8 * 1024 * 1024;
/** A 16384-bit RSA private key in PEM is about 12 KiB. */
const MAX_KEY_FILE_BYTES = 64 * 1024;
const HEAD_BYTES = 64;

const AUTHORIZED_KEYS = /^authorized_keys2?$/;
/** Names OpenSSH gives private keys: a file named so that is not a key we read deserves a warning. */
const PRIVATE_NAME = /^(id_[A-Za-z0-9_-]+|ssh_host_[A-Za-z0-9]+_key)$/;

function readText(file: KeyFile, limit: number): string {
  if (file.size > limit) throw Object.assign(new Error('too large'), { code: `larger than ${limit} bytes, skipped` });
  return readFileSync(file.real, 'utf8');
}

function* authorizedKeys(file: KeyFile, params: SshkeyParams, ctx: ModuleContext): Generator<SshkeyRow> {
  const lines = readText(file, MAX_AUTHORIZED_KEYS_BYTES).split('\n');
  for (const [index, line] of lines.entries()) {
    const parsed = parseKeyLine(line);
    if (!parsed.ok) {
      if (parsed.problem !== undefined) ctx.warn(`${file.path}:${index + 1}: ${parsed.problem}`);
      continue;
    }
    const { type, bits, fingerprint, options, comment } = parsed.key;
    yield {
      path: file.path,
      kind: 'authorized_key',
      line: index + 1,
      type,
      bits,
      fingerprint,
      options,
      comment: params.comment ? comment : undefined,
    };
  }
}

function* publicKey(file: KeyFile, params: SshkeyParams, ctx: ModuleContext): Generator<SshkeyRow> {
  for (const line of readText(file, MAX_KEY_FILE_BYTES).split('\n')) {
    const parsed = parseKeyLine(line);
    if (!parsed.ok && parsed.problem === undefined) continue;
    if (!parsed.ok) {
      ctx.warn(`${file.path}: not an OpenSSH public key (${parsed.problem})`);
      return;
    }
    const { type, bits, fingerprint, comment } = parsed.key;
    yield { path: file.path, kind: 'public', type, bits, fingerprint, comment: params.comment ? comment : undefined };
    return;
  }
}

function* privateKey(file: KeyFile, params: SshkeyParams, ctx: ModuleContext): Generator<SshkeyRow> {
  if (!looksLikePrivateKey(readHead(file.real, HEAD_BYTES))) {
    if (PRIVATE_NAME.test(file.name))
      ctx.warn(`${file.path}: named like a private key but not in a format this module reads (OpenSSH or PEM)`);
    return;
  }
  let facts;
  try {
    facts = privateKeyFacts(readText(file, MAX_KEY_FILE_BYTES), params.comment);
  } catch (err) {
    // Still a private key file: report it, with what could not be told left out.
    ctx.warn(
      `${file.path}: damaged or unsupported private key (${err instanceof Error ? err.message.slice(0, 200) : String(err)})`,
    );
    yield { path: file.path, kind: 'private', type: 'unknown' };
    return;
  }
  if (facts === undefined) return;
  const { type, bits, fingerprint, isEncrypted, comment } = facts;
  yield { path: file.path, kind: 'private', type, bits, fingerprint, isEncrypted, comment };
}

function rowsOf(file: KeyFile, params: SshkeyParams, ctx: ModuleContext): Generator<SshkeyRow> {
  if (AUTHORIZED_KEYS.test(file.name)) return authorizedKeys(file, params, ctx);
  if (file.name.endsWith('.pub')) return publicKey(file, params, ctx);
  return privateKey(file, params, ctx);
}

function isWanted(row: SshkeyRow, params: SshkeyParams): boolean {
  if (params.types !== undefined && !params.types.includes(row.type)) return false;
  if (
    params.fingerprints !== undefined &&
    (row.fingerprint === undefined || !params.fingerprints.includes(row.fingerprint))
  )
    return false;
  return true;
}

/** The sshkey module: one row per key found, with its type, size and fingerprint, never its material. */
export const runSshkey: ModuleRun<SshkeyParams, SshkeyRow> = async function* runSshkey(params, ctx) {
  const host = new HostRoot(ctx.root);
  const events = { problem: (path: string, what: string) => ctx.warn(`${path}: ${what}`) };
  let examined = 0;
  let found = 0;
  try {
    for (const file of keyFiles(host, keyPlaces(host, params.paths ?? [], events), events)) {
      if (ctx.signal.aborted) return;
      examined++;
      let rows: SshkeyRow[];
      try {
        rows = [...rowsOf(file, params, ctx)];
      } catch (err) {
        ctx.warn(`${file.path}: cannot read (${errorCode(err)})`);
        continue;
      }
      for (const row of rows) {
        if (!isWanted(row, params)) continue;
        found++;
        yield row;
      }
      // Sync reads: give the runner's timers and the abort a chance between files.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    ctx.count('filesExamined', examined);
    ctx.count('keysFound', found);
  }
};
