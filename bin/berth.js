#!/usr/bin/env node
// The `berth` command: Node 24 runs the TypeScript sources directly (type stripping), so there is no build step.
import '../src/cli/main.ts';
