/** Non-resource endpoints of discovery: `/version`, the health checks, and legacy and aggregated API discovery. */
import type { PathHandler } from '../server/route.ts';
import { notFoundPath, sendJson, sendStatus } from '../server/respond.ts';
import {
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  wantsAggregated,
} from '../discovery.ts';

/** `/version`: kube-apiserver v1.33.0. */
export const serveVersion: PathHandler = (_ctx, _req, res, path) => {
  if (path !== '/version' && path !== '/version/') return false;
  sendJson(res, 200, {
    major: '1',
    minor: '33',
    gitVersion: 'v1.33.0',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.24.0',
    compiler: 'gc',
    platform: 'linux/amd64',
    emulationMajor: '1',
    emulationMinor: '33',
    minCompatibilityMajor: '1',
    minCompatibilityMinor: '32',
  });
  return true;
};

/** `/healthz`, `/livez`, `/readyz`, `/livez/ping`: always `ok`. */
export const serveHealth: PathHandler = (_ctx, _req, res, path) => {
  if (path !== '/healthz' && path !== '/livez' && path !== '/readyz' && path !== '/livez/ping') return false;
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end('ok');
  return true;
};

/**
 * `/api` and `/apis` (legacy lists, or aggregated discovery when the Accept header asks for it), `/api/v1`,
 * `/apis/G` and `/apis/G/V`.
 */
export const serveDiscovery: PathHandler = (ctx, req, res, path) => {
  const { registry } = ctx;
  if (path === '/api' || path === '/apis') {
    const agg = wantsAggregated(req.headers.accept);
    const which = path === '/api' ? 'api' : 'apis';
    if (agg)
      sendJson(
        res,
        200,
        aggregatedDiscovery(registry, which, agg),
        `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList`,
      );
    else sendJson(res, 200, which === 'api' ? apiVersions(ctx.address) : apiGroupList(registry));
    return true;
  }
  if (path === '/api/v1') {
    sendJson(res, 200, apiResourceList(registry, '', 'v1'));
    return true;
  }
  const gm = path.match(/^\/apis\/([^/]+)\/?$/);
  if (gm) {
    const g = apiGroup(registry, gm[1] as string);
    if (g) sendJson(res, 200, g);
    else sendStatus(res, notFoundPath());
    return true;
  }
  const gvm = path.match(/^\/apis\/([^/]+)\/([^/]+)\/?$/);
  if (gvm) {
    const l = apiResourceList(registry, gvm[1] as string, gvm[2] as string);
    if (l) sendJson(res, 200, l);
    else sendStatus(res, notFoundPath());
    return true;
  }
  return false;
};
