import { schemaRule } from './schema-rule';

export const pluginSelectorAndTargets = schemaRule({
  id: 'plugin/selector-and-targets',
  severity: 'error',
  docs: {
    summary: 'Only one of selector, targetRef and targetRefs may be set; the CRD counts a field that is present but empty (`targetRefs: []`, `selector: {}`).',
    bad: `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: auth, namespace: shop }
spec:
  url: oci://ghcr.io/acme/auth:1.0.0
  selector: { matchLabels: { app: cart } }
  targetRefs: []`,
    message: 'spec: sets selector and targetRefs; only one of selector, targetRef and targetRefs may be set (an empty one counts)',
    fix: 'Keep targetRefs for waypoints and Gateways (waypoints ignore selector); remove selector, or remove the empty targetRefs.',
  },
});
