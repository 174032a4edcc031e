import { objectKey, type KubeObject, type MeshModel, type ModelObject } from '../compiler/model';
import { objectItems } from '../simulator/mesh-index';
import { moduleId } from '../constructs/define-plugin';

/**
 * A WasmPlugin this change renames (the base's is removed, one with the same
 * spec is added under another name in its namespace) or moves (its
 * `targetRefs` change), or both: the object changes list a rename as a
 * removal and an addition, and a move as a field, while a reviewer wants to
 * know what runs where, and for whom that changes.
 */
export interface PluginMove {
  readonly target: string;
  /** `WasmPlugin shop/auth`, as the base names it. */
  readonly from: string;
  /** As the head names it: another name when renamed. */
  readonly to: string;
  readonly renamed: boolean;
  /**
   * The fields of its spec, bar what it attaches to, that differ between the
   * two (`failStrategy`, `pluginConfig`): a plugin renamed in the same change
   * that edits it is compared with its old self, as an edit in place is.
   */
  readonly changed?: string[];
  /** What it attaches to (`Gateway waypoint`), before and after, when that changed. */
  readonly targetRefs?: { readonly before: string[]; readonly after: string[] };
  /** Who ran it (under either name) before and no longer does (`Service shop/cart`, `ingress gateway ...`). */
  readonly leaves: string[];
  /** Who runs it now and did not before. */
  readonly joins: string[];
  /**
   * For a renamed plugin: the WasmPlugins it shares a phase and priority with
   * on a chain. istiod runs the older of such a pair first (creation time,
   * then name): the renamed one is a new object, so it now runs after them,
   * whatever its name says.
   */
  readonly runsAfter?: string[];
  /**
   * The plugins it now runs after on some chain, which its old self ran
   * before there (its phase or priority changed): what they do to a request
   * (rewrite a header, answer it themselves) now comes first.
   */
  readonly nowRunsAfter?: string[];
  /**
   * For a renamed plugin: whether the base's carries Argo CD's
   * `PruneLast=true`, which Argo CD reads from the live object and which
   * moves its prune after every wave, so after the new one is applied.
   */
  readonly prunedLast?: boolean;
}

/** A rename or move found in the manifests, before its consequences are read from the chains. */
export interface PluginPair {
  readonly from: ModelObject;
  readonly to: ModelObject;
  readonly renamed: boolean;
}

const plugins = (m: MeshModel, target: string) => m.objects.filter((o) => o.target === target && o.manifest.kind === 'WasmPlugin');

export const pluginId = (o: ModelObject) => `WasmPlugin ${o.manifest.metadata.namespace ?? 'default'}/${o.manifest.metadata.name}`;

/** Its targetRefs (and the legacy targetRef), as `Gateway waypoint`, sorted. */
export function refsOf(o: ModelObject): string[] {
  const spec = (o.manifest.spec ?? {}) as { targetRefs?: unknown; targetRef?: unknown };
  const refs = [...objectItems<{ kind?: unknown; name?: unknown }>(spec.targetRefs), ...objectItems<{ kind?: unknown; name?: unknown }>(spec.targetRef === undefined ? [] : [spec.targetRef])];
  return [...new Set(refs.map((r) => `${String(r.kind)} ${String(r.name)}`))].sort();
}

/**
 * A policy's spec without what it attaches to (`targetRefs`, `targetRef`,
 * `selector`): what it does, wherever it runs. A WasmPlugin's unset
 * failStrategy is FAIL_CLOSE, the API's default: a dist synthesized before
 * synth wrote it out does the same as one after.
 */
export function specWithoutAttachment(m: KubeObject): Record<string, unknown> {
  const { targetRefs: _refs, targetRef: _ref, selector: _selector, ...rest } = (m.spec ?? {}) as Record<string, unknown>;
  if (m.kind !== 'WasmPlugin') return rest;
  // First, so that where a file had it cannot tell two specs apart either.
  const { failStrategy, ...others } = rest;
  return { failStrategy: failStrategy ?? 'FAIL_CLOSE', ...others };
}

/** What a plugin does, as one string: two plugins with the same do the same wherever they run. */
export const behaviour = (o: ModelObject) => JSON.stringify(specWithoutAttachment(o.manifest));

/** The module it runs (`ghcr.io/.../basic_auth`, without tag or digest), if its url is a string. */
function moduleOf(o: ModelObject): string | undefined {
  const url = (o.manifest.spec as { url?: unknown } | undefined)?.url;
  return typeof url === 'string' ? moduleId(url) : undefined;
}

/** Whether both run the same module (by `moduleId`: its tag and digest aside). */
export const sameModule = (x: ModelObject, y: ModelObject) => moduleOf(x) !== undefined && moduleOf(x) === moduleOf(y);

/**
 * What its targetRefs name, as istiod resolves them (`Gateway shop/waypoint`,
 * `GatewayClass istio-waypoint`), sorted: a Gateway, Service or ServiceEntry
 * ref names one in the plugin's own namespace, and the istio-waypoint
 * GatewayClass means every waypoint only from the root namespace. A ref that
 * can match nothing is left out, so two plugins in different namespaces
 * resolve alike only when they attach to the same proxies.
 */
