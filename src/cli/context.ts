// Options every command shares, and the one way commands load config, print results and fail.
import type { Command } from 'commander';
import { isRegistryError } from '../core/index.ts';
import { loadConfig, type Config } from '../config/index.ts';

export interface GlobalOptions {
  data?: string;
  config?: string;
  meta?: string;
  blobs?: string;
  json?: boolean;
}

/** Adds the options that point a command at the server's data (same flags and env vars as `serve`). */
export function withDataOptions(cmd: Command): Command {
  return cmd
    .option('--data <dir>', 'data directory (env BERTH_DATA, default ./data)')
    .option('--config <file>', 'config file (env BERTH_CONFIG)')
    .option('--meta <url>', 'metadata store URL, e.g. sqlite:/path/meta.db (env BERTH_META)')
    .option('--blobs <url>', 'blob store URL, e.g. file:/path (env BERTH_BLOBS)')
    .option('--json', 'print JSON instead of text');
}

export function configFrom(options: GlobalOptions, extraFlags: Record<string, unknown> = {}): Config {
  const flags: Record<string, unknown> = { ...extraFlags };
  for (const k of ['data', 'meta', 'blobs'] as const) if (options[k] !== undefined) flags[k] = options[k];
  return loadConfig({ file: options.config, env: process.env, flags });
}

/** Prints JSON when asked, else the text form. */
export function print(options: GlobalOptions, value: unknown, text: () => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

/** Runs a command body; domain errors become one clear line and exit code 1, never a stack trace. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      if (isRegistryError(e)) {
        process.stderr.write(`berth: ${e.message}\n`);
        process.exitCode = 1;
        return;
      }
      process.stderr.write(`berth: ${(e as Error).message ?? String(e)}\n`);
      process.exitCode = 1;
    }
  };
}

export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}
