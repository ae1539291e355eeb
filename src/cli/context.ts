// Options every command shares, and the one way commands load config, print results and fail.
import { type Command, InvalidArgumentError } from 'commander';
import { type Config, loadConfig, parseDuration } from '../config/index.ts';
import { isRegistryError } from '../core/index.ts';

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

/** A command used the wrong way (exit code 2), as opposed to one that failed (exit code 1). */
export class UsageError extends Error {}

/** Runs a command body; domain errors become one clear line and exit code 1, never a stack trace. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      if (e instanceof UsageError) {
        process.stderr.write(`berth: ${e.message}\n`);
        process.exitCode = 2;
        return;
      }
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

/** Option parser for durations ("90s", "7d"): a bad one is a usage error (exit 2) that names the option's value. */
export function durationArg(value: string): number {
  try {
    return parseDuration(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

/** Option parser for positive whole numbers (limits, ids). */
export function positiveIntArg(value: string): number {
  if (!/^[1-9]\d{0,14}$/.test(value)) throw new InvalidArgumentError(`expected a positive whole number, got "${value}"`);
  return Number(value);
}

/** 1536 -> "1.5 KiB": byte counts people read. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
