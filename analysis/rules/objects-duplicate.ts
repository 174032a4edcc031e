import type { ModelObject } from '../../compiler/model';
import { fileAndLine, type Rule } from '../rule';

// The first one's policy line too: when a shared pattern declared both, the
// paths differ only in the caller's id, and the line is what to look at.
const where = (o: ModelObject): string => (o.path !== undefined && o.source !== undefined ? `${o.path}, ${o.source}` : (o.path ?? fileAndLine(o) ?? o.source ?? 'the first declaration'));

export const objectsDuplicate: Rule = {
  id: 'objects/duplicate',
  severity: 'error',
  docs: {
    summary: 'Two objects of one kind with the same namespace and name in one target: the second overwrites the first when applied, and which one wins depends on order.',
    bad: `new Waypoint(ns, 'second', { name: 'waypoint' }); // the preamble already has a waypoint named 'waypoint'`,
    message: 'Gateway shop/waypoint is declared twice in target default (first at shop/waypoint, main.ts:6); one would silently replace the other',
    fix: 'Give each object its own name, or declare it once and share the construct.',
  },
  check(ctx) {
    for (const o of ctx.objects) {
      const { kind, metadata } = o.manifest;
      // The context's index keeps the first object of each kind, namespace and name.
      const earlier = ctx.find(kind, metadata.namespace, metadata.name);
      if (earlier === undefined || earlier === o) continue;
      ctx.report(o, {
        message: `${kind} ${metadata.namespace ? `${metadata.namespace}/` : ''}${metadata.name} is declared twice in target ${ctx.target} (first at ${where(earlier)}); one would silently replace the other`,
        // Hand-written YAML has no construct to share: two versions of one object belong in different folders (overlays).
        ...(ctx.model.origin === 'manifests' ? { fix: 'Give each object its own name, or keep one of the two documents (alternative versions of one object belong in different folders, validated one at a time).' } : {}),
      });
    }
  },
};
