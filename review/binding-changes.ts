import { objectKey, type MeshModel, type ModelObject } from '../compiler/model';
import { bindService } from '../simulator/binding';
import type { GatewayInfo, MeshIndex, ServiceInfo } from '../simulator/mesh-index';
import { serviceInfo } from './target-subjects';

/**
 * Which waypoint each Service goes through in either revision, and the head
 * as the cluster will hold it: the label-only objects it drops still label
 * the cluster, so they, not the head's manifests, decide its bindings.
 */

/** Which waypoint a Service's traffic goes through, in words a reviewer reads. */
export interface BindingState {
  readonly waypoint?: string;
  readonly reason: string;
}

export interface BindingChange {
  readonly target: string;
  /** `namespace/name`, or `namespace/*` for every Service without labels of its own. */
  readonly service: string;
  readonly before: BindingState;
  readonly after: BindingState;
  /** The Service no longer passes any waypoint (its plugins stop applying). */
  readonly lostWaypoint: boolean;
}

/** What the head side knows beyond its manifests. */
export interface HeadFacts {
  readonly pruned: ReadonlySet<string>;
  /** The label-only objects the head drops, whose live labels stay (see `headInCluster`): `objectKey` to how the review names it. */
  readonly leftBehind: ReadonlyMap<string, string>;
}

/** A Service's binding in one revision (`head` given for the head's), in words, and the waypoint and Service the simulator bound. */
export function binding(index: MeshIndex | undefined, ns: string, name: string, head?: HeadFacts): { state: BindingState; gateway?: GatewayInfo; service?: ServiceInfo } {
  if (!index) return { state: { reason: 'not in this revision' } };
  const service = serviceInfo(index, ns, name);
  // A waypoint absent from the manifests is another team's (assumed present), unless this change prunes it.
  const b = bindService(index, service, { unlistedWaypoints: 'assume-present', prunedWaypoints: head?.pruned });
  const waypoint = b.waypoint ? `${b.waypoint.namespace}/${b.waypoint.name}` : undefined;
  const why = b.trace.filter((t) => t.step === 'binding').map((t) => t.detail).pop() ?? b.reason;
  // The simulator's last binding step usually names the reason already.
  const reason = why.includes(b.reason) ? why : `${b.reason}: ${why}`;
  // The head's manifests no longer hold that label: say where it still comes from.
  const labelledBy = b.from === 'Namespace' ? { kind: 'Namespace', name: ns } : b.from === 'Service' ? { kind: 'Service', namespace: ns, name } : undefined;
  const left = labelledBy && head?.leftBehind.get(objectKey(labelledBy));
  const note = left ? `${left} is no longer managed here, but keeps its label in the cluster (GitOps never prunes it): ` : '';
  return { state: { waypoint, reason: `${note}${reason}` }, gateway: b.waypoint, service };
}

/**
 * The head as the cluster will hold it: plus the label-only objects it drops.
 * GitOps never prunes those, so their live labels, not the head's intent,
 * decide the bindings (no fallback to the Namespace's waypoint): a dropped
 * Service label keeps the Service on its waypoint, whatever that waypoint
 * now runs, and a dropped `none` keeps it off every waypoint.
 */
export function headInCluster(head: MeshModel, leftBehind: readonly ModelObject[]): MeshModel {
  return leftBehind.length === 0 ? head : { ...head, objects: [...head.objects, ...leftBehind] };
}
