import type { Finding } from '../analysis/finding';
import { sortByCodeUnit } from './code-unit-sort';
import type { KubeObject, ModelObject } from './model';

/**
 * Rollout order, encoded in the layout (one folder per stage, each its own
 * kustomization, so Flux can apply them as separate Kustomizations chained
 * with `dependsOn`) and in Argo CD sync waves (one Application per target).
 *
 * Why this order: ztunnel fails open. A `use-waypoint` label that names a
 * waypoint which is missing, not ready, or running without its auth plugin
 * sends traffic past the auth check. So the waypoint comes first, then the
 * plugins attached to it, and only then the labels that route traffic to it.
 * Removal must run in reverse; see `decorate` and docs/gitops.md.
 */
export interface Stage {
  /** Short name, used in the names of the Flux Kustomizations. */
  readonly name: 'waypoints' | 'policies' | 'enrollment';
  /** Folder name under `dist/<target>/`; the number shows the order. */
  readonly dir: string;
  /** Argo CD sync wave. */
  readonly wave: number;
}

export const STAGES = {
  waypoints: { name: 'waypoints', dir: '1-waypoints', wave: 0 },
  policies: { name: 'policies', dir: '2-policies', wave: 1 },
  enrollment: { name: 'enrollment', dir: '3-enrollment', wave: 2 },
} as const satisfies Record<string, Stage>;

/** The stages in rollout order. */
export const STAGE_ORDER: readonly Stage[] = [STAGES.waypoints, STAGES.policies, STAGES.enrollment];

export type Ownership = ModelObject['ownership'];

/**
 * The stage an object is applied in.
 *
 * A Namespace this repo owns goes first: everything else may live in it, and
 * neither tool can create an object in a namespace that does not exist yet
 * (putting it last would deadlock both). A Namespace or Service of another
 * team only carries labels, and labels go last.
 */
export function stageOf(o: KubeObject, ownership: Ownership = 'external'): Stage {
  if (o.kind === 'Gateway' && o.apiVersion.startsWith('gateway.networking.k8s.io/')) return STAGES.waypoints;
  if (o.kind === 'Namespace' && o.apiVersion === 'v1') return ownership === 'owned' ? STAGES.waypoints : STAGES.enrollment;
  if (o.kind === 'Service' && o.apiVersion === 'v1') return STAGES.enrollment;
  return STAGES.policies;
}

export const MANAGED_BY = 'waypoint-policy';

/** Labels and annotations this module writes. */
export const GITOPS_KEYS = {
  managedBy: 'app.kubernetes.io/managed-by',
  partOf: 'app.kubernetes.io/part-of',
  argoSyncWave: 'argocd.argoproj.io/sync-wave',
  argoSyncOptions: 'argocd.argoproj.io/sync-options',
  argoCompareOptions: 'argocd.argoproj.io/compare-options',
  fluxPrune: 'kustomize.toolkit.fluxcd.io/prune',
  fluxSsa: 'kustomize.toolkit.fluxcd.io/ssa',
} as const;

export interface GitOpsOptions {
  readonly partOf: string;
  readonly tools: readonly string[];
}

/** Argo CD's sync options, in a fixed order. Sorts `options` in place. */
function syncOptions(options: string[]): string {
  return sortByCodeUnit(options).join(',');
}

/**
 * The Argo CD sync options a manifest's annotations ask for, as the tool
 * reads them (comma-separated, spaces trimmed); none when the annotation is
 * absent or, in a hand-written manifest, not a string.
 */
export function argoSyncOptionsOf(annotations: Readonly<Record<string, unknown>> | undefined): string[] {
  const options = annotations?.[GITOPS_KEYS.argoSyncOptions];
  return typeof options === 'string' ? options.split(',').map((o) => o.trim()) : [];
}

// The same for every label-only object: built once, not per object.
const LABEL_ONLY_SYNC_OPTIONS = syncOptions(['Delete=false', 'Prune=false', 'ServerSideApply=true']);

/**
 * Add the ownership and ordering metadata each GitOps tool needs.
 *
 * Owned objects carry `managed-by`/`part-of`. For Argo CD they also get:
 * - their stage's sync wave;
 * - `PruneLast=true` on waypoints and plugins: Argo CD prunes in reverse
 *   wave order but *before* applying later waves, so without it a removed
 *   Gateway would go before the label release in wave 2 is applied;
 * - `Delete=false`: deleting the Application (`argocd app delete` cascades by
 *   default) removes objects in no particular order, which could drop a
 *   plugin or waypoint while labels still route traffic to it. Deleting the
 *   Application therefore never changes traffic; removal goes through git.
 *   Pruning (a manifest removed from git) is not affected by `Delete=false`.
 *
 * Namespaces, owned or not, are never pruned or deleted: deleting a
 * Namespace deletes every workload in it.
 *
 * Another team's objects stay label-only and are protected from prune,
 * delete and field takeover (docs/gitops.md, "Ownership").
 */
