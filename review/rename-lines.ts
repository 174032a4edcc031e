import { isDeliveryHazard, type DeliveryRename } from './delivery-renames';
import type { EffectChanges } from './effects';
import { inTarget, shortPlugins } from './finding-lines';
import type { PluginMove } from './plugin-moves';
import type { Review } from './report';

/**
 * The lines for renames and moves: a renamed Argo CD Application or Flux
 * Kustomizations, a plugin moved or renamed, part-of relabelled. Each tells
 * as one change what the object changes list as removals, additions and
 * fields; a delivery rename that is a hazard (isDeliveryHazard) is listed
 * with the hazards instead, by the same line, so it lives here for both.
 */

/** The objects a renamed owner leaves for neither owner to prune. */
function unprunedText(d: DeliveryRename): string {
  if (d.unpruned.length === 0) return '';
  const why = d.tool === 'Argo CD' ? 'its tracking id names the old Application' : 'it is in no inventory of the new Kustomizations';
  return (
    `. ${d.unpruned.join(', ')}: this change also removes it, and only the old owner would prune it, if it syncs this revision before it goes; the new one never applied it (${why}), ` +
    'so otherwise it stays in the cluster, unmanaged. Remove it in a commit before the rename, or delete it by hand'
  );
}

export function deliveryLine(d: DeliveryRename): string {
  const what = d.tool === 'Argo CD' ? 'Argo CD Application' : 'Flux Kustomizations';
  const head = `${what} ${d.from.join(', ')}${inTarget(d.target)} renamed ${d.to.join(', ')}: `;
  const tracked = 'Argo CD marked every object the old one applied, label-only ones included, with its name (the argocd.argoproj.io/tracking-id annotation), so the new one finds them tracked by another Application (SharedResourceWarning)';
  const kept = d.deleteProtected ? '. Nothing is deleted (every object has Delete=false)' : '';
  switch (d.outcome) {
    case 'sync-fails':
      return (
        `${head}${tracked} and, with FailOnSharedResource=true, fails every sync before it applies anything: nothing of this change, or of any later one, reaches the cluster through it, ` +
        `and only the old Application, while it exists and its folder does, still applies this target${kept}. ` +
        'Rename it in a commit of its own; once the old Application is gone (deleted, or pruned by your app of apps), sync the new one once without FailOnSharedResource, which rewrites the tracking ids, and put the option back (docs/gitops.md)' +
        unprunedText(d)
      );
    case 'shared':
      return (
        `${head}${tracked}; without FailOnSharedResource=true it applies them and rewrites their tracking ids, and while the old Application exists the two take the objects from each other on every sync${kept}. ` +
        'Delete the old Application first, then let the new one sync' +
        unprunedText(d)
      );
    case 'deleted':
      return (
        `${head}deleting the old ones (whatever applies the delivery folder prunes them, or you do) deletes what they applied that is not marked prune: disabled, as their deletionPolicy asks (MirrorPrune with prune: true, Delete or WaitForTermination): ` +
        `${(d.deleted ?? []).join(', ')}, until the new ones apply them again, and meanwhile a label may name a waypoint that is gone, so its traffic skips every plugin. ` +
        'First set deletionPolicy: Orphan on the old Kustomizations (a commit of its own, synced), then rename them' +
        unprunedText(d)
      );
    default:
      return `${head}the new ones apply the same objects and take them over (Flux stamps its owner labels on each), and deleting the old ones deletes nothing (deletionPolicy: Orphan)${unprunedText(d) || ': nothing is pruned, deleted or left unmanaged'}`;
  }
}

function moveLine(m: PluginMove, effects: EffectChanges): string {
  const gaps = effects.syncGaps;
  const what = m.renamed ? `${m.from}${inTarget(m.target)} renamed ${shortPlugins([m.to])}` : `${m.from}${inTarget(m.target)} moved`;
  const refs = m.targetRefs ? `${m.renamed ? ', and moved' : ''} from ${m.targetRefs.before.join(', ') || 'no targetRefs'} to ${m.targetRefs.after.join(', ') || 'no targetRefs'}` : '';
  // Not a plain rename: what changed with it is compared with the old plugin above (fails open, access, chains).
  const edited = m.changed?.length ? `, and changed (${m.changed.join(', ')})` : '';
  const parts: string[] = [];
  if (m.joins.length > 0) parts.push(`now runs for ${m.joins.join(', ')}`);
  if (m.leaves.length > 0) parts.push(`no longer runs for ${m.leaves.join(', ')} (after the sync, not only during it)`);
  if (m.leaves.length === 0 && m.joins.length === 0) parts.push('runs for the same Services and gateways as before');
  const involved = gaps.some((g) => g.target === m.target && (g.missing.includes(m.from) || g.missing.includes(m.to)));
  if (involved) parts.push('some Services go without it during the sync (see the hazards)');
  else if (m.renamed) {
    const why = [
      ...(effects.tools.includes('Flux') ? ['Flux applies the new one before it prunes the old one, in the same Kustomization'] : []),
      ...(effects.tools.includes('Argo CD') && m.prunedLast ? ['Argo CD prunes the old one after the last wave (PruneLast), so for a moment both run'] : []),
    ];
    parts.push(`no Service that runs it before and after goes without it during the sync${why.length ? `: ${why.join(', and ')}` : ''}`);
  }
  if (m.nowRunsAfter?.length) {
    parts.push(`now runs after ${m.nowRunsAfter.join(', ')}, which it ran before (its phase or priority changed): what that plugin does to a request now comes before it`);
  }
  if (m.runsAfter?.length) parts.push(`as a new object it runs after ${m.runsAfter.join(', ')}, which share its phase and priority (istiod runs the older one first, whatever the names say)`);
  return `${what}${refs}${edited}: ${parts.join('; ')}`;
}

function partOfLine(r: Review): string {
  const p = r.partOf!;
  return (
    `app.kubernetes.io/part-of ${p.from} -> ${p.to} on ${p.objects} object(s): a label only, by which neither Argo CD (its tracking-id annotation, or the app.kubernetes.io/instance label) ` +
    'nor Flux (its kustomize.toolkit.fluxcd.io/name and /namespace labels) tracks objects, so it makes neither tool prune, delete or adopt anything' +
    (r.deliveryRenames.length > 0 ? '; the delivery names it defaults (delivery.name) are renamed too: see those lines' : '')
  );
}

/** Renames and moves, summarized: what the object changes list as removals, additions and fields. */
export function renames(r: Review): string[] {
  return [...(r.partOf ? [partOfLine(r)] : []), ...r.deliveryRenames.filter((d) => !isDeliveryHazard(d)).map(deliveryLine), ...r.effects.pluginMoves.map((m) => moveLine(m, r.effects))];
}
