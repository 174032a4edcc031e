import type { EffectChanges } from './effects';
import type { ObjectChange } from './object-diff';
import type { DeliveryRename } from './delivery-renames';
import { after, before, bindingLine, chainLine, fieldLine, moveText, objectLine, request, unsimulatedWidening, value } from './finding-lines';
import { hazards, prunedUnusedLine } from './hazard-lines';
import { renames } from './rename-lines';

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
