import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandRecord, LiveEvent } from '../../protocol/api.js';
import { armoredPublicKey, privateKeyPath } from '../../test/helpers/keys.js';
import { ApiClient } from './api-client.js';
import { SseParser, followEvents, parseLiveEvent } from './events.js';
import { openKeyfileSigner } from './signer.js';
import { startFakeApi, type FakeApi } from '../../test/helpers/console/services/fake-api.js';

describe('SseParser', () => {
  it.each([
    { name: 'one event', input: ['data: {"a":1}\n\n'], want: ['{"a":1}'] },
    { name: 'split across chunks', input: ['da', 'ta: x', 'y\n', '\n'], want: ['xy'] },
    { name: 'multi-line data joined by newline', input: ['data: a\ndata: b\n\n'], want: ['a\nb'] },
    { name: 'comments and other fields ignored', input: [': ping\n\nevent: x\nid: 3\ndata: z\n\n'], want: ['z'] },
    { name: 'CRLF line ends, CR split from LF', input: ['data: q\r', '\n\r\n'], want: ['q'] },
    { name: 'bare CR line ends', input: ['data: r\r\r', 'data: s\r\r', ': more'], want: ['r', 's'] },
    { name: 'no space after colon', input: ['data:t\n\n'], want: ['t'] },
    { name: 'incomplete event waits', input: ['data: u\n'], want: [] },
    { name: 'blank lines alone dispatch nothing', input: ['\n\n\n'], want: [] },
  ])('$name', ({ input, want }) => {
    const parser = new SseParser();
    expect(input.flatMap((chunk) => parser.push(chunk))).toEqual(want);
  });
});

describe('parseLiveEvent', () => {
  it.each([
    { name: 'not JSON', input: '{', wantMessage: /not JSON/ },
    { name: 'unknown type', input: '{"type":"nope"}', wantMessage: /bad event/ },
    { name: 'command without fields', input: '{"type":"command","command":{}}', wantMessage: /command\.id/ },
  ])('$name → INTERNAL', ({ input, wantMessage }) => {
    expect(() => parseLiveEvent(input)).toThrow(wantMessage);
  });
});

function commandEvent(id: string, actionId: string): LiveEvent {
  const command: CommandRecord = {
    id,
    actionId,
    agentId: 'agent-1',
    agentName: 'host-1',
    status: 'success',
    createdAt: new Date().toISOString(),
    isFound: true,
    operations: [],
  };
  return { type: 'command', command };
}

describe('followEvents', () => {
  let api: FakeApi;
  let abort: AbortController;
  beforeEach(async () => {
    api = await startFakeApi({ publicKeys: [armoredPublicKey('alice')] });
    abort = new AbortController();
  });
  afterEach(async () => {
    abort.abort();
    await api.close();
  });

  it('delivers parsed events, reports bad ones, and reconnects after the server drops the stream', async () => {
    const signer = await openKeyfileSigner(privateKeyPath('alice'), () => Promise.resolve(''));
    const client = new ApiClient({ serverUrl: api.url, signer, now: () => new Date() });
    const events: LiveEvent[] = [];
    const errors: string[] = [];
    let opens = 0;
    const done = followEvents({
      client,
      actionId: 'a1',
      signal: abort.signal,
      onEvent: (e) => events.push(e),
      onError: (e) => errors.push(e.message),
      onOpen: () => opens++,
      backoff: { initialMs: 10, maxMs: 50 },
    });
    await until(() => api.streamCount() === 1);
    api.emit(commandEvent('c1', 'a1'));
    api.emit(commandEvent('c-other', 'someone-else'));
    await until(() => events.length === 1);
    api.dropStreams();
    await until(() => api.streamCount() === 1 && opens === 2);
    api.emit(commandEvent('c2', 'a1'));
    await until(() => events.length === 2);
    expect(events.map((e) => (e.type === 'command' ? e.command.id : e.type))).toEqual(['c1', 'c2']);
    expect(api.requests.filter((r) => r.path === '/events').map((r) => r.query.get('actionId'))).toEqual(['a1', 'a1']);
    expect(errors).toEqual([]);
    abort.abort();
    await done;
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}
