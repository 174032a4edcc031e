import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FileTree } from '../compiler/layout';
import type { MeshModel } from '../compiler/model';
import { readManifests } from '../compiler/read-manifests';
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

/** Compare two dist trees: object changes, and what they do to traffic. */
export function review(base: FileTree, head: FileTree, labels: { base: string; head: string }, options: { maxRequests?: number } = {}): Review {
  return {
    base: labels.base,
    head: labels.head,
    objects: diffObjects(parseTree(base), parseTree(head)),
    effects: effectChanges(modelOfTree(base), modelOfTree(head), options.maxRequests),
  };
}

export { formatReview, type Review, type ReviewFormat } from './report';
export { treeAtRevision, GitError } from './git';
export { DEFAULT_MAX_REQUESTS } from './effects';
export { UnreadableTreeError } from './object-diff';
