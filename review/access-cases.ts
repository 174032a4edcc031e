import { storedCredential } from '../constructs/plugins/basic-auth-format';
import type { MeshIndex } from '../simulator/mesh-index';
import { isSimulationError } from '../simulator/request';
import { simulateIn } from '../simulator/simulate';
import type { Probe } from './probes';
import { credentialFingerprint } from './secrets';
import type { PendingRequest } from './simulation-order';

/**
 * The access matrix: each representative request simulated in both
 * revisions, and the cases whose status (or status if what the simulator
 * does not decide lets it through) differs, widened ones first.
 */

export interface AccessCase {
  readonly target: string;
  readonly via?: string;
  readonly to: string;
  /** The Host a rule's `hosts` names; unset for the simulator's default (the Service's fully qualified name in the cluster's DNS domain). */
  readonly authority?: string;
  readonly method: string;
  readonly path: string;
  /** `none`, or a credential fingerprint (never the value). */
  readonly credential: string;
  readonly before: number | null;
  readonly after: number | null;
  /**
   * For an unknown status: the status if every plugin and policy the
   * simulator does not decide lets the request through (200 when nothing it
   * models stops the request, so a 200 is possible).
   */
  readonly beforeIfPassed?: number;
  readonly afterIfPassed?: number;
  /** Allowed now (or now possibly allowed), refused before: listed first and marked. */
  readonly widened: boolean;
  readonly narrowed: boolean;
}

/** A request's status, and for an unknown one the status assuming what is not simulated lets it through. */
interface Outcome {
  readonly status: number | null;
  readonly ifPassed: number | null;
}

/** `index`: the revision's index of the target, undefined when it has no object there (built once per target, not per request). */
function outcomeOf(index: MeshIndex | undefined, target: string, p: Probe, pruned?: ReadonlySet<string>): Outcome {
  if (!index) return { status: null, ifPassed: null };
  const headers: Record<string, string> = p.credential ? { authorization: `Basic ${storedCredential(p.credential)}` } : {};
  const request = { target, via: p.via, to: p.to, method: p.method, path: p.path, authority: p.authority, headers };
  const run = (unsimulated: 'undetermined' | 'assume-pass') => {
    try {
      return simulateIn(index, request, { unlistedWaypoints: 'assume-present', prunedWaypoints: pruned, unsimulated }).status;
    } catch (e) {
      if (isSimulationError(e)) return null;
      throw e;
    }
  };
  const status = run('undetermined');
  return { status, ifPassed: status === null ? run('assume-pass') : status };
}

/**
 * The requests of `order` simulated in both revisions, up to `maxRequests`:
 * the cases that differ, and how many were simulated and left out.
 */
export function accessCases(order: readonly PendingRequest[], baseTargets: ReadonlySet<string>, maxRequests: number): { access: AccessCase[]; simulated: number; truncated: number; unchanged: number } {
  const access: AccessCase[] = [];
  let simulated = 0;
  let truncated = 0;
  let unchanged = 0;
  for (const { target, probe: p, rank, baseIndex, liveIndex, pruned } of order) {
    if (simulated >= maxRequests) {
      if (rank < 2) truncated++;
      else unchanged++;
      continue;
    }
    simulated++;
    // A target the base did not have at all is new access, listed with
    // the other changes. Any other unknown (a module or policy the
    // simulator does not model) still counts: the gate must not miss auth
    // removed from behind it, nor from behind a plugin it cannot decide (a
    // rate limiter that answers 429 or passes): there a 200 that was not
    // possible (401 whatever the rate limiter does) now is.
    const baseHad = baseTargets.has(target);
    const b = outcomeOf(baseIndex, target, p);
    const h = outcomeOf(liveIndex, target, p, pruned);
    if (b.status === h.status && b.ifPassed === h.ifPassed) continue;
    const [before, after] = [b.status, h.status];
    access.push({
      target,
      via: p.via,
      to: p.to,
      authority: p.authority,
      method: p.method,
      path: p.path,
      credential: p.credential ? credentialFingerprint(p.credential) : 'none',
      before,
      after,
      ...(before === null && b.ifPassed !== null ? { beforeIfPassed: b.ifPassed } : {}),
      ...(after === null && h.ifPassed !== null ? { afterIfPassed: h.ifPassed } : {}),
      widened: baseHad && ((after === 200 && before !== 200) || (h.ifPassed === 200 && b.ifPassed !== 200)),
      narrowed: (before === 200 && after !== 200) || (b.ifPassed === 200 && h.ifPassed !== 200),
    });
  }
  access.sort((a, b) => Number(b.widened) - Number(a.widened));
  return { access, simulated, truncated, unchanged };
}
