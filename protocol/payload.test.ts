import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from './errors.js';
import { parsePayload, type MalformedCode } from './payload.js';

const Ping = z.strictObject({ n: z.number() });

function codeOf(payload: string, malformed: MalformedCode): string {
  try {
    parsePayload(Ping, payload, 32, 'ping', malformed);
    return 'parsed';
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return (err as ProtocolError).code;
  }
}

describe("parsePayload reports what is wrong, in the caller's words", () => {
  it.each([
    ['too large', `{"n":${'1'.repeat(40)}}`, 'MALFORMED_MESSAGE', 'PAYLOAD_TOO_LARGE'],
    ['not JSON, a command', '{"n":', 'MALFORMED_COMMAND', 'MALFORMED_COMMAND'],
    ['not JSON, an agent message', '{"n":', 'MALFORMED_MESSAGE', 'MALFORMED_MESSAGE'],
    ['wrong shape, an agent message', '{"n":"one"}', 'MALFORMED_MESSAGE', 'MALFORMED_MESSAGE'],
    ['unknown key, a command', '{"n":1,"x":2}', 'MALFORMED_COMMAND', 'MALFORMED_COMMAND'],
    ['well formed', '{"n":1}', 'MALFORMED_COMMAND', 'parsed'],
  ] as const)('%s', (_name, payload, malformed, want) => {
    expect(codeOf(payload, malformed)).toBe(want);
  });

  it('names the payload and the field in the message', () => {
    expect(() => parsePayload(Ping, '{"n":"one"}', 32, 'heartbeat from web-1', 'MALFORMED_MESSAGE')).toThrow(
      /heartbeat from web-1: .*n/,
    );
  });
});
