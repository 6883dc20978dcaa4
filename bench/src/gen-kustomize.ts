// Generates the three inputs of `bench kustomize` into a directory: a small overlay, 500 Deployments with patches and
// generators, and a 4,000-resource input. Each returns the directory to build.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function write(dir: string, file: string, text: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), text);
}

function deployment(name: string, opts: { image: string; labels: Record<string, string>; env?: string; sa?: string }) {
  const labels = Object.entries(opts.labels)
    .map(([k, v]) => `    ${k}: ${v}`)
    .join('\n');
  const podLabels = labels.replace(/^ {4}/gm, '        ');
  const selLabels = labels.replace(/^ {4}/gm, '      ');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
${labels}
spec:
  replicas: 1
  selector:
    matchLabels:
${selLabels}
  template:
    metadata:
      labels:
${podLabels}
    spec:
${opts.sa ? `      serviceAccountName: ${opts.sa}\n` : ''}      containers:
      - name: main
        image: ${opts.image}
        ports:
        - containerPort: 8080
          name: http
${opts.env ? `        envFrom:\n        - configMapRef:\n            name: ${opts.env}\n` : ''}        resources:
          requests:
            cpu: 100m
            memory: 64Mi
`;
}

function service(name: string, app: string): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app: ${app}
  ports:
  - name: http
    port: 80
    targetPort: http
`;
}

/** base + overlay with namePrefix, labels, images, a configMapGenerator and a strategic-merge patch. */
export function smallOverlay(root: string): string {
  const base = join(root, 'small', 'base');
  const overlay = join(root, 'small', 'overlay');
  write(base, 'kustomization.yaml', 'resources:\n- deployment.yaml\n- service.yaml\n');
  write(base, 'deployment.yaml', deployment('app', { image: 'nginx:1.25', labels: { app: 'web' }, env: 'app-config' }));
  write(base, 'service.yaml', service('app', 'web'));
  write(
    overlay,
    'kustomization.yaml',
    `resources:
- ../base
namePrefix: prod-
labels:
- pairs:
    env: prod
  includeSelectors: true
images:
- name: nginx
  newName: registry.example.com/nginx
  newTag: "1.27"
configMapGenerator:
- name: app-config
  literals:
  - LOG_LEVEL=info
  - FEATURE_X=true
patches:
- path: replicas.yaml
`,
  );
  write(
    overlay,
    'replicas.yaml',
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: main
        resources:
          limits:
            memory: 128Mi
`,
  );
  return overlay;
}

/**
 * `deployments` Deployments (in files of 50) with one generated ConfigMap per 10 of them, images rewritten, a
 * label-selected patch over a third of them and a per-name strategic-merge patch for every 25th.
 */
export function manyDeployments(root: string, deployments = 500): string {
  const base = join(root, 'deployments', 'base');
  const overlay = join(root, 'deployments', 'overlay');
  const files: string[] = [];
  for (let f = 0; f * 50 < deployments; f++) {
    const docs: string[] = [];
    for (let i = f * 50; i < Math.min(deployments, (f + 1) * 50); i++) {
      const tier = i % 3 === 0 ? 'web' : 'worker';
      docs.push(
        deployment(`dep-${i}`, {
          image: `example.com/app-${i % 20}:v1`,
          labels: { app: `dep-${i}`, tier },
          env: `cfg-${Math.floor(i / 10)}`,
        }),
      );
    }
    files.push(`deployments-${f}.yaml`);
    write(base, `deployments-${f}.yaml`, docs.join('---\n'));
  }
  write(base, 'kustomization.yaml', `resources:\n${files.map((f) => `- ${f}\n`).join('')}`);
  const generators: string[] = [];
  for (let g = 0; g * 10 < deployments; g++)
    generators.push(
      `- name: cfg-${g}\n  literals:\n  - GROUP=${g}\n  - LOG_LEVEL=debug\n  - REGION=eu-west-${g % 3}\n`,
    );
  const images: string[] = [];
  for (let m = 0; m < Math.min(20, deployments); m++)
    images.push(`- name: example.com/app-${m}\n  newName: registry.example.com/app-${m}\n  newTag: v2.${m}\n`);
  const patches: string[] = [
    `- target:\n    kind: Deployment\n    labelSelector: tier=web\n  patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: any\n      annotations:\n        tier.example.com/web: "true"\n    spec:\n      replicas: 2\n`,
  ];
  for (let i = 0; i < deployments; i += 25) {
    write(
      overlay,
      `patch-${i}.yaml`,
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: dep-${i}\nspec:\n  template:\n    spec:\n      containers:\n      - name: main\n        resources:\n          limits:\n            memory: 256Mi\n`,
    );
    patches.push(`- path: patch-${i}.yaml\n`);
  }
  write(
    overlay,
    'kustomization.yaml',
    `resources:
- ../base
namespace: apps
labels:
- pairs:
    team: platform
generatorOptions:
  labels:
    generated: "yes"
configMapGenerator:
${generators.join('')}images:
${images.join('')}patches:
${patches.join('')}`,
  );
  return overlay;
}

/**
 * `resources` resources (a quarter each of Deployments, Services, ConfigMaps and ServiceAccounts, in files of 100)
 * under namespace, namePrefix, commonLabels and commonAnnotations; Deployments reference their ConfigMap and
 * ServiceAccount by name, so every name is rewritten.
 */
export function manyResources(root: string, resources = 4000): string {
  const dir = join(root, 'resources');
  const quarter = Math.max(1, Math.floor(resources / 4));
  const docs: string[] = [];
  for (let i = 0; i < quarter; i++) {
    docs.push(
      deployment(`svc-${i}`, {
        image: `example.com/svc-${i % 50}:1.0.${i % 7}`,
        labels: { app: `svc-${i}` },
        env: `svc-${i}-config`,
        sa: `svc-${i}`,
      }),
    );
    docs.push(service(`svc-${i}`, `svc-${i}`));
    docs.push(
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: svc-${i}-config\ndata:\n  index: "${i}"\n  owner: team-${i % 9}\n  url: https://svc-${i}.example.com:8443/api\n`,
    );
    docs.push(`apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: svc-${i}\n`);
  }
  const files: string[] = [];
  for (let f = 0; f * 100 < docs.length; f++) {
    files.push(`resources-${f}.yaml`);
    write(dir, `resources-${f}.yaml`, docs.slice(f * 100, (f + 1) * 100).join('---\n'));
  }
  write(
    dir,
    'kustomization.yaml',
    `namespace: fleet
namePrefix: fleet-
commonLabels:
  owner: fleet
commonAnnotations:
  fleet.example.com/managed: "true"
resources:
${files.map((f) => `- ${f}\n`).join('')}`,
  );
  return dir;
}
