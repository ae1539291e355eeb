// Decisions derived from more than one config value, made in one place so serve, CLI and tests agree on them.
import { RegistryError } from '../core/index.ts';
import { isLoopbackHost, parseListen } from './listen.ts';
import type { Config } from './schema.ts';

export type AuthMode = 'none' | 'required';

type ListenAndAuth = { readonly listen: string; readonly auth: Pick<Config['auth'], 'mode' | 'insecure'> };

/** Whether the configured listen address is loopback only (127.0.0.0/8, ::1, localhost). */
export function listensOnLoopback(config: Pick<Config, 'listen'>): boolean {
  return isLoopbackHost(parseListen(config.listen).host);
}

/**
 * "auto" means open on a loopback address (a laptop, a CI job) and authenticated anywhere else. It looks only at the
 * address: `insecure` never turns auth off, it only permits an explicit "none".
 */
export function resolveAuthMode(config: ListenAndAuth): AuthMode {
  if (config.auth.mode !== 'auto') return config.auth.mode;
  return listensOnLoopback(config) ? 'none' : 'required';
}

/** Refuses to serve an unauthenticated registry beyond this machine unless `auth.insecure` says that is intended. */
export function checkListenSafety(config: ListenAndAuth): void {
  if (resolveAuthMode(config) === 'required' || config.auth.insecure || listensOnLoopback(config)) return;
  throw new RegistryError(
    'INVALID_REQUEST',
    `refusing to listen on ${config.listen} without authentication: anyone who can reach it could push and delete images. ` +
      'Use --auth required (BERTH_AUTH=required), listen on a loopback address such as 127.0.0.1:5000, ' +
      'or pass --insecure (auth.insecure: true) if an open registry is really intended',
    { listen: config.listen },
  );
}

/**
 * The names image references use for this registry (pin sync): registry.hostNames, or by default the listen address
 * (the bound one, when port 0 picked it) and localhost on its port. Lowercase; "[v6]:port" keeps its brackets.
 */
export function registryHostNames(config: Pick<Config, 'listen'> & { readonly registry: { readonly hostNames: readonly string[] } }, bound?: string): string[] {
  if (config.registry.hostNames.length > 0) return config.registry.hostNames.map((h) => h.toLowerCase());
  const { host, port } = parseListen(bound ?? config.listen);
  const shown = host.includes(':') ? `[${host}]` : host;
  return [...new Set([`${shown}:${port}`.toLowerCase(), `localhost:${port}`])];
}
