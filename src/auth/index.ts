// Public surface of auth: keys, grants, scopes and the authenticator every dialect's access checks go through.
export { Authenticator, keyPrincipal, type AuthenticatorOptions, type IssuedToken } from './authenticator.ts';
export { ACTIONS, allowedActions, allows, allowsEverywhere, fullAccessGrants, isAction, matchesRepository, parseGrant, validateGrant } from './grants.ts';
export { issueAccessKey, type IssueKeyOptions } from './issue-key.ts';
export {
  ANONYMOUS, ANONYMOUS_ADMIN, can, grantedAccess, principalName,
  type AnonymousAdminPrincipal, type AnonymousPrincipal, type KeyPrincipal, type Principal, type TokenPrincipal,
} from './principal.ts';
export { hashSecret, openSecret, sealSecret, secretMatches } from './sealing.ts';
export { challenge, formatScope, parseScope, parseScopes, type Resource, type ResourceType, type Scope } from './scope.ts';
export { parseAccessClaim } from './token-claims.ts';
