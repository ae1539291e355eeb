// Connects the dialect-neutral AccessGate to berth's auth: anonymous admin when auth is off; otherwise Basic
// (access key id + secret, or "AWS" + an ECR login token) or a Bearer token from /token, with per-repository
// actions and Docker's challenge; a repository policy's Deny statements apply on top.
import {
  Authenticator,
  ConsoleTokens,
  challenge,
  ECR_ACTIONS_OF,
  evaluatePolicy,
  PolicyCache,
  type Principal,
  parseScope,
  principalName,
  principalNames,
  type Scope,
} from '../../auth/index.ts';
import type { AccessKeys, Action, Actor, ActorOrigin } from '../../core/index.ts';
import type { AccessGate, AccessNeed, AccessResult, ConsoleAuth, GateRequest, SignatureAuth, TokenIssuer } from './access.ts';
import { createConsoleAuth } from './console-auth.ts';
import { type Visible, visibleTo } from './visibility.ts';

export interface AuthGateOptions {
  keys: AccessKeys;
  keysMaterial: { masterKey: Buffer; tokenKey: Buffer };
  mode: 'none' | 'required';
  realm: string | undefined;
  service: string;
  tokenTtlMs: number;
  /** A repository's policy document (ECR SetRepositoryPolicy), or null; read on each request (the store caches it). */
  policies?: ((repository: string) => Promise<string | null>) | undefined;
  /** The policy documents of those of a listing page's repositories that have one, in one read. */
  policiesOf?: ((repositories: readonly string[]) => Promise<ReadonlyMap<string, string>>) | undefined;
  /** The account id policy principals name (config ecr.registryId). */
  registryId?: string | undefined;
  /** Web console sessions (config console.sessionTtl, console.sessionMaxAge); default 15 minutes and 12 hours. */
  console?: { sessionTtlMs: number; sessionMaxAgeMs: number } | undefined;
}

function authenticator(o: AuthGateOptions): Authenticator {
  return new Authenticator({
    keys: o.keys,
    tokenKey: o.keysMaterial.tokenKey,
    masterKey: o.keysMaterial.masterKey,
    issuer: 'berth',
    tokenTtlSeconds: Math.max(1, Math.round(o.tokenTtlMs / 1000)),
  });
}

function actorOf(p: Principal, dialect: ActorOrigin): Actor {
  return { principal: principalName(p), dialect };
}

function toScopes(needs: AccessNeed[]): Scope[] {
  return needs.map((n) => ({ type: n.type, name: n.name, actions: n.type === 'registry' ? ['*'] : n.actions }));
}

/** Whether a repository's policy explicitly denies one of `actions` to the principal (a policy is read only then). */
function policyDenial(
  o: AuthGateOptions,
  read: AuthGateOptions['policies'] = o.policies,
): (p: Principal, repository: string, actions: readonly string[]) => Promise<boolean> {
  const parsed = new PolicyCache();
  return async (p, repository, actions) => {
    if (!read || actions.length === 0) return false;
    const text = await read(repository);
    const policy = text === null ? null : parsed.get(text);
    if (!policy) return false;
    const keyId = p.kind === 'key' || p.kind === 'token' ? p.keyId : null;
    return evaluatePolicy(policy, principalNames(keyId, o.registryId ?? ''), actions) === 'deny';
  };
}

/**
 * The visibility rule for one principal. With `policiesOf`, a listing's prefetch reads a page's policies in one
 * statement: the last prefetched batch answers for its names (absent there: no policy); any other name is read alone.
 */
function prefetchingVisibility(o: AuthGateOptions, denies: ReturnType<typeof policyDenial>, principal: Principal): Visible {
  const { policies, policiesOf } = o;
  if (!policies || !policiesOf) return visibleTo(principal, denies);
  let batch = new Set<string>();
  let known: ReadonlyMap<string, string> = new Map();
  const visible: Visible = visibleTo(
    principal,
    policyDenial(o, async (name) => (batch.has(name) ? (known.get(name) ?? null) : policies(name))),
  );
  visible.prefetch = async (names) => {
    known = await policiesOf(names);
    batch = new Set(names);
  };
  return visible;
}

