import { emptyRootContexts } from '../../constructs/plugins/root-id';
import type { Rule } from '../rule';
import { isAuthPlugin, pluginSubject, pluginView } from './plugin-spec';

export const pluginRootId: Rule = {
  id: 'plugin/root-id',
  severity: 'error',
  docs: {
    summary: "`pluginName` is the root id Envoy hands the module. The catalogue's modules (istio-ecosystem/wasm-extensions) register their code under the default root id: with any pluginName the SDK runs empty contexts instead, which load any config and let every request through, so the plugin silently does nothing.",
    bad: `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: auth, namespace: shop }
spec:
  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
  pluginName: basic_auth
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]
  pluginConfig:
    basic_auth_rules:
      - { prefix: /, request_methods: [GET], credentials: ["shop:admin"] }`,
    message: 'WasmPlugin shop/auth sets pluginName "basic_auth", but the basic-auth module registers its code under the default root id: the proxy then runs empty contexts that do nothing, and every request passes',
    fix: 'Remove pluginName.',
  },
  check(ctx) {
    for (const o of ctx.ofKind('WasmPlugin')) {
      const spec = (o.manifest.spec ?? {}) as { pluginName?: unknown };
      if (spec.pluginName === undefined) continue;
      const p = pluginView(o);
      const empty = emptyRootContexts(p.url, spec.pluginName);
      if (!empty) continue;
      // What is lost, said as the reader will meet it: an auth plugin lets every
      // request through; a logger or a limiter just stops logging or limiting.
      const effect = isAuthPlugin(p) ? 'and every request passes' : "so the module's own code never runs on a request";
      ctx.report(o, {
        message: `${pluginSubject(p)} sets pluginName ${JSON.stringify(spec.pluginName)}, but the ${empty.definition.name} module registers its code under the default root id: the proxy then runs empty contexts that do nothing, ${effect}`,
      });
    }
  },
};
