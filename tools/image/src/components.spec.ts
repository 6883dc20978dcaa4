import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '@flux-ts/testbed';
import { APPS } from './bundle.ts';
import { gotkComponents } from './components.ts';
import { main } from './main.ts';

const workspace = join(import.meta.dirname, '..', '..', '..');
const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';
const tmp = mkdtempSync(join(tmpdir(), 'flux-ts-components-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const images = (yaml: string): string[] => [...yaml.matchAll(/^\s+image: (\S+)$/gm)].map((m) => m[1]!).sort();

/** The same overlay as a real directory, for `kubectl kustomize`. */
function overlay(base: string, registry: string, tag: string): string {
  const dir = join(tmp, base);
  mkdirSync(dir);
  const entries = APPS.map(
    (a) => `  - name: ghcr.io/flux-ts/${a}\n    newName: ${registry}/${a}\n    newTag: ${tag}\n`,
  );
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    `resources:\n  - ${relative(dir, join(workspace, 'deploy', base))}\nimages:\n${entries.join('')}`,
  );
  return dir;
}

describe('gotk-components.yaml', () => {
  it('is deploy/install with every image at <registry>/<controller>:<tag>, as kubectl kustomize builds it', async () => {
    const out: string[] = [];
    const code = await main(['components', '--registry=registry.example.com/flux/', '--tag=v9.9.9'], workspace, {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => out.push(s) },
    });
    expect(code).toBe(0);
    const yaml = out.join('');
    expect(images(yaml)).toEqual(
      APPS.filter((a) => a !== 'source-watcher')
        .map((a) => `registry.example.com/flux/${a}:v9.9.9`)
        .sort(),
    );
    expect(yaml).toBe(await run(KUBECTL, ['kustomize', overlay('install', 'registry.example.com/flux', 'v9.9.9')]));
  }, 30_000);

  it('adds source-watcher from deploy/install-extra with --components-extra', async () => {
    const yaml = await gotkComponents({ workspace, tag: 'v1.2.3', extra: ['source-watcher'] });
    expect(images(yaml)).toEqual(APPS.map((a) => `ghcr.io/flux-ts/${a}:v1.2.3`).sort());
    expect(yaml).toBe(await run(KUBECTL, ['kustomize', overlay('install-extra', 'ghcr.io/flux-ts', 'v1.2.3')]));
    await expect(gotkComponents({ workspace, extra: ['image-magic'] })).rejects.toThrow(
      "unknown extra component 'image-magic', expected one of: source-watcher",
    );
  }, 30_000);
});
