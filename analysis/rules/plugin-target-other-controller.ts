import type { Rule } from '../rule';
import { resolveRef } from './attachments';
import { pluginView, refLabel } from './plugin-spec';
import { gatewayProxyOf } from './waypoints';

/**
 * istiod sends WasmPlugins only to the Envoy proxies it programs. A Gateway
 * whose GatewayClass names another controller (kgateway, a cloud load
 * balancer) runs that controller's proxy: a plugin targeting it is never
 * delivered there, whatever the ref says. Istio's own remote, east-west and
 * agentgateway classes differ: each says why in `GatewayProxy.plugins`.
 */
export const pluginTargetOtherController: Rule = {
  id: 'plugin/target-other-controller',
  severity: 'warning',
  docs: {
    summary: "A WasmPlugin targeting a Gateway whose class runs neither an Istio waypoint nor an Istio gateway. istiod delivers WasmPlugins only to the proxies it programs, so on another controller's proxy (kgateway, a cloud load balancer) the policy is enforced only if that controller implements Istio's WasmPlugin API itself. Of Istio's own classes, `istio-remote` is never programmed and `istio-agentgateway` is not Envoy (the plugin never runs); `istio-east-west` is programmed, but whether the plugin runs there is not modelled.",
    bad: `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: kgateway-waypoint }
spec: { controllerName: kgateway.dev/kgateway }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: edge, namespace: shop }
spec:
  gatewayClassName: kgateway-waypoint
  listeners: [{ name: mesh, port: 15008, protocol: HBONE }]
---
apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: audit, namespace: shop }
spec:
  url: oci://ghcr.io/acme/audit:1.0.0
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: edge }]`,
    message: 'spec.targetRefs[0] targets Gateway edge, a proxy of another controller, not istiod\'s (class kgateway-waypoint, whose GatewayClass has controller "kgateway.dev/kgateway"): istiod delivers WasmPlugins only to the proxies it programs, so this plugin runs there only if that controller implements Istio\'s WasmPlugin API itself',
    fix: "Enforce this policy with that proxy's own mechanism, or send the traffic through an Istio waypoint (class istio-waypoint) or an Istio gateway and target that.",
  },
  check(ctx) {
    for (const o of ctx.ofKind('WasmPlugin')) {
      const p = pluginView(o);
      for (const ref of p.targetRefs) {
        const r = resolveRef(ctx, p, ref);
        // A GatewayReference says nothing of its class: only a Gateway manifest can tell.
        if (r.kind !== 'gateway' || !('manifest' in r.about)) continue;
        const proxy = gatewayProxyOf(ctx, r.about.manifest);
        if (proxy.kind !== 'other-proxy') continue;
        ctx.report(o, {
          message: `${ref.path} targets ${refLabel(ref)}, ${proxy.description}: ${proxy.plugins}`,
        });
      }
    }
  },
};
