import type { IConstruct } from 'constructs';
import { Target } from '../app';
import { MeshNamespace } from '../namespace';

/**
 * The MeshNamespaces of `scope`'s own target, by namespace name, wherever
 * they sit below it: a team may group its namespaces under constructs of its
 * own, and a pattern that looked only at direct children would create a
 * second chart for the same namespace. Another Target's namespaces are not
 * this target's, and a namespace holds no namespaces, so neither is entered.
 */
export function namespacesIn(scope: IConstruct): Map<string, MeshNamespace> {
  const found = new Map<string, MeshNamespace>();
  const visit = (c: IConstruct): void => {
    for (const child of c.node.children) {
      if (Target.isTarget(child)) continue;
      if (MeshNamespace.isMeshNamespace(child)) {
        if (!found.has(child.name)) found.set(child.name, child);
        continue;
      }
      visit(child);
    }
  };
  visit(scope);
  return found;
}