export function decorate(obj: ModelObject, options: GitOpsOptions): KubeObject {
  const source = obj.manifest;
  const labels: Record<string, string> = { ...(source.metadata.labels ?? {}) };
  const annotations: Record<string, string> = { ...(source.metadata.annotations ?? {}) };
  const stage = stageOf(source, obj.ownership);
  const argo = options.tools.includes('argocd');
  const flux = options.tools.includes('flux');
  const isNamespace = source.kind === 'Namespace';

  if (obj.ownership === 'owned') {
    labels[GITOPS_KEYS.managedBy] = MANAGED_BY;
    labels[GITOPS_KEYS.partOf] = options.partOf;
    if (argo) {
      annotations[GITOPS_KEYS.argoSyncWave] = String(stage.wave);
      const opts = ['Delete=false'];
      // ServerSideApply: the manifest is metadata only, over a Namespace that
      // may predate it. Applied client-side (an Application that does not
      // enable SSA app-wide), kubectl's three-way merge reads the live
      // last-applied-configuration of whoever last ran `kubectl apply` on it,
      // and deletes every label and annotation of theirs ours lacks (pod
      // security, say): the same reason label-only manifests carry it.
      if (isNamespace) opts.push('Prune=false', 'ServerSideApply=true');
      else if (stage !== STAGES.enrollment) opts.push('PruneLast=true');
      annotations[GITOPS_KEYS.argoSyncOptions] = syncOptions(opts);
      if (isNamespace) annotations[GITOPS_KEYS.argoCompareOptions] = 'IgnoreExtraneous';
    }
    if (flux && isNamespace) {
      annotations[GITOPS_KEYS.fluxPrune] = 'disabled';
      // Its manifest is metadata only, and a Namespace usually existed before
      // (with labels others set, pod security say): Flux's default Override
      // would take those fields over and drop them at the next apply.
      annotations[GITOPS_KEYS.fluxSsa] = 'Merge';
    }
  } else {
    if (argo) {
      annotations[GITOPS_KEYS.argoSyncWave] = String(stage.wave);
      // ServerSideApply per object: a partial manifest is only safe as an SSA
      // patch, even in an Application that does not enable SSA app-wide.
      annotations[GITOPS_KEYS.argoSyncOptions] = LABEL_ONLY_SYNC_OPTIONS;
      annotations[GITOPS_KEYS.argoCompareOptions] = 'IgnoreExtraneous';
    }
    if (flux) {
      annotations[GITOPS_KEYS.fluxPrune] = 'disabled';
      // Merge: do not take over fields other managers (kubectl, the owning
      // team) wrote, so this partial manifest can never delete them.
      annotations[GITOPS_KEYS.fluxSsa] = 'Merge';
    }
  }
  // A new object and metadata; everything below them is shared with the
  // model, which nothing downstream mutates (render only reads).
  // Object.assign: a spread followed by more keys costs ~2 µs in Node 20's V8.
  const metadata: KubeObject['metadata'] = Object.assign({}, source.metadata, { labels });
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  return Object.assign({}, source, { metadata });
}

/**
 * Ownership mistakes the tools cannot catch: an object of another team that
 * claims to be ours (tools and people select on these labels, e.g. a cleanup
 * with `-l app.kubernetes.io/managed-by=waypoint-policy` would delete it).
 */
export function gitopsFindings(objects: readonly ModelObject[]): Finding[] {
  const findings: Finding[] = [];
  for (const o of objects) {
    pushKustomizeReserved(o, findings);
    if (o.ownership !== 'external') {
      pushOwnedOverrides(o, findings);
      continue;
    }
    const labels = o.manifest.metadata.labels ?? {};
    pushToolOverrides(o, findings);
    pushExtraFields(o, findings);
    for (const key of [GITOPS_KEYS.managedBy, GITOPS_KEYS.partOf]) {
      if (labels[key] === undefined) continue;
      findings.push(aboutObject(o, 'gitops/external-ownership-label', `${o.manifest.kind} '${o.manifest.metadata.name}' belongs to another team but is given the label ${key}=${labels[key]}`, `Remove the ${key} label: only objects this repo owns may carry it.`));
    }
  }
  return findings;
}

