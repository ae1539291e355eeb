// Seeds many small repositories quickly through the API, as a client would (one shared config blob mounted into each
// and one manifest PUT), so the console's search can be tested among a realistic number of names.
import { assertStatus, type Client, MT, pushBlob, putManifest } from './oci-helpers.ts';

/** `count` repositories named by `nameOf(i)`, each with one tagged image; `concurrency` requests at a time. */
export async function seedRepositories(c: Client, count: number, nameOf: (i: number) => string, concurrency = 16): Promise<void> {
  const first = nameOf(0);
  const configBytes = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const config = await pushBlob(c, first, configBytes, MT.ociConfig);
  const manifest = { schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [] };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const repo = nameOf(i);
      if (i > 0) assertStatus(await c.req('POST', `/v2/${repo}/blobs/uploads/?mount=${config.digest}&from=${first}`), 201);
      assertStatus((await putManifest(c, repo, 'latest', manifest)).res, 201);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
