// The composition root: the only place that knows every part. Config in; stores, core, auth and HTTP wired out.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Logger, pino } from 'pino';
import { openBlobStore, openMetadataStore } from './adapters/factory.ts';
import { loadServerKeys, type ServerKeys } from './adapters/secrets/key-files.ts';
import type { Config } from './config/index.ts';
import { checkListenSafety, registryHostNames, resolveAuthMode } from './config/index.ts';
import {
  type BlobStore,
  endProcessLease,
  expireAbandonedUploads,
  expireUploads,
  leaseRenewEveryMs,
  type MetadataStore,
  newProcessId,
  PullRecorder,
  pruneRequestLedger,
  type RegistryDeps,
  renewProcessLease,
  systemClock,
  UploadHashes,
} from './core/index.ts';
import { GcScheduler, LifecycleScheduler, replicaName } from './gc/index.ts';
import { createAuth } from './http/common/auth-gate.ts';
import { enableMemoryRelief } from './http/common/memory-relief.ts';
import { defaultPerKeyShare } from './http/common/slots.ts';
import { buildHttpServer } from './http/server.ts';
import { loadUiFiles } from './http/ui/files.ts';

export interface OpenedRegistry {
  deps: RegistryDeps;
  keys: ServerKeys;
  close(): Promise<void>;
}

/** Opens the stores and core dependencies; used by `serve` and by every CLI command that works on the data. */
export async function openRegistry(config: Config): Promise<OpenedRegistry> {
  await mkdir(config.data, { recursive: true });
  const keys = await loadServerKeys(config.data, config.secrets.dir === undefined ? undefined : resolve(config.secrets.dir));
  const meta: MetadataStore = await openMetadataStore(config.meta.url, config.data, { readCacheBytes: config.meta.readCache });
  let blobs: BlobStore;
  try {
    blobs = await openBlobStore(config.blobs.url, config.data, config.blobs);
  } catch (e) {
    await meta.close();
    throw e;
  }
  const deps: RegistryDeps = {
    meta,
    blobs,
    clock: systemClock,
    hashes: new UploadHashes(blobs),
    processId: newProcessId(),
    limits: { maxManifestBytes: config.manifests.maxBytes, maxPageSize: 10_000 },
    deletion: { restoreWindowMs: config.deletion.restoreWindow, autoPinPulledWithinMs: config.deletion.pinPulledWithin, gcGraceMs: config.gc.grace },
    repositories: { createOnPush: !config.ecr.requireCreate },
  };
  return {
    deps,
    keys,
    close: async () => {
      await blobs.close();
      await meta.close();
    },
  };
}

