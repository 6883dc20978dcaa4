// A HelmKubeClient over plain HTTPS for the tests (the kube-apiserver REST API of libs/apiserver): discovery for
// the REST mapping, then GET/POST/PUT/PATCH/DELETE; Status errors thrown with their code and reason.
import { request } from 'node:https';
import type { DeletionPropagation, HelmKubeClient, KubeObject, ListOptions, ObjectRef } from './kube.ts';

/** An API error: the Status' code, reason and message. */
export class KubeHttpError extends Error {
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

interface Mapping {
  plural: string;
  namespaced: boolean;
}

/** Counts of the requests made, by method. */
export type RequestCounts = Record<string, number>;

/** The client: base URL, CA and bearer token of the server. */
export class HttpKubeClient implements HelmKubeClient {
  private readonly mappings = new Map<string, Map<string, Mapping>>();
  readonly counts: RequestCounts = {};
  private readonly url: string;
  private readonly ca: string;
  private readonly token: string;
  /** The field manager of server-side applies (helm's default is its binary's name). */
  readonly fieldManager: string;
  constructor(url: string, ca: string, token: string, fieldManager = 'helm') {
    this.url = url;
    this.ca = ca;
    this.token = token;
    this.fieldManager = fieldManager;
  }

  private async call(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
    signal?: AbortSignal,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    this.counts[method] = (this.counts[method] ?? 0) + 1;
    const u = new URL(path, this.url);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          method,
          hostname: u.hostname,
          port: u.port,
          path: `${u.pathname}${u.search}`,
          ca: this.ca,
          headers: {
            Authorization: `Bearer ${this.token}`,
            Accept: 'application/json',
            ...(payload !== undefined
              ? { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(payload)) }
              : {}),
          },
          ...(signal ? { signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: Record<string, unknown> = {};
            try {
              json = JSON.parse(text) as Record<string, unknown>;
            } catch {
              json = { message: text };
            }
            resolve({ status: res.statusCode ?? 0, json });
          });
        },
      );
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  private fail(r: { status: number; json: Record<string, unknown> }): never {
    throw new KubeHttpError(r.status, String(r.json['reason'] ?? ''), String(r.json['message'] ?? `HTTP ${r.status}`));
  }

  private async mapping(apiVersion: string, kind: string, signal?: AbortSignal): Promise<Mapping> {
    let m = this.mappings.get(apiVersion);
    if (m === undefined || !m.has(kind)) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      const r = await this.call('GET', path, undefined, undefined, signal);
      if (r.status !== 200) this.fail(r);
      m = new Map();
      for (const res of (r.json['resources'] ?? []) as { name: string; kind: string; namespaced: boolean }[]) {
        if (!res.name.includes('/')) m.set(res.kind, { plural: res.name, namespaced: res.namespaced });
      }
      this.mappings.set(apiVersion, m);
    }
    const x = m.get(kind);
    if (x === undefined) throw new Error(`no matches for kind "${kind}" in version "${apiVersion}"`);
    return x;
  }

  private async path(
    apiVersion: string,
    kind: string,
    namespace: string,
    name?: string,
    signal?: AbortSignal,
  ): Promise<string> {
    const m = await this.mapping(apiVersion, kind, signal);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = m.namespaced && namespace !== '' ? `/namespaces/${namespace}` : '';
    return `${base}${ns}/${m.plural}${name === undefined ? '' : `/${name}`}`;
  }

  /** Helm sends its field manager with every write. */
  private managerQuery(): string {
    return `?fieldManager=${encodeURIComponent(this.fieldManager)}`;
  }

  async isNamespaced(apiVersion: string, kind: string, signal?: AbortSignal): Promise<boolean> {
    return (await this.mapping(apiVersion, kind, signal)).namespaced;
  }

  async get(ref: ObjectRef, signal?: AbortSignal): Promise<KubeObject | undefined> {
    const r = await this.call(
      'GET',
      await this.path(ref.apiVersion, ref.kind, ref.namespace, ref.name, signal),
      undefined,
      undefined,
      signal,
    );
    if (r.status === 404) return undefined;
    if (r.status !== 200) this.fail(r);
    return r.json as unknown as KubeObject;
  }

  async create(obj: KubeObject, signal?: AbortSignal): Promise<KubeObject> {
    const p = await this.path(obj.apiVersion, obj.kind, obj.metadata.namespace ?? '', undefined, signal);
    const r = await this.call('POST', `${p}${this.managerQuery()}`, obj, undefined, signal);
    if (r.status !== 201 && r.status !== 200) this.fail(r);
    return r.json as unknown as KubeObject;
  }

  async replace(obj: KubeObject, signal?: AbortSignal): Promise<KubeObject> {
    const ref = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      namespace: obj.metadata.namespace ?? '',
      name: obj.metadata.name,
    };
    let o = obj;
    if (o.metadata.resourceVersion === undefined) {
      const live = await this.get(ref, signal);
      if (live?.metadata.resourceVersion !== undefined)
        o = { ...o, metadata: { ...o.metadata, resourceVersion: live.metadata.resourceVersion } };
    }
    const r = await this.call(
      'PUT',
      `${await this.path(ref.apiVersion, ref.kind, ref.namespace, ref.name, signal)}${this.managerQuery()}`,
      o,
      undefined,
      signal,
    );
    if (r.status !== 200 && r.status !== 201) this.fail(r);
    return r.json as unknown as KubeObject;
  }

  async patch(ref: ObjectRef, patch: Record<string, unknown>, signal?: AbortSignal): Promise<KubeObject> {
    const p = await this.path(ref.apiVersion, ref.kind, ref.namespace, ref.name, signal);
    const r = await this.call('PATCH', `${p}${this.managerQuery()}`, patch, 'application/merge-patch+json', signal);
    if (r.status !== 200) this.fail(r);
    return r.json as unknown as KubeObject;
  }

  async apply(obj: KubeObject, opts: { force: boolean }, signal?: AbortSignal): Promise<KubeObject> {
    const p = await this.path(obj.apiVersion, obj.kind, obj.metadata.namespace ?? '', obj.metadata.name, signal);
    const q = `${this.managerQuery()}&fieldValidation=Strict${opts.force ? '&force=true' : ''}`;
    const r = await this.call('PATCH', `${p}${q}`, obj, 'application/apply-patch+yaml', signal);
    if (r.status !== 200 && r.status !== 201) this.fail(r);
    return r.json as unknown as KubeObject;
  }

  async delete(ref: ObjectRef, propagation: DeletionPropagation, signal?: AbortSignal): Promise<boolean> {
    const p = await this.path(ref.apiVersion, ref.kind, ref.namespace, ref.name, signal);
    const r = await this.call(
      'DELETE',
      p,
      { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: propagation },
      undefined,
      signal,
    );
    if (r.status === 404) return false;
    if (r.status !== 200 && r.status !== 202) this.fail(r);
    return true;
  }

  async list(apiVersion: string, kind: string, opts: ListOptions, signal?: AbortSignal): Promise<KubeObject[]> {
    const p = await this.path(apiVersion, kind, opts.namespace ?? '', undefined, signal);
    const sel = Object.entries(opts.labels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const r = await this.call(
      'GET',
      sel === '' ? p : `${p}?labelSelector=${encodeURIComponent(sel)}`,
      undefined,
      undefined,
      signal,
    );
    if (r.status !== 200) this.fail(r);
    const items = (r.json['items'] ?? []) as KubeObject[];
    return items.map((i) => ({ ...i, apiVersion, kind }));
  }
}
