// Two cloud APIs live on `/`: ECR (X-Amz-Target) and Alibaba's RPC API (x-acs-action header or Action in the query).
// A Fastify route constraint tells them apart so each dialect keeps its own encapsulated route and error handler.

import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { HttpDialect } from '../../core/index.ts';

/** The dialects that share `/` (a subset of HttpDialect, so a renamed dialect cannot leave a stale name here). */
export type RootApi = Extract<HttpDialect, 'ecr' | 'acr'>;

/** Alibaba marks its calls; everything else on `/` is treated as ECR, whose error says what is missing. */
export function rootApiOf(headers: IncomingMessage['headers'], url: string): RootApi {
  if (headers['x-amz-target'] !== undefined) return 'ecr';
  if (headers['x-acs-action'] !== undefined) return 'acr';
  const q = url.indexOf('?');
  if (q >= 0 && /(?:^|&)Action=/.test(url.slice(q + 1))) return 'acr';
  return 'ecr';
}

/** The API a call on `/` names (ECR's X-Amz-Target, Alibaba's action), or null when it names none. */
export function namedRootApi(headers: IncomingMessage['headers'], url: string): RootApi | null {
  const api = rootApiOf(headers, url);
  return api === 'acr' || headers['x-amz-target'] !== undefined ? api : null;
}

/**
 * Registers the `rootApi` constraint (once per server; the router is shared by every plugin, so each plugin that routes
 * on `/` may call this); routes on `/` then declare `constraints: { rootApi: 'ecr' | 'acr' }`.
 */
export function addRootApiConstraint(app: FastifyInstance): void {
  if (app.hasConstraintStrategy('rootApi')) return;
  app.addConstraintStrategy({
    name: 'rootApi',
    storage() {
      const handlers = new Map<string, unknown>();
      return {
        get: (value: string) => (handlers.get(value) ?? null) as never,
        set: (value: string, handler: unknown) => void handlers.set(value, handler),
      };
    },
    deriveConstraint: (req: IncomingMessage) => rootApiOf(req.headers, req.url ?? '/'),
    // Routes without the constraint (all of /v2 and the rest) must still match whatever was derived.
    mustMatchWhenDerived: false,
  });
}
