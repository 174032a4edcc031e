import { LABELS } from '../../constructs/labels';
import { objectLabel } from '../finding';
import type { Rule } from '../rule';
import { isPlainObject } from '../schema/issue';

// The ambient labels istiod and ztunnel read from labels only.
const LABEL_KEYS = [LABELS.dataplaneMode, LABELS.ingressUseWaypoint, LABELS.useWaypoint, LABELS.useWaypointNamespace, LABELS.waypointFor];

// The kinds whose annotations istioctl analyze's annotations.K8sAnalyzer checks (facts §4).
const ANALYZED_KINDS = new Set(['Namespace', 'Service', 'Pod', 'Deployment']);

export const bindingLabelAsAnnotation: Rule = {
  id: 'binding/label-as-annotation',
  severity: 'warning',
  docs: {
    summary:
      'An ambient key (`istio.io/use-waypoint`, `-namespace`, `istio.io/dataplane-mode`, `istio.io/ingress-use-waypoint`, `istio.io/waypoint-for`) written as an annotation: Istio reads these from labels only, so nothing is enrolled or bound, and every waypoint plugin meant for the object is skipped. On a Namespace, Service, Pod or Deployment (the kinds whose annotations it checks) istioctl analyze reports it as IST0108 UnknownAnnotation; on any other kind (a Gateway, a ServiceEntry) it says nothing.',
    bad: `apiVersion: v1
kind: Service
metadata:
  name: reviews
  namespace: shop
  annotations: { istio.io/use-waypoint: waypoint }
spec: { ports: [{ port: 9080 }] }`,
    message: 'Service shop/reviews has istio.io/use-waypoint=waypoint as an annotation: Istio reads it from labels only, so it has no effect (istioctl analyze: IST0108 UnknownAnnotation)',
    fix: 'Move the key from metadata.annotations to metadata.labels.',
  },
  check(ctx) {
    for (const o of ctx.objects) {
      const annotations = o.manifest.metadata.annotations;
      if (!isPlainObject(annotations)) continue;
      for (const key of LABEL_KEYS) {
        const value = annotations[key];
        if (value === undefined) continue;
        const m = o.manifest.metadata;
        const ist0108 = ANALYZED_KINDS.has(o.manifest.kind) ? ' (istioctl analyze: IST0108 UnknownAnnotation)' : '';
        ctx.report(o, { message: `${objectLabel({ kind: o.manifest.kind, namespace: m.namespace, name: m.name })} has ${key}=${String(value)} as an annotation: Istio reads it from labels only, so it has no effect${ist0108}` });
      }
    }
  },
};
