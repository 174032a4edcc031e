import { LABELS } from '../constructs/labels';
import { isDeliveryHazard } from './delivery-renames';
import type { EarlyAdoption } from './early-adoption';
import { inTarget, objectLine } from './finding-lines';
import type { ObjectChange } from './object-diff';
import { describeId, type PrunedGateway, type PrunedWaypoint } from './pruned-gateways';
import { deliveryLine } from './rename-lines';
import type { Review } from './report';
import type { SyncGap } from './sync-gaps';
import { isNamespaceWide, serviceSubject } from './target-subjects';

/**
 * The lines for removal and rollout hazards (targets removed or renamed,
 * hazardous delivery renames, Gateways pruned while in use, labels landing
 * before their waypoint or plugins, sync gaps, labels GitOps never prunes,
 * ownership switched, protections dropped), and the check before merging
 * that a waypoint pruned with no user in git needs. Each says what goes
 * wrong during or after the sync and the order of commits that avoids it:
 * the longest prose of the review, apart from the formats that place it.
 */

/** A removed object GitOps never prunes: which waypoint its live label still names, when one does (the reason the gate fails). */
function staleLabels(o: ObjectChange): string {
  return `its manifest is removed but GitOps never prunes it, so the live object keeps ${keptLabels(o)}: release them first (ReleasedLabels, see docs/gitops.md)`;
}

function keptLabels(o: ObjectChange): string {
  if (o.staleWaypoint) {
    return `its mesh labels, among them istio.io/use-waypoint naming waypoint ${o.staleWaypoint} (no later review sees that label, so removing that waypoint then would go unreported)`;
  }
  if (o.object.kind === 'Namespace') return 'its mesh labels (istio.io/dataplane-mode, istio.io/use-waypoint...)';
  // A Service never carries the dataplane mode: naming it would send the reader looking for it.
  return 'its mesh labels (istio.io/use-waypoint, istio.io/ingress-use-waypoint...)';
}

const BECAME_LABEL_ONLY =
  'this app owned the whole Service and now only labels it: the GitOps tool\'s server-side apply drops every field it applied before (spec.ports included), which the API server refuses, so the sync fails. Let the owning team apply the full Service first, then switch to the label-only form';

const BECAME_OWNED =
  "this app only labelled another team's Service and now emits the whole Service as its own: the GitOps tool applies that spec over the live one (server-side apply forces every conflict, the selector and ports included, and Flux's Override also takes over what kubectl wrote), and it no longer carries Prune=false or prune: disabled, so once its manifest leaves git the tool deletes the Service. Keep MeshService.fromServiceName unless its owning team has handed it over and stopped deploying it";

/** Objects of one target that lose the same protections: one line for them all (a switch of GitOps tool touches every object). */
function droppedLines(objects: readonly ObjectChange[]): string[] {
  const groups = new Map<string, { target: string; dropped: string[]; objects: string[] }>();
  for (const o of objects) {
    if (!o.droppedProtections || o.becameOwned) continue;
    const key = `${o.object.target}\0${o.droppedProtections.join('\0')}`;
    const group = groups.get(key) ?? groups.set(key, { target: o.object.target, dropped: o.droppedProtections, objects: [] }).get(key)!;
    group.objects.push(describeId(o.object));
  }
  return [...groups.values()].map((g) => {
    const lost = (p: string) => g.dropped.some((d) => d.endsWith(p));
    const then = [
      ...(lost('Prune=false') || lost('prune: disabled') ? ['prunes each once its manifest leaves git'] : []),
      ...(lost('Delete=false') ? ['deletes each with its Application (argocd app delete cascades by default)'] : []),
    ];
    return (
      `${g.objects.join(', ')}${inTarget(g.target)} lose ${g.dropped.join(', ')}: both tools read these from the live object, and a tool that still applies this folder removes them on its next sync (they were its fields)` +
      `${then.length ? `, and then ${then.join(', and ')}` : ''}. ` +
      `${lost('ssa: Merge') ? "Without ssa: Merge, Flux applies each with its default Override, which takes over the fields kubectl wrote and drops those this manifest lacks. " : ''}` +
      "If this switches GitOps tools (PolicyApp gitops), delete the old tool's Applications without cascading, or its Kustomizations (deletionPolicy: Orphan), before this change lands. " +
      // Server-side apply keeps one owner per manager; deleting the Application or Kustomization does not remove the old controller's managedFields entry.
      "The old tool's field manager (argocd-controller, kustomize-controller) stays a co-owner of the labels it applied, so a label the new tool releases later stays on the live object: after such a release, remove the label by hand (kubectl label ... istio.io/use-waypoint-)"
    );
  });
}

