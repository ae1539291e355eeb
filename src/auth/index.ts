// Public surface of auth: keys, grants, scopes and the authenticator every dialect's access checks go through.
export { Authenticator, keyPrincipal, LOGIN_USER, type AuthenticatorOptions, type IssuedToken } from './authenticator.ts';
export { ACTIONS, allowedActions, allows, allowsEverywhere, fullAccessGrants, isAction, matchesRepository, parseGrant, validateGrant } from './grants.ts';
export { issueAccessKey, type IssueKeyOptions } from './issue-key.ts';
export {
  ANONYMOUS, ANONYMOUS_ADMIN, can, grantedAccess, principalName,
  type AnonymousAdminPrincipal, type AnonymousPrincipal, type KeyPrincipal, type Principal, type TokenPrincipal,
} from './principal.ts';
export { hashSecret, openSecret, sealSecret, secretMatches } from './sealing.ts';
export { challenge, formatScope, parseScope, parseScopes, type Resource, type ResourceType, type Scope } from './scope.ts';
export { parseAccessClaim } from './token-claims.ts';
export {
  ECR_ACTIONS_OF, evaluatePolicy, parseRepositoryPolicy, PolicyCache, principalNames,
  type PolicyDecision, type PolicyStatement, type RepositoryPolicy,
} from './repository-policy.ts';
export { parseAuthorization, verifySigV4, type IncomingSigned, type SigV4Failure, type SigV4Options, type SigV4Outcome } from './sigv4.ts';
