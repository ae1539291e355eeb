// What a dialect tells the server about itself, written in its own folder (src/http/<dialect>/dialect.ts) so the
// dialect list (src/http/dialects.ts) is one line per dialect.
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config/index.ts';
import type { Lane } from './lane.ts';
import type { RootApi } from './root-api.ts';

/** A bad-URL answer (status 400): the body, and headers beyond `content-type: application/json` or replacing it. */
export interface WireAnswer {
  headers?: Record<string, string>;
  body: string;
}

/**
 * One HTTP dialect, built from the part `W` of the server's wiring it uses. Its name (the key in the dialect list) is
 * also its metric label and the origin its actors carry in the audit trail.
 */
export interface DialectSpec<W> {
  /**
   * Where its requests arrive: under path prefixes (the longest match wins, so SWR's /v2/manage beats OCI's /v2), or
   * on `/` told apart by the rootApi constraint. Routing itself is the plugin's; this names the dialect of a request.
   */
  route: { prefixes: readonly string[] } | { rootApi: RootApi };
  /**
   * The config section it reads, if any. The zod schema stays in src/config (config must not import http); the wiring
   * field of the same name carries it to the plugin (src/http/dialects.test.ts checks both exist).
   */
  config?: keyof Config;
  /** A request target the router cannot decode, answered in this dialect's error shape. */
  badUrl(message: string): WireAnswer;
  plugin(wiring: W): FastifyPluginAsync;
  /** Its hottest reads, answered before Fastify routes them (lane.ts); its plugin must answer them alike. */
  lane?(wiring: W): Lane;
}

export const json = (value: unknown): string => JSON.stringify(value);
