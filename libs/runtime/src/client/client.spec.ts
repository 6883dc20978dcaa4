import { describe, expect, it } from 'vitest';
import { KubeClient } from './client.ts';
import { isConflict } from './errors.ts';
import type { StreamResponse, Transport, TransportRequest, TransportResponse } from './transport.ts';

/** Records requests and answers discovery plus a canned response. */
class RecordingTransport implements Transport {
  readonly requests: TransportRequest[] = [];
  next: TransportResponse[] = [];

  async request(req: TransportRequest): Promise<TransportResponse> {
    this.requests.push(req);
    if (req.path === '/api/v1') {
      return json(200, {
        resources: [
          { name: 'configmaps', kind: 'ConfigMap', namespaced: true },
          { name: 'namespaces', kind: 'Namespace', namespaced: false },
        ],
      });
    }
    return this.next.shift() ?? json(200, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
  }

  async stream(): Promise<StreamResponse> {
    throw new Error('not used');
  }
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): TransportResponse => ({
  status,
  headers,
  body: JSON.stringify(body),
});
const cm = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'x', namespace: 'ns', managedFields: [{ manager: 'old' }] },
  data: { a: '1' },
};

describe('KubeClient request results', () => {
  it('reports each response code and method, and <error> when no response arrived', async () => {
    const tr = new RecordingTransport();
    const results: string[] = [];
    const c = new KubeClient(tr, { onRequestResult: (r) => results.push(`${r.method} ${r.code}`) });
    await c.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'ns', name: 'x' });
    tr.next.push(json(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
    await c.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'ns', name: 'y' }).catch(() => undefined);
    tr.request = () => Promise.reject(new Error('connection refused'));
    await c.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'ns', name: 'z' }).catch(() => undefined);
    expect(results).toEqual(['GET 200', 'GET 200', 'GET 404', 'GET <error>']);
  });
});

describe('KubeClient wire format', () => {
  it('sends server-side apply as an apply patch with fieldManager, force and dryRun, without managedFields', async () => {
    const tr = new RecordingTransport();
    const c = new KubeClient(tr, { userAgent: 'ua/1' });
    await c.apply(cm, { fieldManager: 'kustomize-controller', force: true, dryRun: true, fieldValidation: 'Strict' });
    const req = tr.requests.at(-1)!;
    expect(req.method).toBe('PATCH');
    expect(req.path).toBe('/api/v1/namespaces/ns/configmaps/x');
    expect(req.query).toMatchObject({
      fieldManager: 'kustomize-controller',
      force: true,
      dryRun: 'All',
      fieldValidation: 'Strict',
    });
    expect(req.headers).toMatchObject({
      'Content-Type': 'application/apply-patch+yaml',
      'User-Agent': 'ua/1',
      Accept: 'application/json',
    });
    expect(JSON.parse(req.body!)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', namespace: 'ns' },
      data: { a: '1' },
    });
    expect(cm.metadata.managedFields).toHaveLength(1); // the caller's object is untouched
  });

  it('addresses subresources and cluster-scoped kinds, and refuses a namespaced kind without namespace', async () => {
    const tr = new RecordingTransport();
    const c = new KubeClient(tr);
    await c.updateStatus(cm);
    expect(tr.requests.at(-1)).toMatchObject({ method: 'PUT', path: '/api/v1/namespaces/ns/configmaps/x/status' });
    await c.get({ apiVersion: 'v1', kind: 'Namespace' }, { name: 'flux-system', namespace: 'ignored' });
    expect(tr.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/v1/namespaces/flux-system' });
    await c.delete(
      { apiVersion: 'v1', kind: 'ConfigMap' },
      { namespace: 'ns', name: 'x' },
      { propagationPolicy: 'Foreground', preconditions: { uid: 'u1' } },
    );
    expect(JSON.parse(tr.requests.at(-1)!.body!)).toEqual({
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      propagationPolicy: 'Foreground',
      preconditions: { uid: 'u1' },
    });
    await expect(c.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { name: 'x' })).rejects.toThrow(
      'failed to get ConfigMap "x": namespace is required for a namespaced kind',
    );
    // discovery ran once for all of these
    expect(tr.requests.filter((r) => r.path === '/api/v1')).toHaveLength(1);
  });

  it('sends impersonation headers only from the derived client', async () => {
    const tr = new RecordingTransport();
    const c = new KubeClient(tr);
    const sa = c.impersonate('system:serviceaccount:apps:deployer', ['team-a', 'team-b']);
    await sa.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'ns', name: 'x' });
    expect(tr.requests.at(-1)!.headers).toMatchObject({
      'Impersonate-User': 'system:serviceaccount:apps:deployer',
      'Impersonate-Group': ['team-a', 'team-b'],
    });
    await c.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'ns', name: 'x' });
    expect(tr.requests.at(-1)!.headers).not.toHaveProperty('Impersonate-User');
  });

  it('turns a Status body into an ApiError and does not retry it', async () => {
    const tr = new RecordingTransport();
    const c = new KubeClient(tr);
    await c.resourceFor({ apiVersion: 'v1', kind: 'ConfigMap' });
    tr.next.push(
      json(409, {
        kind: 'Status',
        status: 'Failure',
        reason: 'Conflict',
        code: 409,
        message: 'Operation cannot be fulfilled on configmaps "x": the object has been modified',
      }),
    );
    const err = await c.update(cm).catch((e: unknown) => e);
    expect(isConflict(err)).toBe(true);
    expect((err as Error).message).toBe(
      'Operation cannot be fulfilled on configmaps "x": the object has been modified',
    );
    expect(tr.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
  });

  it('times a request out after requestTimeoutMs, and releases the caller signal when a request ends', async () => {
    const parent = new AbortController();
    const seen: AbortSignal[] = [];
    const hanging: Transport = {
      request: (req) =>
        req.path === '/api/v1'
          ? Promise.resolve(json(200, { resources: [{ name: 'configmaps', kind: 'ConfigMap', namespaced: true }] }))
          : new Promise((_, reject) => {
              seen.push(req.signal!);
              req.signal!.addEventListener('abort', () => reject(req.signal!.reason), { once: true });
            }),
      stream: () => Promise.reject(new Error('not used')),
    };
    const c = new KubeClient(hanging, { requestTimeoutMs: 50 });
    await expect(
      c.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'ns', name: 'x' }, { signal: parent.signal }),
    ).rejects.toThrow('failed to GET /api/v1/namespaces/ns/configmaps/x: request timed out after 50ms');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.aborted).toBe(true);
    // The caller's signal still works for the next request, and aborting it ends that request with its reason.
    const next = c.get(
      { apiVersion: 'v1', kind: 'ConfigMap' },
      { namespace: 'ns', name: 'y' },
      { signal: parent.signal },
    );
    await new Promise((r) => setTimeout(r, 5));
    parent.abort(new Error('stopped'));
    await expect(next).rejects.toThrow('stopped');
  });
});
