// Public surface of auth: keys, grants, and the authenticator every dialect's access checks go through.
export { Authenticator, challenge, parseScope, type AuthenticatorOptions, type Principal, type Scope } from './authenticator.ts';
export { allows, allowedActions, FULL_ACCESS, matchesRepository, parseGrant } from './grants.ts';
export { issueAccessKey } from './issue-key.ts';
export { hashSecret, openSecret, sealSecret, secretMatches } from './secrets.ts';
