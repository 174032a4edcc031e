import type { KubeObject } from '../compiler/model';
import { argoSyncOptionsOf, GITOPS_KEYS } from '../compiler/gitops';
import { DELIVERY_DIR } from '../compiler/delivery/common';
import type { ParsedTree } from './object-diff';
import { describeId } from './pruned-gateways';

/**
 * The Argo CD Application or the Flux Kustomizations that deliver a target,
 * renamed by this change (`delivery.name`, `partOf` which it defaults to, or
 * the target's own name): every object the target deployed changes owner.
 * What each tool does then, from the GitOps fact sheet
 * (shared/reference/gitops-facts.md):
 *
 * - Argo CD (§1.4) writes the tracking annotation `argocd.argoproj.io/tracking-id`,
 *   which names the Application, onto every object it applies, another
 *   team's label-only Service included; when "another Application already
 *   tracks the object", the new one raises `SharedResourceWarning`, and
 *   `FailOnSharedResource=true` (set on the generated Applications) "fails the
 *   sync instead of fighting" [C]. So the renamed Application applies nothing,
 *   this change included, until its objects' tracking ids name it. Without the
 *   option the two Applications flip ownership on every sync [I]. Deleting the
 *   old Application deletes nothing: no resources finalizer (§1.3: "Without
 *   that finalizer, nothing is deleted at all"), and `Delete=false` keeps an
 *   object on a cascade [C].
 * - Flux (§2.1, §2.4) labels every object it applies with the Kustomization's
 *   name; the renamed Kustomizations apply the same objects with
 *   `ForceOwnership` and take them over (nothing in Flux refuses an object
 *   another Kustomization labelled). Deleting the old ones deletes nothing
 *   under `deletionPolicy: Orphan` [C]; under `MirrorPrune` (the default, with
 *   `prune: true`), `Delete` or `WaitForTermination` it deletes every object in
 *   their inventory that is not annotated `prune: disabled`, `reconcile:
 *   disabled` or `ssa: Ignore` [C]: the owned Gateways and WasmPlugins, until
 *   the new ones apply them again.
 * - Both: an object this same change removes from the target is in no
 *   inventory of the new owner (Flux: "objects that disappear from the
 *   source" are those of the last applied revision's inventory, §2.4; Argo
 *   CD: its tracking id names the old Application), and the old one is
 *   deleted without pruning: it stays, unmanaged [I].
 */
export interface DeliveryRename {
  readonly tool: 'Argo CD' | 'Flux';
  /** The target whose objects change owner, as the head names it. */
  readonly target: string;
  /** `argocd/shop-demo`, or the Kustomizations `flux-system/shop-demo-waypoints`... */
  readonly from: string[];
  readonly to: string[];
  /**
   * What follows for the objects: `sync-fails` (Argo CD with
   * FailOnSharedResource: the new Application applies nothing until their
   * tracking ids are rewritten), `shared` (Argo CD without it: both
   * Applications track them), `deleted` (Flux: deleting the old
   * Kustomizations deletes `deleted`), `taken-over` (Flux: the new
   * Kustomizations take them over; nothing is lost).
   */
  readonly outcome: 'sync-fails' | 'shared' | 'deleted' | 'taken-over';
  /** For `deleted`: what deleting the old Kustomizations deletes (`Gateway shop/waypoint`). */
  readonly deleted?: string[];
  /** Argo CD: whether every object of the target carries Delete=false, so no cascade deletes it. */
  readonly deleteProtected?: boolean;
  /** Objects this change removes from the target that the tool would have pruned: now neither owner does. */
  readonly unpruned: string[];
}

/**
 * Whether a rename is a hazard, not just news: the new owner's syncs fail
 * (or fight the old one's), deleting the old owner deletes what it applied,
 * or objects removed in the same change are left for neither to prune.
 */
export function isDeliveryHazard(d: DeliveryRename): boolean {
  return d.outcome !== 'taken-over' || d.unpruned.length > 0;
}

type Tree = ParsedTree['objects'];

const idOf = (m: KubeObject) => `${m.metadata.namespace ?? ''}/${m.metadata.name}`;

