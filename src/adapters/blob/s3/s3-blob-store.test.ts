// The shared BlobStore contract against a real S3 (Ceph RADOS Gateway), each store under its own key prefix, opened
// the way berth opens it: from an s3:// URL with the server's credentials.
import { randomUUID } from 'node:crypto';
import { s3Server } from '../../../../test/servers.ts';
import { type OpenedBlobStore, runBlobStoreConformance } from '../blob-store.conformance.ts';
import { runDeclaredLengthConformance, runWholeBlobConformance } from '../blob-store.whole.conformance.ts';
import { createS3BlobStore } from './index.ts';
import { emptyPrefix, recordingClient, urlOf } from './test-helpers.ts';

async function open(): Promise<OpenedBlobStore> {
  const server = await s3Server();
  const prefix = `conformance-${randomUUID()}/`;
  const store = await createS3BlobStore(urlOf(server, prefix), { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey });
  return {
    store,
    cleanup: async () => {
      const client = recordingClient(server);
      await emptyPrefix(client, server.bucket, prefix);
      client.destroy();
    },
  };
}

runBlobStoreConformance('s3', open, { concurrentWriters: true, positionalReads: false });
runWholeBlobConformance('s3', open);
runDeclaredLengthConformance('s3', open);
