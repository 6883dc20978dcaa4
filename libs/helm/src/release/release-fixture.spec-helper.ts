// Releases used by the storage tests (a chart built by our loader, values of our model).
import { JsonNumber, GoInt } from '../template/values.ts';
import type { Release } from './storage.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** Two revisions of one release, the way helm stores them. */
export function sampleReleases(): Release[] {
  const chart = {
    metadata: { name: 'demo', version: '0.1.0', appVersion: '1.0', apiVersion: 'v2', type: 'application' },
    lock: null,
    templates: [{ name: 'templates/cm.yaml', data: b64('kind: ConfigMap\n') }],
    values: { replicas: new JsonNumber('2'), image: { tag: 'v1' } },
    schema: null,
    files: [{ name: 'README.md', data: b64('# demo <&>\n') }],
  };
  const base = (version: number, status: 'superseded' | 'deployed', manifest: string): Release => ({
    name: 'demo',
    info: {
      first_deployed: '2024-05-01T10:00:00Z',
      last_deployed: `2024-05-0${version}T10:00:00Z`,
      deleted: '',
      description: version === 1 ? 'Install complete' : 'Upgrade complete',
      status,
      notes: 'thanks for installing <demo>',
    },
    chart,
    config: { replicas: new GoInt('int64', BigInt(version + 2)), extra: { k: 'v' } },
    manifest,
    hooks: [
      {
        name: 'demo-hook',
        kind: 'Job',
        path: 'demo/templates/hook.yaml',
        manifest: 'kind: Job\n',
        events: ['pre-install', 'pre-upgrade'],
        last_run: { started_at: '', completed_at: '', phase: '' },
        weight: 5,
        delete_policies: ['hook-succeeded'],
      },
    ],
    version,
    namespace: 'apps',
    labels: { team: 'a' },
  });
  return [
    base(1, 'superseded', '---\n# Source: demo/templates/cm.yaml\nkind: ConfigMap\nmetadata:\n  name: v1\n'),
    base(2, 'deployed', '---\n# Source: demo/templates/cm.yaml\nkind: ConfigMap\nmetadata:\n  name: v2\n'),
  ];
}
