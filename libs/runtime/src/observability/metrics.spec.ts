import { describe, it, expect } from 'vitest';
import { Metrics, exponentialBucketsRange, reconcileDurationBuckets, workqueueBuckets } from './metrics.ts';

describe('exponentialBucketsRange', () => {
  it('computes Flux reconcile duration buckets like Go ExponentialBucketsRange(0.01, 1800, 10)', () => {
    // growth factor = (1800/0.01)^(1/9) = 180000^(1/9)
    const expected = [
      0.01, 0.0383635834886925, 0.147176453809388, 0.564621617328617, 2.1660908555907, 8.30990073825473,
      31.8797570754783, 122.302172216435, 469.194959467365, 1800,
    ];
    expect(reconcileDurationBuckets).toHaveLength(10);
    reconcileDurationBuckets.forEach((b, i) => expect(b).toBeCloseTo(expected[i]!, 9));
    expect(reconcileDurationBuckets[0]).toBe(0.01);
    for (let i = 1; i < 10; i++) {
      expect(reconcileDurationBuckets[i]! / reconcileDurationBuckets[i - 1]!).toBeCloseTo(Math.pow(180000, 1 / 9), 12);
    }
  });

  it('rejects invalid arguments', () => {
    expect(() => exponentialBucketsRange(0, 10, 3)).toThrow(/minimum bucket/);
    expect(() => exponentialBucketsRange(1, 10, 0)).toThrow(/bucket count/);
    expect(() => exponentialBucketsRange(10, 1, 3)).toThrow(/below min/);
  });

  it('computes client-go workqueue buckets 1e-8 … 1e3', () => {
    expect(workqueueBuckets).toHaveLength(12);
    expect(workqueueBuckets[0]).toBeCloseTo(1e-8, 20);
    expect(workqueueBuckets[11]).toBeCloseTo(1000, 6);
  });
});

describe('Metrics', () => {
  it('exposes gotk_reconcile_duration_seconds with Flux buckets and labels on a private registry', async () => {
    const m = new Metrics();
    m.recordDuration('GitRepository', { namespace: 'flux-system', name: 'podinfo' }, 0.2);
    const text = await m.text();
    expect(text).toContain('# TYPE gotk_reconcile_duration_seconds histogram');
    expect(text).toMatch(
      /gotk_reconcile_duration_seconds_bucket\{le="0\.01",kind="GitRepository",name="podinfo",namespace="flux-system"\} 0/,
    );
    expect(text).toMatch(
      /gotk_reconcile_duration_seconds_bucket\{le="0\.5646216173286\d*",kind="GitRepository",name="podinfo",namespace="flux-system"\} 1/,
    );
    expect(text).toMatch(
      /gotk_reconcile_duration_seconds_count\{kind="GitRepository",name="podinfo",namespace="flux-system"\} 1/,
    );
    const other = new Metrics();
    expect(await other.text()).not.toContain('podinfo');
  });

  it('removes an object series', async () => {
    const m = new Metrics();
    m.recordDuration('Bucket', { namespace: 'a', name: 'b' }, 1);
    m.deleteObject('Bucket', { namespace: 'a', name: 'b' });
    expect(await m.text()).not.toContain('name="b"');
  });

  it('feeds the workqueue series from queue hooks', async () => {
    const m = new Metrics();
    const q = m.queueMetrics('gitrepository');
    q.add();
    q.add();
    q.depth(2);
    q.retry();
    q.queued(0.5);
    q.worked(1.5);
    const text = await m.text();
    expect(text).toContain('workqueue_adds_total{name="gitrepository",controller="gitrepository"} 2');
    expect(text).toContain('workqueue_depth{name="gitrepository",controller="gitrepository"} 2');
    expect(text).toContain('workqueue_retries_total{name="gitrepository",controller="gitrepository"} 1');
    expect(text).toContain('workqueue_queue_duration_seconds_count{name="gitrepository",controller="gitrepository"} 1');
    expect(text).toContain('workqueue_work_duration_seconds_sum{name="gitrepository",controller="gitrepository"} 1.5');
    q.bindInProgress!(() => ({ unfinishedSeconds: 7, longestSeconds: 4 }));
    const later = await m.text();
    expect(later).toContain('workqueue_unfinished_work_seconds{name="gitrepository",controller="gitrepository"} 7');
    expect(later).toContain(
      'workqueue_longest_running_processor_seconds{name="gitrepository",controller="gitrepository"} 4',
    );
    for (const name of [
      'controller_runtime_reconcile_total',
      'controller_runtime_reconcile_errors_total',
      'controller_runtime_reconcile_time_seconds',
      'controller_runtime_active_workers',
      'controller_runtime_max_concurrent_reconciles',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('zeroes a controller’s reconcile series at registration, as controller-runtime does', async () => {
    const m = new Metrics();
    m.initController('kustomization');
    const text = await m.text();
    expect(text).toContain('controller_runtime_reconcile_errors_total{controller="kustomization"} 0');
    expect(text).toContain('controller_runtime_reconcile_panics_total{controller="kustomization"} 0');
    expect(text).toContain('controller_runtime_terminal_reconcile_errors_total{controller="kustomization"} 0');
    for (const result of ['success', 'error', 'requeue', 'requeue_after'])
      expect(text).toContain(`controller_runtime_reconcile_total{controller="kustomization",result="${result}"} 0`);
  });

  it('exports the process, Node.js and Go-compatible series with processMetrics', async () => {
    const text = await new Metrics({ processMetrics: true }).text();
    for (const series of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes'])
      expect(text).toMatch(new RegExp(`^${series} `, 'm'));
    expect(text).toMatch(/^go_info\{version="node\d+\.\d+\.\d+"\} 1$/m);
    expect(text).toMatch(/^go_memstats_alloc_bytes [1-9]\d*$/m);
    expect(await new Metrics().text()).not.toContain('process_cpu_seconds_total');
  });
});
