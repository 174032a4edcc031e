import type { MeshModel, ModelObject } from '../compiler/model';
import { LABELS, NO_WAYPOINT } from '../constructs/labels';

/**
 * A Gateway that the base revision owned and the head revision no longer
 * emits, while objects of the head revision still use it. Argo CD and Flux
 * prune it on sync, and what still names it then has no waypoint: a Service
 * whose label names a missing waypoint gets none (no fallback), and ztunnel
 * sends its traffic straight to the pods, past every plugin.
 *
 * The usual cause is turning an owned `Waypoint` into
 * `Waypoint.fromWaypointName(...)` (to hand it to another app) in one commit.
 */
export interface PrunedGateway {
  readonly target: string;
  /** `namespace/name` */
  readonly gateway: string;
  /** What still uses it, e.g. `Namespace default (istio.io/use-waypoint)`, `WasmPlugin default/auth (targetRefs)`. */
  readonly usedBy: string[];
}

const key = (namespace: string, name: string) => `${namespace}/${name}`;

function ownedGateways(model: MeshModel, target: string): Set<string> {
  const out = new Set<string>();
  for (const o of model.objects) {
    if (o.target !== target || o.manifest.kind !== 'Gateway' || o.ownership === 'external') continue;
    out.add(key(o.manifest.metadata.namespace ?? 'default', o.manifest.metadata.name));
  }
  return out;
}

function gatewaysIn(model: MeshModel, target: string): Set<string> {
  const out = new Set<string>();
  for (const o of model.objects) {
    if (o.target === target && o.manifest.kind === 'Gateway') out.add(key(o.manifest.metadata.namespace ?? 'default', o.manifest.metadata.name));
  }
  return out;
}

/**
 * The Gateways of a target that the head revision prunes: owned in the base,
 * absent from the head. The simulator treats them as missing in the head
 * (not as another team's waypoint, present but unlisted).
 */
export function prunedGatewayKeys(base: MeshModel, head: MeshModel, target: string): Set<string> {
  const kept = gatewaysIn(head, target);
  return new Set([...ownedGateways(base, target)].filter((g) => !kept.has(g)));
}

/** Which waypoint an object's own labels name (`namespace/name`), if any. */
function labelledWaypoint(o: ModelObject): string | undefined {
  const labels = o.manifest.metadata.labels ?? {};
  const value = labels[LABELS.useWaypoint];
  if (value === undefined || value === NO_WAYPOINT) return undefined;
  const home = o.manifest.kind === 'Namespace' ? o.manifest.metadata.name : (o.manifest.metadata.namespace ?? 'default');
  return key(labels[LABELS.useWaypointNamespace] ?? home, value);
}

function pluginTargets(o: ModelObject): string[] {
  if (o.manifest.kind !== 'WasmPlugin') return [];
  const refs = (o.manifest.spec as { targetRefs?: unknown } | undefined)?.targetRefs;
  if (!Array.isArray(refs)) return [];
  const ns = o.manifest.metadata.namespace ?? 'default';
  return refs.filter((r): r is { kind: string; name: string } => r?.kind === 'Gateway' && typeof r.name === 'string').map((r) => key(ns, r.name));
}

function describe(o: ModelObject): string {
  const m = o.manifest;
  return `${m.kind} ${m.kind === 'Namespace' ? m.metadata.name : `${m.metadata.namespace ?? 'default'}/${m.metadata.name}`}`;
}

/** Every Gateway the head revision prunes while its own objects still use it. */
export function prunedGatewaysInUse(base: MeshModel, head: MeshModel, target: string): PrunedGateway[] {
  const pruned = prunedGatewayKeys(base, head, target);
  if (pruned.size === 0) return [];
  const usedBy = new Map<string, string[]>();
  const use = (gateway: string, by: string) => {
    if (pruned.has(gateway)) (usedBy.get(gateway) ?? usedBy.set(gateway, []).get(gateway)!).push(by);
  };
  for (const o of head.objects) {
    if (o.target !== target) continue;
    const wp = labelledWaypoint(o);
    if (wp) use(wp, `${describe(o)} (${LABELS.useWaypoint})`);
    for (const g of pluginTargets(o)) use(g, `${describe(o)} (targetRefs)`);
  }
  return [...usedBy.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([gateway, by]) => ({ target, gateway, usedBy: by.sort() }));
}
