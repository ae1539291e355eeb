// The `berth` command line: one program, one file per command group, clear exit codes (0 ok, 1 failed, 2 usage).
import { Command, CommanderError } from 'commander';
import { registerAudit } from './commands/audit.ts';
import { registerConfig } from './commands/config.ts';
import { registerContent } from './commands/content.ts';
import { registerGc } from './commands/gc.ts';
import { registerKeys } from './commands/keys.ts';
import { registerLifecycle } from './commands/lifecycle.ts';
import { registerPins } from './commands/pins.ts';
import { registerRestore } from './commands/restore.ts';
import { registerServe } from './commands/serve.ts';

const program = new Command('berth')
  .description('berth: an OCI registry that deletes safely and gives the disk back online')
  .version('0.1.0')
  .exitOverride()
  .showHelpAfterError();

registerServe(program);
registerContent(program);
registerPins(program);
registerRestore(program);
registerAudit(program);
registerGc(program);
registerLifecycle(program);
registerKeys(program);
registerConfig(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2);
  throw e;
}
