// The one question every dialect asks before acting: may this request do these things? Kept as a small
// interface so dialects stay independent of how keys, tokens and signatures are checked.
import type { KeyPrincipal, Principal } from '../../auth/index.ts';
import type { Action, Actor, ActorOrigin } from '../../core/index.ts';

export interface AccessNeed {
  /** "repository" for per-repository actions, "registry" for catalog-wide ones. */
  type: 'repository' | 'registry';
  /** Repository name, or "catalog". */
  name: string;
  actions: Action[];
}

export type AccessResult =
  | { allowed: true; actor: Actor }
  /** `challenge` is the WWW-Authenticate value to send with a 401; absent for a 403. */
  | { allowed: false; status: 401 | 403; message: string; challenge?: string };

/** A request as the gate sees it; `dialect` becomes the actor's origin in the audit trail. */
export interface GateRequest {
  authorization: string | undefined;
  host: string;
  dialect: ActorOrigin;
}

/** The gate's view of a request: its credentials and Host, and the dialect acting. */
export function gateRequest(headers: { authorization?: string | undefined; host?: string | undefined }, dialect: ActorOrigin): GateRequest {
  return { authorization: headers.authorization, host: headers.host ?? '', dialect };
}

export interface AccessGate {
  check(request: GateRequest, needs: AccessNeed[]): Promise<AccessResult>;
  /** Whether a principal that passed `check` for `needs[0]` may also do this (e.g. read the mount source). */
  alsoAllowed(request: GateRequest, need: AccessNeed): Promise<boolean>;
  /** The listing rule for this request's caller (shared/visibility.ts): credentials are checked once per listing. */
  visibility(request: GateRequest): Promise<(repository: string) => Promise<boolean>>;
}

export interface IssuedToken {
  token: string;
  expiresIn: number;
  issuedAt: string;
}

export interface TokenIssuer {
  /** Null when the credentials are missing or wrong. */
  issue(authorization: string | undefined, service: string | null, scopes: string[]): Promise<IssuedToken | null>;
  /** The challenge to send with a 401 from this endpoint. */
  basicChallenge: string;
}

/**
 * What dialects with their own signature schemes (SigV4, ACS3, ...) need from auth: the key and its secret to
 * recompute a signature, whether unsigned callers are let in, and login tokens for docker (ECR's authorization token).
 */
export interface SignatureAuth {
  /** "none": every caller acts as administrator; a signature is still checked when its key exists. */
  readonly mode: 'none' | 'required';
  signingKey(keyId: string): Promise<{ principal: KeyPrincipal; secret: string } | null>;
  /** A password for `docker login -u AWS` naming the caller's key, valid `ttlSeconds`. */
  issueLoginToken(principal: Principal, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }>;
  /**
   * The principal of a berth token presented on its own (SWR's X-Auth-Token): a Bearer token from /token (its scopes)
   * or a login token (its key's grants); null when it is neither, expired, or its key is gone. Optional so test doubles
   * of dialects that never read tokens need not implement it.
   */
  verifyToken?(token: string): Promise<Principal | null>;
  /**
   * Whether the repository's policy (ECR SetRepositoryPolicy) explicitly denies any of `ecrActions` to this principal.
   * A Deny holds in every dialect, so an operator's lock on a repository has no side door; Allow statements add rights
   * only on the ECR API. Optional for test doubles (absent = no policies).
   */
  policyDenies?(principal: Principal, repository: string, ecrActions: readonly string[]): Promise<boolean>;
}

/** The ECR actions a policy names for each berth right, plus deleting the repository itself. */
export { ECR_ACTIONS_OF } from '../../auth/index.ts';
export const ECR_REPOSITORY_DELETE: readonly string[] = ['ecr:DeleteRepository', 'ecr:BatchDeleteImage'];
