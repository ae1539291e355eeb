// The one list of HTTP dialects: where each is routed, how it words a bad URL, which config section it reads and how
// its plugin is built. The server, the metric label and bad-URL answers iterate it, so a new dialect is its folder plus
// one entry here (and a name in core's HttpDialect, which the `satisfies` below turns into a compile error if missed).

import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config/index.ts';
import type { HttpDialect, PullRecorder, RegistryDeps } from '../core/index.ts';
import type { GcScheduler } from '../gc/index.ts';
import type { AcrSettings } from './acr/context.ts';
import { AcrError, errorBody as acrErrorBody } from './acr/errors.ts';
import { acrPlugin } from './acr/routes.ts';
import { newRequestId as acrRequestId } from './acr/wire.ts';
import { berthErrorBody } from './berth/errors.ts';
import { berthPlugin } from './berth/routes.ts';
import type { EcrSettings } from './ecr/context.ts';
import { EcrError, errorBody as ecrErrorBody } from './ecr/errors.ts';
import { ecrPlugin } from './ecr/routes.ts';
import { badRequest as ncrBadRequest, errorBody as ncrErrorBody } from './ncr/errors.ts';
import { ncrPlugin } from './ncr/routes.ts';
import { ociEnvelope } from './oci/errors.ts';
import { ociPlugin } from './oci/routes.ts';
import type { AccessGate, SignatureAuth, TokenIssuer } from './shared/access.ts';
import type { RootApi } from './shared/root-api.ts';
import type { Slots } from './shared/slots.ts';
import type { SwrSettings } from './swr/context.ts';
import { errorBody as swrErrorBody, invalidParameter as swrInvalidParameter } from './swr/errors.ts';
import { swrPlugin } from './swr/routes.ts';
import { tokenPlugin } from './token/routes.ts';

/** Everything a dialect plugin may be built from; each takes only what it uses. */
export interface DialectWiring {
  deps: RegistryDeps;
  pulls: PullRecorder;
  gate: AccessGate;
  tokens: TokenIssuer;
  /** Keys and secrets for signature dialects (SigV4, ACS3, NCP, SDK-HMAC), and login tokens. */
  signatures: SignatureAuth;
  /** config.ecr: the region and registry id the ECR API answers as. */
  ecr: EcrSettings;
  /** config.acr: regions, ClientToken retention and credential lifetime of the Alibaba Compute Nest API. */
  acr: AcrSettings;
  /** config.swr: the region the Huawei SWR API answers as. */
  swr: SwrSettings;
  /** Online GC of this process: the berth API runs and reports it. */
  gc: GcScheduler;
  uploadSlots: Slots;
}

/** A bad-URL answer (status 400): the body, and headers beyond `content-type: application/json` or replacing it. */
export interface WireAnswer {
  headers?: Record<string, string>;
  body: string;
}

/** One HTTP dialect. Its name is also its metric label and the origin its actors carry in the audit trail. */
export interface DialectSpec {
  /**
   * Where its requests arrive: under path prefixes (the longest match wins, so SWR's /v2/manage beats OCI's /v2), or
   * on `/` told apart by the rootApi constraint. Routing itself is the plugin's; this names the dialect of a request.
   */
  route: { prefixes: readonly string[] } | { rootApi: RootApi };
  /**
   * The config section it reads, if any. The zod schema stays in src/config (config must not import http); naming
   * the section here keeps it tied to a wiring field of the same name (checked by the type and a test).
   */
  config?: keyof Config & keyof DialectWiring;
  /** A request target the router cannot decode, answered in this dialect's error shape. */
  badUrl(message: string): WireAnswer;
  plugin(wiring: DialectWiring): FastifyPluginAsync;
}

export interface Dialect extends DialectSpec {
  name: HttpDialect;
}

const json = (value: unknown): string => JSON.stringify(value);

/** In registration order; a Record so a name missing from (or unknown to) HttpDialect does not compile. */
const SPECS = {
  oci: {
    route: { prefixes: ['/v2'] },
    badUrl: (m) => ({ body: json(ociEnvelope('NAME_INVALID', m)) }),
    plugin: (w) => ociPlugin({ deps: w.deps, pulls: w.pulls, gate: w.gate, uploadSlots: w.uploadSlots }),
  },
  api: {
    route: { prefixes: ['/berth/'] },
    badUrl: (m) => ({ body: json(berthErrorBody('INVALID_REQUEST', m)) }),
    plugin: (w) => berthPlugin({ deps: w.deps, gate: w.gate, gc: w.gc }),
  },
  token: {
    route: { prefixes: ['/token'] },
    // Docker's token endpoint has no error model of its own; clients read the registry's envelope.
    badUrl: (m) => ({ body: json(ociEnvelope('UNSUPPORTED', m)) }),
    plugin: (w) => tokenPlugin(w.tokens),
  },
  ecr: {
    route: { rootApi: 'ecr' },
    config: 'ecr',
    badUrl: (m) => {
      const e = new EcrError('InvalidParameterException', m);
      return { headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': e.type }, body: ecrErrorBody(e) };
    },
    plugin: (w) => ecrPlugin({ deps: w.deps, pulls: w.pulls, signatures: w.signatures, ecr: w.ecr }),
  },
  acr: {
    route: { rootApi: 'acr' },
    config: 'acr',
    badUrl: (m) => {
      const id = acrRequestId();
      return { headers: { 'x-acs-request-id': id }, body: acrErrorBody(new AcrError('InvalidParameter', m), id, 'berth') };
    },
    plugin: (w) => acrPlugin({ deps: w.deps, signatures: w.signatures, acr: w.acr }),
  },
  ncr: {
    route: { prefixes: ['/ncr/'] },
    badUrl: (m) => ({ body: ncrErrorBody(ncrBadRequest(m)) }),
    plugin: (w) => ncrPlugin({ deps: w.deps, signatures: w.signatures }),
  },
  swr: {
    route: { prefixes: ['/v2/manage', '/v3/manage'] },
    config: 'swr',
    badUrl: (m) => {
      const id = randomUUID().replaceAll('-', '');
      return { headers: { 'x-request-id': id }, body: swrErrorBody(swrInvalidParameter(m), id) };
    },
    plugin: (w) => swrPlugin({ deps: w.deps, signatures: w.signatures, swr: w.swr }),
  },
} satisfies Record<HttpDialect, DialectSpec>;

export const DIALECTS: readonly Dialect[] = Object.entries(SPECS).map(([name, spec]) => ({ name: name as HttpDialect, ...spec }));
