// Builds the HTTP server: one Fastify instance hosting each dialect as an encapsulated plugin, plus health,
// readiness and metrics. Bodies are never parsed by Fastify: handlers stream them, so uploads are not buffered.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { FastifyBaseLogger } from 'fastify';
import { gcClock, type PullRecorder, type RegistryDeps } from '../core/index.ts';
import type { GcScheduler } from '../gc/index.ts';
import type { AcrSettings } from './acr/context.ts';
import { acrPlugin } from './acr/routes.ts';
import { answerBadUrl } from './bad-url.ts';
import { berthPlugin } from './berth/routes.ts';
import type { EcrSettings } from './ecr/context.ts';
import { ecrPlugin } from './ecr/routes.ts';
import { ncrPlugin } from './ncr/routes.ts';
import { ociPlugin } from './oci/routes.ts';
import type { SwrSettings } from './swr/context.ts';
import { swrPlugin } from './swr/routes.ts';
import type { AccessGate, SignatureAuth, TokenIssuer } from './shared/access.ts';
import { registerGcMetrics } from './shared/gc-metrics.ts';
import { createHttpMetrics, dialectOf } from './shared/metrics.ts';
import { Slots } from './shared/slots.ts';
import { tokenPlugin } from './token/routes.ts';

export interface HttpServerOptions {
  deps: RegistryDeps;
  pulls: PullRecorder;
  gate: AccessGate;
  tokens: TokenIssuer;
  /** Keys and secrets for signature dialects (ECR's SigV4), and login tokens. */
  signatures: SignatureAuth;
  /** config.ecr: the region and registry id the ECR API answers as. */
  ecr: EcrSettings;
  /** config.acr: regions, ClientToken retention and credential lifetime of the Alibaba Compute Nest API. */
  acr: AcrSettings;
  /** config.swr: the region the Huawei SWR API answers as. */
  swr: SwrSettings;
  logger: FastifyBaseLogger;
  /** Online GC of this process: the berth API runs and reports it, /metrics exports its totals. */
  gc: GcScheduler;
  maxConcurrentUploads: number;
  /** Extra readiness checks (metadata store ping etc.). */
  ready: () => Promise<void>;
}

export async function buildHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    // Per-request logs would cost more than a manifest GET itself; errors are logged by each dialect.
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    routerOptions: { maxParamLength: 8192 },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    keepAliveTimeout: 65_000,
    frameworkErrors: (error, req, reply) => answerBadUrl(error, req, reply),
  });
  app.removeAllContentTypeParsers();
  // Leave every body unread: the handler decides whether to stream it, read it with a limit, or drop it.
  app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));

  const uploadSlots = new Slots(options.maxConcurrentUploads);
  const metrics = createHttpMetrics(() => uploadSlots.inUse);
  registerGcMetrics(metrics.registry, {
    status: () => options.gc.status(),
    stats: () => options.deps.meta.gcStats(gcClock(options.deps, options.gc.defaults)),
  });
  // A storage backend that is down answers 503 in every dialect; clients that honour Retry-After back off briefly.
  app.addHook('onSend', async (_req, reply, payload) => {
    if (reply.statusCode === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    const dialect = dialectOf(req.url, req.headers);
    metrics.requests.inc({ dialect, method: req.method, status: String(reply.statusCode) });
    metrics.duration.observe({ dialect, method: req.method }, reply.elapsedTime / 1000);
  });

  app.get('/healthz', async (_req, reply) => reply.send({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await options.ready();
      return reply.send({ status: 'ready' });
    } catch (e) {
      return reply.code(503).send({ status: 'not ready', error: (e as Error).message });
    }
  });
  app.get('/metrics', async (_req, reply) => reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()));

  // Paths no dialect claims still get a JSON error body, never an HTML page or a redirect.
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).header('content-type', 'application/json')
      .send(JSON.stringify({ errors: [{ code: 'NOT_FOUND', message: `no such endpoint: ${req.method} ${req.url.slice(0, 200)}`, detail: null }] }));
  });
  await app.register(ociPlugin({ deps: options.deps, pulls: options.pulls, gate: options.gate, uploadSlots }));
  await app.register(berthPlugin({ deps: options.deps, gate: options.gate, gc: options.gc }));
  await app.register(tokenPlugin(options.tokens));
  await app.register(ecrPlugin({ deps: options.deps, pulls: options.pulls, signatures: options.signatures, ecr: options.ecr }));
  await app.register(acrPlugin({ deps: options.deps, signatures: options.signatures, acr: options.acr }));
  await app.register(ncrPlugin({ deps: options.deps, signatures: options.signatures }));
  await app.register(swrPlugin({ deps: options.deps, signatures: options.signatures, swr: options.swr }));
  return app;
}
