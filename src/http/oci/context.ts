// What the OCI handlers share: the use-case dependencies and the few HTTP-side helpers built by main.ts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor, PullRecorder, RegistryDeps } from '../../core/index.ts';
import type { AccessGate } from '../common/access.ts';
import type { OpenSessions } from '../common/open-sessions.ts';
import type { Slots } from '../common/slots.ts';
import type { OciRoute } from './paths.ts';

/** Every /v2 answer carries it, success or error (the distribution spec's version check). */
export const API_VERSION = 'registry/2.0';

export interface OciContext {
  deps: RegistryDeps;
  pulls: PullRecorder;
  gate: AccessGate;
  uploadSlots: Slots;
  openSessions: OpenSessions;
}

export interface OciCall<R extends OciRoute = OciRoute> {
  ctx: OciContext;
  route: R;
  query: URLSearchParams;
  req: FastifyRequest;
  reply: FastifyReply;
  actor: Actor;
}

export type OciHandler<R extends OciRoute = OciRoute> = (call: OciCall<R>) => Promise<void>;
