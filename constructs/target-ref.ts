/**
 * What a WasmPlugin can attach to. Policies never type a kind/group/name by
 * hand: they pass constructs (or references) that implement ITargetable.
 */

/** The wire form of one `spec.targetRefs[]` entry. Never carries a namespace. */
export interface TargetRef {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
}

export interface ITargetable {
  /** The targetRefs entry pointing at this object. */
  readonly targetRef: TargetRef;
  /**
   * The namespace the object lives in; undefined for cluster-scoped targets
   * (GatewayClass), which only plugins in the mesh root namespace may use.
   */
  readonly targetNamespace: string | undefined;
}

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/**
 * The `istio-waypoint` GatewayClass: a plugin in the mesh root namespace that
 * targets it applies to every waypoint in the mesh.
 */
export const ALL_WAYPOINTS: ITargetable = Object.freeze({
  targetRef: Object.freeze({ group: GATEWAY_GROUP, kind: 'GatewayClass', name: 'istio-waypoint' }),
  targetNamespace: undefined,
});
