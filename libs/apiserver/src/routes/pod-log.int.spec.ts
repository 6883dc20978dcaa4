import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodLogOptions } from '../server/options.ts';
import { eventually, manifest, startCluster, type Cluster } from '../testing/harness.ts';

const PODS = `apiVersion: v1
kind: Pod
metadata: {name: app, namespace: default, labels: {app: demo}}
spec: {containers: [{name: main, image: "demo:1"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: two, namespace: default}
spec: {containers: [{name: a, image: "demo:1"}, {name: b, image: "demo:1"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: fresh, namespace: default}
spec: {containers: [{name: main, image: "demo:1"}]}
`;

/** `pods/log` through the real kubectl, served from an injected provider (libs/embedded's is the process runtime). */
describe('pods/log', () => {
  let c: Cluster;
  const asked: PodLogOptions[] = [];
  let live: PassThrough | undefined;

  beforeAll(async () => {
    c = await startCluster({
      podLogs: (ns, pod, opts) => {
        asked.push(opts);
        if (ns !== 'default' || pod === 'fresh') return undefined;
        if (opts.follow) return (live = new PassThrough());
        const lines = ['one', 'two', 'three'].map((l) => `${pod}/${opts.container} ${l}\n`);
        return Readable.from(opts.tailLines === undefined ? lines : lines.slice(-opts.tailLines));
      },
    });
    await c.ok(['apply', '-f', await manifest(c, 'pods.yaml', PODS)]);
  }, 30_000);
  afterAll(async () => {
    await c?.stop();
  }, 30_000);

  it('streams the provider’s log with the options kubectl sends', { timeout: 30_000 }, async () => {
    expect(await c.ok(['logs', 'app'])).toBe('app/main one\napp/main two\napp/main three\n');
    expect(await c.ok(['logs', 'app', '--tail=1'])).toBe('app/main three\n');
    expect(await c.ok(['logs', 'two', '-c', 'b', '--limit-bytes=5'])).toBe('two/b');
    expect(asked.at(-2)).toMatchObject({ container: 'main', tailLines: 1, follow: false, previous: false });
  });

  it('follows until the stream ends', { timeout: 30_000 }, async () => {
    const child = c.spawn(['logs', '-f', 'app']);
    let out = '';
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const stream = await eventually(() => live);
    if (!stream) throw new Error('kubectl logs -f made no follow request');
    stream.write('first\n');
    await eventually(() => out.includes('first\n'));
    stream.end('last\n');
    expect(await exited).toBe(0);
    expect(out).toBe('first\nlast\n');
  });

  it('answers as kube-apiserver when there is no log to give', { timeout: 30_000 }, async () => {
    const missing = await c.kubectl(['logs', 'nope']);
    expect(missing.stderr).toContain('pods "nope" not found');
    const waiting = await c.kubectl(['logs', 'fresh']);
    expect(waiting.stderr).toContain('container "main" in pod "fresh" is waiting to start: ContainerCreating');
    const previous = await c.kubectl(['logs', 'fresh', '--previous']);
    expect(previous.stderr).toContain('previous terminated container "main" in pod "fresh" not found');
    const wrong = await c.kubectl(['logs', 'app', '-c', 'other']);
    expect(wrong.stderr).toContain('container other is not valid for pod app');
    expect([missing.code, waiting.code, previous.code, wrong.code]).toEqual([1, 1, 1, 1]);
  });
});
