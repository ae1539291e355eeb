import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseManifest } from './manifest.ts';
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from './media-types.ts';

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d('a'), size: 10 };
const image = (mediaType?: string) => ({ schemaVersion: 2, ...(mediaType ? { mediaType } : {}), config, layers: [] });
const index = (mediaType?: string) => ({
  schemaVersion: 2,
  ...(mediaType ? { mediaType } : {}),
  manifests: [{ mediaType: OCI_MANIFEST, digest: d('c'), size: 5 }],
});
const bytes = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
const SCHEMA1 = 'application/vnd.docker.distribution.manifest.v1+prettyjws';

type Case = [what: string, body: object, declared: string | undefined, required: boolean, expected: string | 'MANIFEST_INVALID'];

// declared: the Content-Type (OCI, required) or ECR's imageManifestMediaType (optional); undefined = not sent.
const CASES: Case[] = [
  ['OCI image manifest, header equal to the field', image(OCI_MANIFEST), OCI_MANIFEST, true, OCI_MANIFEST],
  ['OCI index, header equal to the field', index(OCI_INDEX), OCI_INDEX, true, OCI_INDEX],
  ['Docker schema 2 manifest, header equal to the field', image(DOCKER_MANIFEST), DOCKER_MANIFEST, true, DOCKER_MANIFEST],
  ['Docker manifest list, header equal to the field', index(DOCKER_MANIFEST_LIST), DOCKER_MANIFEST_LIST, true, DOCKER_MANIFEST_LIST],
  ['text/plain over a valid OCI manifest', image(OCI_MANIFEST), 'text/plain', true, 'MANIFEST_INVALID'],
  ['application/json over a valid OCI manifest', image(OCI_MANIFEST), 'application/json', true, 'MANIFEST_INVALID'],
  ['text/plain over a manifest without mediaType', image(), 'text/plain', true, 'MANIFEST_INVALID'],
  ['Docker schema 1 header', image(), SCHEMA1, true, 'MANIFEST_INVALID'],
  ['Docker schema 1 field and header', image(SCHEMA1), SCHEMA1, true, 'MANIFEST_INVALID'],
  ['no Content-Type where it is required, even with a mediaType field', image(OCI_MANIFEST), undefined, true, 'MANIFEST_INVALID'],
  ['empty Content-Type', image(OCI_MANIFEST), '', true, 'MANIFEST_INVALID'],
  ['header differing from the body mediaType', image(OCI_MANIFEST), DOCKER_MANIFEST, true, 'MANIFEST_INVALID'],
  ['index header over an image manifest mediaType', image(OCI_MANIFEST), OCI_INDEX, true, 'MANIFEST_INVALID'],
  ['no mediaType: an index shape under an index header', index(), OCI_INDEX, true, OCI_INDEX],
  ['no mediaType: a manifest shape under a manifest header', image(), OCI_MANIFEST, true, OCI_MANIFEST],
  ['no mediaType: a manifest shape under a Docker header', image(), DOCKER_MANIFEST, true, DOCKER_MANIFEST],
  ['no mediaType: an index shape under a manifest header', index(), OCI_MANIFEST, true, 'MANIFEST_INVALID'],
  ['no mediaType: a manifest shape under an index header', image(), DOCKER_MANIFEST_LIST, true, 'MANIFEST_INVALID'],
  ['parameters are ignored (the spec: registries SHOULD ignore them)', image(OCI_MANIFEST), `${OCI_MANIFEST}; charset=utf-8`, true, OCI_MANIFEST],
  ['type and subtype compare case-insensitively, as in HTTP', image(OCI_MANIFEST), OCI_MANIFEST.toUpperCase(), true, OCI_MANIFEST],
  ['a malformed Content-Type', image(OCI_MANIFEST), `${OCI_MANIFEST} junk`, true, 'MANIFEST_INVALID'],
  ['optional field absent: the body mediaType decides', image(DOCKER_MANIFEST), undefined, false, DOCKER_MANIFEST],
  ['optional field absent and no body mediaType: nothing says the type', image(), undefined, false, 'MANIFEST_INVALID'],
  ['optional field present and differing from the body', image(OCI_MANIFEST), DOCKER_MANIFEST, false, 'MANIFEST_INVALID'],
  ['optional field text/plain', image(), 'text/plain', false, 'MANIFEST_INVALID'],
  ['optional field deciding for a body without mediaType', image(), OCI_MANIFEST, false, OCI_MANIFEST],
];

describe('the declared manifest media type', () => {
  for (const [what, body, declared, required, expected] of CASES) {
    it(`${what}: ${expected}`, () => {
      const parse = () => parseManifest(bytes(body), declared, { required });
      if (expected === 'MANIFEST_INVALID') assert.throws(parse, (e: Error & { code?: string }) => e.code === 'MANIFEST_INVALID');
      else assert.equal(parse().mediaType, expected);
    });
  }
});
