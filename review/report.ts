import type { EffectChanges } from './effects';
import type { ObjectChange } from './object-diff';
import type { DeliveryRename } from './delivery-renames';
import { markdown } from './markdown-report';
import { text } from './text-report';

/**
 * The Review a diff produces, and its rendering as text, markdown or JSON.
 * The line for each kind of finding and each format are modules of their
 * own (finding-lines, hazard-lines, rename-lines, report-summary,
 * text-report, markdown-report); what callers import from here is
 * re-exported, so they need not know which holds it.
 */

export { code, MARKDOWN_LIMIT, markdownTitle, md, REVIEW_MARKER } from './markdown-report';

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

/** Render a review. JSON keeps every field; credentials are fingerprints in all three. */
export function formatReview(r: Review, format: ReviewFormat): string {
  if (format === 'json') return JSON.stringify(r, null, 2) + '\n';
  return format === 'markdown' ? markdown(r) : text(r);
}
