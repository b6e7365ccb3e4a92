import { z } from 'zod';
import type { ActionStatus, SignedAction } from '../../protocol/action.js';
import {
  AcceptedAgentsSchema,
  API_PREFIX,
  ActionListSchema,
  ActionRecordSchema,
  AgentCountSchema,
  AgentListSchema,
  AgentRecordSchema,
  CommandListSchema,
  InvestigatorListSchema,
  InvestigatorRecordSchema,
  type AddSignatureBody,
  type AgentStatus,
  type NewInvestigatorBodySchema,
} from '../../protocol/api.js';
import { encodeToken, newTokenPayload } from '../../protocol/auth-token.js';
import { IocResponseSchema, type IocRequest } from '../../protocol/ioc-api.js';
import {
  PolicyOutcomeSchema,
  PolicyViewSchema,
  type PolicyPostBody,
  type PolicySignatureBody,
} from '../../protocol/policy-api.js';
import { UserError } from '../../protocol/errors.js';
import { describeIssues } from '../../protocol/zod-issues.js';
import { apiError, unreachable } from './api-errors.js';
import type { Signer } from './signer.js';

/** Largest response body we read: the server is trusted with data, not with our memory. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;

const HealthSchema = z.object({ ok: z.literal(true), version: z.string() });

export interface ApiClientOptions {
  /** e.g. http://127.0.0.1:8765 (API_PREFIX is added here). */
  serverUrl: string;
  signer: Signer;
  now(): Date;
  timeoutMs?: number;
  /** Aborts every request (ctrl+c); the caller tells an interruption from a failure by checking it. */
  signal?: AbortSignal;
}

// A type alias, not an interface: it must be assignable to Query's index signature.
export type Page = {
  limit?: number;
  offset?: number;
};

type Query = Record<string, string | number | boolean | undefined>;

/**
 * The HTTP API, typed. Every request carries a fresh signed token (a nonce the server keeps
 * for ten minutes, so tokens are never reused), and every response is parsed with the
 * protocol/api.ts schema before anyone sees it.
 */
export class ApiClient {
  readonly serverUrl: string;
  constructor(private readonly opts: ApiClientOptions) {
    this.serverUrl = opts.serverUrl.replace(/\/+$/, '');
  }

  /** `Authorization` header value: a new nonce and timestamp, signed now. */
  async authHeader(): Promise<string> {
    const { bytes } = newTokenPayload(this.opts.signer.fingerprint, this.opts.now());
    return encodeToken(bytes, await this.opts.signer.sign(bytes));
  }

  url(path: string, query: Query = {}): string {
    const url = new URL(`${this.serverUrl}${API_PREFIX}${path}`);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
    return url.toString();
  }

  health = () => this.request('GET', '/health', HealthSchema, { isAnonymous: true });
  me = () => this.request('GET', '/me', InvestigatorRecordSchema);
  listInvestigators = () => this.request('GET', '/investigators', InvestigatorListSchema);
  addInvestigator = (body: z.input<typeof NewInvestigatorBodySchema>) =>
    this.request('POST', '/investigators', InvestigatorRecordSchema, { body });
  setInvestigatorEnabled = (fingerprint: string, isEnabled: boolean) =>
    this.request(
      'POST',
      `/investigators/${enc(fingerprint)}/${isEnabled ? 'enable' : 'disable'}`,
      InvestigatorRecordSchema,
    );

  getPolicy = () => this.request('GET', '/policy', PolicyViewSchema);
  /** A signed policy bundle's exact text: published, or kept pending below the admin threshold. */
  postPolicy = (bundle: string) =>
    this.request('POST', '/policy', PolicyOutcomeSchema, { body: { bundle } satisfies PolicyPostBody });
  signPolicy = (version: number, signature: string) =>
    this.request('POST', '/policy/signatures', PolicyOutcomeSchema, {
      body: { version, signature } satisfies PolicySignatureBody,
    });

