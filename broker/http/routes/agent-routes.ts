import { z } from 'zod';
import { AGENT_STATUSES, type AgentRecord } from '../../../protocol/api.js';
import { UserError } from '../../../protocol/errors.js';
import { AgentIdSchema } from '../../../protocol/messages.js';
import { parseTarget } from '../../../protocol/target/index.js';
import { selectAgents } from '../../registry/select.js';
import { parseWith, queryObject } from '../request.js';
import type { RequestContext, Route } from '../router.js';
import type { ApiServices } from '../services.js';

const Limit = z.coerce.number().int().min(1).max(10_000).default(100);
const Offset = z.coerce.number().int().min(0).default(0);
const Target = z.string().max(4096).default('all');

const ListQuery = z.strictObject({
  target: Target,
  status: z.enum(AGENT_STATUSES).optional(),
  limit: Limit,
  offset: Offset,
});
const CountQuery = z.strictObject({ target: Target });

/** The registry, filtered with the same target language actions use. */
export function agentRoutes(s: ApiServices): Route[] {
  const matching = async (target: string): Promise<AgentRecord[]> =>
    selectAgents(s.registry, s.store, parseTarget(target));
  return [
    {
      method: 'GET',
      path: '/agents',
      access: 'investigator',
      handle: async (ctx: RequestContext) => {
        const q = parseWith(ListQuery, queryObject(ctx.url), 'query');
        const agents = (await matching(q.target)).filter((a) => q.status === undefined || a.status === q.status);
        return { status: 200, body: { agents: agents.slice(q.offset, q.offset + q.limit), total: agents.length } };
      },
    },
    {
      method: 'GET',
      path: '/agents/count',
      access: 'investigator',
      handle: async (ctx: RequestContext) => {
        const q = parseWith(CountQuery, queryObject(ctx.url), 'query');
        const expr = parseTarget(q.target);
        // Destroyed agents are gone for good: they count nowhere (and are never targeted).
        if (expr.kind === 'all') return { status: 200, body: s.registry.statusCounts() };
        const agents = (await selectAgents(s.registry, s.store, expr)).filter((a) => a.status !== 'destroyed');
        const count = (status: string): number => agents.filter((a) => a.status === status).length;
        return {
          status: 200,
          body: { total: agents.length, online: count('online'), idle: count('idle'), offline: count('offline') },
        };
      },
    },
    {
      method: 'GET',
      path: '/agents/:id',
      access: 'investigator',
      handle: async (ctx: RequestContext) => {
        const id = parseWith(AgentIdSchema, ctx.params.id, 'agent id');
        const agent = s.registry.get(id);
        if (agent === undefined) throw new UserError('NOT_FOUND', `no agent ${id}`, 'GET /agents lists them');
        return { status: 200, body: agent };
      },
    },
  ];
}
