// Decisions derived from the config in one place: whether auth is on, and whether the listen address is safe.
import { RegistryError } from '../core/index.ts';
import type { Config } from './schema.ts';

export function listenHost(listen: string): string {
  const host = listen.slice(0, listen.lastIndexOf(':'));
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** "auto" means no auth on a loopback address (development), or anywhere the operator said --insecure. */
export function resolveAuthMode(config: Config): 'none' | 'required' {
  if (config.auth.mode !== 'auto') return config.auth.mode;
  return isLoopback(listenHost(config.listen)) || config.auth.insecure ? 'none' : 'required';
}

/** Refuses to expose an open registry to the network unless the operator said so explicitly. */
export function checkListenSafety(config: Config): void {
  const host = listenHost(config.listen);
  if (resolveAuthMode(config) === 'none' && !isLoopback(host) && !config.auth.insecure) {
    throw new RegistryError('INVALID_REQUEST',
      `refusing to listen on ${config.listen} without authentication: use --auth required, or --insecure to allow anonymous access from the network`);
  }
}
