import type { MeshModel, ModelObject } from '../compiler/model';
import { useWaypointOf } from '../analysis/rules/waypoints';
import { LABELS } from '../constructs/labels';

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

/** The Gateways of a target (`namespace/name`), only the owned ones if asked. */
function gatewayKeys(model: MeshModel, target: string, ownedOnly: boolean): Set<string> {
  const out = new Set<string>();
  for (const o of model.objects) {
    if (o.target !== target || o.manifest.kind !== 'Gateway' || (ownedOnly && o.ownership === 'external')) continue;
    out.add(key(o.manifest.metadata.namespace ?? 'default', o.manifest.metadata.name));
  }
  return out;
}

/**
 * The Gateways of a target that the head revision prunes: owned in the base,
 * absent from the head. The simulator treats them as missing in the head
 * (not as another team's waypoint, present but unlisted).
 */
export function prunedGatewayKeys(base: MeshModel, head: MeshModel, target: string): Set<string> {
  const kept = gatewayKeys(head, target, false);
  return new Set([...gatewayKeys(base, target, true)].filter((g) => !kept.has(g)));
}

/** Which waypoint an object's own labels name (`namespace/name`), if any. */
function labelledWaypoint(o: ModelObject): string | undefined {
  const m = o.manifest;
  const use = useWaypointOf(m.metadata.labels ?? {}, m.kind === 'Namespace' ? m.metadata.name : (m.metadata.namespace ?? 'default'));
  return use.kind === 'waypoint' ? key(use.namespace, use.name) : undefined;
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

/** Which of the `pruned` Gateways (from `prunedGatewayKeys`) the head revision's own objects still use. */
export function prunedGatewaysInUse(pruned: ReadonlySet<string>, head: MeshModel, target: string): PrunedGateway[] {
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
