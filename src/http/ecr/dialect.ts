// The AWS ECR dialect as the dialect list sees it: POST / named by X-Amz-Target, config.ecr, AWS's error shape.
import type { DialectSpec } from '../common/dialect-spec.ts';
import type { EcrContext } from './context.ts';
import { EcrError, errorBody } from './errors.ts';
import { ecrPlugin } from './routes.ts';

export const ecrDialect: DialectSpec<EcrContext> = {
  route: { rootApi: 'ecr' },
  config: 'ecr',
  badUrl: (m) => {
    const e = new EcrError('InvalidParameterException', m);
    return { headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': e.type }, body: errorBody(e) };
  },
  plugin: ecrPlugin,
};
