/** Non-resource endpoints of ServiceAccount issuer discovery: `/openid/v1/jwks` and the OpenID configuration. */
import type { PathHandler } from '../server/route.ts';
import { sendJson } from '../server/respond.ts';

/** `/openid/v1/jwks` and `/.well-known/openid-configuration`. */
export const serveIssuerDiscovery: PathHandler = (ctx, _req, res, path) => {
  if (path === '/openid/v1/jwks') {
    sendJson(res, 200, ctx.authn.jwks(), 'application/jwk-set+json');
    return true;
  }
  if (path === '/.well-known/openid-configuration') {
    sendJson(res, 200, ctx.authn.openidConfiguration(`${ctx.url}/openid/v1/jwks`));
    return true;
  }
  return false;
};
