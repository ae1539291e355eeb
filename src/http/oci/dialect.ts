// The OCI Distribution dialect as the dialect list sees it: /v2, errors in the OCI envelope.
import { type DialectSpec, json } from '../common/dialect-spec.ts';
import type { OciContext } from './context.ts';
import { ociEnvelope } from './errors.ts';
import { ociLane, ociPlugin } from './routes.ts';

export const ociDialect: DialectSpec<OciContext> = {
  route: { prefixes: ['/v2'] },
  badUrl: (m) => ({ body: json(ociEnvelope('NAME_INVALID', m)) }),
  plugin: ociPlugin,
  lane: ociLane,
};
