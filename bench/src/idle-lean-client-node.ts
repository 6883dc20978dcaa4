// Preloaded (`--import`) into a controller by the `idle-lean` scenario's `client-node` variant: libs/runtime's own
// kubeconfig class (`config/kube-config.ts`) is replaced by @kubernetes/client-node's `KubeConfig`, as libs/runtime
// used before issue 22, so the same sources measure the cost of loading client-node's generated API.
import { registerHooks } from 'node:module';

const OURS = /\/libs\/runtime\/src\/config\/kube-config\.ts$/;

registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    if (!OURS.test(resolved.url)) return resolved;
    const clientNode = nextResolve('@kubernetes/client-node', { ...context, parentURL: resolved.url }).url;
    const source =
      `export { KubeConfig } from ${JSON.stringify(clientNode)};\n` +
      'export const asClientNodeKubeConfig = (kc) => kc;';
    return { url: `data:text/javascript,${encodeURIComponent(source)}`, shortCircuit: true };
  },
});
