// Public surface of auth: keys, grants, scopes and the authenticator every dialect's access checks go through.
export { Authenticator, type AuthenticatorOptions, type IssuedToken, keyPrincipal, LOGIN_USER } from './authenticator.ts';
export {
  CONSOLE_AUDIENCE,
  CONSOLE_TOKEN_TYPE,
  type ConsoleClaims,
  type ConsoleTokenOptions,
  ConsoleTokens,
  type IssuedConsoleToken,
} from './console-session.ts';
export {
  ACTIONS,
  allowedActions,
  allows,
  allowsEverywhere,
  fullAccessGrants,
  isAction,
  matchesRepository,
  parseGrant,
  REGISTRY_ACTIONS,
  validateGrant,
} from './grants.ts';
export { type IssueKeyOptions, issueAccessKey } from './issue-key.ts';
export {
  ANONYMOUS,
  ANONYMOUS_ADMIN,
  type AnonymousAdminPrincipal,
  type AnonymousPrincipal,
  can,
  grantedAccess,
  type KeyPrincipal,
  type Principal,
  principalName,
  type TokenPrincipal,
} from './principal.ts';
export {
  ECR_ACTIONS_OF,
  evaluatePolicy,
  PolicyCache,
  type PolicyDecision,
  type PolicyStatement,
  parseRepositoryPolicy,
  principalNames,
  type RepositoryPolicy,
} from './repository-policy.ts';
export { challenge, formatScope, parseScope, parseScopes, type Resource, type ResourceType, type Scope } from './scope.ts';
export { hashSecret, openSecret, sealSecret, secretMatches } from './sealing.ts';
export { type IncomingSigned, parseAuthorization, type SigV4Failure, type SigV4Options, type SigV4Outcome, verifySigV4 } from './sigv4.ts';
export { parseAccessClaim } from './token-claims.ts';
