// `berth config check|schema`: validate a config before deploying it, and publish its schema for editors.
import type { Command } from 'commander';
import { configJsonSchema } from '../../config/index.ts';
import { action, configFrom, type GlobalOptions, print } from '../context.ts';

/** Secret keys and the password of a store URL (postgres://user:PASSWORD@host) are replaced. */
function redact<T>(config: T): T {
  return JSON.parse(
    JSON.stringify(config, (key, value: unknown) => {
      if (typeof value !== 'string') return value;
      if (/secret/i.test(key)) return '<redacted>';
      return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1<redacted>@');
    }),
  ) as T;
}

export function registerConfig(program: Command): void {
  const config = program.command('config').description('check and describe the configuration');
  config
    .command('check')
    .description('load and validate the config (file, env and flags) and print the result')
    .option('--config <file>', 'config file (env BERTH_CONFIG)')
    .option('--data <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(
      action(async (o: GlobalOptions) => {
        const resolved = configFrom(o);
        // Secrets in the config (the S3 secret key) are checked, never printed: this output ends up in logs and tickets.
        const shown = redact(resolved);
        print(o, shown, () => `config OK\n${JSON.stringify(shown, null, 2)}`);
      }),
    );
  config
    .command('schema')
    .description('print the JSON Schema of the config file')
    .action(
      action(async () => {
        process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
      }),
    );
}
