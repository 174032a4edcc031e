import type { EffectChanges } from './effects';
import type { AccessCase } from './access-cases';
import type { BindingChange } from './binding-changes';
import type { ChainChange } from './chain-changes';
import { isNamespaceWide, serviceSubject } from './target-subjects';
import type { FieldChange, ObjectChange } from './object-diff';
import { describeId, type PrunedGateway, type PrunedWaypoint } from './pruned-gateways';
import type { EarlyAdoption } from './early-adoption';
import { isDeliveryHazard, type DeliveryRename } from './delivery-renames';
import type { PluginMove } from './plugin-moves';
import type { SyncGap } from './sync-gaps';
import type { FailsOpen, LeftAmbient, NewBuild } from './unsimulated-widening';

export interface Review {
  readonly base: string;
  readonly head: string;
  readonly objects: ObjectChange[];
  readonly effects: EffectChanges;
  /**
   * Targets whose folder this change removes while it still held manifests:
   * nothing they deployed is pruned (their Application or Kustomizations
   * fail on the missing path, or go without pruning), so it stays, unmanaged.
   * The effects read the cluster so: those objects still there.
   */
  readonly orphanedTargets: { readonly target: string; readonly manifests: number }[];
  /**
   * Targets whose folder this change removes while a new target declares
   * every one of their objects again: renamed. Only if the new one is
   * delivered to the same cluster does its Application or Kustomization take
   * the objects over.
   */
  readonly renamedTargets: { readonly from: string; readonly to: string }[];
  /** The Argo CD Application or Flux Kustomizations of a target renamed: its objects change owner. */
  readonly deliveryRenames: DeliveryRename[];
  /** The `app.kubernetes.io/part-of` value of every owned object, replaced (a label only). */
  readonly partOf?: { readonly from: string; readonly to: string; readonly objects: number };
  /**
   * The working tree's output folder is not what the head's policies compile
   * to (a hand edit, a change committed without synth, a merge conflict
   * resolved in the files): the review shows what the policies compile to,
   * while the GitOps tool deploys the folder as committed. Counts of files
   * synth would add, change and remove (`waypoint-policy check` lists them).
   */
  readonly staleOutput?: { readonly outdir: string; readonly added: number; readonly changed: number; readonly removed: number };
  /**
   * Commits changing the output folder that the base has and HEAD does not (a branch behind its base): what
   * they changed reads as undone by this change, though merging keeps it.
   */
  readonly baseAhead?: { readonly commits: number };
}

export type ReviewFormat = 'text' | 'markdown' | 'json';

/** Where a line is about, when the tree has targets: ` [prod]`. */
const inTarget = (target: string | undefined): string => (target ? ` [${target}]` : '');

function status(s: number | null, ifPassed?: number): string {
  if (s !== null) return String(s);
  return ifPassed === undefined ? 'unknown' : `unknown (${ifPassed} if what is not simulated lets it through)`;
}

const before = (a: AccessCase) => status(a.before, a.beforeIfPassed);
const after = (a: AccessCase) => status(a.after, a.afterIfPassed);

/** Beyond this a value is cut, saying so: an added rule with dozens of credentials (fingerprints) still shows whole. */
const MAX_VALUE = 1000;

