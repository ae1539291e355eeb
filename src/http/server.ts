// Builds the HTTP server: one Fastify instance hosting each dialect as an encapsulated plugin, plus health,
// readiness and metrics. Bodies are never parsed by Fastify: handlers stream them, so uploads are not buffered.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { gcClock, type HttpDialect } from '../core/index.ts';
import { answerBadUrl, answerClientError } from './bad-url.ts';
import { attachGuard, BodyGuard, type BodyLimits, DEFAULT_BODY_LIMITS } from './common/body-guard.ts';
import { registerGcMetrics } from './common/gc-metrics.ts';
import { laneOrFastify, type NamedLane } from './common/lane.ts';
import { lingerOnClose } from './common/linger.ts';
import { createHttpMetrics, registerLockWaitMetric } from './common/metrics.ts';
import { OpenSessions } from './common/open-sessions.ts';
import { defaultPerKeyShare, Slots } from './common/slots.ts';
import { dialectFor, dialectOf } from './dialect-of.ts';
import { DIALECTS, type DialectWiring } from './dialects.ts';
import type { UiFile } from './ui/files.ts';
import { uiPlugin } from './ui/plugin.ts';

/** What the server is built from: what the dialects need (DialectWiring) but the upload slots, which it makes. */
export interface HttpServerOptions extends Omit<DialectWiring, 'uploadSlots' | 'openSessions'> {
  logger: FastifyBaseLogger;
  maxConcurrentUploads: number;
  /** Uploads one key may stream at once; unset: a quarter of maxConcurrentUploads (at least 1); 0: no share. */
  maxConcurrentUploadsPerKey?: number;
  /** Uploads that may wait for a slot beyond the limits; unset or 0: none wait (refused at once). */
  maxQueuedUploads?: number;
  /** How long a queued upload waits for a slot before it is refused (503). */
  uploadQueueTimeoutMs?: number;
  /** Unfinished upload sessions one key may hold; unset or 0: unlimited. */
  maxOpenUploadSessionsPerKey?: number;
  /** How long an untouched session lives, so the per-key count forgets sessions the store expires. */
  uploadIdleTimeoutMs?: number;
  /** Proxies (addresses, CIDR ranges) whose X-Forwarded-For names the client; unset or empty: none. */
  trustedProxies?: readonly string[];
  /** The unverified-body budget and the body watchdog (config.requests); unset: DEFAULT_BODY_LIMITS. */
  bodyLimits?: BodyLimits;
  /** A request whose headers are not complete after this long is answered 408 and closed (Node's headersTimeout). */
  headersTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs?: number;
  /** The web console's files (ui/files.ts), served under /ui/; unset: no console. */
  ui?: ReadonlyMap<string, UiFile>;
  /** Extra readiness checks (metadata store ping etc.). */
  ready: () => Promise<void>;
}

