// `npm run load:mixed`: 200 keep-alive clients of mixed work over all five dialects against a real berth for a bounded
// time; prints the per-kind table and exits non-zero on any 5xx, connection error, unexpected answer or failed push.
import { parseArgs } from 'node:util';
import { type MixedOptions, problems, runMixed, table } from './mixed-run.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
    backend: { type: 'string', default: 'embedded' },
    auth: { type: 'string', default: 'none' },
    'layer-bytes': { type: 'string', default: '4096' },
    'max-concurrent-uploads': { type: 'string' },
  },
});

const int = (name: string, v: string, max: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${name} must be an integer from 1 to ${max}, got ${v}`);
  return n;
};
if (values.backend !== 'embedded' && values.backend !== 'postgres-s3') throw new Error('--backend is embedded or postgres-s3');
if (values.auth !== 'none' && values.auth !== 'required') throw new Error('--auth is none or required');
const options: MixedOptions = {
  clients: int('clients', values.clients, 2_000),
  seconds: int('seconds', values.seconds, 600),
  backend: values.backend,
  auth: values.auth,
  layerBytes: int('layer-bytes', values['layer-bytes'], 64 << 20),
  env: values['max-concurrent-uploads'] ? { BERTH_UPLOADS_MAX_CONCURRENT: values['max-concurrent-uploads'] } : {},
};
const report = await runMixed(options);
console.log(table(report));
const found = problems(report);
if (found.length > 0) {
  console.error(`\nFAILED: ${found.join('; ')}`);
  process.exitCode = 1;
}
