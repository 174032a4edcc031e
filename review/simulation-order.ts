import { bindService, ingressUsesWaypoint } from '../simulator/binding';
import { waypointProxy } from '../simulator/attachment';
import { buildChain } from '../simulator/chain';
import type { MeshIndex } from '../simulator/mesh-index';
import { isSimulationError, parseDestination, parseGateway } from '../simulator/request';
import type { Destination, Probe } from './probes';

/**
 * Which representative requests to simulate first, when the bound on their
 * number leaves some out: those left out must be the ones that cannot
 * differ, and how many of the others were left out is what
 * `--fail-on-widened` counts.
 */

/** A representative request waiting to be simulated, with what each revision needs to answer it. */
export interface PendingRequest {
  readonly target: string;
  readonly probe: Probe;
  /** From `rankIn`. */
  readonly rank: number;
  readonly baseIndex?: MeshIndex;
  readonly liveIndex?: MeshIndex;
  readonly pruned: ReadonlySet<string>;
}

/**
 * Everything the simulator reads for a request to this destination, in one
 * revision: the Service, the ingress gateway and its chain, the binding, and
 * the waypoint's chain with each plugin's manifest. Equal in both revisions,
 * every request there gets the same answer in both.
 */
function pathInputs(index: MeshIndex | undefined, d: Destination, pruned?: ReadonlySet<string>): string | undefined {
  if (!index) return 'absent';
  const entries = (c: ReturnType<typeof buildChain>) => c.entries.map((e) => [e.id, e.stage, e.priority, e.applies, e.object.manifest]);
  try {
    const dest = parseDestination(d.to);
    const service = index.service(dest.namespace, dest.name);
    const ref = d.via === undefined ? undefined : parseGateway(d.via);
    const via = ref && index.gatewayOrAssumed(ref.namespace, ref.name);
    const b = bindService(index, service, { unlistedWaypoints: 'assume-present', prunedWaypoints: pruned });
    const proxy = b.waypoint && waypointProxy(b.waypoint, service);
    return JSON.stringify({
      service,
      via,
      viaChain: via ? entries(buildChain(index, { kind: 'ingress', gateway: via })) : undefined,
      binding: [b.waypoint, b.reason, b.from],
      ingressUses: via ? ingressUsesWaypoint(index, service).uses : undefined,
      chain: proxy ? entries(buildChain(index, proxy)) : undefined,
    });
  } catch (e) {
    // Not comparable (undefined): simulate it early rather than assume it unchanged.
    if (isSimulationError(e)) return undefined;
    throw e;
  }
}

/**
 * How soon to simulate each request of one target (0 first): 0 for a
 * request of a rule or plugin that changed (`changed`), 1 for another whose
 * path changed, 2 for one whose path did not. Each destination's path is
 * compared once, whatever number of requests go there.
 */
export function rankIn(bi: MeshIndex | undefined, hi: MeshIndex | undefined, pruned: ReadonlySet<string>): (p: Probe, changed: boolean) => number {
  const inputs = new Map<string, boolean>();
  const touched = (p: Probe) => {
    const key = `${p.via ?? ''}\0${p.to}`;
    if (!inputs.has(key)) {
      const [a, b] = [pathInputs(bi, p), pathInputs(hi, p, pruned)];
      inputs.set(key, a === undefined || b === undefined || a !== b);
    }
    return inputs.get(key)!;
  };
  return (p, changed) => (touched(p) ? (changed ? 0 : 1) : 2);
}

export function simulationOrder(pending: readonly PendingRequest[]): PendingRequest[] {
  // Whatever their target: first the requests of a rule or plugin that
  // changed, then the others whose path changed (a plugin on it, its
  // binding); last those whose path did not, which cannot differ.
  return [0, 1, 2].flatMap((rank) => pending.filter((q) => q.rank === rank));
}
