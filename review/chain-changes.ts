import { useWaypointOf } from '../analysis/rules/waypoints';
import { waypointProxy } from '../simulator/attachment';
import { LABELS } from '../constructs/labels';
import { bindService } from '../simulator/binding';
import { buildChain, type ChainEntry } from '../simulator/chain';
import type { MeshIndex } from '../simulator/mesh-index';
import type { RolloutState } from './sync-gaps';
import { serviceInfo } from './target-subjects';

/**
 * The plugins each Service or ingress gateway runs, in order, before and
 * after the change and at each moment of the rollout between: the chains a
 * reviewer compares, and those the sync gaps and plugin moves read.
 */

export interface ChainChange {
  readonly target: string;
  /** `Service default/reviews` or `ingress gateway default/bookinfo-gateway`. */
  readonly subject: string;
  readonly before: string[];
  readonly after: string[];
}

/** A proxy's chain in one revision: empty when the revision lacks the target or the request passes no such proxy. */
export function chainEntries(index: MeshIndex | undefined, proxy: Parameters<typeof buildChain>[1] | undefined): readonly ChainEntry[] {
  if (!index || !proxy) return [];
  return buildChain(index, proxy).entries;
}

/** A chain as review lines list it: each plugin's id, marked when it may apply. */
export function chainIds(entries: readonly ChainEntry[]): string[] {
  return entries.map((e) => `${e.id}${e.applies === 'unknown' ? ' (may apply)' : ''}`);
}

/**
 * A Service's chain at one moment of the rollout (see `rolloutStates`), the
 * waypoint it goes through then, and the one its labels name (which may be
 * gone) and where that label is.
 */
export function chainDuring(index: MeshIndex | undefined, ns: string, name: string, state: RolloutState): { entries: readonly ChainEntry[]; waypoint?: string; named?: string; from?: 'Service' | 'Namespace' } {
  if (!index) return { entries: [] };
  const service = serviceInfo(index, ns, name);
  const b = bindService(index, service, { unlistedWaypoints: 'assume-present', prunedWaypoints: state.gone });
  const labels = service.labels[LABELS.useWaypoint] !== undefined ? service.labels : index.namespace(ns).labels;
  const use = useWaypointOf(labels, ns);
  return {
    entries: chainEntries(index, b.waypoint && waypointProxy(b.waypoint, service)),
    waypoint: b.waypoint ? `${b.waypoint.namespace}/${b.waypoint.name}` : undefined,
    named: use.kind === 'waypoint' ? `${use.namespace}/${use.name}` : undefined,
    from: b.from,
  };
}
