import { objectKey, type KubeObject, type MeshModel, type ModelObject } from '../compiler/model';
import { argoSyncOptionsOf, GITOPS_KEYS } from '../compiler/gitops';
import { manifestOwnership } from '../compiler/read-manifests';
import { isWaypointGateway, useWaypointOf } from '../analysis/rules/waypoints';
import { LABELS } from '../constructs/labels';
import { targetRefsOf } from '../simulator/attachment';

/**
 * A Gateway that the base revision owned and the head revision no longer
 * emits, while objects of the head revision still use it, or an object whose
 * never-pruned manifest the head drops (another team's, or a Namespace: its
 * live label stays). Argo CD and Flux prune the Gateway on sync, and
 * what still names it then has no waypoint: a Service whose label names a
 * missing waypoint gets none (no fallback), and ztunnel sends its traffic
 * straight to the pods, past every plugin.
 *
 * The usual causes: turning an owned `Waypoint` into
 * `Waypoint.fromWaypointName(...)` (to hand it to another app) in one commit,
 * or removing a waypoint together with the namespace or Service labels that
 * use it.
 */
export interface PrunedGateway {
  readonly target: string;
  /** `namespace/name` */
  readonly gateway: string;
  /**
   * What still uses it, and how, e.g. `Namespace default (istio.io/use-waypoint)`,
   * `WasmPlugin default/auth (targetRefs)`: the head revision's objects and
   * those of `leftBehind`.
   */
  readonly usedBy: string[];
  /**
   * Which of the users are objects GitOps never prunes (another team's
   * label-only objects, and Namespaces) whose manifest this change removes
   * (e.g. `Namespace default`): no longer managed, they keep their label in
   * the cluster. Absent when there are none; when every
   * user is one, nothing is being handed over and the Gateway is simply
   * removed too early.
   */
  readonly leftBehind?: string[];
  /**
   * Which of the users this change releases (their label no longer names the
   * Gateway) or removes (and GitOps prunes), where Flux may apply: their
   * manifests sit in a later stage than the Gateway, and Flux prunes each
   * stage's Kustomization without waiting for the next, so for a while the
   * live label names a Gateway that is gone. Argo CD alone orders them
   * (`PruneLast`). Absent when there are none.
   */
  readonly changedAfterPrune?: string[];
}

/**
 * A waypoint Gateway this change prunes that nothing in the head uses: no
 * label or plugin in git names it. A label set outside git may still do so
 * (`kubectl label`, `istioctl waypoint apply --enroll-namespace`, a GitOps
 * tool the manifests no longer name, a label co-owned with the hand that set
 * it first), which no manifest shows: its traffic then skips every waypoint.
 * The review asks for the cluster to be checked; it cannot fail on it.
 */
export interface PrunedWaypoint {
  readonly target: string;
  /** `namespace/name` */
  readonly gateway: string;
}

const key = (namespace: string, name: string) => `${namespace}/${name}`;

/** The stage folder of a manifest of our layout (`demo/3-enrollment/shop/x.yaml` -> `3-enrollment`). */
export function manifestStage(o: ModelObject): string | undefined {
  return o.file?.split('/')[1];
}

/** Whether Flux may be the tool: it marks what it must not prune or take over; only Argo CD's marks rule it out. */
export function fluxMayApply(models: readonly MeshModel[]): boolean {
  let argo = false;
  for (const m of models) {
    for (const o of m.objects) {
      const keys = Object.keys(o.manifest.metadata.annotations ?? {});
      if (keys.some((k) => k.startsWith('kustomize.toolkit.fluxcd.io/'))) return true;
      if (keys.some((k) => k.startsWith('argocd.argoproj.io/'))) argo = true;
    }
  }
  return !argo;
}

/** A user of a pruned Gateway that this change releases or removes. */
export interface LateChange {
  readonly object: ModelObject;
  /** `release`: the head keeps the manifest without the label; `prune`: the head drops it and GitOps prunes it. */
  readonly how: 'release' | 'prune';
}