function value(v: unknown): string {
  if (v === undefined) return '(absent)';
  // Quoted when empty: "group: gateway.networking.k8s.io -> " reads as a line cut short.
  const text = typeof v === 'string' && v !== '' ? v : JSON.stringify(v);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}... (${text.length - MAX_VALUE} more characters in --json)` : text;
}

function request(a: AccessCase): string {
  const cred = a.credential === 'none' ? 'no credentials' : `credential ${a.credential}`;
  return `${a.method} ${a.path} ${a.via ? `via ${a.via} ` : ''}to ${a.to}${a.authority ? ` (host ${a.authority})` : ''} (${cred})${inTarget(a.target)}`;
}

function leftAmbientLine(n: LeftAmbient): string {
  return (
    `Namespace ${n.namespace}${inTarget(n.target)} leaves the ambient mesh (istio.io/dataplane-mode: ambient -> ${n.after ?? '(absent)'}): ztunnel no longer captures its pods, ` +
    'so their own requests skip every waypoint, and every plugin on one, whatever Service they call. The simulated requests come from a client in the mesh and do not show this. ' +
    'Keep the namespace enrolled (dataplaneMode ambient) unless its pods are meant to leave the mesh and its waypoint policies'
  );
}

/** Which plugin of the base it is, when it has another name now. */
function failsOpenOrigin(f: FailsOpen): string {
  const short = (id: string) => id.replace(/^WasmPlugin /, '');
  if (f.renamedFrom) return ` (renamed from ${short(f.renamedFrom)})`;
  return f.replaces ? ` (added as this change removes ${f.replaces.map(short).join(', ')}, of the same module)` : '';
}

function failsOpenLine(f: FailsOpen): string {
  return (
    `${f.plugin}${inTarget(f.target)}${failsOpenOrigin(f)} now fails open (failStrategy ${f.before} -> FAIL_OPEN): whenever its module cannot be fetched or crashes, the requests it refuses pass unchecked. ` +
    'The simulated requests assume the module loads and do not show this. Keep it fail-closed (remove failStrategy) unless availability beats this check here'
  );
}

function newBuildLine(b: NewBuild): string {
  return (
    `${b.plugin}${inTarget(b.target)} now runs another build of its module under the same url (sha256 ${b.before} -> ${b.after}): ` +
    'the simulated requests model a module by its name and tag, so they answer as before whatever the new build refuses or lets through. ' +
    'Confirm that the new digest is the release meant for this module'
  );
}

/** Widenings the representative requests cannot show, one line each. */
function unsimulatedWidening(e: EffectChanges): string[] {
  return [...e.leftAmbient.map(leftAmbientLine), ...e.failsOpen.map(failsOpenLine), ...e.newBuilds.map(newBuildLine)];
}

function bindingLine(b: BindingChange): string {
  const from = b.before.waypoint ?? 'no waypoint';
  const to = b.after.waypoint ?? 'no waypoint';
  const svc = isNamespaceWide(b.service) ? serviceSubject(b.service) : b.service;
  return `${svc}${inTarget(b.target)}: ${from} -> ${to}${b.lostWaypoint ? ': its traffic now skips the waypoint, and the plugins on it no longer run' : ''} (${b.after.reason})`;
}

function chainLine(c: ChainChange): string {
  const added = c.after.filter((x) => !c.before.includes(x));
  const removed = c.before.filter((x) => !c.after.includes(x));
  const parts = [...added.map((x) => `+ ${x}`), ...removed.map((x) => `- ${x}`)];
  if (parts.length === 0) parts.push(`order: ${c.before.join(', ')} -> ${c.after.join(', ')}`);
  return `${c.subject}${inTarget(c.target)}: ${parts.join('; ')}`;
}

/** A list item that only changed place: its value when it is a scalar, and where it was. */
function moveText(f: FieldChange): string {
  return `${f.after !== undefined ? `${value(f.after)} ` : ''}moved from [${f.movedFrom}]`;
}

function fieldLine(f: FieldChange): string {
  return f.movedFrom !== undefined ? `${f.path}: ${moveText(f)}` : `${f.path}: ${value(f.before)} -> ${value(f.after)}`;
}

function objectLine(o: ObjectChange): string {
  const id = `${o.object.kind} ${o.object.namespace ? `${o.object.namespace}/` : ''}${o.object.name}${inTarget(o.object.target)}`;
  return `${o.change} ${id}`;
}

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

/** The objects a renamed owner leaves for neither owner to prune. */
function unprunedText(d: DeliveryRename): string {
  if (d.unpruned.length === 0) return '';
  const why = d.tool === 'Argo CD' ? 'its tracking id names the old Application' : 'it is in no inventory of the new Kustomizations';
  return (
    `. ${d.unpruned.join(', ')}: this change also removes it, and only the old owner would prune it, if it syncs this revision before it goes; the new one never applied it (${why}), ` +
    'so otherwise it stays in the cluster, unmanaged. Remove it in a commit before the rename, or delete it by hand'
  );
}

function deliveryLine(d: DeliveryRename): string {
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

function moveLine(m: PluginMove, effects: EffectChanges): string {
  const gaps = effects.syncGaps;
  const what = m.renamed ? `${m.from}${inTarget(m.target)} renamed ${m.to.replace(/^WasmPlugin /, '')}` : `${m.from}${inTarget(m.target)} moved`;
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
function renames(r: Review): string[] {
  return [...(r.partOf ? [partOfLine(r)] : []), ...r.deliveryRenames.filter((d) => !isDeliveryHazard(d)).map(deliveryLine), ...r.effects.pluginMoves.map((m) => moveLine(m, r.effects))];
}

function hazards(r: Review): string[] {
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

/**
 * A waypoint pruned with no user in git: what to ask the cluster, since only
 * it knows the labels set by hand. `prose` escapes text and `command` quotes
 * a command, each as the format needs.
 */
function prunedUnusedLine(p: PrunedWaypoint, prose: (s: string) => string = (s) => s, command: (s: string) => string = (s) => `\`${s}\``): string {
  const [namespace, name] = p.gateway.split('/');
  return (
    prose(
      `waypoint Gateway ${p.gateway}${inTarget(p.target)} is pruned, and nothing in git uses it any more; a label set outside git may still name it ` +
        '(kubectl label, istioctl waypoint apply --enroll-namespace, a GitOps tool these manifests no longer name), and that traffic would then skip every waypoint. Before merging, check that ',
    ) +
    command(`kubectl get namespace,service -A -l istio.io/use-waypoint=${name}`) +
    prose(` lists nothing in namespace ${namespace}, nor anything labelled istio.io/use-waypoint-namespace=${namespace}`)
  );
}

