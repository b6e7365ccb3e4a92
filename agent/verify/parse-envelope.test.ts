import { describe, expect, it } from 'vitest';
import { MAX_ENVELOPE_BYTES, readEnvelope } from './parse-envelope.js';

const ID = 'c'.repeat(32);
const bytes = (value: unknown): Uint8Array => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('readEnvelope (parse once)', () => {
  it('yields the message of a valid envelope', () => {
    const envelope = readEnvelope(bytes({ v: 1, kind: 'cancel', commandId: ID }));
    expect(envelope).toEqual({ message: { v: 1, kind: 'cancel', commandId: ID } });
  });

  it('names the command of an envelope that is JSON but not valid, so its refusal can be answered', () => {
    const envelope = readEnvelope(bytes({ v: 1, kind: 'command', commandId: ID, action: 42 }));
    expect(envelope).toMatchObject({ commandId: ID, error: { code: 'MALFORMED_COMMAND' } });
  });

  it.each([
    ['not JSON', bytes(`{"commandId":"${ID}",`), 'MALFORMED_COMMAND'],
    ['a command id that is not one', bytes({ v: 1, kind: 'command', commandId: '../x' }), 'MALFORMED_COMMAND'],
    [
      'too large (never parsed)',
      bytes(`{"commandId":"${ID}","x":"${'x'.repeat(MAX_ENVELOPE_BYTES)}"}`),
      'PAYLOAD_TOO_LARGE',
    ],
  ])('names no command for %s', (_name, payload, code) => {
    const envelope = readEnvelope(payload);
    expect(envelope).toMatchObject({ error: { code } });
    expect('commandId' in envelope).toBe(false);
  });
});
