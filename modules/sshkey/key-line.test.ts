import { describe, expect, it } from 'vitest';
import { describeBlob } from './blob.js';
import { parseKeyLine } from './key-line.js';
import { KEYGEN_VECTORS, nodeKeys, parseKeygenLine } from '../../test/helpers/modules/sshkey.js';

const ED = KEYGEN_VECTORS[0].line;
const [, ED_B64] = ED.split(' ');

describe('public key lines against ssh-keygen -l (recorded)', () => {
  it.each(KEYGEN_VECTORS)('$name', ({ line, keygen }) => {
    const want = parseKeygenLine(keygen);
    const parsed = parseKeyLine(line);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.key.fingerprint).toBe(want.fingerprint);
    expect(parsed.key.bits).toBe(want.bits);
    expect(parsed.key.type).toBe(line.split(' ')[0]);
    expect(parsed.key.comment ?? 'no comment').toBe(want.comment);
  });
});

describe('node:crypto keys: fingerprint of an independently built blob', () => {
  it.each(Object.values(nodeKeys()))('$name', (key) => {
    const parsed = parseKeyLine(key.publicLine('me@host'));
    expect(parsed).toEqual({
      ok: true,
      key: { type: key.type, bits: key.bits, fingerprint: key.fingerprint, options: [], comment: 'me@host' },
    });
  });
});

describe('authorized_keys syntax', () => {
  it.each([
    { name: 'no options', input: ED, want: { options: [], comment: 'alice@laptop' } },
    {
      name: 'options with quoted commas, spaces and escaped quotes',
      input: `command="echo \\"hi, there\\" now",no-pty,from="10.0.0.1,192.168.0.0/16",environment="A=b c" ${ED}`,
      want: { options: ['command', 'no-pty', 'from', 'environment'], comment: 'alice@laptop' },
    },
    {
      name: 'upper-case option names are lower-cased',
      input: `NO-PTY,Restrict ${ED}`,
      want: { options: ['no-pty', 'restrict'], comment: 'alice@laptop' },
    },
    {
      name: 'tabs, leading blanks, CRLF and a long comment',
      input: `\t  ssh-ed25519\t${ED_B64}   deploy key for ci\r`,
      want: { options: [], comment: 'deploy key for ci' },
    },
    { name: 'no comment', input: `ssh-ed25519 ${ED_B64}`, want: { options: [], comment: undefined } },
  ])('$name', ({ input, want }) => {
    const parsed = parseKeyLine(input);
    expect(parsed.ok && { options: parsed.key.options, comment: parsed.key.comment }).toEqual(want);
  });

  it.each([
    { name: 'blank', input: '   ', want: undefined },
    { name: 'comment', input: '# ssh-ed25519 AAAA', want: undefined },
    {
      name: 'no key type after options',
      input: 'no-pty AAAAC3NzaC1lZDI1NTE5',
      want: 'no key type (ssh-..., ecdsa-..., sk-...) where one was expected',
    },
    { name: 'not base64', input: 'ssh-ed25519 not*base64', want: 'the ssh-ed25519 key is not base64' },
    {
      name: 'declared type differs from the blob',
      input: `ssh-rsa ${ED_B64}`,
      want: 'the line says ssh-rsa but the key inside is ssh-ed25519',
    },
    {
      name: 'truncated blob',
      input: `ssh-ed25519 ${(ED_B64 ?? '').slice(0, 40)}`,
      want: 'the ssh-ed25519 key is malformed (truncated: a 32-byte string with 11 bytes left)',
    },
  ])('not a key: $name', ({ input, want }) => {
    expect(parseKeyLine(input)).toEqual({ ok: false, problem: want });
  });
});

describe('describeBlob', () => {
  const str = (b: Buffer | string): Buffer => {
    const body = Buffer.from(b);
    return Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
  };
  it.each([
    {
      name: 'dsa: size of p',
      input: Buffer.concat([
        str('ssh-dss'),
        str(Buffer.from([0x00, 0xff, ...Array<number>(127).fill(1)])),
        str('q'),
        str('g'),
        str('y'),
      ]),
      want: { type: 'ssh-dss', bits: 1024 },
    },
    {
      name: 'unknown type: fingerprint only',
      input: Buffer.concat([str('ssh-future'), str('x')]),
      want: { type: 'ssh-future', bits: undefined },
    },
    {
      name: 'sk-ed25519 with its application',
      input: Buffer.concat([str('sk-ssh-ed25519@openssh.com'), str(Buffer.alloc(32, 7)), str('ssh:')]),
      want: { type: 'sk-ssh-ed25519@openssh.com', bits: 256 },
    },
  ])('$name', ({ input, want }) => {
    expect(describeBlob(input)).toMatchObject(want);
  });

  it.each([
    {
      name: 'ed25519 of the wrong length',
      input: Buffer.concat([str('ssh-ed25519'), str('short')]),
      want: 'ed25519 keys are 32 bytes',
    },
    { name: 'a type that is not printable', input: str('ssh\x00rsa'), want: 'expected a short printable name' },
    {
      name: 'a length past the end',
      input: Buffer.from([0, 0, 1, 0, 65]),
      want: 'truncated: a 256-byte string with 1 bytes left',
    },
  ])('refuses $name', ({ input, want }) => {
    expect(() => describeBlob(input)).toThrow(want);
  });
});
