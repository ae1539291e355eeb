// The reports pin sync reads, as kubectl and podman really print them: every container kind, waiting containers,
// runtime prefixes, and plain lists with comments.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePinSetDocument } from './documents.ts';
import { KUBECTL_LIST, kubectlPod } from './pin-sync.fixtures.ts';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const D3 = `sha256:${'3'.repeat(64)}`;
const R = '127.0.0.1:5000';

describe('parsePinSetDocument', () => {
  it('reads every container kind of a kubectl pod list, the status imageID first', () => {
    const doc = parsePinSetDocument(JSON.stringify(KUBECTL_LIST, null, 2));
    assert.equal(doc.format, 'kubectl');
    assert.deepEqual(
      doc.containers.map((c) => c.candidates),
      [
        [`${R}/team/app@${D1}`, `${R}/team/app:v1`, `${R}/team/app:v1`],
        [`docker.io/library/nginx@${D3}`, 'docker.io/library/nginx:1.27', 'docker.io/library/nginx:1.27'],
        [`docker-pullable://${R}/team/migrate@${D2}`, `${R}/team/migrate:v3`, `${R}/team/migrate:v3`],
        [`${R}/tools/debug@${D3}`, `${R}/tools/debug@${D3}`],
        [`${R}/team/worker:v2`],
      ],
      'an empty imageID (waiting) and a missing status (pending) leave the spec image',
    );
  });

  it('reads a single Pod, and a status without a spec entry', () => {
    const pod = kubectlPod('solo', {}, { containerStatuses: [{ name: 'x', image: `${R}/a:v1`, imageID: `${R}/a@${D1}` }] });
    assert.deepEqual(parsePinSetDocument(JSON.stringify(pod)).containers, [{ candidates: [`${R}/a@${D1}`, `${R}/a:v1`] }]);
    assert.deepEqual(parsePinSetDocument('{"kind":"List","items":[]}'), { format: 'kubectl', containers: [] });
  });

  it('reads podman ps --format json by Image (its ImageID is a local id, not a registry digest)', () => {
    // The shape podman 4.3.1 printed on this machine for `podman ps -a --format json`, one container.
    const ps = [
      {
        AutoRemove: false,
        Command: ['/nothing'],
        Id: 'e8533923950a685bf6d00c984d181c6484f87b5e606b4710dc0009ffcc2bb5a8',
        Image: `${R}/team/app:v1`,
        ImageID: '7ee6e3012d5df616ae2af035a94f4dacbbc77deec013219db463741e9fc5c778',
        Names: ['probe'],
        State: 'running',
      },
      { Id: 'no-image' },
    ];
    assert.deepEqual(parsePinSetDocument(JSON.stringify(ps)), { format: 'podman', containers: [{ candidates: [`${R}/team/app:v1`] }, { candidates: [] }] });
    assert.deepEqual(parsePinSetDocument('[]'), { format: 'podman', containers: [] });
    assert.deepEqual(parsePinSetDocument(`["${R}/a:v1"]`).containers, [{ candidates: [`${R}/a:v1`] }]);
  });

  it('reads a plain list: one reference a line, blank lines and # comments skipped, CRLF too', () => {
    const text = `# prod images\r\n${R}/team/app:v1\r\n\r\n  ${R}/team/app@${D1}   # pinned by digest\n#${R}/commented:v1\n`;
    assert.deepEqual(parsePinSetDocument(text), {
      format: 'list',
      containers: [{ candidates: [`${R}/team/app:v1`] }, { candidates: [`${R}/team/app@${D1}`] }],
    });
    assert.deepEqual(parsePinSetDocument('# nothing runs\n'), { format: 'list', containers: [] });
  });

  it('refuses an empty report, broken JSON and an object that is not a pod list', () => {
    for (const bad of ['', '  \n', '{"items": [', '{"kind":"Deployment"}', '[1,']) {
      assert.throws(() => parsePinSetDocument(bad), { code: 'INVALID_REQUEST' }, JSON.stringify(bad));
    }
  });
});
