import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FileTree } from '../compiler/layout';
import type { MeshModel } from '../compiler/model';
import { readManifests } from '../compiler/read-manifests';
import { DELIVERY_DIR } from '../compiler/delivery/common';
import { effectChanges } from './effects';
import { diffObjects, parseTree } from './object-diff';
import type { Review } from './report';

/** The mesh model of a file tree, read the same way for both sides. */
export function modelOfTree(tree: FileTree): MeshModel {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wp-review-'));
  try {
    for (const [rel, text] of tree) {
      const file = path.join(dir, ...rel.split('/'));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
    return readManifests(dir).model;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Targets whose folder the head drops while the base's held manifests: the
 * Application or Kustomizations of a target serve its folder, so they fail on
 * the missing path, or are deleted without pruning, and what the target
 * deployed stays in the cluster, unmanaged.
 */
function orphanedTargets(base: FileTree, head: FileTree): { target: string; manifests: number }[] {
  const targetOf = (file: string) => file.split('/')[0];
  const inHead = new Set([...head.keys()].map(targetOf));
  const manifests = new Map<string, number>();
  for (const file of base.keys()) {
    const target = targetOf(file);
    if (target === DELIVERY_DIR || inHead.has(target) || !file.includes('/')) continue;
    manifests.set(target, (manifests.get(target) ?? 0) + (file.endsWith('/kustomization.yaml') ? 0 : 1));
  }
  return [...manifests].filter(([, n]) => n > 0).map(([target, n]) => ({ target, manifests: n })).sort((a, b) => (a.target < b.target ? -1 : 1));
}

/** Compare two dist trees: object changes, and what they do to traffic. */
export function review(base: FileTree, head: FileTree, labels: { base: string; head: string }, options: { maxRequests?: number } = {}): Review {
  const orphaned = orphanedTargets(base, head);
  // What is traffic like after the sync? An orphaned target's objects stay: the head's cluster still has them.
  const live = new Map(head);
  for (const [file, text] of base) if (orphaned.some((o) => file.startsWith(`${o.target}/`))) live.set(file, text);
  return {
    base: labels.base,
    head: labels.head,
    objects: diffObjects(parseTree(base), parseTree(head)),
    effects: effectChanges(modelOfTree(base), modelOfTree(live), options.maxRequests),
    orphanedTargets: orphaned,
  };
}

export { formatReview, type Review, type ReviewFormat } from './report';
export { treeAtRevision, GitError } from './git';
export { DEFAULT_MAX_REQUESTS } from './effects';
export { UnreadableTreeError } from './object-diff';
