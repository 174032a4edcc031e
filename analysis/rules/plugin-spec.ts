import type { ModelObject } from '../../compiler/model';
import { RunCache } from '../run-cache';
import { pluginDefinitionFor } from '../../constructs/define-plugin';
import { isPlainObject } from '../schema/issue';

/** One well-formed targetRef (group '' for core). */
export interface PluginTargetRef {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** `spec.targetRefs[i]` or `spec.targetRef`. */
  readonly path: string;
}

/**
 * The fields of a WasmPlugin the mesh rules read, taken only where they are
 * well-typed: a malformed field is `schema/wasm-plugin`'s to report, so the
 * mesh rules simply do not see it.
 */
export interface PluginView {
  readonly object: ModelObject;
  readonly namespace: string;
  readonly name: string;
  /** targetRefs, or the legacy targetRef when targetRefs is empty (istiod merges them so). */
  readonly targetRefs: readonly PluginTargetRef[];
  /** Whether spec.selector is set (even empty). */
  readonly hasSelector: boolean;
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly phase: string;
  /** undefined when unset: it then sorts after every explicit priority. */
  readonly priority?: number;
  readonly failStrategy: string;
  /** HTTP or NETWORK (UNSPECIFIED means HTTP). */
  readonly type: 'HTTP' | 'NETWORK';
  readonly match: readonly { readonly mode: string; readonly ports: readonly unknown[] }[];
  readonly url?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function refOf(v: unknown, path: string): PluginTargetRef | undefined {
  if (!isPlainObject(v) || typeof v.kind !== 'string' || typeof v.name !== 'string') return undefined;
  const group = str(v.group) ?? '';
  return { group: group === 'core' ? '' : group, kind: v.kind, name: v.name, namespace: str(v.namespace) || undefined, path };
}

const views = new RunCache<ModelObject, PluginView>();

export function pluginView(o: ModelObject): PluginView {
  let view = views.get(o);
  if (view) return view;
  const spec = isPlainObject(o.manifest.spec) ? o.manifest.spec : {};
  const refs = Array.isArray(spec.targetRefs) ? spec.targetRefs : [];
  let targetRefs = refs.map((r, i) => refOf(r, `spec.targetRefs[${i}]`)).filter((r): r is PluginTargetRef => r !== undefined);
  if (refs.length === 0 && spec.targetRef != null) {
    const single = refOf(spec.targetRef, 'spec.targetRef');
    targetRefs = single ? [single] : [];
  }
  const selector = isPlainObject(spec.selector) ? spec.selector : undefined;
  const matchLabels: Record<string, string> = {};
  if (selector && isPlainObject(selector.matchLabels)) {
    for (const [k, v] of Object.entries(selector.matchLabels)) if (typeof v === 'string') matchLabels[k] = v;
  }
  const match = (Array.isArray(spec.match) ? spec.match : []).filter(isPlainObject).map((m) => ({
    mode: str(m.mode) ?? 'UNDEFINED',
    ports: Array.isArray(m.ports) ? m.ports : [],
  }));
  view = {
    object: o,
    namespace: o.manifest.metadata.namespace ?? '',
    name: o.manifest.metadata.name,
    targetRefs,
    hasSelector: spec.selector != null,
    matchLabels,
    phase: str(spec.phase) ?? 'UNSPECIFIED_PHASE',
    priority: typeof spec.priority === 'number' && Number.isInteger(spec.priority) ? spec.priority : undefined,
    failStrategy: str(spec.failStrategy) ?? 'FAIL_CLOSE',
    type: spec.type === 'NETWORK' ? 'NETWORK' : 'HTTP',
    match,
    url: str(spec.url),
  };
  views.set(o, view);
  return view;
}

export const AUTH_PHASES = ['AUTHN', 'AUTHZ'];

/**
 * Whether the plugin makes an authentication or authorization decision. Its
 * module's definition says so (`decidesAccess`: a rate limiter sits in AUTHN
 * only to run early, and decides nothing about the caller); otherwise a
 * module whose default phase is AUTHN/AUTHZ does, in whatever phase it was
 * put (it still answers 401 or 403 from there), and a module without a
 * definition does when its phase is AUTHN/AUTHZ.
 */
export function isAuthPlugin(p: PluginView): boolean {
  const def = p.url ? pluginDefinitionFor(p.url) : undefined;
  if (def?.decidesAccess !== undefined) return def.decidesAccess;
  return AUTH_PHASES.includes(p.phase) || (def !== undefined && AUTH_PHASES.includes(def.defaultPhase));
}

export function pluginLabel(p: PluginView): string {
  return `${p.namespace ? `${p.namespace}/` : ''}${p.name}`;
}

/** The subject of a finding about a plugin: `WasmPlugin shop/auth`. */
export function pluginSubject(p: PluginView): string {
  return `WasmPlugin ${pluginLabel(p)}`;
}

export function refLabel(r: PluginTargetRef): string {
  return `${r.kind} ${r.name}`;
}
