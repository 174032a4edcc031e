import type { Rule } from '../rule';
import { pluginsOnWaypoint } from './attachments';
import { pluginSubject, pluginView } from './plugin-spec';
import { gatewayProxyOf, waypointsAround } from './waypoints';

/** Labels istiod puts on a waypoint's pods. */
const GATEWAY_NAME_LABELS = ['gateway.networking.k8s.io/gateway-name', 'istio.io/gateway-name'];

export const pluginSelectorOnly: Rule = {
  id: 'plugin/selector-only',
  severity: 'warning',
  docs: {
    summary: 'Waypoints never use `selector`: a WasmPlugin without targetRefs runs only on sidecars and ingress gateways. In a namespace with (or bound to) a waypoint that is almost always a mistake, and an error when the selector picks the waypoint\'s own pods. A selector on the pods of any other Kubernetes Gateway is a warning too: istioctl analyze calls it ineffective (IST0166).',
    bad: `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: auth, namespace: shop }
spec:
  url: oci://ghcr.io/acme/auth:1.0.0
  selector: { matchLabels: { app: cart } }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: waypoint, namespace: shop }
spec:
  gatewayClassName: istio-waypoint
  listeners: [{ name: mesh, port: 15008, protocol: HBONE }]`,
    message: 'WasmPlugin shop/auth has a selector and no targetRefs, so waypoint shop/waypoint ignores it; it only runs on sidecars and ingress gateways its selector matches',
    fix: 'Attach it with targetRefs (targets: [waypoint]) instead of selector.',
  },
  check(ctx) {
    for (const o of ctx.ofKind('WasmPlugin')) {
      const p = pluginView(o);
      if (p.targetRefs.length > 0 || !p.hasSelector || Object.keys(p.matchLabels).length === 0) continue;
      const ingress = ctx
        .ofKind('Gateway')
        .find((g) => (g.manifest.metadata.namespace ?? 'default') === p.namespace && gatewayProxyOf(ctx, g.manifest).kind !== 'waypoint' && GATEWAY_NAME_LABELS.some((k) => p.matchLabels[k] === g.manifest.metadata.name));
      if (ingress) {
        // istioctl analyze IST0166 IneffectiveSelector: a Kubernetes Gateway's pods take policy by targetRefs.
        ctx.report(o, {
          message: `${pluginSubject(p)} selects the pods of Kubernetes Gateway ${p.namespace}/${ingress.manifest.metadata.name} by a selector, which istioctl analyze reports as ineffective on a Kubernetes Gateway (IST0166 IneffectiveSelector): attach it to the Gateway with targetRefs`,
          fix: `Attach it with targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: ${ingress.manifest.metadata.name} }] instead of selector.`,
        });
        continue;
      }
      const around = waypointsAround(ctx, p.namespace);
      if (around.length === 0) continue;
      const picked = around.find((w) => w.namespace === p.namespace && GATEWAY_NAME_LABELS.some((k) => p.matchLabels[k] === w.name));
      if (picked) {
        ctx.report(o, {
          message: `${pluginSubject(p)} selects the pods of waypoint ${picked.namespace}/${picked.name}, but waypoints ignore selector-only plugins: it never runs there, and requests through the waypoint pass without it (plugins that do run there: ${pluginsOnWaypoint(ctx, picked).join(', ') || 'none'})`,
          severity: 'error',
        });
      } else {
        const names = around.map((w) => `${w.namespace}/${w.name}`).join(', ');
        ctx.report(o, { message: `${pluginSubject(p)} has a selector and no targetRefs, so waypoint${around.length > 1 ? 's' : ''} ${names} ignore${around.length > 1 ? '' : 's'} it; it only runs on sidecars and ingress gateways its selector matches` });
      }
    }
  },
};