// Keys with which a manifest steers how its GitOps tool applies, prunes or
// deletes it. Flux reads its keys from labels as well as annotations, so a
// label can override the Merge apply that protects another team's object, or
// turn on force: on any 409 or 422 from the dry-run, Flux then deletes the
// live object and re-creates it from our label-only manifest (a Service
// without ports, which the API refuses). Other keys under these prefixes
// (Argo CD's `argocd.argoproj.io/managed-by` namespace label, for one) change
// nothing about this object's apply and stay allowed.
// Sorted: findings come out in this order.
const TOOL_KEYS: readonly string[] = [
  'argocd.argoproj.io/compare-options',
  'argocd.argoproj.io/hook',
  'argocd.argoproj.io/hook-delete-policy',
  'argocd.argoproj.io/sync-options',
  'argocd.argoproj.io/sync-wave',
  'kustomize.toolkit.fluxcd.io/force',
  'kustomize.toolkit.fluxcd.io/prune',
  'kustomize.toolkit.fluxcd.io/reconcile',
  'kustomize.toolkit.fluxcd.io/ssa',
];
const FLUX_FORCE = 'kustomize.toolkit.fluxcd.io/force';

// On an object this repo owns: the keys decorate() writes itself (a value
// given here would be replaced without a word, or, for a tool not named in
// `gitops`, left to contradict the stage order), and Flux's force, which
// deletes and re-creates the object on any apply conflict: for an owned
// Namespace, whose manifest is metadata only, everything in it.
// Sorted: findings come out in this order.
const OWNED_KEYS: readonly string[] = [
  GITOPS_KEYS.argoCompareOptions,
  GITOPS_KEYS.argoSyncOptions,
  GITOPS_KEYS.argoSyncWave,
  FLUX_FORCE,
  GITOPS_KEYS.fluxPrune,
  GITOPS_KEYS.fluxSsa,
];

interface ToolKey {
  readonly where: 'label' | 'annotation';
  readonly key: string;
  readonly value: string;
}
const NONE_SET: readonly ToolKey[] = [];

/** The keys of `keys` that `o` sets, by label or annotation (Flux reads its keys from both), in that order. */
function toolKeysSet(o: ModelObject, keys: readonly string[]): readonly ToolKey[] {
  const { labels, annotations } = o.manifest.metadata;
  // Nothing allocated unless a key is set: this runs for every object of every synth.
  const found = keysIn(annotations, 'annotation', keys, keysIn(labels, 'label', keys, undefined));
  return found ?? NONE_SET;
}

/** `found`, with the keys of `keys` that `map` sets appended (a new list only when there is one to add). */
function keysIn(map: Readonly<Record<string, string>> | undefined, where: ToolKey['where'], keys: readonly string[], found: ToolKey[] | undefined): ToolKey[] | undefined {
  if (!map) return found;
  for (const key of keys) {
    const value = map[key];
    if (value !== undefined) (found ??= []).push({ where, key, value });
  }
  return found;
}

/** A finding about `o` with its object, path and source. */
function aboutObject(o: ModelObject, rule: string, message: string, fix: string): Finding {
  const m = o.manifest;
  return { rule, severity: 'error', message, fix, object: { kind: m.kind, namespace: m.metadata.namespace, name: m.metadata.name }, path: o.path, source: o.source };
}

function pushOwnedOverrides(o: ModelObject, findings: Finding[]): void {
  const { kind, metadata } = o.manifest;
  for (const { where, key, value } of toolKeysSet(o, OWNED_KEYS)) {
    const why =
      key === FLUX_FORCE
        ? `with force, Flux deletes and re-creates the live object on any apply conflict${kind === 'Namespace' ? ', and deleting a Namespace deletes everything in it' : ''}`
        : 'waypoint-policy writes that key itself on the objects it owns (stage order, prune and apply protections), so this value would be replaced or contradict them';
    findings.push(aboutObject(o, 'gitops/owned-tool-override', `${kind} '${metadata.name}' is given the ${where} ${key}=${value}: ${why}`, `Remove the ${key} ${where}; the GitOps metadata of owned objects comes from the PolicyApp's gitops setting (docs/gitops.md).`));
  }
}

// What a label-only manifest may hold: the object's name and what this repo
// writes on it. Anything else, added through the escape hatch (a spec, an
// ownerReference, finalizers), is a field of the owning team's object: the
// tool's server-side apply forces our value over theirs and takes the field
// from them, a release later deletes it, and an ownerReference would have
// Kubernetes delete their object with ours.
const LABEL_ONLY_FIELDS: ReadonlySet<string> = new Set(['apiVersion', 'kind', 'metadata']);
const LABEL_ONLY_METADATA: ReadonlySet<string> = new Set(['name', 'namespace', 'labels', 'annotations']);

