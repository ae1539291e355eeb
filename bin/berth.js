#!/usr/bin/env -S node --max-semi-space-size=8
// The `berth` command: Node runs the TypeScript sources directly (type stripping), so there is no build step.
// `npm ci` installs the pinned Node 24 where the registry has it for this platform (linux-x64, linux-arm64) and
// `npx berth` finds it first on PATH; anywhere else the machine's own Node runs this, and must be >= 22.18 (the
// first release that strips types by default). This file stays plain JavaScript so an older Node gets this
// message instead of a syntax error from the sources.
// The shebang caps V8's young generation at 8 MiB semi-spaces: Node 24 sizes it from the machine's memory (it grew to
// 128 MiB under GET load on a 24 GiB machine), which alone put peak RSS past 200 MiB. Interleaved runs (push, 5 pulls,
// GETs, small pushes; 3 rounds each): peak RSS 149-161 vs 173-196 MiB, other rates within the machine's noise. (An
// older cap cut pulls to 0.75 GB/s when each read allocated its buffer; pulls now reuse two.) `node bin/berth.js`
// bypasses the shebang and runs with V8's default.
import './thread-pool.js'; // first: the pool is sized before any import could use it
import * as nodeModule from 'node:module'; // a namespace: Node < 22.1 has no enableCompileCache to bind
import v8 from 'node:v8';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18) || !process.features.typescript) {
  process.stderr.write(
    `berth: needs Node.js >= 22.18 with type stripping on; this is Node ${process.version} (${process.execPath})` +
      `${process.features.typescript ? '' : ', which does not strip types'}.\n` +
      `  On linux-x64 and linux-arm64, 'npm ci' installs Node 24.21.0 into node_modules/.bin: run 'npx berth'.\n` +
      `  Elsewhere (macOS, Windows, other CPUs) install Node 24 (or >= 22.18) and put it first on PATH.\n`,
  );
  process.exit(1);
}

// Retention tag regexps and ECR wildcards run in the event loop; the shapes that backtrack exponentially are refused
// at put time (src/core/lifecycle/regexp-safety.ts), and this bounds the rest (`\d*\d*\d*\d*x`, `*1*1*1*1x`, 2.4 s per
// 128-character tag without it, ~30 ms with it): after many backtracks V8 reruns the match on its linear-time engine.
v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

// Cached compiled (and type-stripped) modules start faster and spare ~20 MiB of resident memory per process.
nodeModule.enableCompileCache();
await import('../src/cli/main.ts');
