import { z } from 'zod';
import { PolicyApp, Target } from '../app';
import { dnsLabel } from '../internal/schemas';
import { isPolicyError } from '../errors';
import { callSiteOf } from '../internal/provenance';
import { blamedOn, fail, parseProps, ruleParams } from '../internal/validate';
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
  let resolved: MeshNamespace[];
  try {
    if (!PolicyApp.isPolicyApp(scope) && !Target.isTarget(scope)) {
      fail(scope, 'stamp/scope', 'stampAcrossNamespaces needs the PolicyApp or a Target as scope', 'Pass the app or a Target.');
    }
    const p = parseProps(scope, 'stampAcrossNamespaces', schema, { namespaces, build, namespaceProps: options.namespaceProps });
    const existing = namespacesIn(scope);
    const target = Target.isTarget(scope) ? scope : undefined;
    // Every check before the first namespace is created: a refused call must
    // not leave new, ambient-enrolled namespaces in the app.
    const seen = new Set<string>();
    const plan = p.namespaces.map((n): MeshNamespace | string => {
      const ns = typeof n === 'string' ? existing.get(n) : n;
      const name = ns ? ns.name : (n as string);
      if (seen.has(name)) {
        fail(scope, 'stamp/duplicate-namespace', `namespace '${name}' is listed twice: the policy would be stamped into it twice`, 'List each namespace once.');
      }
      seen.add(name);
      if (!ns) {
        if (scope.node.tryFindChild(name)) {
          fail(scope, 'stamp/id-taken', `cannot create MeshNamespace '${name}': the id is taken by another construct`, 'Pass the MeshNamespace itself instead of its name.');
        }
        return name;
      }
      if (Target.of(ns) !== target) {
        fail(ns, 'stamp/wrong-target', `MeshNamespace '${ns.name}' belongs to another target than the one being stamped`, 'Pass namespaces of the same target (or their names).');
      }
      return ns;
    });
    resolved = createAll(scope, plan, options.namespaceProps ?? {});
  } catch (e) {
    if (!isPolicyError(e)) throw e;
    // Refused before anything was built: the call is to blame, not the line
    // that created the app or target (the scope's own source).
    const source = callSiteOf(stampAcrossNamespaces);
    const at = (scope as Partial<PolicyApp> | undefined)?.node?.path;
    throw blamedOn(e, at, source);
  }
  const out = new Map<string, T>();
  for (const ns of resolved) out.set(ns.name, build(ns));
  return out;
}

/** The planned namespaces, the new ones created; if one is refused (say, by namespaceProps), none is left. */
function createAll(scope: PolicyApp | Target, plan: Array<MeshNamespace | string>, props: Omit<MeshNamespaceProps, 'name'>): MeshNamespace[] {
  // Each id was checked free, so what holds it now is ours (even half-built,
  // if the MeshNamespace itself refused).
  const taken: string[] = [];
  try {
    return plan.map((n) => {
      if (typeof n !== 'string') return n;
      taken.push(n);
      return new MeshNamespace(scope, n, props);
    });
  } catch (e) {
    for (const id of taken) scope.node.tryRemoveChild(id);
    throw e;
  }
}
