// What every NCR operation handler receives: the use-case dependencies, the caller the signature proved, the
// request as sent (prefix, raw path, query) for building page links, and the body read bounded.
import type { Actor, RegistryDeps } from '../../core/index.ts';
import type { SignatureAuth } from '../common/access.ts';
import type { SignedCaller } from '../common/signed-caller.ts';

export interface NcrContext {
  deps: RegistryDeps;
  signatures: SignatureAuth;
}

/** The caller: the principal whose rights apply, and the access key that signed (null when unsigned). */
export type Caller = SignedCaller;

/** The path parameters, each percent-decoded exactly once and validated; '' where the path has none. */
export interface NcrParams {
  registry: string;
  /** `{registry}/{imageName}`, the berth repository the NCR image is. */
  repository: string;
  /** The image name as NCR shows it (the repository without its registry). */
  image: string;
  reference: string;
}

export interface NcrCall {
  ctx: NcrContext;
  caller: Caller;
  actor: Actor;
  /** "http://host:port" as the client reached berth. */
  origin: string;
  /** The documented prefix the request came in on, e.g. "/ncr/api/v2". */
  prefix: string;
  /** The path after the prefix exactly as sent (still percent-encoded), e.g. "/repositories/reg/hello%2Fworld/tags". */
  rawPath: string;
  query: URLSearchParams;
  body: Buffer;
}

/** What an operation answers: a status and a JSON body, or none (204). */
export interface Answer {
  status: number;
  body?: object;
}

export type Handler = (call: NcrCall, params: NcrParams) => Promise<Answer>;
