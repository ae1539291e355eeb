// `berth serve`: runs the registry until SIGTERM/SIGINT, then drains requests and exits.
import type { Command } from 'commander';
import { createLogger, serve } from '../../main.ts';
import { configFrom, type GlobalOptions } from '../context.ts';

interface ServeOptions extends GlobalOptions {
  listen?: string;
  auth?: string;
  insecure?: boolean;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the registry (default 127.0.0.1:5000, data in ./data)')
    .option('--listen <host:port>', 'address to listen on (env BERTH_LISTEN, default 127.0.0.1:5000)')
    .option('--data <dir>', 'data directory (env BERTH_DATA, default ./data)')
    .option('--config <file>', 'config file (env BERTH_CONFIG)')
    .option('--meta <url>', 'metadata store URL (env BERTH_META, default sqlite in the data dir)')
    .option('--blobs <url>', 'blob store URL (env BERTH_BLOBS, default the data dir)')
    .option('--auth <mode>', 'none | required (default: none on loopback, required elsewhere)')
    .option('--insecure', 'allow listening on a non-loopback address without authentication')
    .action(async (options: ServeOptions) => {
      let config;
      try {
        const flags: Record<string, unknown> = {};
        if (options.listen !== undefined) flags.listen = options.listen;
        if (options.auth !== undefined) flags.auth = options.auth;
        if (options.insecure) flags.insecure = true;
        config = configFrom(options, flags);
      } catch (e) {
        process.stderr.write(`berth: cannot start: ${(e as Error).message}\n`);
        process.exit(2);
      }
      const logger = createLogger(config);
      let server;
      try {
        server = await serve(config, logger);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const why = err.code === 'EADDRINUSE' ? `address ${config.listen} is already in use` : err.message;
        process.stderr.write(`berth: cannot start: ${why}\n`);
        process.exit(1);
      }
      process.stdout.write(`berth listening on ${server.url}\n`);
      let signals = 0;
      const shutdown = (signal: string): void => {
        if (++signals > 1) process.exit(130);
        logger.info({ signal }, 'shutting down');
        server.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
    });
}
