import type { Rule } from '../rule';
import { labelsOf } from './waypoints';

const DATAPLANE_MODE = 'istio.io/dataplane-mode';

/** The sidecar-injection labels on a Namespace, as istioctl's injection analyzer counts them. */
function injectionLabels(labels: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  if (labels['istio-injection'] === 'enabled') out.push('istio-injection=enabled');
  if (labels['istio.io/rev'] !== undefined) out.push(`istio.io/rev=${labels['istio.io/rev']}`);
  return out;
}

export const bindingSidecarInjection: Rule = {
  id: 'binding/sidecar-injection',
  severity: 'warning',
  docs: {
    summary:
      'A Namespace in ambient mode that also asks for sidecar injection (`istio-injection=enabled` or `istio.io/rev`): new pods get a sidecar, and istio-cni leaves pods with a sidecar out of ambient capture, so they do not take part the way the waypoint policies assume. istioctl analyze reports it as IST0123 NamespaceMultipleInjectionLabels.',
    bad: `new MeshNamespace(app, 'orders', { labels: { 'istio-injection': 'enabled' } });`,
    message:
      'Namespace orders is in ambient mode (istio.io/dataplane-mode=ambient) and also asks for sidecar injection (istio-injection=enabled): new pods get a sidecar, and pods with a sidecar are left out of ambient capture (istioctl analyze: IST0123 NamespaceMultipleInjectionLabels)',
    fix: 'Remove istio-injection=enabled from the Namespace. If it carries istio.io/rev to pick the revision of its waypoints, set that revision on each Waypoint (revision) before you remove the label, or the waypoints may be left without a control plane.',
  },
  check(ctx) {
    for (const o of ctx.ofKind('Namespace')) {
      const labels = labelsOf(o.manifest);
      if (labels[DATAPLANE_MODE] !== 'ambient') continue;
      const injection = injectionLabels(labels);
      if (injection.length === 0) continue;
      ctx.report(o, {
        message: `Namespace ${o.manifest.metadata.name} is in ambient mode (${DATAPLANE_MODE}=ambient) and also asks for sidecar injection (${injection.join(', ')}): new pods get a sidecar, and pods with a sidecar are left out of ambient capture (istioctl analyze: IST0123 NamespaceMultipleInjectionLabels)`,
      });
    }
  },
};
