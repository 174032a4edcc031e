import { objectKey, type MeshModel, type ModelObject } from '../compiler/model';
import { LABELS } from '../constructs/labels';
import { isAuthPlugin, pluginSubject, pluginView } from '../analysis/rules/plugin-spec';
import { labelsOf } from '../analysis/rules/waypoints';
import { pluginId, sameModule, type PluginPair } from './plugin-moves';
import { namespaceOf } from '../simulator/mesh-index';
import { withoutDigest } from '../constructs/internal/module-url';

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
  /**
   * For a plugin added under a new name that no rename pairs (several of its
   * module changed at once): the fail-closed plugins of its module that this
   * change removes from its namespace (else from the target's other
   * namespaces: a move across them), any of which it may replace.
   */
  readonly replaces?: string[];
  /** The base's failStrategy (FAIL_CLOSE when unset, the API's default). */
  readonly before: string;
}

/**
 * An auth plugin that now pins another build of its module under the same
 * url (name and tag): the simulator models a module by its name and tag, so
 * every simulated request answers as before, whatever the new build does.
 */
export interface NewBuild {
  readonly target: string;
  /** `WasmPlugin namespace/name`, as the head names it. */
  readonly plugin: string;
  /** The digests pinned (`spec.sha256`, or the url's `@sha256:`), cut to 12 hex digits; `(none)` when the head pins none. */
  readonly before: string;
  readonly after: string;
}

const ofTarget = (m: MeshModel, target: string, kind: string): ModelObject[] => m.objects.filter((o) => o.target === target && o.manifest.kind === kind);

/** Code-unit order by `field`, as every list here is sorted. */
const byField =
  <K extends string>(field: K) =>
  (a: Readonly<Record<K, string>>, b: Readonly<Record<K, string>>): number =>
    a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : 0;

/** The base's plugin of a head plugin: the one this change renames it from (`pairs`), else the base's of its name. */
function baseSelves(base: MeshModel, target: string, pairs: readonly PluginPair[]): (o: ModelObject) => ModelObject | undefined {
  const before = new Map(ofTarget(base, target, 'WasmPlugin').map((o) => [objectKey(o.manifest), o]));
  const renamedFrom = new Map(pairs.filter((p) => p.renamed).map((p) => [p.to, p.from]));
  return (o) => renamedFrom.get(o) ?? before.get(objectKey(o.manifest));
}

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
  return out.sort(byField('namespace'));
}

/**
 * The simulator assumes every module loads, so a plugin that now fails open
 * answers as before; yet whenever its module cannot be fetched or crashes,
 * what it refused passes. Only a plugin that decides access counts (the
 * rule plugin/fail-open-auth's test), and only one the base held, under its
 * name or under the one this change renames it from (`pairs`), that did not
 * fail open already: a new plugin that fails open protects more than nothing
 * did. A new one that no rename pairs while this change removes fail-closed
 * plugins of its module from its namespace (else from any namespace of the
 * target) may be any of them renamed or moved (too many changed at once to
 * tell which): it counts, naming them.
 */
export function failsOpen(base: MeshModel, head: MeshModel, target: string, pairs: readonly PluginPair[]): FailsOpen[] {
  const before = new Map(ofTarget(base, target, 'WasmPlugin').map((o) => [objectKey(o.manifest), o]));
  const inHead = new Set(ofTarget(head, target, 'WasmPlugin').map((o) => objectKey(o.manifest)));
  const renamedFrom = new Map(pairs.filter((p) => p.renamed).map((p) => [p.to, p.from]));
  const paired = new Set(pairs.map((p) => p.from));
  // Removed, fail-closed and in no pair: what an unpaired new plugin of its module may replace.
  const unpaired = [...before.values()].filter((o) => !inHead.has(objectKey(o.manifest)) && !paired.has(o) && pluginView(o).failStrategy !== 'FAIL_OPEN');
  const out: FailsOpen[] = [];
  for (const o of ofTarget(head, target, 'WasmPlugin')) {
    const p = pluginView(o);
    if (p.failStrategy !== 'FAIL_OPEN' || !isAuthPlugin(p)) continue;
    const from = renamedFrom.get(o);
    const was = from ?? before.get(objectKey(o.manifest));
    if (was) {
      if (pluginView(was).failStrategy !== 'FAIL_OPEN') out.push({ target, plugin: pluginSubject(p), ...(from ? { renamedFrom: pluginId(from) } : {}), before: pluginView(was).failStrategy });
      continue;
    }
    // Its own namespace's first; else another's, as a move across namespaces too ambiguous to pair (several of its module at once) still is one.
    const ofModule = unpaired.filter((x) => sameModule(x, o));
    const local = ofModule.filter((x) => namespaceOf(x.manifest) === namespaceOf(o.manifest));
    const candidates = (local.length > 0 ? local : ofModule).map((x) => ({ id: pluginId(x), failStrategy: pluginView(x).failStrategy })).sort(byField('id'));
    if (candidates.length > 0) out.push({ target, plugin: pluginSubject(p), replaces: candidates.map((c) => c.id), before: candidates[0].failStrategy });
  }
  return out.sort(byField('plugin'));
}

/** The digest a plugin pins its module to (`spec.sha256`, else the url's `@sha256:`), if any. */
function digestOf(o: ModelObject): string | undefined {
  const spec = (o.manifest.spec ?? {}) as { sha256?: unknown; url?: unknown };
  if (typeof spec.sha256 === 'string' && spec.sha256 !== '') return spec.sha256;
  return typeof spec.url === 'string' ? /@sha256:([a-f0-9]+)$/.exec(spec.url)?.[1] : undefined;
}

const unpinnedUrl = (o: ModelObject): unknown => {
  const url = (o.manifest.spec as { url?: unknown } | undefined)?.url;
  return typeof url === 'string' ? withoutDigest(url) : url;
};

/**
 * Auth plugins (under their name, or the one this change renames them from)
 * whose module stays at the same url but whose pinned digest changes, or is
 * dropped: another build runs. A pin added where there was none is not
 * listed: what ran before was whatever the tag named.
 */
export function newBuilds(base: MeshModel, head: MeshModel, target: string, pairs: readonly PluginPair[]): NewBuild[] {
  const baseSelf = baseSelves(base, target, pairs);
  const short = (d: string | undefined) => (d === undefined ? '(none)' : d.slice(0, 12));
  const out: NewBuild[] = [];
  for (const o of ofTarget(head, target, 'WasmPlugin')) {
    const was = baseSelf(o);
    if (!was || !isAuthPlugin(pluginView(o)) || unpinnedUrl(was) !== unpinnedUrl(o)) continue;
    const [from, to] = [digestOf(was), digestOf(o)];
    if (from === undefined || from === to) continue;
    out.push({ target, plugin: pluginSubject(pluginView(o)), before: short(from), after: short(to) });
  }
  return out.sort(byField('plugin'));
}
