import { LABELS } from '../../constructs/labels';
import { objectLabel } from '../finding';
import type { Rule } from '../rule';
import { labelsOf, WORKLOAD_KINDS, workloadPodLabels } from './waypoints';

// The ambient labels ztunnel and istiod read from a Pod (facts §3.1, §3.2, §3.4).
const POD_KEYS = [LABELS.dataplaneMode, LABELS.useWaypoint, LABELS.useWaypointNamespace];

// Controllers: their own labels are not copied onto the pods they create.
const CONTROLLER_KINDS = WORKLOAD_KINDS.filter((k) => k !== 'Pod' && k !== 'WorkloadEntry');

export const bindingLabelOnController: Rule = {
  id: 'binding/label-on-controller',
  severity: 'warning',
  docs: {
    summary:
      "A pod's ambient label (`istio.io/dataplane-mode`, `istio.io/use-waypoint`, `-namespace`) on a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob's own `metadata.labels` and not on its pod template: ztunnel and istiod read these from the Pods, and a controller's labels are not copied onto them, so the pods are not enrolled or bound as meant (they follow their Namespace), and the plugins of the waypoint meant skip their traffic. Reported when the pod template lacks the label or gives it another value.",
    bad: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
  namespace: batch
  labels: { app: worker, istio.io/use-waypoint: worker-waypoint }
spec:
  selector: { matchLabels: { app: worker } }
  template:
    metadata: { labels: { app: worker } }
    spec: { containers: [{ name: w, image: busybox:1.36 }] }`,
    message:
      'Deployment batch/worker has istio.io/use-waypoint=worker-waypoint on its own metadata.labels, not on its pod template: Istio reads it from the pods, and a Deployment\'s labels are not copied onto them, so it has no effect',
    fix: 'Move the label to the pod template (spec.template.metadata.labels; spec.jobTemplate.spec.template.metadata.labels for a CronJob).',
  },
  check(ctx) {
    // By kind: a mesh synth compiles holds no controllers, and pays nothing.
    for (const o of CONTROLLER_KINDS.flatMap((kind) => ctx.ofKind(kind))) {
      const m = o.manifest;
      const own = labelsOf(m);
      const pod = workloadPodLabels(m) ?? {};
      for (const key of POD_KEYS) {
        const value = own[key];
        if (value === undefined || pod[key] === value) continue;
        const what = objectLabel({ kind: m.kind, namespace: m.metadata.namespace, name: m.metadata.name });
        const effect = pod[key] === undefined ? 'so it has no effect' : `so its pod template's ${key}=${String(pod[key])} is what applies`;
        ctx.report(o, {
          message: `${what} has ${key}=${String(value)} on its own metadata.labels, not on its pod template: Istio reads it from the pods, and a ${m.kind}'s labels are not copied onto them, ${effect}`,
        });
      }
    }
  },
};
