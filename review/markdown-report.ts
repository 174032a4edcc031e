import { after, before, bindingLine, chainLine, moveText, objectLine, request, unsimulatedWidening, value } from './finding-lines';
import { hazards, prunedUnusedLine } from './hazard-lines';
import { renames } from './rename-lines';
import type { Review } from './report';
import { behindLine, staleLine, summary } from './report-summary';

/**
 * The markdown format, for a pull request comment: escaping and code spans,
 * the marker and title every comment diff writes starts with (a review or
 * not, so not-compiled.ts uses them too), and the sections bounded to stay
 * under GitHub's comment limit.
 */

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

export function markdown(r: Review): string {
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