function leftOut(e: EffectChanges): string {
  const parts = [
    ...(e.truncated ? [`${e.truncated} more left out whose path changed: their access may have changed unseen`] : []),
    ...(e.unchangedLeftOut ? [`${e.unchangedLeftOut} more left out whose path is the same in both revisions`] : []),
  ];
  return parts.length ? ` (${parts.join('; ')})` : '';
}

function summary(r: Review): string {
  const widened = r.effects.access.filter((a) => a.widened).length;
  const lost = r.effects.bindings.filter((b) => b.lostWaypoint).length;
  const pruned = r.effects.prunedInUse.length;
  const outside = [
    ...(r.effects.leftAmbient.length ? [`${r.effects.leftAmbient.length} Namespace(s) leaving ambient`] : []),
    ...(r.effects.failsOpen.length ? [`${r.effects.failsOpen.length} auth plugin(s) now failing open`] : []),
    ...(r.effects.newBuilds.length ? [`${r.effects.newBuilds.length} auth plugin(s) running another build of their module`] : []),
  ].map((s) => `${s}; `).join('');
  return `${r.objects.length} object(s) changed; ${widened} widened access; ${outside}${lost} Service(s) lost their waypoint; ${pruned ? `${pruned} Gateway(s) pruned while in use; ` : ''}${r.effects.simulated} representative request(s) simulated${leftOut(r.effects)}`;
}

function staleLine(r: Review): string | undefined {
  const st = r.staleOutput;
  if (!st) return undefined;
  return (
    `the committed ${st.outdir} is not what the policies compile to (synth would add ${st.added}, change ${st.changed} and remove ${st.removed} file(s)): ` +
    `this review shows what the policies compile to, not what ${st.outdir} deploys once merged. Run synth and commit ${st.outdir} (waypoint-policy check lists the files)`
  );
}

function behindLine(r: Review): string | undefined {
  if (!r.baseAhead) return undefined;
  return (
    `${r.base} has ${r.baseAhead.commits} commit(s) changing the output that HEAD does not (this branch is behind it): what they changed shows here as undone by this change, though merging keeps it. ` +
    `Merge or rebase onto ${r.base} first, or review this branch's own changes with --base $(git merge-base ${r.base} HEAD)`
  );
}