function prunedLine(p: PrunedGateway): string {
  const left = p.leftBehind ?? [];
  const late = p.changedAfterPrune ?? [];
  const advice: string[] = [];
  // Users beyond the left-behind and late ones are this revision's own objects: the Gateway is being handed over, or removed under them.
  if (p.usedBy.length > left.length + late.length) {
    advice.push('Keep the Waypoint in this app until its new owner has adopted the live Gateway, or release what uses it first (see docs/gitops.md, Removing a policy)');
  }
  if (left.length > 0) {
    // Removing a never-pruned manifest never removes its live label, so "release it first" needs saying how.
    advice.push(
      `${left.join(', ')}: removing its manifest leaves its label in the cluster (GitOps never prunes another team's object, or a Namespace). ` +
        'Keep the manifest with the label released (ReleasedLabels) until that has synced, and remove the Waypoint in a later commit',
    );
  }
  if (late.length > 0) {
    advice.push(
      `${late.join(', ')}: Flux releases or prunes it in a later Kustomization than the one that prunes the Gateway, without waiting for it. ` +
        'Commit that change first, and remove the Waypoint once the enrollment Kustomization is Ready at that revision (Argo CD alone orders them with PruneLast)',
    );
  }
  return (
    `removed Gateway ${p.gateway}${inTarget(p.target)} is still used by ${p.usedBy.join(', ')}: ` +
    'GitOps prunes it on sync, and then that traffic has no waypoint (no fallback) and skips its plugins. ' +
    advice.join('. ')
  );
}

function earlyLine(a: EarlyAdoption): string {
  const what = a.adds === 'waypoint' ? `waypoint ${a.to}, which this change adds${a.plugins.length ? ` with ${a.plugins.join(', ')}` : ''}` : `waypoint ${a.to}, whose plugins this change adds (${a.plugins.join(', ')})`;
  return (
    `${a.object}${inTarget(a.target)} moves from waypoint ${a.from} to ${what}: its manifest is applied with the waypoints, so its label lands ` +
    `${a.adds === 'waypoint' ? 'before that Gateway is ready and before its plugins' : 'before those plugins'}, and meanwhile its traffic ${a.adds === 'waypoint' ? 'skips every waypoint policy (ztunnel fails open)' : 'reaches the waypoint without them'}. ` +
    `Add ${a.adds === 'waypoint' ? 'the waypoint and its plugins' : 'the plugins'} in one commit, and move the label in a later one`
  );
}

/** One line per Service and set of plugins it goes without, naming each tool's moment. */
function gapLines(gaps: readonly SyncGap[]): string[] {
  const groups = new Map<string, { gap: SyncGap; when: string[] }>();
  for (const g of gaps) {
    const key = JSON.stringify([g.target, g.service, g.missing]);
    const group = groups.get(key) ?? groups.set(key, { gap: g, when: [] }).get(key)!;
    group.when.push(`under ${g.tool} ${g.during} (through ${g.waypoint ? `waypoint ${g.waypoint}` : 'no waypoint'})`);
  }
  return [...groups.values()].map(({ gap: g, when }) => {
    const all = isNamespaceWide(g.service);
    const svc = serviceSubject(g.service);
    return (
      `${svc}${inTarget(g.target)} ${all ? 'run' : 'runs'} ${g.missing.join(', ')} before and after this change, but not during the sync: ${when.join(', and ')}, ${all ? 'their' : 'its'} traffic skips it, ` +
      'because the plugin moves (or its old copy is pruned) in another stage than the label that sends the traffic after it lands. ' +
      'Move it in steps: first attach it where the traffic will go as well (both targetRefs, or a copy under the new name), then move the labels, then remove it from the old place'
    );
  });
}

