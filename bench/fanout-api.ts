// The fan-out benchmark's investigator: alice (test key) talking to the embedded server through
// the console's own API client and event stream, exactly as `mig` would.
import type { SignedAction } from '../protocol/action.js';
import { get as httpGet, type ClientRequest } from 'node:http';
import { API_PREFIX, ActionRecordSchema, LiveEventSchema, type ActionRecord } from '../protocol/api.js';
import { signDetached } from '../protocol/signature.js';
import { ApiClient } from '../console/services/api-client.js';
import type { Signer } from '../console/services/signer.js';
import { armoredPublicKey, fingerprint, privateKey } from '../test/helpers/keys.js';

export async function aliceClient(httpUrl: string): Promise<ApiClient> {
  const key = await privateKey('alice');
  const signer: Signer = {
    fingerprint: await fingerprint('alice'),
    backend: 'keyfile',
    sign: (bytes) => signDetached(bytes, key),
    publicKeyArmored: () => Promise.resolve(armoredPublicKey('alice')),
  };
  // startServer's URL ends with the API prefix; the client adds it itself.
  const serverUrl = httpUrl.endsWith(API_PREFIX) ? httpUrl.slice(0, -API_PREFIX.length) : httpUrl;
  return new ApiClient({ serverUrl, signer, now: () => new Date() });
}

/**
 * Polls /agents/count until `count` agents are online; returns when they are. Every poll costs
 * the server a pass over its registry, so a larger fleet is polled less often (10 ms at 400
 * agents, 250 ms at 10,000): the bench must not be what loads the server during a storm.
 */
export async function waitOnline(client: ApiClient, count: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const pollMs = Math.min(250, Math.max(10, count / 40));
  for (;;) {
    const counts = await client.countAgents('all');
    if (counts.online >= count) return;
    if (performance.now() > deadline)
      throw new Error(`${counts.online} of ${count} agents online after ${timeoutMs} ms (${JSON.stringify(counts)})`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export interface Launch {
  /** performance.now() just before the POST left. */
  startMs: number;
  /** The same moment as epoch ms, comparable with other processes' timeOrigin + now() and the server's timestamps. */
  startEpochMs: number;
  record: ActionRecord;
}

/**
 * POST /actions with the token signed beforehand: what is timed is the launch, not the
 * investigator's signing.
 */
export async function launch(client: ApiClient, action: SignedAction): Promise<Launch> {
  const authorization = await client.authHeader();
  const startMs = performance.now();
  const startEpochMs = performance.timeOrigin + startMs;
  const res = await fetch(client.url('/actions'), {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(action),
  });
  const body: unknown = await res.json();
  if (res.status !== 201) throw new Error(`POST /actions answered ${res.status}: ${JSON.stringify(body)}`);
  return { startMs, startEpochMs, record: ActionRecordSchema.parse(body) };
}

export interface Follower {
  /** Resolves once the stream is open (subscribe before launching, or events are missed). */
  opened: Promise<void>;
  /** performance.now() at the event showing `count` commands done, and that record. */
  done: Promise<{ atMs: number; record: ActionRecord }>;
  stop(): void;
}

/**
 * Follows GET /events?actionId= until the action's counters say `count` commands are done.
 * The bench shares a process with the server, whose CPU it measures: so unlike the console it
 * reads the stream over node:http, skips each command event after looking at its first bytes,
 * and parses (and validates) an action event only once its done counter reaches `count`.
 */
export function followUntilDone(client: ApiClient, actionId: string, count: number): Follower {
  let markOpen = (): void => undefined;
  const opened = new Promise<void>((resolve) => (markOpen = resolve));
  let finish = (_: { atMs: number; record: ActionRecord }): void => undefined;
  const done = new Promise<{ atMs: number; record: ActionRecord }>((resolve) => (finish = resolve));
  let request: ClientRequest | undefined;
  void client.authHeader().then((authorization) => {
    request = httpGet(
      client.url('/events', { actionId }),
      { headers: { accept: 'text/event-stream', authorization } },
      (res) => {
        if (res.statusCode !== 200) return void res.resume();
        markOpen();
        let buffer = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          while (end !== -1) {
            const event = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
            if (!event.startsWith(ACTION_EVENT_PREFIX) || doneOf(event) < count) continue;
            const parsed = LiveEventSchema.parse(JSON.parse(event.slice('data: '.length)));
            if (parsed.type === 'action' && parsed.action.counters.done >= count)
              finish({ atMs: performance.now(), record: parsed.action });
          }
        });
      },
    );
    request.on('error', () => undefined);
  });
  return { opened, done, stop: () => request?.destroy() };
}

const ACTION_EVENT_PREFIX = 'data: {"type":"action"';
const DONE_COUNTER = /"counters":\{[^{}]*"done":(\d+)/;

/** The done counter read from an action event's text, to skip the full parse until it matters (-1: not found). */
function doneOf(event: string): number {
  const match = DONE_COUNTER.exec(event);
  return match?.[1] === undefined ? -1 : Number(match[1]);
}
