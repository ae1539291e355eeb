// Prometheus metrics for every dialect: one registry per server so tests and replicas never share counters.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type RequestMetrics, requestMetrics } from './request-metrics.ts';

export interface HttpMetrics {
  registry: Registry;
  uploadsInFlight: Gauge;
  uploadsQueued: Gauge;
  unverifiedBodies: Gauge;
  unverifiedBodyBytes: Gauge;
  /** Counts and times one finished request (in berth_http_requests_total and berth_http_request_duration_seconds, by the next scrape). */
  record: RequestMetrics['record'];
}

/** What the unverified-body budget holds right now (body-guard.ts); zero when nothing is being read. */
export type UnverifiedInUse = () => { bodies: number; bytes: number };

export function createHttpMetrics(
  uploadsInUse: () => number,
  uploadsWaiting: () => number,
  unverified: UnverifiedInUse = () => ({ bodies: 0, bytes: 0 }),
): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'berth_' });
  // Both fold in the requests noted since the last scrape before they are read.
  let fold = (): void => {};
  const requests = new Counter({
    name: 'berth_http_requests_total',
    help: 'HTTP requests by dialect, method and status',
    labelNames: ['dialect', 'method', 'status'] as const,
    registers: [registry],
    collect: () => fold(),
  });
  const duration = new Histogram({
    name: 'berth_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['dialect', 'method'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [registry],
    collect: () => fold(),
  });
  const recorder = requestMetrics(requests, duration);
  fold = recorder.fold;
  const uploadsInFlight = new Gauge({
    name: 'berth_uploads_in_flight',
    help: 'Blob uploads streaming right now',
    registers: [registry],
    collect() {
      this.set(uploadsInUse());
    },
  });
  const uploadsQueued = new Gauge({
    name: 'berth_uploads_queued',
    help: 'Blob uploads waiting for an upload slot right now',
    registers: [registry],
    collect() {
      this.set(uploadsWaiting());
    },
  });
  // So an operator (and the tests) can see the budget return to zero: a place not given back would show here.
  const unverifiedBodies = new Gauge({
    name: 'berth_unverified_bodies',
    help: 'Request bodies being read before their sender is verified (places taken in requests.unverifiedBodies)',
    registers: [registry],
    collect() {
      this.set(unverified().bodies);
    },
  });
  const unverifiedBodyBytes = new Gauge({
    name: 'berth_unverified_body_bytes',
    help: 'Bytes those bodies reserve together (of requests.unverifiedBodyBytes)',
    registers: [registry],
    collect() {
      this.set(unverified().bytes);
    },
  });
  return { registry, uploadsInFlight, uploadsQueued, unverifiedBodies, unverifiedBodyBytes, record: recorder.record };
}

/**
 * How long metadata writes waited for each other's locks (PostgreSQL: the registry lock or the row locks of what a
 * write touches), so an operator sees whether writes queue behind one another as replicas and clients are added.
 */
export function registerLockWaitMetric(registry: Registry, store: { onLockWait?(listener: (seconds: number) => void): void }): void {
  if (!store.onLockWait) return;
  const waits = new Histogram({
    name: 'berth_meta_lock_wait_seconds',
    help: 'Time a metadata write transaction waited for its locks (not for a pooled connection) before it could go on',
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [registry],
  });
  store.onLockWait((seconds) => waits.observe(seconds));
}
