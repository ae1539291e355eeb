// The Huawei SWR dialect as the dialect list sees it: /v2/manage and /v3/manage, config.swr, SWR's error shape.
import { randomUUID } from 'node:crypto';
import type { DialectSpec } from '../common/dialect-spec.ts';
import type { SwrContext } from './context.ts';
import { errorBody, invalidParameter } from './errors.ts';
import { swrPlugin } from './routes.ts';

export const swrDialect: DialectSpec<SwrContext> = {
  route: { prefixes: ['/v2/manage', '/v3/manage'] },
  config: 'swr',
  badUrl: (m) => {
    const id = randomUUID().replaceAll('-', '');
    return { headers: { 'x-request-id': id }, body: errorBody(invalidParameter(m), id) };
  },
  plugin: swrPlugin,
};
