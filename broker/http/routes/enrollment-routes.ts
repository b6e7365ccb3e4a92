import { AgentIdSchema } from '../../../protocol/messages.js';
import { parseWith } from '../request.js';
import { investigatorOf, type RequestContext, type Route } from '../router.js';
import type { ApiServices } from '../services.js';

/**
 * Enrollment policy (pending → accepted | rejected): investigators may see what waits; only an
 * admin decides, and every decision goes to the audit log. Listed before agentRoutes so
 * `/agents/pending` is not read as an agent id.
 */
export function enrollmentRoutes(s: ApiServices): Route[] {
  const book = s.registry.enrollments;
  const who = (ctx: RequestContext): string => investigatorOf(ctx).fingerprint;
  const idOf = (ctx: RequestContext): string => parseWith(AgentIdSchema, ctx.params.id, 'agent id');
  // Alike on purpose (duplicates): the route table, one entry a route (method, path, access,
  // handler); routes share their shape, not logic.
  return [
    {
      method: 'GET',
      path: '/agents/pending',
      access: 'investigator',
      handle: async () => {
        const agents = book.listPending();
        return { status: 200, body: { agents, total: agents.length } };
      },
    },
    {
      method: 'POST',
      path: '/agents/accept-all',
      access: 'admin',
      handle: async (ctx) => {
        const accepted = book.acceptAll(who(ctx));
        if (accepted.length > 0) await s.audit.append(who(ctx), 'agent.accepted', { agentIds: accepted });
        s.log(`registry: ${who(ctx)} accepted ${accepted.length} pending agent(s)`);
        return { status: 200, body: { accepted } };
      },
    },
    // Alike on purpose (duplicates): accept and reject write different audit entries (accept lists agentIds, as
    // accept-all does; reject names one agentId), and the audit log's entry shapes are a contract for its readers.
    {
      method: 'POST',
      path: '/agents/:id/accept',
      access: 'admin',
      handle: async (ctx) => {
        const record = book.accept(idOf(ctx), who(ctx));
        await s.audit.append(who(ctx), 'agent.accepted', {
          agentIds: [record.id],
          name: record.name,
          publicKey: record.publicKey,
        });
        s.log(`registry: ${who(ctx)} accepted agent ${record.id} (${record.name})`);
        return { status: 200, body: record };
      },
    },
    {
      method: 'POST',
      path: '/agents/:id/reject',
      access: 'admin',
      handle: async (ctx) => {
        const record = book.reject(idOf(ctx), who(ctx));
        await s.audit.append(who(ctx), 'agent.rejected', {
          agentId: record.id,
          name: record.name,
          publicKey: record.publicKey,
        });
        s.log(`registry: ${who(ctx)} rejected agent ${record.id} (${record.name})`);
        return { status: 200, body: record };
      },
    },
  ];
}
