import { objectKey, type MeshModel } from '../compiler/model';
import { storedCredential } from '../constructs/plugins/basic-auth-format';
import { bindService, ingressUsesWaypoint } from '../simulator/binding';
import { buildChain } from '../simulator/chain';
import { MeshIndex } from '../simulator/mesh-index';
import { simulateIn } from '../simulator/simulate';
import { isSimulationError, parseDestination, parseGateway } from '../simulator/request';
import { describe, labelOnlyLeftBehind, prunedGatewayKeys, PrunedGateway, prunedGatewaysInUse, changedAfterPrune, fluxMayApply, prunedUnusedWaypoints, type PrunedWaypoint } from './pruned-gateways';
import { credentialFingerprint } from './secrets';
import { earlyAdoptions, type EarlyAdoption } from './early-adoption';
import { pluginPairs, type PluginMove, type PluginPair } from './plugin-moves';
import { missingDuring, rolloutStates, toolsOf, type GitOpsToolName, type SyncGap } from './sync-gaps';
import { failsOpen, leftAmbient, newBuilds, type FailsOpen, type LeftAmbient, type NewBuild } from './unsimulated-widening';
import { indexFor, ingressGateways, serviceList, serviceSubject, targetsOf, waypointKeys } from './target-subjects';
import { binding, headInCluster, type BindingChange, type HeadFacts } from './binding-changes';
import { chainDuring, chainEntries, chainIds, type ChainChange } from './chain-changes';
import { notePairs, pluginMovesOf, renamedFrom, type MoveWitnesses } from './plugin-move-witnesses';
import { ingressEntries, ingressServices, probes, type Destination, type Probe, type ProbeScope } from './probes';

export { isNamespaceWide, serviceSubject } from './target-subjects';
export type { BindingChange, BindingState } from './binding-changes';
export type { ChainChange } from './chain-changes';

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

export interface EffectChanges {
  readonly bindings: BindingChange[];
  readonly chains: ChainChange[];
  readonly access: AccessCase[];
  /** Representative requests simulated on both sides. */
  readonly simulated: number;
  /**
   * Requests left out to bound the work, among those whose path changed (a
   * plugin or policy on it, the waypoint it binds to...): their access may
   * have changed unseen, so `--fail-on-widened` fails.
   */
  readonly truncated: number;
  /** Requests left out whose every input to the simulator is the same in both revisions: they cannot differ. */
  readonly unchangedLeftOut: number;
  /** Gateways this change prunes while objects of the head still use them. */
  readonly prunedInUse: PrunedGateway[];
  /** Waypoint Gateways this change prunes that nothing in git uses: only the cluster can tell whether a label set outside git still names one. */
  readonly prunedUnusedWaypoints: PrunedWaypoint[];
  /** Labels this change moves to a waypoint (or plugins) it also adds, applied before them. */
  readonly adoptedEarly: EarlyAdoption[];
  /** WasmPlugins renamed (removed and added again with the same spec) or moved (other targetRefs). */
  readonly pluginMoves: PluginMove[];
  /** Services that run a plugin before and after this change, but not at some point of the sync. */
  readonly syncGaps: SyncGap[];
  /** The GitOps tools whose metadata the manifests carry (Flux also when no tool's is there): the sync is read for each. */
  readonly tools: GitOpsToolName[];
  /** Namespaces leaving ambient: their pods' requests skip every waypoint, which no simulated request (sent from the mesh) shows. */
  readonly leftAmbient: LeftAmbient[];
  /** Auth plugins now failing open: requests pass them when the module fails to load, which the simulator (modules load) never shows. */
  readonly failsOpen: FailsOpen[];
  /** Auth plugins now pinned to another build of their module under the same url: the simulator answers for the url, not the build. */
  readonly newBuilds: NewBuild[];
}

