import type { FileTree } from '../compiler/layout';
import type { MeshModel } from '../compiler/model';
import { manifestsIn, type ReadManifestsOptions } from '../compiler/read-manifests';
import { manifestFilesOf } from '../compiler/manifest-files';
import { DELIVERY_DIR } from '../compiler/delivery/common';
import { effectChanges } from './effects';
import { deliveryRenames, partOfChange } from './delivery-renames';
import { diffObjects, parseTree, type ObjectId, type ParsedTree } from './object-diff';
import { ParsedFiles } from './parsed-files';
import type { Review } from './report';

/**
 * The mesh model of a file tree, read the same way for both sides. The
 * manifests do not record the mesh's root namespace or the cluster's DNS
 * domain: `mesh` gives them (the head app's, for `diff`).
 */
export function modelOfTree(tree: FileTree, mesh: ReadManifestsOptions = {}, parsed: ParsedFiles = new ParsedFiles()): MeshModel {
  // Read in memory, as readManifests reads the tree written to a folder: writing thousands of files to read them back took most of a review.
  return manifestsIn(manifestFilesOf(tree.keys()), (rel) => Buffer.from(tree.get(rel)!, 'utf8'), mesh, (rel, bytes) => parsed.documents(rel, bytes)).model;
}

/**
 * Targets whose folder the head drops while the base's held manifests: the
 * Application or Kustomizations of a target serve its folder, so they fail on
 * the missing path, or are deleted without pruning, and what the target
 * deployed stays in the cluster, unmanaged. One whose every object the head
 * declares again under a single new target is taken as renamed to it.
 */
function removedTargets(base: FileTree, head: FileTree, baseObjects: ParsedTree, headObjects: ParsedTree): { orphaned: { target: string; manifests: number }[]; renamed: Map<string, string> } {
  const targetOf = (file: string) => file.split('/')[0];
  const inHead = new Set([...head.keys()].map(targetOf));
  const inBase = new Set([...base.keys()].map(targetOf));
  const gone = [...inBase].filter((t) => t !== DELIVERY_DIR && !inHead.has(t)).sort();
  const orphaned: { target: string; manifests: number }[] = [];
  const renamed = new Map<string, string>();
  if (gone.length === 0) return { orphaned, renamed };
  // Which new targets of the head declare each object (by identity without its target).
  const identity = (id: ObjectId) => `${id.kind}\0${id.namespace ?? ''}\0${id.name}`;
  const heads = new Map<string, Set<string>>();
  for (const o of headObjects.objects.values()) if (!inBase.has(o.id.target)) (heads.get(identity(o.id)) ?? heads.set(identity(o.id), new Set()).get(identity(o.id))!).add(o.id.target);
  for (const target of gone) {
    const objects = [...baseObjects.objects.values()].filter((o) => o.id.target === target);
    if (objects.length === 0) continue;
    const candidates = objects.map((o) => heads.get(identity(o.id)) ?? new Set<string>());
    const common = [...candidates[0]].filter((t) => candidates.every((c) => c.has(t)));
    if (common.length === 1) renamed.set(target, common[0]);
    else orphaned.push({ target, manifests: objects.length });
  }
  return { orphaned, renamed };
}

// A change leaves most files as they were: each text is parsed once for both revisions. Each
// cache lives only while its reader runs: at 1,000 namespaces they hold a third of the review's heap.

function parseTrees(base: FileTree, head: FileTree): [ParsedTree, ParsedTree] {
  const parsed = new ParsedFiles();
  return [parseTree(base, parsed), parseTree(head, parsed)];
}

function modelsOf(base: FileTree, head: FileTree, mesh: ReadManifestsOptions | undefined): [MeshModel, MeshModel] {
  const parsed = new ParsedFiles();
  return [modelOfTree(base, mesh, parsed), modelOfTree(head, mesh, parsed)];
}

export interface ReviewOptions {
  /** At most this many representative requests are simulated. @default DEFAULT_MAX_REQUESTS */
  readonly maxRequests?: number;
  /**
   * The mesh root namespace and the cluster's DNS domain both trees are read
   * with (the policy app's `rootNamespace` and `clusterDomain`): which
   * plugins are mesh-wide, and the authority a request names its Service by.
   *
   * @default - istio-system and cluster.local
   */
  readonly mesh?: ReadManifestsOptions;
}

/** Compare two dist trees: object changes, and what they do to traffic. */
export function review(base: FileTree, head: FileTree, labels: { base: string; head: string }, options: ReviewOptions = {}): Review {
  const [baseObjects, headObjects] = parseTrees(base, head);
  const { orphaned, renamed } = removedTargets(base, head, baseObjects, headObjects);
  // What is traffic like after the sync? An orphaned target's objects stay in its cluster, unmanaged. A
  // renamed one's are taken over by the new target (delivered to the same cluster, as its line advises):
  // they are compared under the new name, so only what really changes shows, not every Service as new.
  const orphanedTargets = new Set(orphaned.map((o) => o.target));
  const partOf = partOfChange(baseObjects, headObjects);
  const before = new Map<string, string>();
  for (const [file, text] of base) {
    const target = file.split('/')[0];
    const to = renamed.get(target);
    before.set(to === undefined ? file : `${to}${file.slice(target.length)}`, text);
  }
  const live = new Map(head);
  for (const [file, text] of base) if (orphanedTargets.has(file.split('/')[0])) live.set(file, text);
  return {
    base: labels.base,
    head: labels.head,
    objects: diffObjects(baseObjects, headObjects, renamed),
    effects: effectChanges(...modelsOf(before, live, options.mesh), options.maxRequests),
    orphanedTargets: orphaned,
    renamedTargets: [...renamed].map(([from, to]) => ({ from, to })),
    deliveryRenames: deliveryRenames(baseObjects, headObjects, renamed),
    ...(partOf ? { partOf } : {}),
  };
}

export { formatReview, type Review, type ReviewFormat } from './report';
export { commitsAheadOfHead, treeAtRevision, GitError, ignoredFiles, workTreeTop } from './git';
export { DEFAULT_MAX_REQUESTS } from './effects';
export { gateFailures } from './gate';
export { UnreadableTreeError } from './object-diff';