  listAgents = (q: { target?: string; status?: AgentStatus } & Page = {}) =>
    this.request('GET', '/agents', AgentListSchema, { query: q });
  countAgents = (target: string) => this.request('GET', '/agents/count', AgentCountSchema, { query: { target } });
  getAgent = (id: string) => this.request('GET', `/agents/${enc(id)}`, AgentRecordSchema);
  /** Enrollments waiting for an admin, oldest first. */
  listPendingAgents = () => this.request('GET', '/agents/pending', AgentListSchema);
  acceptAgent = (id: string) => this.request('POST', `/agents/${enc(id)}/accept`, AgentRecordSchema);
  acceptAllAgents = () => this.request('POST', '/agents/accept-all', AcceptedAgentsSchema);
  rejectAgent = (id: string) => this.request('POST', `/agents/${enc(id)}/reject`, AgentRecordSchema);

  createAction = (action: SignedAction) => this.request('POST', '/actions', ActionRecordSchema, { body: action });
  listActions = (q: { status?: ActionStatus } & Page = {}) =>
    this.request('GET', '/actions', ActionListSchema, { query: { ...q } });
  getAction = (id: string) => this.request('GET', `/actions/${enc(id)}`, ActionRecordSchema);
  cancelAction = (id: string) => this.request('POST', `/actions/${enc(id)}/cancel`, ActionRecordSchema);
  /** Adds one armored detached signature to an action held for approval (two-person rule). */
  addSignature = (id: string, signature: string) =>
    this.request('POST', `/actions/${enc(id)}/signatures`, ActionRecordSchema, {
      body: { signature } satisfies AddSignatureBody,
    });
  /** A threat-intel feed → unsigned actions and the untranslated indicators (the server cannot sign). */
  translateIoc = (body: IocRequest) => this.request('POST', '/ioc', IocResponseSchema, { body });
  listCommands = (id: string, q: { found?: boolean } & Page = {}) =>
    this.request('GET', `/actions/${enc(id)}/commands`, CommandListSchema, { query: q });

  private requestSignal(): AbortSignal {
    const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    return this.opts.signal === undefined ? timeout : AbortSignal.any([timeout, this.opts.signal]);
  }

  private async request<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    schema: S,
    opts: { query?: Query; body?: unknown; isAnonymous?: boolean } = {},
  ): Promise<z.output<S>> {
    const url = this.url(path, opts.query);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.isAnonymous !== true) headers.authorization = await this.authHeader();
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
        signal: this.requestSignal(),
      });
    } catch (err) {
      throw unreachable(this.serverUrl, err);
    }
    const text = await readCapped(res, `${method} ${path}`);
    const raw = parseJson(text, res, `${method} ${path}`);
    if (!res.ok) throw apiError(res.status, raw, `${method} ${path}`, this.serverUrl);
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const problems = describeIssues(parsed.error).slice(0, 500);
      throw new UserError(
        'INTERNAL',
        `${method} ${path}: the server's answer does not match the API: ${problems}`,
        'are the console and the server the same version?',
      );
    }
    return parsed.data;
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

async function readCapped(res: Response, what: string): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_RESPONSE_BYTES) {
    await res.body?.cancel();
    throw new UserError(
      'INTERNAL',
      `${what}: answer of ${declared} bytes is over the ${MAX_RESPONSE_BYTES} byte limit`,
    );
  }
  const text = await res.text();
  if (text.length > MAX_RESPONSE_BYTES)
    throw new UserError('INTERNAL', `${what}: answer over the ${MAX_RESPONSE_BYTES} byte limit`);
  return text;
}

function parseJson(text: string, res: Response, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!res.ok) return undefined; // an HTML error page from a proxy: apiError reports the status
    throw new UserError(
      'INTERNAL',
      `${what}: the server answered HTTP ${res.status} with something that is not JSON`,
      undefined,
      { cause: err },
    );
  }
}