/** About 2 ms each on a laptop (both revisions): a few seconds at most in CI. */
export const DEFAULT_MAX_REQUESTS = 2000;

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
    return JSON.stringify({
      service,
      via,
      viaChain: via ? entries(buildChain(index, { kind: 'ingress', gateway: via })) : undefined,
      binding: [b.waypoint, b.reason, b.from],
      ingressUses: via ? ingressUsesWaypoint(index, service).uses : undefined,
      chain: b.waypoint ? entries(buildChain(index, { kind: 'waypoint', gateway: b.waypoint, service })) : undefined,
    });
  } catch (e) {
    // Not comparable (undefined): simulate it early rather than assume it unchanged.
    if (isSimulationError(e)) return undefined;
    throw e;
  }
}

/** What the policies do differently between two revisions: bindings, chains, and access. */
export function effectChanges(base: MeshModel, head: MeshModel, maxRequests = DEFAULT_MAX_REQUESTS): EffectChanges {
  const bindings: BindingChange[] = [];
  const chains: ChainChange[] = [];
  const access: AccessCase[] = [];
  let simulated = 0;
  let truncated = 0;
  let unchanged = 0;
  const pending: { target: string; probe: Probe; rank: number; baseIndex?: MeshIndex; liveIndex?: MeshIndex; pruned: ReadonlySet<string> }[] = [];
  const prunedInUse: PrunedGateway[] = [];
  const prunedUnused: PrunedWaypoint[] = [];
  const adoptedEarly: EarlyAdoption[] = [];
  const pluginMoves: PluginMove[] = [];
  const syncGaps: SyncGap[] = [];
  const leftAmbientNamespaces: LeftAmbient[] = [];
  const failingOpen: FailsOpen[] = [];
  const otherBuilds: NewBuild[] = [];
  // Read once: it scans every object of both revisions.
  const flux = fluxMayApply([base, head]);
  const tools = toolsOf([base, head], flux);
  const baseTargets = new Set(targetsOf(base));
  for (const target of [...new Set([...baseTargets, ...targetsOf(head)])].sort()) {
    const pruned = prunedGatewayKeys(base, head, target);
    const leftBehind = labelOnlyLeftBehind(base, head, target);
    const inUse = prunedGatewaysInUse(pruned, head, target, leftBehind, changedAfterPrune(base, head, target, pruned, flux));
    prunedInUse.push(...inUse);
    prunedUnused.push(...prunedUnusedWaypoints(base, target, pruned, inUse));
    const early = earlyAdoptions(base, head, target);
    adoptedEarly.push(...early);
    // An owned Namespace's label landing before its waypoint's plugins is said there, not again as a gap.
    const earlyNamespaces = new Set(early.map((a) => a.object.replace(/^Namespace /, '')));
    const live = headInCluster(head, leftBehind);
    if (baseTargets.has(target)) {
      leftAmbientNamespaces.push(...leftAmbient(base, live, target));
    }
    const facts: HeadFacts = { pruned, leftBehind: new Map(leftBehind.map((o) => [objectKey(o.manifest), describe(o)])) };
    const bi = indexFor(base, target);
    const hi = indexFor(live, target);
    const services = serviceList([base, head], target);
    const pairs = pluginPairs(base, head, target);
    const renames = renamedFrom(pairs);
    if (baseTargets.has(target)) {
      failingOpen.push(...failsOpen(base, head, target, pairs));
      otherBuilds.push(...newBuilds(base, head, target, pairs));
    }
    const moves = new Map<PluginPair, MoveWitnesses>();
    const states = rolloutStates(base, live, target, tools);
    const stateIndexes = states.map((st) => indexFor(st.model, target));
    const boundTo = new Map<string, Set<string>>();
    for (const s of services) {
      const b = binding(bi, s.namespace, s.name);
      const h = binding(hi, s.namespace, s.name, facts);
      const label = `${s.namespace}/${s.name}`;
      for (const w of [b.state.waypoint, h.state.waypoint]) if (w) (boundTo.get(w) ?? boundTo.set(w, new Set()).get(w)!).add(label);
      if (b.state.waypoint !== h.state.waypoint) {
        bindings.push({ target, service: label, before: b.state, after: h.state, lostWaypoint: b.state.waypoint !== undefined && h.state.waypoint === undefined });
      }
      const beforeEntries = chainEntries(bi, b.gateway && b.service ? { kind: 'waypoint', gateway: b.gateway, service: b.service } : undefined);
      const afterEntries = chainEntries(hi, h.gateway && h.service ? { kind: 'waypoint', gateway: h.gateway, service: h.service } : undefined);
      const [before, after] = [chainIds(beforeEntries), chainIds(afterEntries)];
      if (JSON.stringify(before) !== JSON.stringify(after)) chains.push({ target, subject: `Service ${label}`, before, after });
      notePairs(pairs, moves, serviceSubject(label), beforeEntries, afterEntries);
      states.forEach((state, i) => {
        const during = chainDuring(stateIndexes[i], s.namespace, s.name, state);
        // A label naming a Gateway that is gone by then is the pruned-Gateway hazard's; a Namespace label landing early, the early adoption's.
        if ((during.named && state.gone.has(during.named)) || (during.from === 'Namespace' && earlyNamespaces.has(s.namespace))) return;
        const missing = missingDuring(beforeEntries, afterEntries, during.entries, renames);
        if (missing.length > 0) syncGaps.push({ target, service: label, tool: state.tool, during: state.during, ...(during.waypoint ? { waypoint: during.waypoint } : {}), missing });
      });
    }
    const waypoints = waypointKeys([base, head], target);
    const gateways = ingressGateways([base, head], target, waypoints);
    for (const g of gateways) {
      const proxyOf = (idx?: MeshIndex) => (idx ? { kind: 'ingress' as const, gateway: idx.gatewayOrAssumed(g.namespace, g.name) } : undefined);
      const beforeEntries = chainEntries(bi, proxyOf(bi));
      const afterEntries = chainEntries(hi, proxyOf(hi));
      const [before, after] = [chainIds(beforeEntries), chainIds(afterEntries)];
      if (JSON.stringify(before) !== JSON.stringify(after)) chains.push({ target, subject: `ingress gateway ${g.namespace}/${g.name}`, before, after });
      notePairs(pairs, moves, `ingress gateway ${g.namespace}/${g.name}`, beforeEntries, afterEntries);
    }
    pluginMoves.push(...pluginMovesOf(target, pairs, moves));
    const indexes = [bi, hi];
    const scope: ProbeScope = {
      services,
      boundTo,
      ingress: ingressEntries(gateways, indexes, boundTo),
      ingressServices: ingressServices(services, indexes),
      waypoints,
    };
    const inputs = new Map<string, boolean>();
    const touched = (p: Probe) => {
      const key = `${p.via ?? ''}\0${p.to}`;
      if (!inputs.has(key)) {
        const [a, b] = [pathInputs(bi, p), pathInputs(hi, p, pruned)];
        inputs.set(key, a === undefined || b === undefined || a !== b);
      }
      return inputs.get(key)!;
    };
    // A revision with no object of the target answers nothing there (the indexes also exist for one holding only references).
    const baseIndex = base.objects.some((o) => o.target === target) ? bi : undefined;
    const liveIndex = live.objects.some((o) => o.target === target) ? hi : undefined;
    for (const { probe, changed } of probes([base, head], target, scope)) {
      pending.push({ target, probe, rank: touched(probe) ? (changed ? 0 : 1) : 2, baseIndex, liveIndex, pruned });
    }
  }
  // Whatever their target: first the requests of a rule or plugin that
  // changed, then the others whose path changed (a plugin on it, its
  // binding); last those whose path did not, which cannot differ.
  const order = [0, 1, 2].flatMap((rank) => pending.filter((q) => q.rank === rank));
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
  return { bindings, chains, access, simulated, truncated, unchangedLeftOut: unchanged, prunedInUse, prunedUnusedWaypoints: prunedUnused, adoptedEarly, pluginMoves, syncGaps, tools, leftAmbient: leftAmbientNamespaces, failsOpen: failingOpen, newBuilds: otherBuilds };
}