function text(r: Review): string {
  const lines = [`waypoint-policy diff ${r.base}..${r.head}`, summary(r), ''];
  const stale = staleLine(r);
  if (stale) lines.push(`Note: ${stale}.`, '');
  const behind = behindLine(r);
  if (behind) lines.push(`Note: ${behind}.`, '');
  // Every section below adds lines: none added is no change.
  const preamble = lines.length;
  const widened = r.effects.access.filter((a) => a.widened);
  const outside = unsimulatedWidening(r.effects);
  if (widened.length || outside.length) {
    lines.push('WIDENED ACCESS (review first):');
    for (const a of widened) lines.push(`  !! ${request(a)}: ${before(a)} -> ${after(a)}`);
    for (const line of outside) lines.push(`  !! ${line}`);
    lines.push('');
  }
  const hazardLines = hazards(r);
  if (hazardLines.length) {
    lines.push('Removal and rollout hazards:');
    for (const h of hazardLines) lines.push(`  !! ${h}`);
    lines.push('');
  }
  if (r.effects.prunedUnusedWaypoints.length) {
    lines.push('Check before merging:');
    for (const p of r.effects.prunedUnusedWaypoints) lines.push(`  ${prunedUnusedLine(p)}`);
    lines.push('');
  }
  const renameLines = renames(r);
  if (renameLines.length) {
    lines.push('Renames and moves:');
    for (const line of renameLines) lines.push(`  ${line}`);
    lines.push('');
  }
  if (r.effects.bindings.length) {
    lines.push('Waypoint bindings:');
    for (const b of r.effects.bindings) lines.push(`  ${b.lostWaypoint ? '!! ' : ''}${bindingLine(b)}`);
    lines.push('');
  }
  if (r.effects.chains.length) {
    lines.push('Plugin chains:');
    for (const c of r.effects.chains) lines.push(`  ${chainLine(c)}`);
    lines.push('');
  }
  const other = r.effects.access.filter((a) => !a.widened);
  if (other.length) {
    lines.push('Other access changes:');
    for (const a of other) lines.push(`  ${request(a)}: ${before(a)} -> ${after(a)}`);
    lines.push('');
  }
  if (r.objects.length) {
    lines.push('Objects:');
    for (const o of r.objects) {
      lines.push(`  ${objectLine(o)} (${o.file})`);
      for (const f of o.fields) lines.push(`    ${fieldLine(f)}`);
    }
    lines.push('');
  }
  if (lines.length === preamble) lines.push('No changes.');
  return lines.join('\n').trimEnd() + '\n';
}