function createAccessGate(o: AuthGateOptions, auth: Authenticator, consoleAuth: ConsoleAuth): AccessGate {
  const realmFor = (host: string): string => o.realm ?? `http://${host}/token`;

  async function principalOf({ authorization, dialect }: GateRequest): Promise<Principal | null> {
    if (o.mode === 'none') return { kind: 'anonymous-admin' };
    if (!authorization) return null;
    if (/^basic /i.test(authorization)) return auth.verifyBasic(authorization);
    if (/^bearer /i.test(authorization)) {
      // Console session tokens open the berth API only: on /v2 and the cloud dialects they are just unknown tokens.
      const session = dialect === 'api' ? await consoleAuth.principal(authorization) : null;
      return session ?? auth.verifyBearer(authorization, o.service);
    }
    return null;
  }

  function allows(p: Principal, need: AccessNeed): boolean {
    return need.actions.every((a: Action) => auth.can(p, need, a));
  }
  const denies = policyDenial(o);
  /** The repository whose policy denies one of the needs to this principal, if any (only then is a policy read). */
  async function deniedBy(p: Principal, needs: AccessNeed[]): Promise<string | null> {
    for (const need of needs) {
      if (need.type !== 'repository') continue;
      if (
        await denies(
          p,
          need.name,
          need.actions.flatMap((a) => ECR_ACTIONS_OF[a]),
        )
      )
        return need.name;
    }
    return null;
  }

  return {
    async check(request, needs): Promise<AccessResult> {
      const principal = await principalOf(request);
      // Built only on refusal: the allowed path is every request's hot path.
      const realm = (): string => challenge(realmFor(request.host), o.service, toScopes(needs));
      if (!principal) return { allowed: false, status: 401, message: 'authentication required', challenge: realm() };
      if (needs.every((n) => allows(principal, n))) {
        const denied = await deniedBy(principal, needs);
        if (denied === null) return { allowed: true, actor: actorOf(principal, request.dialect) };
        return {
          allowed: false,
          status: 403,
          message: `the repository policy of ${denied} denies ${needs.flatMap((n) => n.actions).join('/')} to ${principalName(principal)}`,
        };
      }
      // A token without the scope gets a fresh challenge (the client fetches a better token); a key without the grant is denied.
      if (principal.kind === 'token') return { allowed: false, status: 401, message: 'insufficient scope', challenge: `${realm()},error="insufficient_scope"` };
      return { allowed: false, status: 403, message: `access key may not ${needs.flatMap((n) => n.actions).join('/')} ${needs.map((n) => n.name).join(', ')}` };
    },
    async alsoAllowed(request, need) {
      const principal = await principalOf(request);
      return principal !== null && allows(principal, need) && (await deniedBy(principal, [need])) === null;
    },
    async visibility(request) {
      const principal = await principalOf(request);
      if (principal === null) return async () => false;
      return prefetchingVisibility(o, denies, principal);
    },
  };
}

function createTokenIssuer(o: AuthGateOptions, auth: Authenticator): TokenIssuer {
  return {
    basicChallenge: `Basic realm="${o.service}"`,
    async issue(authorization, service, scopes) {
      if (service !== null && service !== o.service) return null;
      const principal =
        o.mode === 'none'
          ? ({ kind: 'anonymous-admin' } as Principal)
          : authorization && /^basic /i.test(authorization)
            ? await auth.verifyBasic(authorization)
            : null;
      if (!principal) return null;
      const parsed = scopes.map(parseScope).filter((s): s is Scope => s !== null);
      return auth.issueToken(principal, parsed, o.service);
    },
  };
}

/** The access gate every dialect asks, the /token issuer and what signature dialects need, over one authenticator. */
export function createAuth(o: AuthGateOptions): { gate: AccessGate; tokens: TokenIssuer; signatures: SignatureAuth; console: ConsoleAuth } {
  const auth = authenticator(o);
  const consoleAuth = createConsoleAuth({
    keys: o.keys,
    masterKey: o.keysMaterial.masterKey,
    auth,
    tokens: new ConsoleTokens({
      tokenKey: o.keysMaterial.tokenKey,
      ttlSeconds: Math.max(1, Math.round((o.console?.sessionTtlMs ?? 15 * 60_000) / 1000)),
      maxAgeSeconds: Math.max(1, Math.round((o.console?.sessionMaxAgeMs ?? 12 * 3_600_000) / 1000)),
    }),
  });
  const signatureDenies = policyDenial(o);
  const signatures: SignatureAuth = {
    mode: o.mode,
    signingKey: (keyId) => auth.signingKey(keyId),
    issueLoginToken: (principal, ttlSeconds) => auth.issueLoginToken(principal, ttlSeconds),
    verifyToken: async (token) => (await auth.verifyBearer(`Bearer ${token}`, o.service)) ?? auth.verifyLoginToken(token),
    policyDenies: signatureDenies,
    visibility: (principal) => prefetchingVisibility(o, signatureDenies, principal),
  };
  return { gate: createAccessGate(o, auth, consoleAuth), tokens: createTokenIssuer(o, auth), signatures, console: consoleAuth };
}
