import { z } from 'zod';
import { PolicyApp, Target } from '../app';
import { dnsLabel } from '../internal/schemas';
import { fail, parseProps, ruleParams } from '../internal/validate';
import { isMeshNamespace } from './service-waypoint';
import { namespacesIn } from './namespaces-in';
import { MeshNamespace, MeshNamespaceProps } from '../namespace';

export interface StampOptions {
  /**
   * Props for the MeshNamespaces this call creates (namespaces given by
   * name that the scope does not have yet). Not applied to existing ones.
   *
   * @default {} - MeshNamespace defaults: enrolled in ambient, label-only
   */
  readonly namespaceProps?: Omit<MeshNamespaceProps, 'name'>;
}

const schema = z.object({
  namespaces: z
    .array(z.union([dnsLabel('namespace name'), z.custom<MeshNamespace>(isMeshNamespace, { message: 'each namespace must be a name or a MeshNamespace' })]))
    .refine((a) => a.length > 0, { message: 'namespaces must list at least one namespace', ...ruleParams('stamp/no-namespaces', 'List the namespaces to stamp the policy into.') }),
  build: z.custom<(ns: MeshNamespace) => unknown>((f) => typeof f === 'function', { message: 'build must be a function (namespace) => void' }),
  namespaceProps: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Stamp the same policy into many namespaces: `build` runs once per
 * namespace, with that namespace's MeshNamespace as scope, so every
 * construct it creates lives in (and is checked for) that namespace.
 *
 * Namespaces given by name are reused when `scope`'s target already has a
 * MeshNamespace of that name (anywhere below `scope`), else created with
 * `options.namespaceProps`.
 * Returns what `build` returned, by namespace name, in the order given.
 *
 * @example
 * stampAcrossNamespaces(app, ['shop', 'payments'], (ns) => {
 *   const waypoint = new Waypoint(ns, 'waypoint');
 *   ns.useWaypoint(waypoint);
 *   new BasicAuth(ns, 'admin-auth', { targets: [waypoint], rules: [...] });
 * });
 */
export function stampAcrossNamespaces<T>(
  scope: PolicyApp | Target,
  namespaces: Array<string | MeshNamespace>,
  build: (ns: MeshNamespace) => T,
  options: StampOptions = {},
): Map<string, T> {
  if (!PolicyApp.isPolicyApp(scope) && !Target.isTarget(scope)) {
    fail(scope, 'stamp/scope', 'stampAcrossNamespaces needs the PolicyApp or a Target as scope', 'Pass the app or a Target.');
  }
  const p = parseProps(scope, 'stampAcrossNamespaces', schema, { namespaces, build, namespaceProps: options.namespaceProps });
  const existing = namespacesIn(scope);
  const resolved = p.namespaces.map((n) => (typeof n === 'string' ? namespaceNamed(scope, existing, n, options.namespaceProps ?? {}) : n));
  const seen = new Set<string>();
  for (const ns of resolved) {
    if (seen.has(ns.name)) {
      fail(scope, 'stamp/duplicate-namespace', `namespace '${ns.name}' is listed twice: the policy would be stamped into it twice`, 'List each namespace once.');
    }
    seen.add(ns.name);
    if (Target.of(ns) !== (Target.isTarget(scope) ? scope : undefined)) {
      fail(ns, 'stamp/wrong-target', `MeshNamespace '${ns.name}' belongs to another target than the one being stamped`, 'Pass namespaces of the same target (or their names).');
    }
  }
  const out = new Map<string, T>();
  for (const ns of resolved) out.set(ns.name, build(ns));
  return out;
}

function namespaceNamed(scope: PolicyApp | Target, existing: Map<string, MeshNamespace>, name: string, props: Omit<MeshNamespaceProps, 'name'>): MeshNamespace {
  const known = existing.get(name);
  if (known) return known;
  if (scope.node.tryFindChild(name)) {
    fail(scope, 'stamp/id-taken', `cannot create MeshNamespace '${name}': the id is taken by another construct`, 'Pass the MeshNamespace itself instead of its name.');
  }
  const created = new MeshNamespace(scope, name, props);
  existing.set(name, created);
  return created;
}
