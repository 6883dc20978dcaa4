import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run } from '@flux-ts/testbed';

/** The demo application: a base and a dev overlay, in the layout of Flux's getting-started guide. */
export const DEMO_FILES: Readonly<Record<string, string>> = {
  'README.md':
    '# flux-ts demo\n\nEdit a file under apps/demo, then `git commit -am "…" && git pull --rebase && git push`\n' +
    '(with the demo image registry, fluxbot — the demo ImageUpdateAutomation — commits image updates to main too).\n',
  'apps/demo/base/kustomization.yaml': [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    '  - deployment.yaml',
    '  - service.yaml',
    'labels:',
    '  - pairs:',
    '      app.kubernetes.io/name: demo',
    '    includeSelectors: true',
    '',
  ].join('\n'),
  'apps/demo/base/deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: demo',
    'spec:',
    '  replicas: 1',
    '  selector:',
    '    matchLabels:',
    '      app: demo',
    '  template:',
    '    metadata:',
    '      labels:',
    '        app: demo',
    '    spec:',
    '      containers:',
    '        - name: podinfo',
    '          image: ghcr.io/stefanprodan/podinfo:6.7.0',
    '          ports:',
    '            - name: http',
    '              containerPort: 9898',
    '          envFrom:',
    '            - configMapRef:',
    '                name: demo-config',
    '',
  ].join('\n'),
  'apps/demo/base/service.yaml': [
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    '  name: demo',
    'spec:',
    '  selector:',
    '    app: demo',
    '  ports:',
    '    - name: http',
    '      port: 80',
    '      targetPort: http',
    '',
  ].join('\n'),
  'apps/demo/overlays/dev/kustomization.yaml': [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    '  - ../../base',
    'replicas:',
    '  - name: demo',
    '    count: 2',
    'configMapGenerator:',
    '  - name: demo-config',
    '    literals:',
    '      - PODINFO_UI_MESSAGE=hello from flux-ts',
    '',
  ].join('\n'),
};

/** The image update marker of the demo Deployment: the demo ImagePolicy `flux-system/demo` sets the whole image. */
export const DEMO_IMAGE_POLICY_MARKER = '# {"$imagepolicy": "flux-system:demo"}';

/**
 * The demo files; with the demo registry's image (`<host>/demo/podinfo:<tag>`), the Deployment runs it and carries
 * the {@link DEMO_IMAGE_POLICY_MARKER}, so that the demo ImageUpdateAutomation commits each newer tag.
 */
export function demoFiles(image?: string): Record<string, string> {
  const files = { ...DEMO_FILES };
  if (image) {
    const path = 'apps/demo/base/deployment.yaml';
    files[path] = files[path]!.replace(
      'image: ghcr.io/stefanprodan/podinfo:6.7.0',
      `image: ${image} ${DEMO_IMAGE_POLICY_MARKER}`,
    );
  }
  return files;
}

/** Where the demo repository lives under the state directory. */
export interface DemoRepo {
  /** The bare repository the git server serves (`<state>/git/demo.git`). */
  bare: string;
  /** A working clone for the user to edit and push (`<state>/demo`). */
  workTree: string;
  /** True when this call created it (first start). */
  created: boolean;
}

const IDENTITY = ['-c', 'user.name=flux-ts', '-c', 'user.email=demo@flux-ts.local'];

/** Git without the user's global or system configuration, so the demo repository is the same everywhere. */
function gitEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'], GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', HOME: '/nonexistent' };
}

/**
 * Creates the demo repository on first start: a bare repository that accepts pushes over smart HTTP, and a
 * working clone with the demo app ({@link demoFiles} of `image`) committed and pushed. A later start finds both and
 * leaves them alone.
 */
export async function ensureDemoRepo(stateDir: string, image?: string): Promise<DemoRepo> {
  const bare = join(stateDir, 'git', 'demo.git');
  const workTree = join(stateDir, 'demo');
  if (existsSync(bare) && existsSync(join(workTree, '.git'))) return { bare, workTree, created: false };
  const env = gitEnv();
  mkdirSync(dirname(bare), { recursive: true });
  if (!existsSync(bare)) {
    await run('git', ['init', '-q', '--bare', '-b', 'main', bare], { env });
    await run('git', ['-C', bare, 'config', 'http.receivepack', 'true'], { env });
  }
  await run('git', ['init', '-q', '-b', 'main', workTree], { env });
  for (const [path, content] of Object.entries(demoFiles(image))) {
    mkdirSync(dirname(join(workTree, path)), { recursive: true });
    writeFileSync(join(workTree, path), content);
  }
  const git = (...args: string[]): Promise<string> => run('git', ['-C', workTree, ...args], { env });
  // The clone keeps a local identity so that `git commit` works there for a user without a global one.
  await git('config', 'user.name', 'flux-ts');
  await git('config', 'user.email', 'demo@flux-ts.local');
  await git('add', '-A');
  await git(...IDENTITY, 'commit', '-q', '-m', 'demo app: base and dev overlay');
  await git('remote', 'add', 'origin', bare);
  // -u: `main` tracks `origin/main`, so a plain `git push` in the clone works.
  await git('push', '-q', '-u', 'origin', 'main');
  return { bare, workTree, created: true };
}

/** Sets the clone's push URL to the git server, so `git push` there goes through smart HTTP like a real remote. */
export async function pointDemoAtServer(repo: DemoRepo, gitUrl: string): Promise<void> {
  await run('git', ['-C', repo.workTree, 'remote', 'set-url', 'origin', `${gitUrl}/demo.git`], { env: gitEnv() });
}
