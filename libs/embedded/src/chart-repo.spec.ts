import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadArchive, loadIndex } from '@flux-ts/helm';
import { DEMO_CHART_FILES, ensureDemoChartRepo, startChartServer, writeChartRepo } from './chart-repo.ts';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'embedded-charts-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the local chart repository', () => {
  it('packages each version and indexes them, newest first, with relative URLs', async () => {
    const dir = tmp();
    await writeChartRepo(dir, [{ files: DEMO_CHART_FILES, versions: ['0.1.0', '0.2.0'] }], {
      now: new Date('2026-01-01T00:00:00Z'),
    });
    expect(readdirSync(dir).sort()).toEqual(['hello-0.1.0.tgz', 'hello-0.2.0.tgz', 'index.yaml']);
    const index = loadIndex(readFileSync(join(dir, 'index.yaml')));
    const versions = index.entries['hello'] ?? [];
    expect(versions.map((v) => [v.version, v.urls])).toEqual([
      ['0.2.0', ['hello-0.2.0.tgz']],
      ['0.1.0', ['hello-0.1.0.tgz']],
    ]);
  });

  it('writes the demo repository once, the same bytes every time', async () => {
    const a = tmp();
    const b = tmp();
    await ensureDemoChartRepo(a);
    await ensureDemoChartRepo(b);
    expect(readFileSync(join(a, 'index.yaml'))).toEqual(readFileSync(join(b, 'index.yaml')));
    expect(readFileSync(join(a, 'hello-0.1.0.tgz'))).toEqual(readFileSync(join(b, 'hello-0.1.0.tgz')));
  });

  it('serves the index and the archives over HTTP, and 404 for anything else', async () => {
    const dir = tmp();
    await ensureDemoChartRepo(dir);
    const server = await startChartServer({ dir });
    try {
      const index = await fetch(`${server.url}/index.yaml`);
      expect(index.status).toBe(200);
      expect(await index.text()).toBe(readFileSync(join(dir, 'index.yaml'), 'utf8'));
      const tgz = await fetch(`${server.url}/hello-0.1.0.tgz`);
      expect(tgz.status).toBe(200);
      const chart = loadArchive(Buffer.from(await tgz.arrayBuffer()));
      expect(chart.metadata.name).toBe('hello');
      expect(chart.templates.map((t) => t.name).sort()).toEqual([
        'templates/deployment.yaml',
        'templates/service.yaml',
      ]);
      expect(chart.values['message']).toBe('hello from a Helm chart');
      expect((await fetch(`${server.url}/nope.tgz`)).status).toBe(404);
      expect((await fetch(`${server.url}/`)).status).toBe(403); // no directory listing
    } finally {
      await server.close();
    }
  });
});
