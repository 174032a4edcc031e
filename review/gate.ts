import { isDeliveryHazard, type DeliveryRename } from './delivery-renames';
import type { Review } from './report';

const RENAME_REASONS = {
  deleted: 'renamed set(s) of Flux Kustomizations whose old ones, once deleted, delete what they applied (no deletionPolicy: Orphan)',
  // Every later change stops reaching the cluster through it, or two Applications fight over the objects.
  'sync-fails': 'renamed Argo CD Application(s) that cannot take over their objects',
  // Taken over, but objects removed in the same change are pruned by neither owner.
  'taken-over': 'renamed set(s) of Flux Kustomizations leaving objects this change removes for no one to prune',
} as const;

/** A hazardous rename's reason: an Argo CD `shared` one fails for the same reason as `sync-fails`. */
const renameReason = (d: DeliveryRename): keyof typeof RENAME_REASONS => (d.outcome === 'shared' ? 'sync-fails' : d.outcome);

/**
 * Why `diff --fail-on-widened` fails this review: one short reason per kind
 * of finding that widens access, loses an object or leaves traffic past a
 * policy, empty when the gate passes. Kept beside the report (not in the
 * command) so that every hazard the report lists is weighed here too, and a
 * test can hold the two together.
 *
 * What passes: a renamed target (its objects are declared again), a Flux
 * rename whose new Kustomizations take every object over, changes of access
 * that only narrow, and a label-only object removed whose label names no
 * waypoint.
 */
export function gateFailures(r: Review): string[] {
  const count = (n: number, what: string) => (n > 0 ? [`${n} ${what}`] : []);
  const hazardRenames = r.deliveryRenames.filter(isDeliveryHazard);
  return [
    ...count(r.effects.access.filter((a) => a.widened).length, 'request(s) widened'),
    ...count(r.effects.leftAmbient.length, "Namespace(s) leaving ambient (their pods' requests skip every waypoint)"),
    ...count(r.effects.failsOpen.length, 'auth plugin(s) now failing open'),
    // Another build answers for the same url: like a rotated credential, the reviewer confirms it.
    ...count(r.effects.newBuilds.length, 'auth plugin(s) running another build of their module'),
    // Simulated requests assume every module loads: a chain left to fail-open plugins only shows no change.
    ...count(r.effects.failOpenChains.length, 'chain(s) left with only fail-open auth plugins'),
    // No simulated request goes to a ServiceEntry: what its auth plugins lost cannot be shown, as for requests left out.
    ...count(r.effects.serviceEntryAuth.length, 'ServiceEntry(s) whose auth plugins are removed, changed or moved off them (not simulated)'),
    ...count(r.effects.prunedInUse.length, 'Gateway(s) pruned while in use'),
    ...count(r.effects.adoptedEarly.length, 'label(s) reaching a waypoint before it is ready'),
    ...count(r.objects.filter((o) => o.staleWaypoint).length, 'removed object(s) that GitOps never prunes (another team\'s, or a Namespace) left with a label naming a waypoint'),
    ...count(r.orphanedTargets.length, 'target(s) removed with manifests in them'),
    ...count(r.effects.syncGaps.length, 'moment(s) of the sync when a Service goes without a plugin'),
    // The renames the report lists as hazards, each once, under what makes it one.
    ...(['deleted', 'sync-fails', 'taken-over'] as const).flatMap((reason) => count(hazardRenames.filter((d) => renameReason(d) === reason).length, RENAME_REASONS[reason])),
    // Another team's Service taken over: our spec is forced over theirs, and it becomes prunable.
    ...count(r.objects.filter((o) => o.becameOwned).length, "label-only Service(s) of another team now emitted as this app's own"),
    // The server-side apply drops spec.ports; the API server refuses it, so every later change stops reaching the cluster.
    ...count(r.objects.filter((o) => o.becameLabelOnly).length, 'owned Service(s) turned label-only before the owning team applies them'),
    // Without its protection, the object is pruned once its manifest leaves git, or deleted with its Application.
    ...count(r.objects.filter((o) => o.droppedProtections && !o.becameOwned).length, 'object(s) losing a prune, delete or apply protection'),
  ];
}
