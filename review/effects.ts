import { objectKey, type MeshModel } from '../compiler/model';
import { waypointProxy } from '../simulator/attachment';
import { MeshIndex } from '../simulator/mesh-index';
import type { ChainEntry } from '../simulator/chain';
import { describe, labelOnlyLeftBehind, prunedGatewayKeys, PrunedGateway, prunedGatewaysInUse, changedAfterPrune, fluxMayApply, prunedUnusedWaypoints, type PrunedWaypoint } from './pruned-gateways';
import { earlyAdoptions, type EarlyAdoption } from './early-adoption';
import { pluginPairs, type PluginMove, type PluginPair } from './plugin-moves';
import { missingDuring, rolloutStates, toolsOf, type GitOpsToolName, type SyncGap } from './sync-gaps';
import { failsOpen, leftAmbient, newBuilds, type FailsOpen, type LeftAmbient, type NewBuild } from './unsimulated-widening';
import { indexFor, ingressGateways, serviceList, serviceSubject, targetsOf, waypointKeys } from './target-subjects';
import { binding, headInCluster, type BindingChange, type HeadFacts } from './binding-changes';
import { chainDuring, chainEntries, chainIds, type ChainChange } from './chain-changes';
import { notePairs, pluginMovesOf, renamedFrom, type MoveWitnesses } from './plugin-move-witnesses';
import { ingressEntries, ingressServices, probes, type ProbeScope } from './probes';
import { rankIn, simulationOrder, type PendingRequest } from './simulation-order';
import { accessCases, type AccessCase } from './access-cases';
import { serviceEntryAuth, type ServiceEntryAuth } from './service-entry-auth';
import { FailOpenChains, type FailOpenChain } from './fail-open-chains';

export { isNamespaceWide, serviceSubject } from './target-subjects';
export type { BindingChange, BindingState } from './binding-changes';
export type { ChainChange } from './chain-changes';
export type { AccessCase } from './access-cases';
export type { ServiceEntryAuth } from './service-entry-auth';
export type { FailOpenChain } from './fail-open-chains';

/**
 * What a change does to traffic: `effectChanges` walks each target once, in
 * both revisions, and gathers what the other modules of review/ find there.
 */

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
  /** ServiceEntries whose auth plugins this change removes, edits or moves off them: no simulated request goes to a ServiceEntry. */
  readonly serviceEntryAuth: ServiceEntryAuth[];
  /** Services and ingress gateways whose chain keeps only fail-open auth plugins, its fail-closed ones gone: no simulated request shows it (modules load). */
  readonly failOpenChains: FailOpenChain[];
}

/** About 2 ms each on a laptop (both revisions): a few seconds at most in CI. */
export const DEFAULT_MAX_REQUESTS = 2000;

/** What the policies do differently between two revisions: bindings, chains, and access. */
export function effectChanges(base: MeshModel, head: MeshModel, maxRequests = DEFAULT_MAX_REQUESTS): EffectChanges {
  const bindings: BindingChange[] = [];
  const chains: ChainChange[] = [];
  const pending: PendingRequest[] = [];
  const prunedInUse: PrunedGateway[] = [];
  const prunedUnused: PrunedWaypoint[] = [];
  const adoptedEarly: EarlyAdoption[] = [];
  const pluginMoves: PluginMove[] = [];
  const syncGaps: SyncGap[] = [];
  const leftAmbientNamespaces: LeftAmbient[] = [];
  const failingOpen: FailsOpen[] = [];
  const otherBuilds: NewBuild[] = [];
  const entryAuth: ServiceEntryAuth[] = [];
  const openChains = new FailOpenChains();
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
    if (baseTargets.has(target)) entryAuth.push(...serviceEntryAuth(base, live, target, bi, hi, facts));
    const services = serviceList([base, head], target);
    const pairs = pluginPairs(base, head, target);
    const renames = renamedFrom(pairs);
    // A target the base lacks had nothing that failed closed.
    const turnedOpen = baseTargets.has(target) ? failsOpen(base, head, target, pairs) : undefined;
    if (turnedOpen) {
      failingOpen.push(...turnedOpen);
      otherBuilds.push(...newBuilds(base, head, target, pairs));
    }
    const turnedOpenIds = turnedOpen && new Set(turnedOpen.map((f) => f.plugin));
    const noteFailOpen = (subject: string, before: readonly ChainEntry[], after: readonly ChainEntry[]) => {
      if (turnedOpenIds) openChains.note(target, subject, before, after, turnedOpenIds);
    };
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
      const beforeEntries = chainEntries(bi, b.gateway && b.service ? waypointProxy(b.gateway, b.service) : undefined);
      const afterEntries = chainEntries(hi, h.gateway && h.service ? waypointProxy(h.gateway, h.service) : undefined);
      const [before, after] = [chainIds(beforeEntries), chainIds(afterEntries)];
      if (JSON.stringify(before) !== JSON.stringify(after)) chains.push({ target, subject: `Service ${label}`, before, after });
      notePairs(pairs, moves, serviceSubject(label), beforeEntries, afterEntries);
      noteFailOpen(serviceSubject(label), beforeEntries, afterEntries);
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
      noteFailOpen(`ingress gateway ${g.namespace}/${g.name}`, beforeEntries, afterEntries);
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
    const rank = rankIn(bi, hi, pruned);
    // A revision with no object of the target answers nothing there (the indexes also exist for one holding only references).
    const baseIndex = base.objects.some((o) => o.target === target) ? bi : undefined;
    const liveIndex = live.objects.some((o) => o.target === target) ? hi : undefined;
    for (const { probe, changed } of probes([base, head], target, scope)) {
      pending.push({ target, probe, rank: rank(probe, changed), baseIndex, liveIndex, pruned });
    }
  }
  const { access, simulated, truncated, unchanged } = accessCases(simulationOrder(pending), baseTargets, maxRequests);
  return { bindings, chains, access, simulated, truncated, unchangedLeftOut: unchanged, prunedInUse, prunedUnusedWaypoints: prunedUnused, adoptedEarly, pluginMoves, syncGaps, tools, leftAmbient: leftAmbientNamespaces, failsOpen: failingOpen, newBuilds: otherBuilds, serviceEntryAuth: entryAuth, failOpenChains: openChains.list() };
}