/** The fields of `map` that `allowed` lacks, as `prefix` + key (nothing allocated when there are none). */
function fieldsBeyond(map: object, allowed: ReadonlySet<string>, prefix: string, found: string[] | undefined): string[] | undefined {
  for (const [key, value] of Object.entries(map)) {
    if (value !== undefined && !allowed.has(key)) (found ??= []).push(prefix + key);
  }
  return found;
}

function pushExtraFields(o: ModelObject, findings: Finding[]): void {
  const { kind, metadata } = o.manifest;
  const extra = fieldsBeyond(metadata, LABEL_ONLY_METADATA, 'metadata.', fieldsBeyond(o.manifest, LABEL_ONLY_FIELDS, '', undefined));
  if (extra === undefined) return;
  const fields = extra.join(', ');
  findings.push(
    aboutObject(
      o,
      'gitops/external-field',
      `${kind} '${metadata.name}' belongs to another team, but its label-only manifest also sets ${fields}: the GitOps tool's server-side apply would force our values over the owning team's and take those fields from them, and releasing the manifest later would delete them`,
      `Remove ${fields} (added through the escape hatch): a label-only manifest carries only the name, namespace, labels and annotations. To own the whole object, declare it as this repo's own (new MeshService, or MeshNamespace with owned: true) once its owning team has handed it over.`,
    ),
  );
}

function pushToolOverrides(o: ModelObject, findings: Finding[]): void {
  const { kind, metadata } = o.manifest;
  for (const { where, key, value } of toolKeysSet(o, TOOL_KEYS)) {
    const why =
      key === FLUX_FORCE
        ? 'with force, Flux deletes and re-creates the live object on any apply conflict, and our label-only manifest cannot re-create it'
        : 'it would change how the GitOps tool applies or deletes an object that is only labelled here';
    findings.push(aboutObject(o, 'gitops/external-tool-override', `${kind} '${metadata.name}' belongs to another team but is given the ${where} ${key}=${value}: ${why}`, `Remove the ${key} ${where}: waypoint-policy sets the tool annotations of label-only objects itself (Merge apply, never pruned, never deleted).`));
  }
}

// Annotations kustomize (which Flux, and Argo CD for a folder with a
// kustomization.yaml, as synth writes them, build every folder with) keeps
// for itself: it strips these from what it builds, and leaves out an object
// marked local-config (any value but "false") altogether. Checked with
// kustomize v5.5 (test/gitops/kustomize-reserved.test.ts runs it).
const KUSTOMIZE_LOCAL_CONFIG = 'config.kubernetes.io/local-config';
export const KUSTOMIZE_STRIPPED: ReadonlySet<string> = new Set([
  'alpha.config.kubernetes.io/transformations',
  'config.k8s.io/id',
  'config.kubernetes.io/index',
  'config.kubernetes.io/origin',
  'config.kubernetes.io/path',
  'internal.config.kubernetes.io/annotations-migration-resource-id',
  'internal.config.kubernetes.io/generatorBehavior',
  'internal.config.kubernetes.io/id',
  'internal.config.kubernetes.io/index',
  'internal.config.kubernetes.io/needsHashSuffix',
  'internal.config.kubernetes.io/path',
  'internal.config.kubernetes.io/prefixes',
  'internal.config.kubernetes.io/previousKinds',
  'internal.config.kubernetes.io/previousNames',
  'internal.config.kubernetes.io/previousNamespaces',
  'internal.config.kubernetes.io/seqindent',
  'internal.config.kubernetes.io/suffixes',
]);

/** A finding for each kustomize-reserved annotation `o` sets. */
function pushKustomizeReserved(o: ModelObject, findings: Finding[]): void {
  const annotations = o.manifest.metadata.annotations;
  if (!annotations) return;
  const { kind, metadata } = o.manifest;
  // for-in: no array per object (annotations is a plain object read from JSON or YAML).
  for (const key in annotations) {
    // Every reserved key holds "config.k": one test skips the usual annotations.
    if (!key.includes('config.k')) continue;
    const value = annotations[key];
    if (key === KUSTOMIZE_LOCAL_CONFIG) {
      if (value === 'false') continue;
      findings.push(aboutObject(o, 'gitops/kustomize-reserved', `${kind} '${metadata.name}' is given the annotation ${key}=${value}: kustomize, which Argo CD and Flux build the folder with, leaves an object so marked out of what it builds, so it is never applied`, `Remove the ${key} annotation (added through the escape hatch).`));
    } else if (KUSTOMIZE_STRIPPED.has(key)) {
      findings.push(aboutObject(o, 'gitops/kustomize-reserved', `${kind} '${metadata.name}' is given the annotation ${key}: kustomize, which Argo CD and Flux build the folder with, keeps that key for itself and strips it from what it builds, so the cluster never sees it`, `Remove the ${key} annotation, or give it a key of your own domain (example.com/...).`));
    }
  }
}
