// The one list of HTTP dialects. Each dialect describes itself in its own folder (<dialect>/dialect.ts: routing,
// bad-URL shape, config section, plugin); the server, the metric label and bad-URL answers iterate this list, so a new
// dialect is its folder plus one line here (and its name in core's HttpDialect, which `satisfies` below enforces).
import type { HttpDialect, PullRecorder, RegistryDeps } from '../core/index.ts';
import type { GcScheduler, LifecycleScheduler } from '../gc/index.ts';
import type { AcrSettings } from './acr/context.ts';
import { acrDialect } from './acr/dialect.ts';
import { berthDialect } from './berth/dialect.ts';
import type { AccessGate, ConsoleAuth, SignatureAuth, TokenIssuer } from './common/access.ts';
import type { DialectSpec } from './common/dialect-spec.ts';
import type { OpenSessions } from './common/open-sessions.ts';
import type { Slots } from './common/slots.ts';
import type { EcrSettings } from './ecr/context.ts';
import { ecrDialect } from './ecr/dialect.ts';
import { ncrDialect } from './ncr/dialect.ts';
import { ociDialect } from './oci/dialect.ts';
import type { SwrSettings } from './swr/context.ts';
import { swrDialect } from './swr/dialect.ts';
import { tokenDialect } from './token/dialect.ts';

export type { WireAnswer } from './common/dialect-spec.ts';

/** Everything a dialect plugin may be built from; each takes only what it uses. */
export interface DialectWiring {
  deps: RegistryDeps;
  pulls: PullRecorder;
  gate: AccessGate;
  tokens: TokenIssuer;
  /** Keys and secrets for signature dialects (SigV4, ACS3, NCP, SDK-HMAC), and login tokens. */
  signatures: SignatureAuth;
  /** Web console sessions and key management (the berth API). */
  console: ConsoleAuth;
  /** config.ecr: the region and registry id the ECR API answers as. */
  ecr: EcrSettings;
  /** config.acr: regions, ClientToken retention and credential lifetime of the Alibaba Compute Nest API. */
  acr: AcrSettings;
  /** config.swr: the region the Huawei SWR API answers as. */
  swr: SwrSettings;
  /** Online GC of this process: the berth API runs and reports it. */
  gc: GcScheduler;
  /** config registry.hostNames (or its default once the port is bound): which references pin sync takes as ours. */
  registryHosts?: (() => readonly string[]) | undefined;
  /** Retention runs of this process: the berth API runs a repository's policy through it. */
  lifecycle: LifecycleScheduler;
  uploadSlots: Slots;
  /** Unfinished upload sessions per access key, capped by config.uploads.maxOpenSessionsPerKey. */
  openSessions: OpenSessions;
}

export interface Dialect extends DialectSpec<DialectWiring> {
  name: HttpDialect;
}

/** In registration order; a Record so a name missing from (or unknown to) HttpDialect does not compile. */
const SPECS = {
  oci: ociDialect,
  api: berthDialect,
  token: tokenDialect,
  ecr: ecrDialect,
  acr: acrDialect,
  ncr: ncrDialect,
  swr: swrDialect,
} satisfies Record<HttpDialect, DialectSpec<DialectWiring>>;

export const DIALECTS: readonly Dialect[] = Object.entries(SPECS).map(([name, spec]) => ({ name: name as HttpDialect, ...spec }));
