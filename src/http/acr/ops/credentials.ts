// GetArtifactRepositoryCredentials: a short-lived docker login for berth's /v2 (any user name works with the token),
// and the push paths the caller's key really may push to, derived from its push grants.
import { can, type Principal } from '../../../auth/index.ts';
import { type AcrSettings, operation } from '../context.ts';
import { artifactType, region } from '../validate.ts';

/** The Alibaba region the paths are reported under when the caller names none and berth is configured for any. */
export const DEFAULT_REGION = 'cn-hangzhou';

interface Resource {
  RegionId: string;
  RepositoryName: string;
  Path: string;
}

/**
 * Where the key may push: "*" is the whole registry (Path = host, push host/<image>), "team/*" a namespace (Path =
 * host/team, push <Path>/<image>), an exact grant one repository (Path = host/team/app, push <Path>:<tag>).
 */
export function pushResources(principal: Principal, host: string, regionId: string): Resource[] {
  const patterns =
    principal.kind === 'anonymous-admin'
      ? ['*']
      : principal.kind === 'key'
        ? principal.grants.filter((g) => g.actions.includes('push') || g.actions.includes('admin')).map((g) => g.repositories)
        : [];
  const out = new Map<string, Resource>();
  for (const pattern of patterns) {
    const name = pattern === '*' ? '*' : pattern.endsWith('/*') ? pattern.slice(0, -2) : pattern;
    // A docker push needs pull as well as push on the repository (possibly from two grants): report only such places.
    const probe = name === '*' ? 'berth-probe' : pattern.endsWith('/*') ? `${name}/berth-probe` : name;
    if (!can(principal, probe, 'pull') || !can(principal, probe, 'push')) continue;
    out.set(name, { RegionId: regionId, RepositoryName: name, Path: name === '*' ? host : `${host}/${name}` });
  }
  return [...out.values()];
}

function defaultRegion(settings: AcrSettings): string {
  return settings.regions[0] ?? DEFAULT_REGION;
}

export const GetArtifactRepositoryCredentials = operation({
  idempotent: false,
  parse: (p, settings) => ({
    ArtifactType: artifactType(p, true),
    DeployRegionId: region(p, 'DeployRegionId', settings, false) ?? defaultRegion(settings),
  }),
  async run(call, input) {
    const ttlSeconds = Math.max(60, Math.round(call.ctx.acr.credentialTtlMs / 1000));
    const { token, expiresAt } = await call.ctx.signatures.issueLoginToken(call.caller.principal, ttlSeconds);
    return {
      ExpireDate: String(expiresAt.getTime()),
      // No cloud storage credentials: berth hands out a registry login only (AcrImage and HelmChart need nothing else).
      Credentials: { Username: call.caller.keyId ?? 'berth', Password: token, AccessKeyId: '', AccessKeySecret: '', SecurityToken: '' },
      AvailableResources: pushResources(call.caller.principal, call.host, input.DeployRegionId),
    };
  },
});