/**
 * Objects whose label named one of the `pruned` Gateways in the base and that
 * this change releases (moved to no or another waypoint) or removes (pruned),
 * applied by a later stage than the Gateway's, when Flux may be the tool
 * (`flux`, from `fluxMayApply`, read once for all targets): that change
 * lands after the prune.
 */
export function changedAfterPrune(base: MeshModel, head: MeshModel, target: string, pruned: ReadonlySet<string>, flux: boolean): LateChange[] {
  if (pruned.size === 0 || !flux) return [];
  const gatewayStage = new Map(base.objects.filter((o) => o.target === target && o.manifest.kind === 'Gateway').map((o) => [key(o.manifest.metadata.namespace ?? 'default', o.manifest.metadata.name), manifestStage(o)]));
  const inHead = new Map(head.objects.filter((o) => o.target === target).map((o) => [objectKey(o.manifest), o]));
  const out: LateChange[] = [];
  for (const o of base.objects) {
    if (o.target !== target) continue;
    const named = labelledWaypoint(o);
    if (!named || !pruned.has(named)) continue;
    const now = inHead.get(objectKey(o.manifest));
    // A release lands where the head applies it (a released Namespace moves to the enrollment stage).
    if (now !== undefined && labelledWaypoint(now) !== named && manifestStage(now) !== gatewayStage.get(named)) out.push({ object: o, how: 'release' });
    // A removed never-pruned object keeps its label: that is `leftBehind`, not a late change.
    if (now === undefined && !keepsMeshLabels(o.manifest) && manifestStage(o) !== gatewayStage.get(named)) out.push({ object: o, how: 'prune' });
  }
  return out;
}

