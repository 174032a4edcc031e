import type { Review } from './report';

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
  return [
    ...count(r.effects.access.filter((a) => a.widened).length, 'request(s) widened'),
    ...count(r.effects.prunedInUse.length, 'Gateway(s) pruned while in use'),
    ...count(r.effects.adoptedEarly.length, 'label(s) reaching a waypoint before it is ready'),
    ...count(r.objects.filter((o) => o.staleWaypoint).length, 'removed object(s) that GitOps never prunes (another team\'s, or a Namespace) left with a label naming a waypoint'),
    ...count(r.orphanedTargets.length, 'target(s) removed with manifests in them'),
    ...count(r.effects.syncGaps.length, 'moment(s) of the sync when a Service goes without a plugin'),
    ...count(r.deliveryRenames.filter((d) => d.outcome === 'deleted').length, 'renamed delivery(ies) whose old Kustomizations delete what they applied'),
    // Every later change stops reaching the cluster through it, or two Applications fight over the objects.
    ...count(r.deliveryRenames.filter((d) => d.outcome === 'sync-fails' || d.outcome === 'shared').length, 'renamed Argo CD Application(s) that cannot take over their objects'),
    ...count(r.deliveryRenames.filter((d) => (d.outcome === 'taken-over' || d.outcome === 'deleted') && d.unpruned.length > 0).length, 'renamed delivery(ies) leaving removed objects for no one to prune'),
    // Another team's Service taken over: our spec is forced over theirs, and it becomes prunable.
    ...count(r.objects.filter((o) => o.becameOwned).length, "label-only Service(s) of another team now emitted as this app's own"),
    // The server-side apply drops spec.ports; the API server refuses it, so every later change stops reaching the cluster.
    ...count(r.objects.filter((o) => o.becameLabelOnly).length, 'owned Service(s) turned label-only before the owning team applies them'),
    // Without its protection, the object is pruned once its manifest leaves git, or deleted with its Application.
    ...count(r.objects.filter((o) => o.droppedProtections && !o.becameOwned).length, 'object(s) losing a prune, delete or apply protection'),
  ];
}
