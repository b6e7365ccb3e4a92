import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_PREFIX, type LiveEvent } from '../../../../protocol/api.js';
import { TOKEN_MAX_AGE_MS, TokenPayloadSchema, decodeToken } from '../../../../protocol/auth-token.js';
import { Keyring, verifyAll } from '../../../../protocol/signature.js';

/**
 * Test-only stand-in for `mig server`'s HTTP API: a real node:http server that checks every
 * token the way the server must (signature by a known key, fresh, nonce never reused), then
 * answers from routes the test registers. It also serves /events to the connections it holds.
 */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  fingerprint: string | undefined;
}
export interface FakeResponse {
  status?: number;
  body: unknown;
}
export type FakeHandler = (req: FakeRequest, params: string[]) => FakeResponse | Promise<FakeResponse>;

export interface FakeApi {
  url: string;
  requests: FakeRequest[];
  route(method: string, path: RegExp, handler: FakeHandler): void;
  /** Sends an event to every open /events connection whose actionId filter matches. */
  emit(event: LiveEvent): void;
  /** Ends every open /events connection (the client should reconnect). */
  dropStreams(): void;
  streamCount(): number;
  close(): Promise<void>;
}

export async function startFakeApi(opts: { publicKeys: readonly string[]; now?: () => Date }): Promise<FakeApi> {
  const keyring = await Keyring.fromArmored(opts.publicKeys);
  const now = opts.now ?? (() => new Date());
  const seenNonces = new Set<string>();
  const routes: { method: string; path: RegExp; handler: FakeHandler }[] = [];
  const streams = new Set<{ res: ServerResponse; actionId: string | null }>();
  const requests: FakeRequest[] = [];

  async function authenticate(req: IncomingMessage): Promise<string> {
    const decoded = decodeToken(req.headers.authorization ?? '');
    if (decoded === undefined) throw new Error('missing or malformed token');
    const payload = TokenPayloadSchema.parse(JSON.parse(Buffer.from(decoded.payloadBytes).toString('utf8')));
    const [signer] = await verifyAll(decoded.payloadBytes, [decoded.signature], keyring);
    if (signer !== payload.fingerprint) throw new Error('token fingerprint is not the signer');
    if (Math.abs(now().getTime() - Date.parse(payload.issuedAt)) > TOKEN_MAX_AGE_MS) throw new Error('stale token');
    if (seenNonces.has(payload.nonce)) throw new Error('replayed token');
    seenNonces.add(payload.nonce);
    return signer;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.slice(API_PREFIX.length);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const request: FakeRequest = {
      method: req.method ?? '',
      path,
      query: url.searchParams,
      body: text === '' ? undefined : JSON.parse(text),
      fingerprint: undefined,
    };
    requests.push(request);
    if (path !== '/health') {
      try {
        request.fingerprint = await authenticate(req);
      } catch (err) {
        return send(res, 401, { error: { code: 'UNAUTHENTICATED', message: (err as Error).message } });
      }
    }
    if (path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': hello\n\n');
      const stream = { res, actionId: url.searchParams.get('actionId') };
      streams.add(stream);
      res.on('close', () => streams.delete(stream));
      return;
    }
    for (const route of routes) {
      const match = route.method === request.method ? route.path.exec(path) : null;
      if (match !== null) {
        const answer = await route.handler(request, match.slice(1));
        return send(res, answer.status ?? 200, answer.body);
      }
    }
    send(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${request.method} ${path}` } });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { error: { code: 'INTERNAL', message: String(err) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route: (method, path, handler) => routes.push({ method, path, handler }),
    emit(event) {
      const actionId =
        event.type === 'action' ? event.action.action.id : event.type === 'command' ? event.command.actionId : null;
      for (const s of streams)
        if (s.actionId === null || s.actionId === actionId) s.res.write(`data: ${JSON.stringify(event)}\n\n`);
    },
    dropStreams() {
      for (const s of streams) s.res.end();
      streams.clear();
    },
    streamCount: () => streams.size,
    async close() {
      for (const s of streams) s.res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