export function createLogger(config: Config): Logger {
  return pino({ level: config.log.level, base: { service: 'berth' } });
}

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts the server and resolves once it listens; `stop` drains in-flight requests within the grace timeout. */
export async function serve(config: Config, logger: Logger = createLogger(config)): Promise<RunningServer> {
  checkListenSafety(config);
  enableMemoryRelief();
  const authMode = resolveAuthMode(config);
  const opened = await openRegistry(config);
  const { deps } = opened;
  const pulls = new PullRecorder(deps);
  const gc = new GcScheduler(
    deps,
    { graceMs: config.gc.grace, restoreWindowMs: config.deletion.restoreWindow },
    (err: unknown) => logger.warn({ err }, 'garbage collection failed'),
    replicaName(),
  );
  const lifecycle = new LifecycleScheduler(
    deps,
    () => pulls.flush(),
    (err: unknown) => logger.warn({ err }, 'retention run failed'),
  );
  const authOptions = {
    keys: deps.meta,
    keysMaterial: opened.keys,
    mode: authMode,
    realm: config.auth.realm,
    service: config.auth.service,
    tokenTtlMs: config.auth.tokenTtl,
    // Repository policies (ECR SetRepositoryPolicy) deny on /v2 too; the embedded store caches the lookup.
    policies: (name: string) => deps.meta.repositoryPolicy(name),
    policiesOf: (names: readonly string[]) => deps.meta.repositoryPolicies(names),
    registryId: config.ecr.registryId,
    console: { sessionTtlMs: config.console.sessionTtl, sessionMaxAgeMs: config.console.sessionMaxAge },
  };
  // Port 0 binds a port chosen at listen time, which the default host names then name.
  let hostNames = registryHostNames(config);
  const app = await buildHttpServer({
    deps,
    pulls,
    logger,
    gc,
    registryHosts: () => hostNames,
    lifecycle,
    ...createAuth(authOptions),
    ecr: { region: config.ecr.region, registryId: config.ecr.registryId },
    acr: { regions: config.acr.regions, clientTokenRetentionMs: config.acr.clientTokenRetention, credentialTtlMs: config.acr.credentialTtl },
    swr: { region: config.swr.region },
    maxConcurrentUploads: config.uploads.maxConcurrent,
    maxConcurrentUploadsPerKey: config.uploads.maxConcurrentPerKey,
    maxQueuedUploads: config.uploads.maxQueued,
    uploadQueueTimeoutMs: config.uploads.queueTimeout,
    maxOpenUploadSessionsPerKey: config.uploads.maxOpenSessionsPerKey,
    uploadIdleTimeoutMs: config.uploads.idleTimeout,
    trustedProxies: config.requests.trustedProxies,
    bodyLimits: {
      unverifiedBodies: config.requests.unverifiedBodies,
      unverifiedBodyBytes: config.requests.unverifiedBodyBytes,
      unverifiedBodiesPerClient: config.requests.unverifiedBodiesPerClient ?? defaultPerKeyShare(config.requests.unverifiedBodies),
      idleMs: config.requests.bodyIdleTimeout,
      minRate: config.requests.bodyMinRate,
      rateWindowMs: config.requests.bodyRateWindow,
    },
    headersTimeoutMs: config.requests.headersTimeout,
    ui: loadUiFiles(),
    keepAliveTimeoutMs: config.requests.keepAliveTimeout,
    ready: async () => {
      await deps.meta.ping();
      await deps.blobs.ping();
    },
  });

  const [host, port] = splitListen(config.listen);
  const lease = config.uploads.ownerLease;
  // The lease exists before the first session names it, so no other process ever takes a new session for abandoned.
  await renewProcessLease(deps, lease);
  const address = await app.listen({ host, port });
  hostNames = registryHostNames(config, new URL(address).host);
  // Renewed until the last in-flight request is done (see stop): a process finishing its uploads is alive.
  const renewal = setInterval(
    () => void renewProcessLease(deps, lease).catch((err: unknown) => logger.warn({ err }, 'renewing the process lease failed')),
    leaseRenewEveryMs(lease),
  );
  renewal.unref();
  const timers = [
    setInterval(
      () =>
        void expireAbandonedUploads(deps, lease)
          .then((n) => n > 0 && logger.info({ expired: n }, 'expired uploads of dead processes'))
          .catch((err: unknown) => logger.warn({ err }, 'expiring abandoned uploads failed')),
      Math.max(250, Math.floor(lease / 2)),
    ),
    setInterval(() => void pulls.flush().catch((err: unknown) => logger.warn({ err }, 'recording pulls failed')), 5_000),
    setInterval(
      () =>
        void expireUploads(deps, config.uploads.idleTimeout)
          .then((n) => n > 0 && logger.info({ expired: n }, 'expired idle uploads'))
          .catch((err: unknown) => logger.warn({ err }, 'expiring uploads failed')),
      expirySweepMs(config.uploads.idleTimeout),
    ),
    setInterval(
      () => void pruneRequestLedger(deps, config.acr.clientTokenRetention).catch((err: unknown) => logger.warn({ err }, 'pruning the request ledger failed')),
      60_000,
    ),
  ];
  for (const t of timers) t.unref();
  gc.start(config.gc.interval);
  lifecycle.start(config.lifecycle.interval);
  logger.info({ address, auth: authMode, meta: deps.meta.kind, blobs: deps.blobs.kind }, 'berth started');

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      for (const t of timers) clearInterval(t);
      await gc.stop();
      await lifecycle.stop();
      const force = setTimeout(() => app.server.closeAllConnections(), config.shutdown.graceTimeout);
      // Keep-alive connections that finish their last request during shutdown would otherwise hold it open.
      const idle = setInterval(() => app.server.closeIdleConnections(), 100);
      force.unref();
      // In-flight uploads finish within the grace time; cut ones stay resumable (the offset only moves after durable writes).
      await app.close();
      clearTimeout(force);
      clearInterval(idle);
      // Only now: uploads still streaming during the grace time (up to shutdown.graceTimeout, as long as a lease or
      // longer) belong to a live process, and another process or a CLI gc must not expire them under it.
      clearInterval(renewal);
      await pulls.flush().catch(() => undefined);
      await endProcessLease(deps).catch(() => undefined);
      await opened.close();
    })();
    return stopping;
  };
  return { url: address, stop };
}

/** Sweep for idle uploads a few times per idle period, at most once a minute. */
export function expirySweepMs(idleTimeoutMs: number): number {
  return Math.max(250, Math.min(60_000, Math.floor(idleTimeoutMs / 4)));
}

/** "HOST:PORT" or "[v6]:PORT" into listen() arguments. */
export function splitListen(listen: string): [string, number] {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(listen) ?? /^([^:]+):(\d+)$/.exec(listen);
  if (!m) throw new Error(`invalid listen address "${listen}"`);
  return [m[1]!, Number(m[2])];
}
