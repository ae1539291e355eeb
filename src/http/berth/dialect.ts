// The berth management API as the dialect list sees it: /berth/, errors in berth's own shape.
import { type DialectSpec, json } from '../common/dialect-spec.ts';
import type { BerthContext } from './context.ts';
import { berthErrorBody } from './errors.ts';
import { berthPlugin } from './routes.ts';

export const berthDialect: DialectSpec<BerthContext> = {
  route: { prefixes: ['/berth/'] },
  badUrl: (m) => ({ body: json(berthErrorBody('INVALID_REQUEST', m)) }),
  plugin: berthPlugin,
};