export function hazards(r: Review): string[] {
  // A pruned-Gateway line already says how to release what it leaves behind: one line per object.
  const covered = new Set(r.effects.prunedInUse.flatMap((p) => (p.leftBehind ?? []).map((d) => `${p.target}\0${d}`)));
  return [
    ...r.orphanedTargets.map(
      (o) =>
        `target ${o.target} is removed with ${o.manifests} manifest(s) in it: its folder is gone, so its Application or Kustomizations fail on the missing path, or are deleted without pruning, and everything it deployed stays in the cluster, unmanaged (waypoints and plugins keep running, labels keep routing). ` +
        'Empty the target first (keep the Target without policies until the tools have pruned), then delete it (docs/gitops.md, decommission a target)',
    ),
    ...r.renamedTargets.map(
      (t) =>
        `target ${t.from} is renamed ${t.to} (every object moves): deliver ${t.to} to the cluster ${t.from} went to, so that its Application or Kustomizations take them over` +
        `${r.deliveryRenames.some((d) => d.tool === 'Argo CD' && d.target === t.to) ? ' (an Argo CD Application only once their tracking ids name it: see the line on it)' : ''}` +
        `; elsewhere, what ${t.from} deployed stays there, unmanaged (its folder is gone, and nothing prunes it)`,
    ),
    ...r.deliveryRenames.filter(isDeliveryHazard).map(deliveryLine),
    ...r.effects.prunedInUse.map(prunedLine),
    ...r.effects.adoptedEarly.map(earlyLine),
    ...gapLines(r.effects.syncGaps),
    ...r.objects
      .filter((o) => o.change === 'removed' && o.labelOnly && !covered.has(`${o.object.target}\0${describeId(o.object)}`))
      .map((o) => `${objectLine(o)}: ${staleLabels(o)}`),
    ...r.objects.filter((o) => o.becameLabelOnly).map((o) => `${objectLine(o)}: ${BECAME_LABEL_ONLY}`),
    ...r.objects.filter((o) => o.becameOwned).map((o) => `${objectLine(o)}: ${BECAME_OWNED}`),
    ...droppedLines(r.objects),
  ];
}

// Every kind istiod reads istio.io/use-waypoint from (istio-ambient-facts.md): a
// hand-labelled ServiceEntry (an egress waypoint's usual user) is missed by a
// listing of Namespaces and Services alone.
const WAYPOINT_LABEL_KINDS = 'namespace,service,serviceentry,workloadentry,pod';

/**
 * A waypoint pruned with no user in git: what to ask the cluster, since only
 * it knows the labels set by hand. `prose` escapes text and `command` quotes
 * a command, each as the format needs.
 */
export function prunedUnusedLine(p: PrunedWaypoint, prose: (s: string) => string = (s) => s, command: (s: string) => string = (s) => `\`${s}\``): string {
  const [namespace, name] = p.gateway.split('/');
  return (
    prose(
      `waypoint Gateway ${p.gateway}${inTarget(p.target)} is pruned, and nothing in git uses it any more; a label set outside git may still name it ` +
        '(kubectl label, istioctl waypoint apply --enroll-namespace, a GitOps tool these manifests no longer name), and that traffic would then skip every waypoint. Before merging, check that ',
    ) +
    command(`kubectl get ${WAYPOINT_LABEL_KINDS} -A -l ${LABELS.useWaypoint}=${name} -L ${LABELS.useWaypointNamespace}`) +
    prose(` lists neither namespace/${namespace} nor anything in namespace ${namespace}, and nothing whose USE-WAYPOINT-NAMESPACE is ${namespace}`)
  );
}
