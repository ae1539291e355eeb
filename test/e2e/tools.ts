// Runs the real client tools (skopeo, podman) with isolated config, and decides what a missing tool means:
// a failure under CI=true, a skip with a reason elsewhere.
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function hasTool(tool: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => {
    try {
      return statSync(join(dir, tool)).isFile();
    } catch {
      return false;
    }
  });
}

/** `false` to run, or the skip reason; under CI=true a missing tool throws instead (never a silent skip). */
export function skipUnless(tool: string): false | string {
  if (hasTool(tool)) return false;
  if (process.env.CI === 'true') throw new Error(`${tool} is required under CI=true (scripts/test.sh installs it)`);
  return `${tool} is not installed`;
}

export interface ToolEnv {
  env: Record<string, string>;
  dir: string;
}

/** A private registries.conf and auth file, so tests never read or change the machine's container config. */
export async function isolatedToolEnv(insecureHosts: string[]): Promise<ToolEnv> {
  // Short and lower-case: podman derives image names from oci: paths and limits its runroot to 50 characters.
  const dir = join(tmpdir(), `bt-${randomUUID().slice(0, 13)}`);
  await mkdir(dir, { recursive: true });
  const registries = insecureHosts.map((h) => `[[registry]]\nlocation = "${h}"\ninsecure = true\n`).join('\n');
  await writeFile(join(dir, 'registries.conf'), `unqualified-search-registries = []\n${registries}`);
  await writeFile(join(dir, 'auth.json'), '{}');
  await writeFile(join(dir, 'policy.json'), JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  await writeFile(join(dir, 'containers.conf'), '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n');
  return {
    dir,
    env: {
      REGISTRIES_CONFIG_PATH: join(dir, 'registries.conf'),
      REGISTRY_AUTH_FILE: join(dir, 'auth.json'),
      CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf'),
      CONTAINERS_CONF: join(dir, 'containers.conf'),
    },
  };
}

export async function tool(cmd: string, args: string[], t: ToolEnv): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(cmd, args, { env: { ...process.env, ...t.env }, maxBuffer: 64 * 1024 * 1024, timeout: 180_000 });
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${err.stderr ?? ''}`);
  }
}
