// What the blob store holds, read below the port: every file under the filesystem store's blobs/, uploads/ and tmp/,
// or every object under the S3 store's prefix and every unfinished multipart upload there. After everything is deleted
// and GC ran, all of it must be empty: a leftover here is space nothing will ever give back.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { s3Client } from '../e2e/replicas-stores.ts';
import { s3Server } from '../servers.ts';

/** Bounds every listing: far above what a torture run leaves. */
const MAX_PAGES = 100;

/** Up to `limit` leftovers, described ("file uploads/…", "object …", "multipart …"). */
export async function blobAreaContents(stores: { args: string[] }, limit = 50): Promise<string[]> {
  const at = stores.args.indexOf('--blobs');
  const url = at >= 0 ? stores.args[at + 1]! : `file:${stores.args[stores.args.indexOf('--data') + 1]}`;
  return url.startsWith('s3://') ? s3Contents(url, limit) : fsContents(url.slice('file:'.length), limit);
}

async function fsContents(root: string, limit: number): Promise<string[]> {
  const out: string[] = [];
  for (const top of ['blobs', 'uploads', 'tmp']) {
    const entries = await readdir(join(root, top), { recursive: true, withFileTypes: true }).catch(() => []);
    for (const e of entries) if (!e.isDirectory() && out.length < limit) out.push(`file ${join(e.parentPath, e.name).slice(root.length + 1)}`);
  }
  return out;
}

async function s3Contents(url: string, limit: number): Promise<string[]> {
  const parsed = new URL(url);
  const bucket = parsed.hostname;
  const prefix = `${parsed.pathname.replace(/^\/+/, '').replace(/\/?$/, '/')}`;
  const client = s3Client(await s3Server());
  const out: string[] = [];
  try {
    let token: string | undefined;
    for (let i = 0; i < MAX_PAGES && out.length < limit; i++) {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (out.length < limit) out.push(`object ${o.Key}`);
      token = page.NextContinuationToken;
      if (!token) break;
    }
    let keyMarker: string | undefined;
    let idMarker: string | undefined;
    for (let i = 0; i < MAX_PAGES && out.length < limit; i++) {
      const page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: idMarker }));
      for (const u of page.Uploads ?? []) if (out.length < limit) out.push(`multipart ${u.Key} (${u.UploadId})`);
      if (!page.IsTruncated) break;
      keyMarker = page.NextKeyMarker;
      idMarker = page.NextUploadIdMarker;
    }
  } finally {
    client.destroy();
  }
  return out;
}
