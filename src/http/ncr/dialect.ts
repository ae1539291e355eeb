// The NAVER Cloud registry dialect as the dialect list sees it: /ncr/, NAVER's gateway error shape.
import type { DialectSpec } from '../common/dialect-spec.ts';
import type { NcrContext } from './context.ts';
import { badRequest, errorBody } from './errors.ts';
import { ncrPlugin } from './routes.ts';

export const ncrDialect: DialectSpec<NcrContext> = {
  route: { prefixes: ['/ncr/'] },
  badUrl: (m) => ({ body: errorBody(badRequest(m)) }),
  plugin: ncrPlugin,
};
