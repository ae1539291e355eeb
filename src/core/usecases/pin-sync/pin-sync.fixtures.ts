// Reports as platforms print them, shared by the pin-sync tests: a kubectl pod list with every container kind.

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const D3 = `sha256:${'3'.repeat(64)}`;
const R = '127.0.0.1:5000';

/** A pod as `kubectl get pods -A -o json` prints it, trimmed to the fields pin sync reads (plus a few it must skip). */
export function kubectlPod(name: string, spec: Record<string, unknown>, status: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'prod', uid: `uid-${name}`, labels: { app: name } },
    spec: { nodeName: 'node-1', restartPolicy: 'Always', ...spec },
    status: { phase: 'Running', hostIP: '10.0.0.1', podIP: '10.1.0.5', ...status },
  };
}

export const KUBECTL_LIST = {
  apiVersion: 'v1',
  kind: 'List',
  metadata: { resourceVersion: '' },
  items: [
    kubectlPod(
      'web',
      {
        initContainers: [{ name: 'migrate', image: `${R}/team/migrate:v3`, imagePullPolicy: 'IfNotPresent' }],
        containers: [
          { name: 'app', image: `${R}/team/app:v1`, ports: [{ containerPort: 8080 }] },
          { name: 'proxy', image: 'docker.io/library/nginx:1.27' },
        ],
        ephemeralContainers: [{ name: 'debugger', image: `${R}/tools/debug@${D3}` }],
      },
      {
        initContainerStatuses: [
          {
            name: 'migrate',
            image: `${R}/team/migrate:v3`,
            imageID: `docker-pullable://${R}/team/migrate@${D2}`,
            ready: false,
            state: { terminated: { exitCode: 0 } },
          },
        ],
        containerStatuses: [
          { name: 'app', image: `${R}/team/app:v1`, imageID: `${R}/team/app@${D1}`, ready: true, restartCount: 0, state: { running: {} } },
          { name: 'proxy', image: 'docker.io/library/nginx:1.27', imageID: `docker.io/library/nginx@${D3}`, ready: true, state: { running: {} } },
        ],
        ephemeralContainerStatuses: [{ name: 'debugger', image: `${R}/tools/debug@${D3}`, imageID: '', state: { waiting: { reason: 'ContainerCreating' } } }],
      },
    ),
    kubectlPod('pending', { containers: [{ name: 'worker', image: `${R}/team/worker:v2` }] }, { phase: 'Pending' }),
  ],
};