function resolvedTargets(o: ModelObject, rootNamespace: string): string[] {
  const ns = o.manifest.metadata.namespace ?? 'default';
  const spec = (o.manifest.spec ?? {}) as { targetRefs?: unknown; targetRef?: unknown };
  type Ref = { group?: unknown; kind?: unknown; name?: unknown; namespace?: unknown };
  const refs = [...objectItems<Ref>(spec.targetRefs), ...objectItems<Ref>(spec.targetRef === undefined ? [] : [spec.targetRef])];
  const out = refs.flatMap((r) => {
    if (r.kind === 'GatewayClass') return r.name === 'istio-waypoint' && ns === rootNamespace ? ['GatewayClass istio-waypoint'] : [];
    if (r.namespace !== undefined && r.namespace !== ns) return [];
    return [`${String(r.group ?? '')}/${String(r.kind)} ${ns}/${String(r.name)}`];
  });
  return [...new Set(out)].sort();
}

/** The fields of the spec, bar what it attaches to, that differ between the two, sorted. */
export function changedFields(from: ModelObject, to: ModelObject): string[] {
  const [a, b] = [specWithoutAttachment(from.manifest), specWithoutAttachment(to.manifest)];
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}

/**
 * The WasmPlugins of one target that this change renames or moves. A removed
 * plugin is paired with an added one in the same namespace whose spec is the
 * same (a rename), else whose spec differs only in what it attaches to (a
 * rename and a move), else that runs the same module on the same targets (a
 * rename that also edits it: turned FAIL_OPEN, its rules or phase changed),
 * else that is the only one of its module removed and the only one added
 * there (renamed, moved and edited); each pairs at most once, by name order.
 * Left unpaired, a removed one is paired with one added in another namespace
 * that runs the same module, when that one alone attaches to the same
 * proxies (`resolvedTargets`), else when they are the only ones of their
 * module removed and added in the whole target. Without the passes that
 * allow an edit, a rename or move would hide one that weakens the plugin:
 * the review compares a pair as it compares an edit in place. A plugin kept
 * under its name whose attachments change is moved.
 */
export function pluginPairs(base: MeshModel, head: MeshModel, target: string): PluginPair[] {
  const [b, h] = [plugins(base, target), plugins(head, target)];
  const inHead = new Set(h.map((o) => objectKey(o.manifest)));
  const inBase = new Map(b.map((o) => [objectKey(o.manifest), o]));
  const byName = (x: ModelObject, y: ModelObject) => (pluginId(x) < pluginId(y) ? -1 : pluginId(x) > pluginId(y) ? 1 : 0);
  const removed = b.filter((o) => !inHead.has(objectKey(o.manifest))).sort(byName);
  const added = h.filter((o) => !inBase.has(objectKey(o.manifest))).sort(byName);
  const out: PluginPair[] = [];
  const taken = new Set<ModelObject>();
  const paired = (r: ModelObject) => out.some((p) => p.from === r);
  const sameNamespace = (x: ModelObject, y: ModelObject) => (x.manifest.metadata.namespace ?? 'default') === (y.manifest.metadata.namespace ?? 'default');
  // Left unpaired by the passes before: the only removed and the only added plugin of its module in its namespace.
  const alone = (x: ModelObject, y: ModelObject) =>
    removed.filter((o) => !paired(o) && sameNamespace(o, x) && sameModule(o, x)).length === 1 && added.filter((o) => !taken.has(o) && sameNamespace(o, y) && sameModule(o, y)).length === 1;
  for (const same of [
    (x: ModelObject, y: ModelObject) => JSON.stringify(x.manifest.spec) === JSON.stringify(y.manifest.spec),
    (x: ModelObject, y: ModelObject) => behaviour(x) === behaviour(y),
    (x: ModelObject, y: ModelObject) => sameModule(x, y) && JSON.stringify(refsOf(x)) === JSON.stringify(refsOf(y)),
    (x: ModelObject, y: ModelObject) => sameModule(x, y) && alone(x, y),
  ]) {
    for (const r of removed) {
      if (paired(r)) continue;
      const a = added.find((x) => !taken.has(x) && sameNamespace(r, x) && same(r, x));
      if (!a) continue;
      taken.add(a);
      out.push({ from: r, to: a, renamed: true });
    }
  }
  // Moved to another namespace (into the root namespace, or to another team's),
  // maybe edited too: paired only when nothing else could be its old self, as a
  // wrong pair would hide a weakening, or invent one.
  const targetsOf = (o: ModelObject, m: MeshModel) => JSON.stringify(resolvedTargets(o, m.rootNamespace));
  const ofModule = (list: ModelObject[], o: ModelObject) => list.filter((x) => sameModule(x, o)).length;
  for (const same of [
    (x: ModelObject, y: ModelObject) => sameModule(x, y) && resolvedTargets(x, base.rootNamespace).length > 0 && targetsOf(x, base) === targetsOf(y, head),
    (x: ModelObject, y: ModelObject) => sameModule(x, y) && ofModule(removed, x) === 1 && ofModule(added, y) === 1,
  ]) {
    for (const r of removed) {
      if (paired(r)) continue;
      const candidates = added.filter((x) => !taken.has(x) && same(r, x));
      if (candidates.length !== 1 || removed.filter((x) => !paired(x) && same(x, candidates[0])).length !== 1) continue;
      taken.add(candidates[0]);
      out.push({ from: r, to: candidates[0], renamed: true });
    }
  }
  for (const o of h) {
    const before = inBase.get(objectKey(o.manifest));
    if (before && JSON.stringify(refsOf(before)) !== JSON.stringify(refsOf(o))) out.push({ from: before, to: o, renamed: false });
  }
  return out.sort((x, y) => byName(x.from, y.from));
}
