import type { ModelObject } from '../../compiler/model';
import type { Rule } from '../rule';

const where = (o: ModelObject): string => o.path ?? o.file ?? o.source ?? 'the first declaration';

export const objectsDuplicate: Rule = {
  id: 'objects/duplicate',
  severity: 'error',
  docs: {
    summary: 'Two objects of one kind with the same namespace and name in one target: the second overwrites the first when applied, and which one wins depends on order.',
    bad: `new Waypoint(ns, 'second', { name: 'waypoint' }); // the preamble already has a waypoint named 'waypoint'`,
    message: 'Gateway shop/waypoint is declared twice in target default (first at shop/waypoint); one would silently replace the other',
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
      });
    }
  },
};
