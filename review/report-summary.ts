import type { EffectChanges } from './effects';
import type { Review } from './report';

/**
 * What the text and the markdown both open with: the summary line (counts of
 * each kind of finding, and of requests simulated or left out), and the notes
 * on a review whose output folder or base is not what it seems. Shared by
 * both formats, so apart from either.
 */

function leftOut(e: EffectChanges): string {
  const parts = [
    ...(e.truncated ? [`${e.truncated} more left out whose path changed: their access may have changed unseen`] : []),
    ...(e.unchangedLeftOut ? [`${e.unchangedLeftOut} more left out whose path is the same in both revisions`] : []),
  ];
  return parts.length ? ` (${parts.join('; ')})` : '';
}

export function summary(r: Review): string {
  const widened = r.effects.access.filter((a) => a.widened).length;
  const lost = r.effects.bindings.filter((b) => b.lostWaypoint).length;
  const pruned = r.effects.prunedInUse.length;
  const outside = [
    ...(r.effects.leftAmbient.length ? [`${r.effects.leftAmbient.length} Namespace(s) leaving ambient`] : []),
    ...(r.effects.failsOpen.length ? [`${r.effects.failsOpen.length} auth plugin(s) now failing open`] : []),
    ...(r.effects.newBuilds.length ? [`${r.effects.newBuilds.length} auth plugin(s) running another build of their module`] : []),
    ...(r.effects.failOpenChains.length ? [`${r.effects.failOpenChains.length} chain(s) left with only fail-open auth plugins`] : []),
    ...(r.effects.serviceEntryAuth.length ? [`${r.effects.serviceEntryAuth.length} ServiceEntry(s) losing auth plugins (not simulated)`] : []),
  ].map((s) => `${s}; `).join('');
  return `${r.objects.length} object(s) changed; ${widened} widened access; ${outside}${lost} Service(s) lost their waypoint; ${pruned ? `${pruned} Gateway(s) pruned while in use; ` : ''}${r.effects.simulated} representative request(s) simulated${leftOut(r.effects)}`;
}

export function staleLine(r: Review): string | undefined {
  const st = r.staleOutput;
  if (!st) return undefined;
  return (
    `the committed ${st.outdir} is not what the policies compile to (synth would add ${st.added}, change ${st.changed} and remove ${st.removed} file(s)): ` +
    `this review shows what the policies compile to, not what ${st.outdir} deploys once merged. Run synth and commit ${st.outdir} (waypoint-policy check lists the files)`
  );
}

export function behindLine(r: Review): string | undefined {
  if (!r.baseAhead) return undefined;
  return (
    `${r.base} has ${r.baseAhead.commits} commit(s) changing the output that HEAD does not (this branch is behind it): what they changed shows here as undone by this change, though merging keeps it. ` +
    `Merge or rebase onto ${r.base} first, or review this branch's own changes with --base $(git merge-base ${r.base} HEAD)`
  );
}
