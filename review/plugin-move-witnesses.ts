import { argoSyncOptionsOf } from '../compiler/gitops';
import { orderUnknown, type ChainEntry } from '../simulator/chain';
import { changedFields, pluginId, refsOf, type PluginMove, type PluginPair } from './plugin-moves';

/**
 * Who runs each renamed or moved plugin before and after, read off the
 * chains of every Service and gateway: plugin-moves.ts pairs the plugins
 * from their manifests alone, this needs the chains the simulator builds.
 */

/** Who runs a renamed or moved plugin before and after, gathered from every chain it is on. */
export interface MoveWitnesses {
  readonly leaves: string[];
  readonly joins: string[];
  readonly runsAfter: Set<string>;
  readonly nowRunsAfter: Set<string>;
}

/** The base's id of each renamed plugin, by its head id: a chain entry is compared with its old self. */
export function renamedFrom(pairs: readonly PluginPair[]): Map<string, string> {
  return new Map(pairs.filter((p) => p.renamed).map((p) => [pluginId(p.to), pluginId(p.from)]));
}

/** Who runs the plugins of `pairs` before and after, from one subject's two chains (`moves` is filled in place). */
export function notePairs(pairs: readonly PluginPair[], moves: Map<PluginPair, MoveWitnesses>, subject: string, before: readonly ChainEntry[], after: readonly ChainEntry[]): void {
  const baseId = renamedFrom(pairs);
  for (const p of pairs) {
    const [from, to] = [pluginId(p.from), pluginId(p.to)];
    const move = moves.get(p) ?? moves.set(p, { leaves: [], joins: [], runsAfter: new Set(), nowRunsAfter: new Set() }).get(p)!;
    const had = before.find((e) => e.id === from);
    const mine = after.find((e) => e.id === to);
    if (had && !mine) move.leaves.push(subject);
    if (!had && mine) move.joins.push(subject);
    if (p.renamed && mine) for (const e of after) if (e !== mine && orderUnknown(e, mine)) move.runsAfter.add(e.id);
    if (!had || !mine) continue;
    // Plugins it surely ran before (not a tie istiod breaks by age) that it now surely runs after.
    const ranBefore = new Set(before.slice(before.indexOf(had) + 1).filter((e) => !orderUnknown(e, had)).map((e) => e.id));
    for (const e of after.slice(0, after.indexOf(mine))) if (!orderUnknown(e, mine) && ranBefore.has(baseId.get(e.id) ?? e.id)) move.nowRunsAfter.add(e.id);
  }
}

/** The renamed and moved plugins of one target, with who runs each before and after (`moves`, as `notePairs` filled it). */
export function pluginMovesOf(target: string, pairs: readonly PluginPair[], moves: ReadonlyMap<PluginPair, MoveWitnesses>): PluginMove[] {
  return pairs.map((p) => {
    const m = moves.get(p) ?? { leaves: [], joins: [], runsAfter: new Set<string>(), nowRunsAfter: new Set<string>() };
    const [refsBefore, refsAfter] = [refsOf(p.from), refsOf(p.to)];
    const changed = changedFields(p.from, p.to);
    return {
      target,
      from: pluginId(p.from),
      to: pluginId(p.to),
      renamed: p.renamed,
      ...(changed.length > 0 ? { changed } : {}),
      ...(JSON.stringify(refsBefore) !== JSON.stringify(refsAfter) ? { targetRefs: { before: refsBefore, after: refsAfter } } : {}),
      leaves: m.leaves.sort(),
      joins: m.joins.sort(),
      ...(m.runsAfter.size > 0 ? { runsAfter: [...m.runsAfter].sort() } : {}),
      ...(m.nowRunsAfter.size > 0 ? { nowRunsAfter: [...m.nowRunsAfter].sort() } : {}),
      ...(p.renamed ? { prunedLast: argoSyncOptionsOf(p.from.manifest.metadata.annotations).includes('PruneLast=true') } : {}),
    };
  });
}
