import type { Rule, RuleContext } from '../rule';
import { resolveRef } from './attachments';
import { PluginTargetRef, PluginView, pluginView, refLabel } from './plugin-spec';

/** Namespaces where an object of that kind and name does exist. */
function elsewhere(ctx: RuleContext, ref: PluginTargetRef, except: string): string[] {
  const found = new Set<string>();
  for (const o of ctx.ofKind(ref.kind)) if (o.manifest.metadata.name === ref.name && o.manifest.metadata.namespace !== except) found.add(o.manifest.metadata.namespace ?? '');
  for (const r of ctx.references) if (r.kind === ref.kind && r.name === ref.name && r.namespace !== except) found.add(r.namespace ?? '');
  return [...found].sort();
}

function message(p: PluginView, ref: PluginTargetRef, other: string[]): string {
  const what = `${ref.path} (${refLabel(ref)}) matches no ${ref.kind} in namespace ${p.namespace}`;
  if (other.length > 0) {
    return `${what}; there is one in ${other.join(', ')}, but istiod only attaches a plugin to targets in the plugin's own namespace, so this plugin never runs there`;
  }
  return `${what}, so the plugin attaches to nothing through it`;
}

export const pluginUnresolvedTarget: Rule = {
  id: 'plugin/unresolved-target',
  severity: 'error',
  docs: {
    summary: "Each targetRef must name a Gateway, Service or ServiceEntry declared or referenced in the plugin's own namespace; istiod matches targets only there. A construct from another namespace or Target passed in `targets` is refused at construction: the name alone would attach the plugin to a same-named object in its own namespace (most namespaces have a `waypoint`). With `validate --manifests` an unknown target is a warning, since it may exist in the cluster.",
    bad: `const infra = new MeshNamespace(app, 'infra');
const shared = new Waypoint(infra, 'shared');
new WasmPlugin(ns, 'stamp', { url: 'oci://ghcr.io/acme/stamp:1.0.0', targets: [shared] });`,
    message: `targets[0] (Gateway shared) is in namespace infra, but istiod only attaches a plugin to targets in the plugin's own namespace (shop): it would attach to a Gateway named shared there, if any, and never run in infra`,
    fix: "Create the WasmPlugin in the target's namespace and Target (or reference the target there with fromGatewayName/fromServiceName).",
  },
  check(ctx) {
    const lenient = ctx.model.origin === 'manifests';
    for (const o of ctx.ofKind('WasmPlugin')) {
      const p = pluginView(o);
      for (const ref of p.targetRefs) {
        if (resolveRef(ctx, p, ref).kind !== 'unresolved') continue;
        const other = elsewhere(ctx, ref, p.namespace);
        // Reading manifests, a target found nowhere may simply be another
        // team's object, in the cluster but not in these files.
        const fix =
          lenient && other.length === 0
            ? `If ${refLabel(ref)} exists in namespace ${p.namespace} in the cluster (another team's), nothing is wrong; otherwise correct the name or create it there.`
            : undefined;
        ctx.report(o, { message: message(p, ref, other), severity: lenient ? 'warning' : 'error', fix });
      }
    }
  },
};
