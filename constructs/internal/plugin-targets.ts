/**
 * The checks of a WasmPlugin's targets at construction: kept out of
 * wasm-plugin.ts, whose exports are the library's public API.
 */
import { Construct } from 'constructs';
import { ALLOWED_TARGETS } from '../../analysis/schema/wasm-plugin';
import { targetNameOf } from '../app';
import type { ITargetable } from '../target-ref';
import type { WasmPlugin } from '../wasm-plugin';
import { fail, refuseOtherCopy } from './validate';

export const refKey = (t: ITargetable) => `${t.targetRef.group}/${t.targetRef.kind}/${t.targetRef.name}`;
export const distinctRefs = (targets: readonly ITargetable[]) => new Set(targets.map(refKey)).size;

/**
 * How an error names the `i`th target. A module-level function, not a
 * closure per target: tsx (esbuild's keepNames) names every named closure
 * with an Object.defineProperty call, ~2 µs for each target of a mesh's
 * thousands of plugins.
 */
function targetLabel(t: ITargetable, i: number): string {
  return `targets[${i}] (${t.targetRef.kind} ${t.targetRef.name})`;
}

/**
 * A targetRef carries no namespace and the compiler writes each plugin into
 * its own target's folder: istiod resolves the name in the plugin's
 * namespace, in the cluster it is applied to. A target from another
 * namespace or Target would attach the plugin to a same-named object there
 * (every namespace tends to have a `waypoint`) and leave the one meant
 * unprotected, so it is refused here, where it is still known which was meant.
 */
export function refuseForeignTargets(plugin: WasmPlugin, targets: readonly ITargetable[]): void {
  let mine: string | undefined; // the plugin's Target, looked up once, and only if a target is a construct
  targets.forEach((t, i) => {
    // A target is taken by its shape, so a construct of another copy of the library passes the props check.
    refuseOtherCopy(plugin, t, () => `${targetLabel(t, i)} was`);
    const fix = "Create the WasmPlugin in the target's namespace and Target (or reference the target there with fromGatewayName/fromServiceName).";
    if (t.targetNamespace !== undefined && t.targetNamespace !== plugin.namespace) {
      fail(
        plugin,
        'plugin/unresolved-target',
        `${targetLabel(t, i)} is in namespace ${t.targetNamespace}, but istiod only attaches a plugin to targets in the plugin's own namespace (${plugin.namespace}): it would attach to a ${t.targetRef.kind} named ${t.targetRef.name} there, if any, and never run in ${t.targetNamespace}`,
        fix,
      );
    }
    if (!Construct.isConstruct(t)) return;
    mine ??= targetNameOf(plugin);
    const theirs = targetNameOf(t);
    if (theirs !== mine) {
      fail(plugin, 'plugin/unresolved-target', `${targetLabel(t, i)} belongs to Target '${theirs}', but this plugin is written to Target '${mine}': in that cluster it would attach to ${mine}'s ${t.targetRef.kind} named ${t.targetRef.name}, if any`, fix);
    }
  });
}

/**
 * The group of each kind istiod's webhook lets a plugin target (each kind
 * has one); '' is core, which a targetRef may also spell 'core'.
 */
const TARGET_GROUPS: ReadonlyMap<string, string> = new Map(ALLOWED_TARGETS.map((t) => [t.kind, t.group === 'core' ? '' : t.group]));

/**
 * The library's targets always give a ref the webhook and the CRD take; a
 * team's own ITargetable may not, and would then fail only at synth, or at
 * apply. Checked without building a string: it runs for every target.
 */
export function refuseUnattachableRef(plugin: WasmPlugin, t: ITargetable, i: number): void {
  const { kind, name } = t.targetRef;
  // No group is written as none, which istiod reads as core (a plain JavaScript target may leave it out).
  const group = t.targetRef.group ?? '';
  const expected = TARGET_GROUPS.get(kind);
  if (expected === undefined || (group !== expected && !(expected === '' && group === 'core'))) {
    fail(
      plugin,
      'plugin/target-kind',
      `${targetLabel(t, i)} gives the targetRef group ${JSON.stringify(group)}, kind ${JSON.stringify(kind)}: istiod's webhook accepts only Service (core), ServiceEntry (networking.istio.io), Gateway and GatewayClass (gateway.networking.k8s.io)${expected === undefined ? '' : `, and ${kind} belongs to group ${JSON.stringify(expected)}`}`,
      'Target a Waypoint, MeshService, ExternalService, GatewayReference or ServiceEntryReference; an ITargetable of your own must give one of those group/kind pairs.',
    );
  }
  if (typeof name !== 'string' || name.length === 0 || name.length > 253) {
    fail(plugin, 'schema/wasm-plugin', `${targetLabel(t, i)} has a targetRef name of ${typeof name === 'string' ? `${name.length} characters` : typeof name}: the CRD takes 1 to 253 characters`, "Give the target's name as the object is named in the cluster.");
  }
}
