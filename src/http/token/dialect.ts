// The Docker token endpoint as the dialect list sees it: /token.
import type { TokenIssuer } from '../common/access.ts';
import { type DialectSpec, json } from '../common/dialect-spec.ts';
import { tokenPlugin } from './routes.ts';

// Docker's token endpoint has no error model of its own; clients read the registry's (OCI) envelope, built here
// rather than imported because a dialect never imports another.
export const tokenDialect: DialectSpec<{ tokens: TokenIssuer }> = {
  route: { prefixes: ['/token'] },
  badUrl: (m) => ({ body: json({ errors: [{ code: 'UNSUPPORTED', message: m, detail: null }] }) }),
  plugin: (w) => tokenPlugin(w.tokens),
};
