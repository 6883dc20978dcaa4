// A large chart repository index in the form `helm repo index` writes (go-yaml v2 through sigs.k8s.io/yaml: keys
// sorted, sequences not indented, strings quoted only where a plain scalar would read as something else), with
// entries shaped like Bitnami's (annotations, dependencies, maintainers, sources, keywords, a sha256 digest).
import { prng } from './measure.ts';

/** Options of {@link generateIndex}. */
export interface GenerateIndexOptions {
  charts: number;
  versions: number;
  seed?: number;
}

const WORDS = ['app', 'data', 'web', 'cache', 'queue', 'proxy', 'store', 'stream', 'search', 'metrics', 'auth'];

/** Generates the index text (deterministic for a seed); versions of each chart newest first, as helm writes them. */
export function generateIndex(opts: GenerateIndexOptions): string {
  const rnd = prng(opts.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('');
  const names = Array.from({ length: opts.charts }, (_, i) => `${pick(WORDS)}-${pick(WORDS)}-${i}`).sort();
  const out: string[] = ['apiVersion: v1\nentries:\n'];
  for (const name of names) {
    out.push(`  ${name}:\n`);
    const major = 1 + Math.floor(rnd() * 20);
    for (let v = opts.versions - 1; v >= 0; v--) {
      const version = `${major}.${Math.floor(v / 3)}.${v % 3}`;
      const app = `${1 + Math.floor(rnd() * 9)}.${Math.floor(rnd() * 30)}.${Math.floor(rnd() * 10)}`;
      const day = String(1 + (v % 28)).padStart(2, '0');
      out.push(
        '  - annotations:\n' +
          `      category: ${pick(['Database', 'Infrastructure', 'Analytics', 'DeveloperTools'])}\n` +
          `      images: |\n        - name: ${name}\n          image: docker.io/example/${name}:${app}-debian-12-r${v}\n` +
          '      licenses: Apache-2.0\n' +
          '    apiVersion: v2\n' +
          `    appVersion: ${app}\n` +
          `    created: "2026-11-${day}T10:${String(v % 60).padStart(2, '0')}:05.${hex(9).replace(/[a-f]/g, '7')}Z"\n` +
          '    dependencies:\n' +
          '    - name: common\n' +
          '      repository: oci://registry.example.com/charts\n' +
          '      tags:\n' +
          '      - example-common\n' +
          '      version: 2.x.x\n' +
          `    - condition: ${pick(WORDS)}.enabled\n` +
          `      name: ${pick(WORDS)}\n` +
          '      repository: oci://registry.example.com/charts\n' +
          `      version: ${1 + Math.floor(rnd() * 15)}.x.x\n` +
          `    description: ${name} is a ${pick(WORDS)} service that keeps ${pick(WORDS)} and ${pick(WORDS)} close to the ${pick(WORDS)}, packaged for Kubernetes.\n` +
          `    digest: ${hex(64)}\n` +
          `    home: https://example.com/charts/${name}\n` +
          `    icon: https://example.com/icons/${name}.svg\n` +
          '    keywords:\n' +
          `    - ${pick(WORDS)}\n    - ${pick(WORDS)}\n    - ${name}\n` +
          '    maintainers:\n' +
          '    - name: Example Inc.\n' +
          '      url: https://github.com/example/charts\n' +
          `    name: ${name}\n` +
          '    sources:\n' +
          `    - https://github.com/example/charts/tree/main/${name}\n` +
          `    urls:\n    - https://charts.example.com/${name}-${version}.tgz\n` +
          `    version: ${version}\n`,
      );
    }
  }
  out.push('generated: "2026-12-07T17:00:00.000000001Z"\n');
  return out.join('');
}
