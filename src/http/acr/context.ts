// What every ACR operation handler receives: the use-case dependencies, the caller (as the ACS3 or RPC v1 signature
// proved it), berth's ACR settings and one way to ask for rights, so each handler states exactly what it needs.
import type { Action, Actor, RegistryDeps } from '../../core/index.ts';
import type { SignatureAuth } from '../common/access.ts';
import type { SignedCaller } from '../common/signed-caller.ts';

/** config.acr, in the units the dialect uses. */
export interface AcrSettings {
  /** RegionIds berth answers for; empty = any well-formed region id. */
  regions: readonly string[];
  /** How long a ClientToken replays its first answer. */
  clientTokenRetentionMs: number;
  /** Lifetime of the docker credentials GetArtifactRepositoryCredentials hands out. */
  credentialTtlMs: number;
}

export interface AcrContext {
  deps: RegistryDeps;
  signatures: SignatureAuth;
  acr: AcrSettings;
}

/** The caller: the principal whose rights apply, and the access key that signed (null when unsigned). */
export type Caller = SignedCaller;

/** Request parameters (query and form body), decoded, each name once. */
export type Params = ReadonlyMap<string, string>;

export interface AcrCall {
  ctx: AcrContext;
  /** The API name, e.g. "DeleteAcrImageRepositories"; its RAM action is "computenestsupplier:" + this. */
  action: string;
  caller: Caller;
  actor: Actor;
  /** host[:port] as the client reached berth: credentials' push paths are built from it. */
  host: string;
  /** Whether the caller holds `action` on the repository (the key's grants). */
  may(repository: string, action: Action): boolean;
  /** Throws Forbidden.RAM unless the caller holds `action` on the repository. */
  /** Grants first, then the repository policy's Deny (of `ecrActions`, default the ones `action` maps to). */
  authorize(repository: string, action: Action, ecrActions?: readonly string[]): Promise<void>;
}

/** One API: how its parameters are read (validation errors are the client's), whether ClientToken applies, what it does. */
export interface Operation<I> {
  parse(params: Params, settings: AcrSettings): I;
  /** Deletes: a repeated ClientToken answers exactly as the first call did. */
  idempotent: boolean;
  run(call: AcrCall, input: I): Promise<Record<string, unknown>>;
}

/** Erases the input type so operations of different shapes fit in one table. */
export function operation<I>(op: Operation<I>): Operation<unknown> {
  return op as Operation<unknown>;
}
