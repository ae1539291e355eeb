// What every ECR operation handler receives: the use-case dependencies, the caller (as SigV4 proved it), the
// registry identity from config and one way to ask for rights, so each handler states exactly what it needs.

import type { z } from 'zod';
import type { Action, Actor, PullRecorder, RegistryDeps } from '../../core/index.ts';
import type { SignatureAuth } from '../common/access.ts';
import type { SignedCaller } from '../common/signed-caller.ts';

/** config.ecr: who berth answers as in ARNs and registry ids. */
export interface EcrSettings {
  region: string;
  registryId: string;
}

export interface EcrContext {
  deps: RegistryDeps;
  pulls: PullRecorder;
  signatures: SignatureAuth;
  ecr: EcrSettings;
}

/** The caller: the principal whose rights apply, and the access key that signed (null when unsigned). */
export type Caller = SignedCaller;

export interface EcrCall {
  ctx: EcrContext;
  /** The operation name, e.g. "BatchDeleteImage"; its policy action is "ecr:" + this. */
  operation: string;
  caller: Caller;
  actor: Actor;
  /** "http://host:port" as the client reached berth: repositoryUri and proxyEndpoint are built from it. */
  origin: string;
  /** Throws AccessDeniedException unless the caller may do `action` on the repository (grants and its policy). */
  authorize(repository: string, action: Action): Promise<void>;
}

/** One operation: its input schema (the ECR model's constraints) and what it does. */
export interface Operation<I> {
  input: z.ZodType<I>;
  run(call: EcrCall, input: I): Promise<object>;
}

/** Erases the input type so operations of different shapes fit in one table. */
export function operation<I>(op: Operation<I>): Operation<unknown> {
  return op as Operation<unknown>;
}
