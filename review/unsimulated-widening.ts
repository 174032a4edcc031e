import { objectKey, type MeshModel, type ModelObject } from '../compiler/model';
import { LABELS } from '../constructs/labels';
import { isAuthPlugin, pluginSubject, pluginView } from '../analysis/rules/plugin-spec';
import { labelsOf } from '../analysis/rules/waypoints';
import { pluginId, type PluginPair } from './plugin-moves';

/**
 * Widenings no representative request can show: the simulator sends every
 * request from a client in the ambient mesh, with every module loaded.
 */

/** A Namespace enrolled in ambient by the base, no longer by the head (as the cluster will hold it). */
export interface LeftAmbient {
  readonly target: string;
  readonly namespace: string;
  /** The head's `istio.io/dataplane-mode` (`none`...), absent when the label is gone. */
  readonly after?: string;
}

/** An auth plugin the base ran fail-closed that the head runs with `failStrategy: FAIL_OPEN`. */
export interface FailsOpen {
  readonly target: string;
  /** `WasmPlugin namespace/name`. */
  readonly plugin: string;
  /** `WasmPlugin namespace/name` of its old self, when this change also renames it. */
  readonly renamedFrom?: string;
  /** The base's failStrategy (FAIL_CLOSE when unset, the API's default). */
  readonly before: string;
}

const ofTarget = (m: MeshModel, target: string, kind: string): ModelObject[] => m.objects.filter((o) => o.target === target && o.manifest.kind === kind);

/**
 * Only pods ztunnel captures have their requests sent to waypoints: a
 * namespace out of ambient calls every Service, its own included, past
 * every waypoint plugin. `live` is the head as the cluster holds it (a
 * removed label-only Namespace keeps its labels), so only a label that
 * really goes is reported.
 */
export function leftAmbient(base: MeshModel, live: MeshModel, target: string): LeftAmbient[] {
  const after = new Map(ofTarget(live, target, 'Namespace').map((o) => [objectKey(o.manifest), labelsOf(o.manifest)]));
  const out: LeftAmbient[] = [];
  for (const o of ofTarget(base, target, 'Namespace')) {
    if (labelsOf(o.manifest)[LABELS.dataplaneMode] !== 'ambient') continue;
    const labels = after.get(objectKey(o.manifest));
    if (!labels || labels[LABELS.dataplaneMode] === 'ambient') continue;
    const mode = labels[LABELS.dataplaneMode];
    out.push({ target, namespace: o.manifest.metadata.name, ...(mode !== undefined ? { after: mode } : {}) });
  }
  return out.sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
}

/**
 * The simulator assumes every module loads, so a plugin that now fails open
 * answers as before; yet whenever its module cannot be fetched or crashes,
 * what it refused passes. Only a plugin that decides access counts (the
 * rule plugin/fail-open-auth's test), and only one the base held, under its
 * name or under the one this change renames it from (`pairs`), that did not
 * fail open already: a new plugin that fails open protects more than nothing
 * did.
 */
export function failsOpen(base: MeshModel, head: MeshModel, target: string, pairs: readonly PluginPair[]): FailsOpen[] {
  const before = new Map(ofTarget(base, target, 'WasmPlugin').map((o) => [objectKey(o.manifest), o]));
  const renamedFrom = new Map(pairs.filter((p) => p.renamed).map((p) => [p.to, p.from]));
  const out: FailsOpen[] = [];
  for (const o of ofTarget(head, target, 'WasmPlugin')) {
    const p = pluginView(o);
    if (p.failStrategy !== 'FAIL_OPEN' || !isAuthPlugin(p)) continue;
    const from = renamedFrom.get(o);
    const was = from ?? before.get(objectKey(o.manifest));
    if (!was || pluginView(was).failStrategy === 'FAIL_OPEN') continue;
    out.push({ target, plugin: pluginSubject(p), ...(from ? { renamedFrom: pluginId(from) } : {}), before: pluginView(was).failStrategy });
  }
  return out.sort((a, b) => (a.plugin < b.plugin ? -1 : a.plugin > b.plugin ? 1 : 0));
}