/** The last `depth` segments of a delivery path (`./dist/prod/1-waypoints`), without `./` or a trailing `/`. */
function tail(path: unknown, depth: number): string[] | undefined {
  if (typeof path !== 'string') return undefined;
  const segs = path.replace(/^\.\//, '').replace(/\/+$/, '').split('/');
  return segs.length >= depth ? segs.slice(-depth) : undefined;
}

interface ArgoApp {
  readonly id: string;
  readonly destination: string;
  readonly failOnShared: boolean;
}

/** Which Argo CD Application delivers each target: an Application's source path ends in the target's folder, an ApplicationSet names one per folder. */
function argoApplications(tree: Tree, targets: ReadonlySet<string>): Map<string, ArgoApp> {
  const out = new Map<string, ArgoApp>();
  for (const { manifest: m } of tree.values()) {
    if (!String(m.apiVersion).startsWith('argoproj.io/')) continue;
    const spec = (m.spec ?? {}) as Record<string, any>;
    if (m.kind === 'Application') {
      const target = tail(spec.source?.path, 1)?.[0];
      if (target && targets.has(target)) out.set(target, { id: idOf(m), destination: JSON.stringify(spec.destination ?? null), failOnShared: (spec.syncPolicy?.syncOptions ?? []).includes('FailOnSharedResource=true') });
    }
    if (m.kind === 'ApplicationSet' && typeof spec.template?.metadata?.name === 'string') {
      const t = spec.template;
      for (const target of targets) {
        const name = t.metadata.name.replaceAll('{{.path.basename}}', target);
        out.set(target, { id: `${m.metadata.namespace ?? ''}/${name}`, destination: JSON.stringify(t.spec?.destination ?? null), failOnShared: (t.spec?.syncPolicy?.syncOptions ?? []).includes('FailOnSharedResource=true') });
      }
    }
  }
  return out;
}

interface FluxKustomization {
  readonly id: string;
  /** The stage folder it applies (`1-waypoints`). */
  readonly stage: string;
  /** Whether deleting it deletes what it applied (its deletionPolicy, with prune). */
  readonly deletes: boolean;
}

/** The Flux Kustomizations that deliver each target's stage folders (`./<path>/<target>/<stage>`). */
function fluxKustomizations(tree: Tree, targets: ReadonlySet<string>): Map<string, FluxKustomization[]> {
  const out = new Map<string, FluxKustomization[]>();
  for (const { manifest: m } of tree.values()) {
    if (m.kind !== 'Kustomization' || !String(m.apiVersion).startsWith('kustomize.toolkit.fluxcd.io/')) continue;
    const spec = (m.spec ?? {}) as { path?: unknown; prune?: unknown; deletionPolicy?: unknown };
    const [target, stage] = tail(spec.path, 2) ?? [];
    if (!target || !targets.has(target)) continue;
    const policy = spec.deletionPolicy ?? 'MirrorPrune';
    const deletes = policy === 'Delete' || policy === 'WaitForTermination' || (policy === 'MirrorPrune' && spec.prune === true);
    (out.get(target) ?? out.set(target, []).get(target)!).push({ id: idOf(m), stage, deletes });
  }
  return out;
}

/** Whether Flux keeps the live object when its Kustomization is deleted (the annotations deleteObjects reads, as label or annotation). */
function fluxKeeps(m: KubeObject): boolean {
  const marks = { ...(m.metadata.labels ?? {}), ...(m.metadata.annotations ?? {}) };
  return marks[GITOPS_KEYS.fluxPrune] === 'disabled' || marks['kustomize.toolkit.fluxcd.io/reconcile'] === 'disabled' || String(marks[GITOPS_KEYS.fluxSsa] ?? '').toLowerCase() === 'ignore';
}

/** The stage folder of a target's manifest (`prod/2-policies/shop/x.yaml` -> `2-policies`). */
const stageOf = (file: string) => file.split('/')[1];

/**
 * The delivery objects (`dist/delivery/`) each revision names for the targets
 * present in both, renamed. `renamedTargets` maps a base target to the head
 * target that declares all its objects again.
 */
export function deliveryRenames(base: ParsedTree, head: ParsedTree, renamedTargets: ReadonlyMap<string, string>): DeliveryRename[] {
  const objectsOf = (tree: ParsedTree, target: string) => [...tree.objects.values()].filter((o) => o.id.target === target);
  const targetsIn = (tree: ParsedTree) => new Set([...tree.objects.values()].map((o) => o.id.target).filter((t) => t !== DELIVERY_DIR));
  const [baseTargets, headTargets] = [targetsIn(base), targetsIn(head)];
  const delivery = (tree: ParsedTree): Tree => new Map([...tree.objects].filter(([, o]) => o.id.target === DELIVERY_DIR));
  const [baseArgo, headArgo] = [argoApplications(delivery(base), baseTargets), argoApplications(delivery(head), headTargets)];
  const [baseFlux, headFlux] = [fluxKustomizations(delivery(base), baseTargets), fluxKustomizations(delivery(head), headTargets)];
  const out: DeliveryRename[] = [];
  for (const from of [...baseTargets].sort()) {
    const to = renamedTargets.get(from) ?? from;
    if (!headTargets.has(to)) continue;
    const before = objectsOf(base, from);
    const identity = (o: { id: { kind: string; namespace?: string; name: string } }) => `${o.id.kind}\0${o.id.namespace ?? ''}\0${o.id.name}`;
    const kept = new Set(objectsOf(head, to).map(identity));
    const removed = before.filter((o) => !kept.has(identity(o)));
    if (before.length === removed.length) continue;
    const [a, b] = [baseArgo.get(from), headArgo.get(to)];
    if (a && b && a.id !== b.id && a.destination === b.destination) {
      out.push({
        tool: 'Argo CD',
        target: to,
        from: [a.id.replace(/^\//, '')],
        to: [b.id.replace(/^\//, '')],
        outcome: b.failOnShared ? 'sync-fails' : 'shared',
        deleteProtected: before.every((o) => argoSyncOptionsOf(o.manifest.metadata.annotations).includes('Delete=false')),
        unpruned: removed.filter((o) => !argoSyncOptionsOf(o.manifest.metadata.annotations).includes('Prune=false')).map((o) => describeId(o.id)).sort(),
      });
    }
    const [fa, fb] = [baseFlux.get(from) ?? [], headFlux.get(to) ?? []];
    const names = (ks: FluxKustomization[]) => ks.map((k) => k.id.replace(/^\//, '')).sort();
    if (fa.length > 0 && fb.length > 0 && JSON.stringify(names(fa)) !== JSON.stringify(names(fb))) {
      const deleting = new Set(fa.filter((k) => k.deletes).map((k) => k.stage));
      const deleted = before.filter((o) => deleting.has(stageOf(o.file)) && !fluxKeeps(o.manifest)).map((o) => describeId(o.id)).sort();
      out.push({
        tool: 'Flux',
        target: to,
        from: names(fa),
        to: names(fb),
        outcome: deleted.length > 0 ? 'deleted' : 'taken-over',
        ...(deleted.length > 0 ? { deleted } : {}),
        unpruned: removed.filter((o) => !fluxKeeps(o.manifest)).map((o) => describeId(o.id)).sort(),
      });
    }
  }
  return out;
}

/**
 * The `app.kubernetes.io/part-of` value of the objects this app owns, when
 * this change replaces it (one value before, another after). A label only:
 * Argo CD tracks objects by its tracking-id annotation, or the
 * `app.kubernetes.io/instance` label (§1.4), and Flux by its
 * `kustomize.toolkit.fluxcd.io/name` and `/namespace` owner labels (§2.1,
 * §2.4), so neither tool prunes, deletes or adopts anything because it
 * changed. What can follow is the rename of the delivery objects, which
 * `delivery.name` defaults to it (`deliveryRenames`).
 */
export function partOfChange(base: ParsedTree, head: ParsedTree): { from: string; to: string; objects: number } | undefined {
  const values = (tree: ParsedTree) => {
    const found = new Map<string, number>();
    for (const o of tree.objects.values()) {
      const v = o.manifest.metadata.labels?.[GITOPS_KEYS.partOf];
      if (typeof v === 'string') found.set(v, (found.get(v) ?? 0) + 1);
    }
    return found;
  };
  const [b, h] = [values(base), values(head)];
  if (b.size !== 1 || h.size !== 1) return undefined;
  const [[from], [to, objects]] = [[...b][0], [...h][0]];
  return from === to ? undefined : { from, to, objects };
}
