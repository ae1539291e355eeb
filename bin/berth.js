#!/usr/bin/env -S node --max-semi-space-size=4
// The `berth` command: Node 24 runs the TypeScript sources directly (type stripping), so there is no build step.
// A 4 MiB young generation (V8's default is 16) keeps the server ~20 MiB smaller under request load at no
// measurable cost in throughput; the flag only applies when this file is run as a program (npx, PATH, tests).
import { enableCompileCache } from 'node:module';

// Cached compiled (and type-stripped) modules start faster and spare ~20 MiB of resident memory per process.
enableCompileCache();
await import('../src/cli/main.ts');
