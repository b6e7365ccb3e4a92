import { readFile } from 'node:fs/promises';
import { cryptMethod } from './crypt-hash.js';

/** What one /etc/shadow entry says about its password. The hash itself stays inside this module's run. */
export interface PasswordEntry {
  state: 'password' | 'locked' | 'none';
  /** The password field as stored: compared with the hash given, never reported. */
  field: string;
  /** Field 3, days since 1970-01-01 of the last change; 0: must change at next login; undefined: empty. */
  lastChangeDays: number | undefined;
}

function stateOf(field: string): PasswordEntry['state'] {
  if (field.startsWith('!')) return field.replace(/^!+/, '') === '' ? 'none' : 'locked';
  return field === '' || field.startsWith('*') ? 'none' : 'password';
}

/** Parses /etc/shadow into name → entry; lines that are not shadow entries are skipped. */
export async function readPasswords(path = '/etc/shadow'): Promise<Map<string, PasswordEntry>> {
  const entries = new Map<string, PasswordEntry>();
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    const fields = line.split(':');
    const [name, field, last] = fields;
    if (fields.length < 8 || name === undefined || name === '' || field === undefined) continue;
    entries.set(name, {
      state: stateOf(field),
      field,
      lastChangeDays: /^\d+$/.test(last ?? '') ? Number(last) : undefined,
    });
  }
  return entries;
}

/** The crypt method of a stored password field, through a lock `!`. */
export function methodOf(entry: PasswordEntry): string | undefined {
  return cryptMethod(entry.field.replace(/^!+/, ''));
}

/** Days since the epoch → YYYY-MM-DD; 0 (forced change) and empty say nothing. */
export function changeDate(days: number | undefined): string | undefined {
  return days === undefined || days === 0 ? undefined : new Date(days * 86_400_000).toISOString().slice(0, 10);
}
