import { objectKey, type MeshModel, type ModelObject } from '../compiler/model';
import { STAGES } from '../compiler/gitops';
import { describe, gatewayKeys, labelledWaypoint, manifestStage, pluginTargets } from './pruned-gateways';

/**
 * An object whose `istio.io/use-waypoint` label this change moves from one
 * waypoint to another that is not ready when the label lands: the change also
 * adds that waypoint, or plugins on it, in a stage applied no earlier than
 * the object's own. An owned Namespace is applied with the waypoints (stage
 * 1: everything else lives in it), so Argo CD and Flux apply its new label
 * first, then the Gateway, then its plugins; until the Gateway is ready the
 * label names a waypoint istiod cannot bind, and ztunnel sends the traffic
 * straight to the pods, past the auth the old waypoint ran. Labels applied in
 * the enrollment stage (every Service, and another team's Namespace) land
 * after both and are not reported.
 */
export interface EarlyAdoption {
  readonly target: string;
  /** `Namespace shop` */
  readonly object: string;
  /** The waypoint the label named in the base (`namespace/name`). */
  readonly from: string;
  /** The waypoint it names in the head (`namespace/name`). */
  readonly to: string;
  /** What of `to` this change adds: the Gateway itself (and its plugins), or plugins on a Gateway the base had. */
  readonly adds: 'waypoint' | 'plugins';
  /** The plugins on `to` that this change adds (`WasmPlugin shop/auth`). */
  readonly plugins: string[];
}

/** The early adoptions of one target (see EarlyAdoption). */
export function earlyAdoptions(base: MeshModel, head: MeshModel, target: string): EarlyAdoption[] {
  const inBase = new Map(base.objects.filter((o) => o.target === target).map((o) => [objectKey(o.manifest), o]));
  const [baseGateways, headGateways] = [gatewayKeys(base, target, false), gatewayKeys(head, target, false)];
  // A waypoint a base label already names is live, though the base may not declare it (another team's, taken over now).
  for (const o of base.objects) {
    const named = o.target === target ? labelledWaypoint(o) : undefined;
    if (named) baseGateways.add(named);
  }
  const newPlugins = new Map<string, string[]>();
  for (const o of head.objects) {
    if (o.target !== target || inBase.has(objectKey(o.manifest))) continue;
    for (const g of pluginTargets(o)) (newPlugins.get(g) ?? newPlugins.set(g, []).get(g)!).push(describe(o));
  }
  const out: EarlyAdoption[] = [];
  for (const o of head.objects) {
    if (o.target !== target) continue;
    const to = labelledWaypoint(o);
    const before = inBase.get(objectKey(o.manifest));
    const from = before && labelledWaypoint(before);
    // Only a move: a label that was absent protected nothing before either.
    if (!to || !from || from === to || !headGateways.has(to) || landsAfter(o, STAGES.policies.dir)) continue;
    const plugins = (newPlugins.get(to) ?? []).sort();
    if (!baseGateways.has(to)) out.push({ target, object: describe(o), from, to, adds: 'waypoint', plugins });
    else if (plugins.length > 0) out.push({ target, object: describe(o), from, to, adds: 'plugins', plugins });
  }
  return out.sort((a, b) => (a.object < b.object ? -1 : a.object > b.object ? 1 : 0));
}

/** Whether `o`'s manifest is applied in `stage` or later (by our layout's folder names, which sort in rollout order). */
function landsAfter(o: ModelObject, stage: string): boolean {
  const mine = manifestStage(o);
  return mine !== undefined && mine >= stage;
}
