import { describeBlob, type KeyFacts } from './blob.js';
import { WireFormatError } from './wire.js';

/**
 * One line of an authorized_keys file or a .pub file (sshd(8) AUTHORIZED_KEYS FILE FORMAT):
 * `[options] keytype base64-key [comment]`. Options are comma-separated, values may be
 * double-quoted with spaces, commas and escaped quotes inside.
 */
export interface KeyLine extends KeyFacts {
  /** Option names, lower-cased, without their values (`command="..."` → `command`). */
  options: string[];
  comment: string | undefined;
}

/** `problem` is undefined for lines that hold no key on purpose (blank, comment). */
export type ParsedLine = { ok: true; key: KeyLine } | { ok: false; problem: string | undefined };

/** The first token of `line` at `start`, where double-quoted parts may hold spaces; its end index. */
function token(line: string, start: number): { text: string; end: number } {
  let i = start;
  let isQuoted = false;
  while (i < line.length) {
    const ch = line[i];
    if (ch === '\\' && isQuoted && i + 1 < line.length) i++;
    else if (ch === '"') isQuoted = !isQuoted;
    else if (!isQuoted && (ch === ' ' || ch === '\t')) break;
    i++;
  }
  return { text: line.slice(start, i), end: i };
}

function skipBlanks(line: string, i: number): number {
  while (line[i] === ' ' || line[i] === '\t') i++;
  return i;
}

/** Names of the comma-separated options, commas inside quotes ignored. */
function optionNames(options: string): string[] {
  const names: string[] = [];
  let isQuoted = false;
  let start = 0;
  for (let i = 0; i <= options.length; i++) {
    const ch = options[i];
    if (ch === '\\' && isQuoted) i++;
    else if (ch === '"') isQuoted = !isQuoted;
    else if ((ch === ',' && !isQuoted) || i === options.length) {
      const item = options.slice(start, i);
      const eq = item.indexOf('=');
      const name = (eq < 0 ? item : item.slice(0, eq)).trim().toLowerCase();
      if (name !== '') names.push(name);
      start = i + 1;
    }
  }
  return names;
}

/** Key types look like this; anything else in first place is an options field. */
const KEY_TYPE = /^(ssh-|ecdsa-|sk-)[\x21-\x7e]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Parses one line. Blank lines and `#` comments give `{ok: false, problem: undefined}`; a line
 * that is not a key gives a problem that never quotes the key material.
 */
export function parseKeyLine(raw: string): ParsedLine {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  let i = skipBlanks(line, 0);
  if (i === line.length || line[i] === '#') return { ok: false, problem: undefined };
  let first = token(line, i);
  let options: string[] = [];
  if (!KEY_TYPE.test(first.text)) {
    options = optionNames(first.text);
    i = skipBlanks(line, first.end);
    first = token(line, i);
  }
  const declared = first.text;
  if (!KEY_TYPE.test(declared))
    return { ok: false, problem: 'no key type (ssh-..., ecdsa-..., sk-...) where one was expected' };
  i = skipBlanks(line, first.end);
  const encoded = token(line, i);
  if (!BASE64.test(encoded.text)) return { ok: false, problem: `the ${declared} key is not base64` };
  const comment = line.slice(skipBlanks(line, encoded.end)).trim();
  try {
    const facts = describeBlob(Buffer.from(encoded.text, 'base64'));
    if (facts.type !== declared)
      return { ok: false, problem: `the line says ${declared} but the key inside is ${facts.type}` };
    return { ok: true, key: { ...facts, options, comment: comment === '' ? undefined : comment } };
  } catch (err) {
    if (err instanceof WireFormatError)
      return { ok: false, problem: `the ${declared} key is malformed (${err.message})` };
    throw err;
  }
}
