// `berth config check|schema`: validate a config before deploying it, and publish its schema for editors.
import type { Command } from 'commander';
import { configJsonSchema } from '../../config/index.ts';
import { action, configFrom, print, type GlobalOptions } from '../context.ts';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('check and describe the configuration');
  config.command('check')
    .description('load and validate the config (file, env and flags) and print the result')
    .option('--config <file>', 'config file (env BERTH_CONFIG)')
    .option('--data <dir>', 'data directory')
    .option('--json', 'print JSON')
    .action(action(async (o: GlobalOptions) => {
      const resolved = configFrom(o);
      print(o, resolved, () => `config OK\n${JSON.stringify(resolved, null, 2)}`);
    }));
  config.command('schema').description('print the JSON Schema of the config file').action(action(async () => {
    process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  }));
}
