// The Alibaba Compute Nest dialect as the dialect list sees it: / named by Action, config.acr, Alibaba's error shape.
import type { DialectSpec } from '../common/dialect-spec.ts';
import type { AcrContext } from './context.ts';
import { AcrError, errorBody } from './errors.ts';
import { acrPlugin } from './routes.ts';
import { newRequestId } from './wire.ts';

export const acrDialect: DialectSpec<AcrContext> = {
  route: { rootApi: 'acr' },
  config: 'acr',
  badUrl: (m) => {
    const id = newRequestId();
    return { headers: { 'x-acs-request-id': id }, body: errorBody(new AcrError('InvalidParameter', m), id, 'berth') };
  },
  plugin: acrPlugin,
};
