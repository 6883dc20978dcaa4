/**
 * `GET /api/v1/namespaces/NS/pods/NAME/log`: kube-apiserver's `pods/log` subresource (pkg/registry/core/pod/rest
 * `LogREST`). The server checks the Pod and its container as kube-apiserver does, then streams what the injected
 * {@link PodLogProvider} gives (the kubelet's side; libs/embedded's process runtime reads its log files). The API
 * server itself knows nothing of processes.
 */
import type { Readable } from 'node:stream';
import { badRequest } from '../errors.ts';
import { boolParam, int64Param } from '../query.ts';
import { isObj, type Obj } from '../util.ts';
import { methodNotAllowed } from '../server/respond.ts';
import type { PodLogOptions } from '../server/options.ts';
import type { ResourceRequest } from './resource-request.ts';

/** Whether a request is on `pods/log`. */
export const isPodLogRequest = (r: ResourceRequest): boolean =>
  r.route.subresource === 'log' && r.def.group === '' && r.def.resource === 'pods' && r.route.name !== undefined;

const containersOf = (pod: Obj): string[] => {
  const spec = isObj(pod['spec']) ? pod['spec'] : {};
  const list = Array.isArray(spec['containers']) ? spec['containers'] : [];
  return list.filter(isObj).map((c) => String(c['name'] ?? ''));
};

/** Reads the log options of the query (`PodLogOptions`), with kube-apiserver's 400 on unparsable integers. */
const logOptions = (r: ResourceRequest, container: string): PodLogOptions => {
  const tailLines = int64Param(r.q, 'tailLines');
  const limitBytes = int64Param(r.q, 'limitBytes');
  const sinceSeconds = int64Param(r.q, 'sinceSeconds');
  return {
    container,
    follow: boolParam(r.q, 'follow'),
    previous: boolParam(r.q, 'previous'),
    timestamps: boolParam(r.q, 'timestamps'),
    ...(tailLines !== undefined ? { tailLines: Math.max(0, tailLines) } : {}),
    ...(limitBytes !== undefined ? { limitBytes } : {}),
    ...(sinceSeconds !== undefined ? { sinceSeconds } : {}),
  };
};

/**
 * Serves `pods/log`: 404 `pods "x" not found` without the Pod; 400 when the container is missing from a Pod of
 * several (`a container name must be specified…`) or is not the Pod's (`container x is not valid for pod y`); 400
 * `container "c" in pod "p" is waiting to start: ContainerCreating` when the provider has no log (the kubelet's
 * answer for a container that has not run); else 200 `text/plain` with the log, streamed while `follow` holds.
 */
export const servePodLog = (r: ResourceRequest, name: string): void => {
  if (r.method !== 'GET') throw methodNotAllowed('pods');
  const pod = r.ctx.core.getRaw(r.def, r.ns, name); // 404 `pods "x" not found`
  const containers = containersOf(pod);
  let container = r.q.get('container') ?? '';
  if (container === '') {
    if (containers.length !== 1)
      throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
    container = containers[0]!;
  } else if (!containers.includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  }
  const opts = logOptions(r, container);
  const stream: Readable | undefined = r.ctx.options.podLogs?.(r.ns, name, opts);
  if (!stream)
    throw badRequest(
      opts.previous
        ? `previous terminated container "${container}" in pod "${name}" not found`
        : `container "${container}" in pod "${name}" is waiting to start: ContainerCreating`,
    );
  r.res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  let left = opts.limitBytes ?? Infinity;
  const end = (): void => {
    stream.destroy();
    if (!r.res.writableEnded) r.res.end();
  };
  r.res.once('close', () => stream.destroy());
  stream.on('data', (chunk: Buffer | string) => {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const part = buf.length > left ? buf.subarray(0, left) : buf;
    left -= part.length;
    if (part.length > 0) r.res.write(part);
    if (left <= 0) end();
  });
  stream.once('end', end);
  stream.once('error', end);
};
