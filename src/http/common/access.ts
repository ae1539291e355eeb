// The one question every dialect asks before acting: may this request do these things? Kept as a small
// interface so dialects stay independent of how keys, tokens and signatures are checked.
import type { KeyPrincipal, Principal } from '../../auth/index.ts';
import type { AccessKey, Action, Actor, ActorOrigin, Grant } from '../../core/index.ts';
import type { Visible } from './visibility.ts';

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
  visibility(request: GateRequest): Promise<Visible>;
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
  /**
   * The listings' visibility rule for this principal (visibility.ts) with a page-wise policy prefetch; optional for
   * test doubles (absent: the rule over policyDenies, one policy read a name).
   */
  visibility?(principal: Principal): Visible;
}

/** The ECR actions a policy names for each berth right, plus deleting the repository itself. */
export { ECR_ACTIONS_OF } from '../../auth/index.ts';
export const ECR_REPOSITORY_DELETE: readonly string[] = ['ecr:DeleteRepository', 'ecr:BatchDeleteImage'];

/** A web console session as the berth API shows it: who is logged in, and until when. */
export interface ConsoleSession {
  keyId: string;
  keyName: string;
  /** Whether the key holds admin everywhere (registry-wide routes). */
  admin: boolean;
  sessionId: string;
  startedAt: Date;
  /** When the current token stops working. */
  expiresAt: Date;
  /** When the session ends for good (its start + console.sessionMaxAge): no refresh after it. */
  endsAt: Date;
}

export interface ConsoleLogin {
  token: string;
  expiresAt: Date;
  /** When the console should refresh: well before expiresAt, so a slow request or a sleeping tab still makes it. */
  refreshBefore: Date;
  session: ConsoleSession;
}

/**
 * Web console sessions and key management over HTTP. A console token is accepted only by the berth API's gate
 * (never /v2 nor a cloud dialect); every use looks its key up, so revoking the key ends its sessions at once.
 */
export interface ConsoleAuth {
  /** A new session for `Basic keyId:secret` (the key itself: no registry or login token); null otherwise. */
  login(authorization: string | undefined): Promise<ConsoleLogin | null>;
  /** A new token for the session of a live console token while the session is younger than its maximum age. */
  refresh(authorization: string | undefined): Promise<ConsoleLogin | null>;
  /** The session of a live console token whose key still exists; null for anything else. */
  session(authorization: string | undefined): Promise<ConsoleSession | null>;
  /** The principal a live console token acts as (its key, with the key's grants now); null when it is not one. */
  principal(authorization: string): Promise<KeyPrincipal | null>;
  /** Issues an access key (the secret is returned this once), audited as `actor`. */
  issueKey(options: { name: string; grants: readonly Grant[]; actor: Actor }): Promise<{ key: AccessKey; secret: string }>;
}
