// What the berth API handlers share: the use-case dependencies, the GC of this process, the access gate, and one
// way to ask for rights (some routes only know the repository after a lookup, so each handler asks for itself).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Action, Actor, PullRecorder, RegistryDeps } from '../../core/index.ts';
import type { GcScheduler, LifecycleScheduler } from '../../gc/index.ts';
import type { AccessGate, AccessNeed, ConsoleAuth } from '../common/access.ts';
import type { BerthRoute } from './paths.ts';

export interface BerthContext {
  deps: RegistryDeps;
  gate: AccessGate;
  /** Console sessions (login, refresh) and issuing keys. */
  console: ConsoleAuth;
  gc: GcScheduler;
  /** The names of this registry in image references (pin sync); none known = no reference is ours. */
  registryHosts?: (() => readonly string[]) | undefined;
  /** Retention runs of this process (one at a time, shared with the lifecycle.interval timer). */
  lifecycle: LifecycleScheduler;
  /** Flushed before a preview, so pull-age rules see the latest pulls. */
  pulls: Pick<PullRecorder, 'flush'>;
}

export interface BerthCall<R extends BerthRoute = BerthRoute> {
  ctx: BerthContext;
  route: R;
  query: URLSearchParams;
  req: FastifyRequest;
  reply: FastifyReply;
  /** The acting principal once it holds every need; throws UNAUTHORIZED or DENIED otherwise. */
  authorize(needs: AccessNeed[]): Promise<Actor>;
}

export type BerthHandler<R extends BerthRoute = BerthRoute> = (call: BerthCall<R>) => Promise<void>;

/**
 * Registry-wide administration (GC, the audit trail, every pin). Named "berth", not "catalog": a Docker token can
 * carry "registry:catalog:*" for a pull-everywhere key, and must never open these routes.
 */
export const REGISTRY_ADMIN: AccessNeed = { type: 'registry', name: 'berth', actions: ['admin'] };

/** Replacing pin sets: the narrow 'pin-sync' right on every repository ("*:pin-sync"), or registry admin. */
export const PIN_SYNC: AccessNeed = { type: 'registry', name: 'berth', actions: ['pin-sync'] };

export function onRepository(name: string, action: Action): AccessNeed {
  return { type: 'repository', name, actions: [action] };
}

export function sendJson(reply: FastifyReply, status: number, value: unknown): void {
  reply.code(status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(value));
}
