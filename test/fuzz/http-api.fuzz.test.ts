import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ServerHarness, type ApiAnswer } from '../helpers/broker/harness.js';
import { ActionRecordSchema, ApiErrorSchema, InvestigatorRecordSchema } from '../../protocol/api.js';
import { canonicalActionBytes } from '../../protocol/canonical.js';
import { signDetached } from '../../protocol/signature.js';
import { signedAction, unsignedAction } from '../helpers/actions.js';
import { armoredPublicKey, privateKey } from '../helpers/keys.js';
import { fuzzParams, fuzzTimeout, mutationOf, nastyValue } from './arbitraries.js';

/**
 * Fuzzing the HTTP API's bodies, path parameters and queries against a real server, signed
 * as the admin (so the checks behind authentication are reached). Properties: every answer is
 * below 500; every error is `{error:{code,message}}` with a code protocol/errors.ts declares;
 * the server keeps answering; the actions and investigators it stored still parse.
 */
const h = new ServerHarness();

/** Every code protocol/errors.ts declares (its union types are the list; read from the source, not copied). */
const KNOWN_CODES = new Set(
  [...readFileSync(new URL('../../protocol/errors.ts', import.meta.url), 'utf8').matchAll(/\|\s*'([A-Z_]+)'/g)].map(
    (m) => m[1],
  ),
);

const bases: Record<string, unknown> = {};
let actionId = '';

beforeAll(async () => {
  await h.start();
  const action = await signedAction(['alice']);
  actionId = action.id;
  expect((await h.submit(action)).status).toBe(201);
  bases.action = await signedAction(['alice']);
  bases.signature = { signature: await signDetached(canonicalActionBytes(unsignedAction()), await privateKey('bob')) };
  bases.investigator = { name: 'fuzzed', publicKey: armoredPublicKey('carol'), isAdmin: false };
  bases.policy = { bundle: '{"v":1}' };
  bases.policySignature = { version: 1, signature: 'x' };
  bases.ioc = {
    feed: `# feed\nshell.php\n${'ab'.repeat(32)}\n203.0.113.7\nevil.example.com\n`,
    format: 'auto',
    target: 'all',
    paths: ['/var/www'],
    expiry: '1h',
  };
}, 60_000);
afterAll(() => h.teardown());

function checkAnswer(what: string, answer: ApiAnswer): void {
  expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).toBeLessThan(500);
  if (answer.status >= 400) {
    const body = ApiErrorSchema.parse(answer.body);
    expect(KNOWN_CODES.has(body.error.code), `${what}: undeclared code ${body.error.code}`).toBe(true);
    expect(body.error.message.length).toBeGreaterThan(0);
  }
}

/** A JSON body from a mutation of `base`, or raw text that may not be JSON at all. */
const bodyFrom = (base: unknown): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 5, arbitrary: mutationOf(base).map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: fc.string({ maxLength: 100 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  );

const segment = fc.oneof(
  fc.string({ minLength: 1, maxLength: 80 }).map(encodeURIComponent),
  fc.constantFrom('..', '%', '%ZZ', '%00', 'a'.repeat(300), '0'.repeat(32), actionId || 'x'),
);

describe('fuzzing the HTTP API against a real server', () => {
  it(
    'POST bodies: below 500, coded errors, nothing malformed stored',
    async () => {
      const cases = fc.oneof(
        bodyFrom(bases.action).map((b) => ['/actions', b] as const),
        bodyFrom(bases.signature).map((b) => [`/actions/${actionId}/signatures`, b] as const),
        bodyFrom(bases.investigator).map((b) => ['/investigators', b] as const),
        bodyFrom(bases.policy).map((b) => ['/policy', b] as const),
        bodyFrom(bases.policySignature).map((b) => ['/policy/signatures', b] as const),
        bodyFrom({}).map((b) => ['/agents/accept-all', b] as const),
        bodyFrom(bases.ioc).map((b) => ['/ioc', b] as const),
      );
      await fc.assert(
        fc.asyncProperty(cases, async ([path, body]) =>
          checkAnswer(`POST ${path} ${body.slice(0, 200)}`, await h.api('POST', path, { body })),
        ),
        fuzzParams(40),
      );
      const actions = await h.api('GET', '/actions');
      expect(actions.status).toBe(200);
      z.array(ActionRecordSchema).parse((actions.body as { actions: unknown }).actions);
      const investigators = await h.api('GET', '/investigators');
      expect(investigators.status).toBe(200);
      z.array(InvestigatorRecordSchema).parse((investigators.body as { investigators: unknown }).investigators);
    },
    fuzzTimeout(120_000),
  );

  it(
    'path parameters and queries: below 500, coded errors',
    async () => {
      const routes: [string, (s: string) => string][] = [
        ['GET', (s) => `/actions/${s}`],
        ['GET', (s) => `/actions/${s}/commands`],
        ['POST', (s) => `/actions/${s}/cancel`],
        ['GET', (s) => `/agents/${s}`],
        ['POST', (s) => `/agents/${s}/accept`],
        ['POST', (s) => `/agents/${s}/reject`],
        ['POST', (s) => `/investigators/${s}/disable`],
        ['GET', (s) => `/actions?status=${s}&limit=${s}`],
        ['GET', (s) => `/agents?query=${s}&limit=${s}&offset=${s}`],
        ['GET', (s) => `/agents/count?query=${s}`],
        ['GET', (s) => `/actions/${actionId}/commands?status=${s}&limit=${s}`],
      ];
      const cases = fc.tuple(
        fc.constantFrom(...routes),
        fc.oneof(
          segment,
          nastyValue.map((v) => encodeURIComponent(String(JSON.stringify(v)))),
        ),
      );
      await fc.assert(
        fc.asyncProperty(cases, async ([[method, path], s]) =>
          checkAnswer(`${method} ${path(s)}`, await h.api(method, path(s))),
        ),
        fuzzParams(40),
      );
      expect((await h.api('GET', '/health', { authorization: null })).status).toBe(200);
    },
    fuzzTimeout(120_000),
  );

  // Regression: a URL over node:http's 16 KiB header limit got a bare 431 with no body.
  it('a request line over the header limit gets a coded PAYLOAD_TOO_LARGE body', async () => {
    const answer = await h.api('GET', `/agents/${'y'.repeat(70_000)}`);
    expect(answer.status).toBe(431);
    expect(ApiErrorSchema.parse(answer.body).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await h.api('GET', '/health', { authorization: null })).status).toBe(200);
  });
});