export async function buildHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const headersTimeout = options.headersTimeoutMs ?? 20_000;
  const uploadSlots = new Slots({
    max: options.maxConcurrentUploads,
    perPrincipal: options.maxConcurrentUploadsPerKey ?? defaultPerKeyShare(options.maxConcurrentUploads),
    maxQueued: options.maxQueuedUploads ?? 0,
    queueTimeoutMs: options.uploadQueueTimeoutMs,
  });
  const openSessions = new OpenSessions(options.maxOpenUploadSessionsPerKey ?? 0, options.uploadIdleTimeoutMs ?? 86_400_000);
  const bodies = new BodyGuard(options.bodyLimits ?? DEFAULT_BODY_LIMITS, options.signatures.mode === 'none');
  const metrics = createHttpMetrics(
    () => uploadSlots.inUse,
    () => uploadSlots.queued,
    () => bodies.unverifiedInUse,
  );
  const wiring: DialectWiring = { ...options, uploadSlots, openSessions };
  const lanes = new Map(DIALECTS.flatMap((d) => (d.lane ? [[d.name, { name: d.name, lane: d.lane(wiring) }] as const] : [])));
  let closing = false;
  const laneOf = (url: string): NamedLane<HttpDialect> | undefined => {
    const dialect = closing ? null : dialectFor(url);
    return dialect ? lanes.get(dialect.name) : undefined;
  };
  const app = Fastify({
    loggerInstance: options.logger,
    // Per-request logs would cost more than a manifest GET itself; errors are logged by each dialect.
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    routerOptions: { maxParamLength: 8192 },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Only then is a client's share of the unverified budget (body-guard.ts) its own behind a load balancer.
    trustProxy: options.trustedProxies && options.trustedProxies.length > 0 ? [...options.trustedProxies] : false,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 65_000,
    // No total deadline (requestTimeout 0: a multi-GB layer over a slow link is legitimate; it is also given to Node
    // here, which refuses a headersTimeout above its default requestTimeout of 300 s); bodies have the guard's idle and
    // minimum-rate watchdog instead. Slow headers are cut by headersTimeout, checked often enough that a stalled
    // request is closed within headersTimeout + 250 ms (documented: + 1 s).
    http: {
      headersTimeout,
      requestTimeout: 0,
      connectionsCheckingInterval: Math.max(50, Math.min(250, Math.floor(headersTimeout / 4))),
    },
    frameworkErrors: (error, req, reply) => answerBadUrl(error, req, reply),
    // What Node's parser refuses (headers too slow, malformed framing) in a dialect's error shape, not Fastify's.
    clientErrorHandler: answerClientError(headersTimeout),
  });
  // A dialect's lane (common/lane.ts) sees a request before Fastify does. Fastify's own server is kept, with its
  // request listener wrapped, rather than made by a serverFactory: with one, Fastify binds only the first address of
  // a name like "localhost" (::1 and 127.0.0.1). Extra servers Fastify makes for such names route without the lane.
  const [fastifyHandler, ...others] = app.server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  if (!fastifyHandler || others.length > 0) throw new Error('expected Fastify to have exactly one request listener');
  app.server.removeListener('request', fastifyHandler);
  app.server.on('request', laneOrFastify(laneOf, fastifyHandler, metrics.record));
  // Expect: 100-continue is answered by the body readers (body.ts) once a handler reads the body, not by Node on
  // arrival: a request refused from its headers then gets its answer before the client has sent its body.
  app.server.on('checkContinue', (req, res) => app.server.emit('request', req, res));
  app.removeAllContentTypeParsers();
  // Leave every body unread: the handler decides whether to stream it, read it with a limit, or drop it.
  app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));

  // Like Fastify's own return503OnClosing: once closing, requests on kept-alive connections are Fastify's to refuse.
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  // Hooks take Fastify's callback form: an async hook costs every request a promise and a turn of the microtask queue
  // (with the metrics batched, 4-5 µs of a hot manifest GET's ~80 for onResponse alone, interleaved).
  // Requests a lane answers never run these hooks: a hook every answer needs must be mirrored in common/lane.ts.
  app.addHook('onRequest', (req, reply, done) => {
    attachGuard(req.raw, reply.raw, bodies, req.ip);
    done();
  });
  registerLockWaitMetric(metrics.registry, options.deps.meta);
  registerGcMetrics(metrics.registry, {
    status: () => options.gc.status(),
    stats: () => options.deps.meta.gcStats(gcClock(options.deps, options.gc.defaults)),
  });
  // A storage backend that is down answers 503 in every dialect; clients that honour Retry-After back off briefly.
  app.addHook('onSend', (req, reply, payload, done) => {
    // 429 (upload limits) likewise: a slot or session usually frees within seconds.
    if ((reply.statusCode === 503 || reply.statusCode === 429) && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
    // An answer sent before the body has fully arrived (refused from the headers, too large, stalled) closes the
    // connection, so the unread rest is never drained.
    if (!req.raw.complete) {
      reply.header('connection', 'close');
      lingerOnClose(req.raw);
    }
    done(null, payload);
  });
  app.addHook('onResponse', (req, reply, done) => {
    metrics.record(dialectOf(req.url, req.headers), req.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  app.get('/healthz', async function healthz(_req, reply) {
    return reply.send({ status: 'ok' });
  });
  app.get('/readyz', async function readyz(_req, reply) {
    try {
      await options.ready();
      return reply.send({ status: 'ready' });
    } catch (e) {
      return reply.code(503).send({ status: 'not ready', error: (e as Error).message });
    }
  });
  app.get('/metrics', async function metricsRoute(_req, reply) {
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  // Paths no dialect claims still get a JSON error body, never an HTML page or a redirect.
  app.setNotFoundHandler(function noSuchEndpoint(req, reply) {
    reply
      .code(404)
      .header('content-type', 'application/json')
      .send(JSON.stringify({ errors: [{ code: 'NOT_FOUND', message: `no such endpoint: ${req.method} ${req.url.slice(0, 200)}`, detail: null }] }));
  });
  for (const dialect of DIALECTS) await app.register(dialect.plugin(wiring));
  // The console is no dialect: static files that talk to /berth/v1 like any other client.
  if (options.ui) await app.register(uiPlugin(options.ui));
  return app;
}
