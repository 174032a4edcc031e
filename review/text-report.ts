import { after, before, bindingLine, chainLine, fieldLine, objectLine, request, unsimulatedWidening } from './finding-lines';
import { hazards, prunedUnusedLine } from './hazard-lines';
import { renames } from './rename-lines';
import type { Review } from './report';
import { behindLine, staleLine, summary } from './report-summary';

/**
 * The text format: every finding and every object change, unbounded, for a
 * terminal or a CI log. Apart from the markdown, which is cut to fit a
 * comment and points here for what it leaves out.
 */

export function text(r: Review): string {
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
