import type { Rule } from '../rule';

/** The API group of an apiVersion (`''` for the core group's `v1`). */
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '');

export const objectsOwnedAndReferenced: Rule = {
  id: 'objects/owned-and-referenced',
  severity: 'error',
  docs: {
    summary:
      "An object this app emits as its own (a Waypoint, a MeshService) with the API group, kind, namespace and name of one the same target references as another team's: GitOps applies our manifest over the live object (server-side apply forces every conflict), then tracks it as ours and prunes it, the other team's Gateway or Service, when it leaves git.",
    bad: `Waypoint.fromWaypointName(ns, 'shared', { name: 'waypoint', namespace: 'shop' }); // the preamble's owned Waypoint is named 'waypoint' too`,
    message: "Gateway shop/waypoint is emitted as this app's own, but shop/shared references it as another team's: GitOps would apply our manifest over theirs, and prune their object once ours leaves git",
    fix: "Decide who owns it: keep only the reference (another team's object is never emitted), or only the owned construct (after its owner has stopped deploying it), or give the owned one another name. If this app is the owner and only refers to its own object by name elsewhere, pass the construct itself (the Waypoint or MeshService) instead of the reference.",
  },
  check(ctx) {
    for (const o of ctx.objects) {
      if (o.ownership !== 'owned') continue;
      const { kind, metadata } = o.manifest;
      const ref = ctx.findReference(kind, metadata.namespace, metadata.name);
      // Same kind in another API group (an Istio networking.istio.io Gateway beside a Gateway API one): another object.
      if (ref === undefined || (ref.apiVersion !== undefined && groupOf(ref.apiVersion) !== groupOf(o.manifest.apiVersion))) continue;
      ctx.report(o, {
        message: `${kind} ${metadata.namespace ? `${metadata.namespace}/` : ''}${metadata.name} is emitted as this app's own, but ${ref.path ?? 'a reference'} references it as another team's: GitOps would apply our manifest over theirs, and prune their object once ours leaves git`,
      });
    }
  },
};
