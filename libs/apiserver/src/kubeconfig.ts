/** The kubeconfig kubectl and @kubernetes/client-node use to reach the server. */
import { stringify } from 'yaml';

/** Render a kubeconfig with the CA inline and the admin bearer token. */
export const kubeconfigYaml = (args: { server: string; caPem: string; token: string; name?: string }): string => {
  const name = args.name ?? 'flux-ts';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: { server: args.server, 'certificate-authority-data': Buffer.from(args.caPem).toString('base64') },
      },
    ],
    users: [{ name: `${name}-admin`, user: { token: args.token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin`, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
};
