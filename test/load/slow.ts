// `npm run load:slow` (node test/load/slow.ts): the slow-connection figure with berth's default timeouts, for the README.
// Flags: --connections 500, --cycles 300, --idle 30s, --rate-window 30s, --headers-timeout 20s, --queue-timeout 30s. Exits 1 when a bound fails.
import { parseArgs } from 'node:util';
import { formatSlowLoad, runSlowLoad } from './slow-engine.ts';

const { values: f } = parseArgs({
  options: {
    connections: { type: 'string', default: '500' },
    cycles: { type: 'string', default: '300' },
    idle: { type: 'string', default: '30s' },
    'rate-window': { type: 'string', default: '30s' },
    'headers-timeout': { type: 'string', default: '20s' },
    'queue-timeout': { type: 'string', default: '30s' },
  },
});

const result = await runSlowLoad({
  connections: Number(f.connections),
  cycles: Number(f.cycles),
  idle: f.idle,
  rateWindow: f['rate-window'],
  headersTimeout: f['headers-timeout'],
  queueTimeout: f['queue-timeout'],
  log: (line) => void process.stderr.write(`load:slow: ${line}\n`),
});
process.stdout.write(`${formatSlowLoad(result)}\n`);
process.stdout.write(`${result.ok ? 'every bound held' : 'A BOUND FAILED'}\n`);
process.exit(result.ok ? 0 : 1);
