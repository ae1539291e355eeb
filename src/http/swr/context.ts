// What every SWR operation handler receives: the use-case dependencies, the caller (as the signature or token proved
// it), the request's parts and berth's own address, and what it answers with; one shape so handlers stay small.
import type { Actor, RegistryDeps } from '../../core/index.ts';
import type { SignatureAuth } from '../common/access.ts';
import type { SignedCaller } from '../common/signed-caller.ts';
import type { SwrRoute } from './paths.ts';

/** config.swr: the region berth answers as (docker login user names are "<region>@<key id>"). */
export interface SwrSettings {
  region: string;
}

export interface SwrContext {
  deps: RegistryDeps;
  signatures: SignatureAuth;
  swr: SwrSettings;
}

/** The principal whose rights apply, and the access key behind it (null when unsigned with auth off). */
export interface Caller extends SignedCaller {
  /** Came with X-Auth-Token instead of a signature: such a caller may not mint new credentials (no endless renewal). */
  viaToken?: boolean;
}

export interface SwrCall {
  ctx: SwrContext;
  caller: Caller;
  actor: Actor;
  route: SwrRoute;
  query: URLSearchParams;
  /** The raw body; operations that take one parse it with input.ts. */
  body: Buffer;
  /** berth's own host:port as the client reached it: path, internal_path and docker logins point here. */
  host: string;
}

export interface SwrAnswer {
  status: number;
  /** Serialised as JSON; absent for 204. */
  body?: unknown;
  headers?: Record<string, string>;
}

export type SwrOperation = (call: SwrCall) => Promise<SwrAnswer>;