/** The Gateways of a target (`namespace/name`), only the owned ones if asked. */
export function gatewayKeys(model: MeshModel, target: string, ownedOnly: boolean): Set<string> {
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

/**
 * Whether removing this manifest leaves mesh labels behind: an object the
 * GitOps tool never prunes (another team's, or any Namespace: `Prune=false`,
 * Flux `prune: disabled`) that carries an `istio.io/` label. A ReleasedLabels
 * manifest carries none (it is how labels are given back), so removing it
 * once it has synced leaves nothing behind.
 */
export function keepsMeshLabels(m: KubeObject): boolean {
  return (manifestOwnership(m) === 'external' || neverPruned(m)) && Object.keys(m.metadata.labels ?? {}).some((k) => k.startsWith('istio.io/'));
}

/** What the manifest's own annotations tell Argo CD and Flux about pruning it. */
function neverPruned(m: KubeObject): boolean {
  return m.metadata.annotations?.[GITOPS_KEYS.fluxPrune] === 'disabled' || argoSyncOptionsOf(m.metadata.annotations).includes('Prune=false');
}

/**
 * Objects GitOps never prunes (another team's, and Namespaces) whose
 * manifests the base revision emits and the head no longer does: the live
 * object stays, with the labels the base gave it.
 */
export function labelOnlyLeftBehind(base: MeshModel, head: MeshModel, target: string): ModelObject[] {
  const kept = new Set(head.objects.filter((o) => o.target === target).map((o) => objectKey(o.manifest)));
  return base.objects.filter((o) => o.target === target && keepsMeshLabels(o.manifest) && !kept.has(objectKey(o.manifest)));
}

/** Which waypoint an object's own labels name (`namespace/name`), if any. */
export function labelledWaypoint(o: ModelObject): string | undefined {
  const m = o.manifest;
  const use = useWaypointOf(m.metadata.labels ?? {}, m.kind === 'Namespace' ? m.metadata.name : (m.metadata.namespace ?? 'default'));
  return use.kind === 'waypoint' ? key(use.namespace, use.name) : undefined;
}

export function pluginTargets(o: ModelObject): string[] {
  if (o.manifest.kind !== 'WasmPlugin') return [];
  // The legacy singular targetRef too, when targetRefs is empty: istiod attaches the plugin by it.
  const refs = targetRefsOf((o.manifest.spec ?? {}) as Record<string, unknown>);
  const ns = o.manifest.metadata.namespace ?? 'default';
  return refs.filter((r): r is { kind: string; name: string } => r.kind === 'Gateway' && typeof r.name === 'string').map((r) => key(ns, r.name));
}

/** `Namespace shop`, `Service shop/reviews`: how review lines name an object. */
export function describeId(id: { readonly kind: string; readonly namespace?: string; readonly name: string }): string {
  return `${id.kind} ${id.kind === 'Namespace' ? id.name : `${id.namespace ?? 'default'}/${id.name}`}`;
}

/** `describeId` of a model object. */
export function describe(o: ModelObject): string {
  const m = o.manifest;
  return describeId({ kind: m.kind, namespace: m.metadata.namespace, name: m.metadata.name });
}

/**
 * Which of the `pruned` Gateways (from `prunedGatewayKeys`) are still used:
 * by the head revision's own objects, or by the live labels of `leftBehind`
 * (from `labelOnlyLeftBehind`), which no commit removes.
 */
export function prunedGatewaysInUse(
  pruned: ReadonlySet<string>,
  head: MeshModel,
  target: string,
  leftBehind: readonly ModelObject[] = [],
  late: readonly LateChange[] = [],
): PrunedGateway[] {
  if (pruned.size === 0) return [];
  const usedBy = new Map<string, { by: string[]; leftBehind: string[]; late: string[] }>();
  const use = (gateway: string, by: string, leftBehindObject?: string) => {
    if (!pruned.has(gateway)) return;
    const entry = usedBy.get(gateway) ?? usedBy.set(gateway, { by: [], leftBehind: [], late: [] }).get(gateway)!;
    entry.by.push(by);
    if (leftBehindObject) entry.leftBehind.push(leftBehindObject);
  };
  for (const { object: o, how } of late) {
    const wp = labelledWaypoint(o);
    if (!wp) continue;
    use(wp, `${describe(o)} (${LABELS.useWaypoint}, until Flux ${how === 'release' ? 'applies its release' : 'prunes it'})`);
    usedBy.get(wp)?.late.push(describe(o));
  }
  for (const o of head.objects) {
    if (o.target !== target) continue;
    const wp = labelledWaypoint(o);
    if (wp) use(wp, `${describe(o)} (${LABELS.useWaypoint})`);
    for (const g of pluginTargets(o)) use(g, `${describe(o)} (targetRefs)`);
  }
  for (const o of leftBehind) {
    const wp = labelledWaypoint(o);
    if (wp) use(wp, `${describe(o)} (${LABELS.useWaypoint})`, describe(o));
  }
  return [...usedBy.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([gateway, u]) => ({
      target,
      gateway,
      usedBy: u.by.sort(),
      ...(u.leftBehind.length > 0 ? { leftBehind: u.leftBehind.sort() } : {}),
      ...(u.late.length > 0 ? { changedAfterPrune: u.late.sort() } : {}),
    }));
}

/** The `pruned` Gateways that are waypoints in the base and that none of `inUse` (from `prunedGatewaysInUse`) names. */
export function prunedUnusedWaypoints(base: MeshModel, target: string, pruned: ReadonlySet<string>, inUse: readonly PrunedGateway[]): PrunedWaypoint[] {
  if (pruned.size === 0) return [];
  const used = new Set(inUse.map((p) => p.gateway));
  const out = new Set<string>();
  for (const o of base.objects) {
    if (o.target !== target || o.manifest.kind !== 'Gateway' || !isWaypointGateway(o.manifest)) continue;
    const gateway = key(o.manifest.metadata.namespace ?? 'default', o.manifest.metadata.name);
    if (pruned.has(gateway) && !used.has(gateway)) out.add(gateway);
  }
  return [...out].sort().map((gateway) => ({ target, gateway }));
}
