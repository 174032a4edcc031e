import type { MeshModel, ModelObject } from '../compiler/model';
import { isWaypointGateway } from '../analysis/rules/waypoints';
import { MeshIndex, namespaceOf, type ServiceInfo } from '../simulator/mesh-index';
import { targetRefsOf } from '../simulator/attachment';
import { isSimulationError } from '../simulator/request';

/**
 * What the review walks in one target of either revision: its Services (a
 * Namespace's label standing for every Service without one of its own, as
 * `namespace/*`), its waypoint and ingress Gateways, and the simulator's
 * index of it. Bindings, chains and probes all start from these, so the
 * names they print agree.
 */

/** The Service name of `namespace/*`: every Service of the namespace without a label of its own. */
export const OTHER = '*';

export function targetsOf(model: MeshModel): string[] {
  return [...new Set(model.objects.map((o) => o.target))].sort();
}

export function indexFor(model: MeshModel, target: string): MeshIndex | undefined {
  try {
    return MeshIndex.forTarget(model, target);
  } catch (e) {
    if (isSimulationError(e)) return undefined;
    throw e;
  }
}

export function serviceList(models: MeshModel[], target: string): { namespace: string; name: string }[] {
  const out = new Map<string, { namespace: string; name: string }>();
  for (const m of models) {
    for (const o of m.objects.filter((x) => x.target === target)) {
      const ns = namespaceOf(o.manifest);
      if (o.manifest.kind === 'Service') out.set(`${ns}/${o.manifest.metadata.name}`, { namespace: ns, name: o.manifest.metadata.name });
      if (o.manifest.kind === 'Namespace') out.set(`${o.manifest.metadata.name}/${OTHER}`, { namespace: o.manifest.metadata.name, name: OTHER });
      for (const ref of targetRefs(o)) {
        if (ref.kind === 'Service' && ref.name) out.set(`${ns}/${ref.name}`, { namespace: ns, name: ref.name });
      }
    }
  }
  return [...out.values()].sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1));
}

export function targetRefs(o: ModelObject): { kind?: string; name?: string; group?: string }[] {
  if (o.manifest.kind !== 'WasmPlugin') return [];
  // A null item (a hand-edited base) describes nothing, as in the simulator.
  return targetRefsOf((o.manifest.spec ?? {}) as Record<string, unknown>);
}

export function serviceInfo(index: MeshIndex, ns: string, name: string): ServiceInfo {
  if (name !== OTHER) return index.service(ns, name);
  // Every Service of the namespace that has no labels of its own inherits the Namespace's.
  return { namespace: ns, name: OTHER, known: 'assumed', labels: {} };
}

/** Whether a Service label (`ns/name`) stands for every Service of `ns` without a label of its own (`ns/*`). */
export const isNamespaceWide = (label: string) => label.endsWith(`/${OTHER}`);

/** How review lines name a Service label: `Service ns/name`, or `Services of ns without their own label`. */
export function serviceSubject(label: string): string {
  return isNamespaceWide(label) ? `Services of ${label.slice(0, -2)} without their own label` : `Service ${label}`;
}

/** Gateways (`namespace/name`) of class istio-waypoint in any of `models`. */
export function waypointKeys(models: MeshModel[], target: string): Set<string> {
  const out = new Set<string>();
  for (const m of models) {
    for (const o of m.objects) {
      if (o.target !== target || o.manifest.kind !== 'Gateway') continue;
      if (isWaypointGateway(o.manifest)) out.add(`${namespaceOf(o.manifest)}/${o.manifest.metadata.name}`);
    }
  }
  return out;
}

export function ingressGateways(models: MeshModel[], target: string, waypoints: ReadonlySet<string>): { namespace: string; name: string }[] {
  const out = new Map<string, { namespace: string; name: string }>();
  for (const m of models) {
    for (const o of m.objects.filter((x) => x.target === target)) {
      const ns = namespaceOf(o.manifest);
      if (o.manifest.kind === 'Gateway' && !waypoints.has(`${ns}/${o.manifest.metadata.name}`)) {
        out.set(`${ns}/${o.manifest.metadata.name}`, { namespace: ns, name: o.manifest.metadata.name });
      }
      // A Gateway only a plugin names is an ingress gateway, unless either
      // revision declares it as a waypoint (one removed while a plugin still names it).
      for (const ref of targetRefs(o)) {
        if (ref.kind !== 'Gateway' || !ref.name || waypoints.has(`${ns}/${ref.name}`)) continue;
        out.set(`${ns}/${ref.name}`, { namespace: ns, name: ref.name });
      }
    }
  }
  return [...out.values()].sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1));
}