export function md(s: string): string {
  return s.replace(/([|*_`\\<>])/g, '\\$1');
}

/** A CommonMark code span: no escapes apply inside one, so it is fenced by more backticks than the text holds in a row. */
export function code(s: string): string {
  const fence = '`'.repeat(Math.max(0, ...(s.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/**
 * GitHub refuses a pull request comment longer than 65,536 characters
 * (`gh pr comment` fails, and no review is posted at all): a target renamed
 * with a few hundred objects is twice that. The markdown stays below this,
 * which leaves room for what a workflow adds around it (a marker, a link to
 * the job) and for credentials scrubbed into longer text.
 */
export const MARKDOWN_LIMIT = 60_000;

/** A part of the comment: its heading, its items (one or more lines each), what closes it, and the line for items left out. */
interface MarkdownSection {
  readonly head: string[];
  readonly items: string[];
  readonly tail: string[];
  readonly more: (n: number) => string;
}

/** What the sections that follow a cut need at most: their heading, one line saying how many were left out, their close. */
const CLOSING_ROOM = 2_000;

/**
 * The comment, cut to `limit` characters: sections keep their order (widened
 * access first, object changes last), so what is cut is the least urgent, and
 * each section that lost items says how many, as the end does where to find
 * them all.
 */
function boundedMarkdown(preamble: readonly string[], sections: readonly MarkdownSection[], limit: number): string {
  const out = [...preamble];
  let size = out.join('\n').length;
  const push = (line: string) => {
    out.push(line);
    size += line.length + 1;
  };
  let leftOut = 0;
  for (const s of sections) {
    if (s.items.length === 0) continue;
    s.head.forEach(push);
    const room = limit - CLOSING_ROOM - s.tail.join('\n').length;
    let shown = 0;
    // Once one section is cut, the ones after it give only their count: their items are less urgent than those left out.
    if (leftOut === 0) while (shown < s.items.length && size + s.items[shown].length + 1 <= room) push(s.items[shown++]);
    if (shown < s.items.length) {
      push(s.more(s.items.length - shown));
      leftOut += s.items.length - shown;
    }
    s.tail.forEach(push);
  }
  if (leftOut > 0) {
    push(
      `> **Cut:** ${leftOut} item(s) are left out to keep this comment under GitHub's 65,536-character limit. ` +
        '`waypoint-policy diff --format text` or `--json` lists them all.',
    );
  }
  return out.join('\n').trimEnd() + '\n';
}

/**
 * The first line of every PR comment diff writes, a review or not. GitHub
 * does not render it; a workflow finds its own comment by it, since on
 * GitHub Actions every workflow's GITHUB_TOKEN comments as the same user
 * (github-actions[bot]), so "the user's last comment" may be another's.
 */
export const REVIEW_MARKER = '<!-- waypoint-policy:review -->';

/** The lines every PR comment starts with, a review or not: the marker, then the heading. */
export function markdownTitle(base: string, head: string): string {
  return `${REVIEW_MARKER}\n### waypoint-policy: policy changes ${code(base)} → ${code(head)}`;
}

function markdown(r: Review): string {
  const preamble = [markdownTitle(r.base, r.head), '', md(summary(r)), ''];
  const stale = staleLine(r);
  if (stale) preamble.push(`> **Note:** ${md(stale)}.`, '');
  const behind = behindLine(r);
  if (behind) preamble.push(`> **Note:** ${md(behind)}.`, '');
  const table = (title: string, rows: string[], what: string): MarkdownSection => ({
    head: [title, '', '| Request | Before | After |', '| --- | --- | --- |'],
    items: rows,
    tail: [''],
    more: (n) => `| … ${n} more ${what} left out | | |`,
  });
  const list = (title: string, items: string[], what: string): MarkdownSection => ({ head: [title, ''], items, tail: [''], more: (n) => `- … ${n} more ${what} left out` });
  const widened = r.effects.access.filter((a) => a.widened);
  const other = r.effects.access.filter((a) => !a.widened);
  const sections: MarkdownSection[] = [
    table('#### :warning: Widened access (review first)', widened.map((a) => `| **${md(request(a))}** | ${before(a)} | **${after(a)}** |`), 'widened request(s)'),
    list('#### :warning: Widened access no simulated request shows', unsimulatedWidening(r.effects).map((line) => `- **${md(line)}**`), 'widening(s)'),
    list('#### :warning: Removal and rollout hazards', hazards(r).map((h) => `- ${md(h)}`), 'hazard(s)'),
    list('#### Check before merging', r.effects.prunedUnusedWaypoints.map((p) => `- ${prunedUnusedLine(p, md, code)}`), 'check(s)'),
    list('#### Renames and moves', renames(r).map((line) => `- ${md(line)}`), 'rename(s) and move(s)'),
    list('#### Waypoint bindings', r.effects.bindings.map((b) => `- ${b.lostWaypoint ? ':warning: ' : ''}${md(bindingLine(b))}`), 'binding change(s)'),
    list('#### Plugin chains', r.effects.chains.map((c) => `- ${md(chainLine(c))}`), 'chain change(s)'),
    table('#### Other access changes', other.map((a) => `| ${md(request(a))} | ${before(a)} | ${after(a)} |`), 'request(s)'),
    {
      head: ['<details><summary>Object changes</summary>', ''],
      items: r.objects.map((o) => [`- ${md(objectLine(o))} (${code(o.file)})`, ...o.fields.map((f) => `  - ${code(f.path)}: ${f.movedFrom !== undefined ? md(moveText(f)) : `${md(value(f.before))} → ${md(value(f.after))}`}`)].join('\n')),
      tail: ['', '</details>', ''],
      more: (n) => `- … ${n} more changed object(s) left out`,
    },
  ];
  return boundedMarkdown(preamble, sections, MARKDOWN_LIMIT);
}

/** Render a review. JSON keeps every field; credentials are fingerprints in all three. */
export function formatReview(r: Review, format: ReviewFormat): string {
  if (format === 'json') return JSON.stringify(r, null, 2) + '\n';
  return format === 'markdown' ? markdown(r) : text(r);
}
