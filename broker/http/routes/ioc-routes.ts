import { NothingToHuntError, plannedForWire, translateFeed } from '../../../intel/ioc/translate.js';
import { moduleSpecs } from '../../../modules/registry.js';
import { BaseError, UserError } from '../../../protocol/errors.js';
import { IocRequestSchema, MAX_IOC_BODY_BYTES, type IocResponse } from '../../../protocol/ioc-api.js';
import { DEFAULT_TARGET, parseTarget } from '../../../protocol/target/index.js';
import { parseWith, readJson } from '../request.js';
import type { Route } from '../router.js';
import type { ApiServices } from '../services.js';

/**
 * POST /ioc: a threat-intel feed → the unsigned actions that hunt it and what could not be
 * translated (intel/ioc/). The server holds no investigator key, so it only translates: the
 * client signs each action and POSTs it to /actions. Nothing is stored or audited here, since
 * nothing was decided; the launch is audited when the signed action arrives.
 */
export function iocRoutes(s: Pick<ApiServices, 'clock'>): Route[] {
  return [
    {
      method: 'POST',
      path: '/ioc',
      access: 'investigator',
      handle: async (ctx) => {
        const body = parseWith(IocRequestSchema, await readJson(ctx.req, MAX_IOC_BODY_BYTES), 'body');
        const target = body.target ?? DEFAULT_TARGET;
        try {
          parseTarget(target);
          const { format, set, planned } = translateFeed({
            text: body.feed,
            source: body.source,
            format: body.format === 'auto' ? undefined : body.format,
            target,
            paths: body.paths,
            expiry: body.expiry,
            name: body.name,
            now: s.clock.now(),
            specs: moduleSpecs,
          });
          const reply: IocResponse = { format, actions: planned.map(plannedForWire), untranslated: set.untranslated };
          return { status: 200, body: reply };
        } catch (err) {
          if (err instanceof NothingToHuntError)
            throw new UserError(
              'BAD_REQUEST',
              `${err.message}: ${err.set.untranslated
                .slice(0, 5)
                .map((u) => `${u.id}: ${u.reason}`)
                .join('; ')}${err.set.untranslated.length > 5 ? ` (and ${err.set.untranslated.length - 5} more)` : ''}`,
              'give a feed with hashes, file names, addresses or YARA rules',
            );
          if (err instanceof BaseError) throw err;
          throw new UserError(
            'BAD_REQUEST',
            `feed: ${(err as Error).message}`,
            'give a STIX 2.1 bundle, a YARA rule file or a plain list (format: stix, yara, list)',
          );
        }
      },
    },
  ];
}
