import type { ModelObject } from '../compiler/model';
import { admissionRefusal } from './admission';
import { attachmentOf, lookupNamespaces, Proxy, wasmMatch } from './attachment';
import type { MeshIndex } from './mesh-index';
import { namespaceOf } from './mesh-index';

/**
 * Positions in a Gateway-API proxy's HTTP filter chain (Istio 1.30
 * listener builders), in the order a request meets them.
 */
export enum Stage {
  CUSTOM_AUTHZ = 0,
  AUTHN = 1,
  ISTIO_AUTHN = 2,
  AUTHZ = 3,
  ISTIO_RBAC = 4,
  STATS = 5,
  UNSPECIFIED = 6,
}

export const STAGE_NAMES: Record<Stage, string> = {
  [Stage.CUSTOM_AUTHZ]: 'CUSTOM ext_authz',
  [Stage.AUTHN]: 'AUTHN',
  [Stage.ISTIO_AUTHN]: 'Istio authn (JWT)',
  [Stage.AUTHZ]: 'AUTHZ',
  [Stage.ISTIO_RBAC]: 'Istio RBAC',
  [Stage.STATS]: 'STATS',
  [Stage.UNSPECIFIED]: 'UNSPECIFIED',
};

const PHASES: Record<string, Stage> = { AUTHN: Stage.AUTHN, AUTHZ: Stage.AUTHZ, STATS: Stage.STATS, UNSPECIFIED_PHASE: Stage.UNSPECIFIED };

/** istiod sorts an unset priority as MinInt32: after every explicit value. */
const UNSET_PRIORITY = -2147483648;

/** Istio >= 1.30 compares the translated TrafficExtension name. */
const TRANSLATED_SUFFIX = '~istio-translated-wasmplugin';

export interface ChainEntry {
  readonly object: ModelObject;
  /** `WasmPlugin default/basic-auth`. */
  readonly id: string;
  readonly stage: Stage;
  /** The explicit priority; undefined when unset. */
  readonly priority?: number;
  /** `unknown`: whether it attaches depends on what the manifests do not hold. */
  readonly applies: 'yes' | 'unknown';
  readonly why: string;
}

/**
 * Whether two WasmPlugins of one chain share phase and priority: istiod then
 * runs the older first, and creation time is unknown offline (the chain
 * orders them by name only to be deterministic).
 */
export function orderUnknown(a: ChainEntry, b: ChainEntry): boolean {
  return a.object.manifest.kind === 'WasmPlugin' && b.object.manifest.kind === 'WasmPlugin' && a.stage === b.stage && (a.priority ?? UNSET_PRIORITY) === (b.priority ?? UNSET_PRIORITY);
}

export interface Chain {
  /** In the order a request meets them. */
  readonly entries: readonly ChainEntry[];
  /** Policies in the namespaces istiod looks at that do not apply here, with the reason. */
  readonly skipped: readonly { readonly id: string; readonly why: string }[];
  /** Ordering caveats (ties broken by creation time in a cluster). */
  readonly notes: readonly string[];
}

const POLICY_KINDS = ['WasmPlugin', 'AuthorizationPolicy', 'RequestAuthentication'];

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function stageOf(o: ModelObject): { stage: Stage; skip?: string } {
  const spec = (o.manifest.spec ?? {}) as { phase?: unknown; action?: unknown };
  switch (o.manifest.kind) {
    case 'WasmPlugin':
      return { stage: typeof spec.phase === 'string' ? (PHASES[spec.phase] ?? Stage.UNSPECIFIED) : Stage.UNSPECIFIED };
    case 'RequestAuthentication':
      return { stage: Stage.ISTIO_AUTHN };
    default: {
      const action = typeof spec.action === 'string' ? spec.action : 'ALLOW';
      if (action === 'AUDIT') return { stage: Stage.ISTIO_RBAC, skip: 'action AUDIT only logs, it never denies' };
      return { stage: action === 'CUSTOM' ? Stage.CUSTOM_AUTHZ : Stage.ISTIO_RBAC };
    }
  }
}

/**
 * The ordered HTTP filter chain of one proxy: WasmPlugins by phase (AUTHN,
 * AUTHZ, STATS, UNSPECIFIED), within a phase by priority highest first
 * (unset last), ties by name then namespace; Istio security policies at
 * their fixed positions.
 */
export function buildChain(index: MeshIndex, proxy: Proxy): Chain {
  const namespaces = lookupNamespaces(proxy, index.rootNamespace);
  const entries: ChainEntry[] = [];
  const skipped: { id: string; why: string }[] = [];
  // WasmPlugins first, then the security policies, each kind in the model's order.
  const candidates = POLICY_KINDS.flatMap((kind) => index.inNamespaces(kind, namespaces));
  for (const o of candidates) {
    const id = `${o.manifest.kind} ${namespaceOf(o.manifest)}/${o.manifest.metadata.name}`;
    const attach = attachmentOf(o.manifest, proxy, index.rootNamespace);
    if (attach.applies === 'no') {
      skipped.push({ id, why: attach.why });
      continue;
    }
    let applies = attach.applies;
    let why = attach.why;
    if (o.manifest.kind === 'WasmPlugin') {
      const match = wasmMatch(o.manifest, proxy);
      if (match.applies === 'no') {
        skipped.push({ id, why: `${attach.why}, but ${match.why}` });
        continue;
      }
      if (match.applies === 'unknown') applies = 'unknown';
      if (match.why) why = `${why}; ${match.why}`;
      // As written it never exists in a cluster; an earlier admitted version may, or none.
      const refused = admissionRefusal(o.manifest);
      if (refused) {
        applies = 'unknown';
        why = `${why}; but the API server refuses this WasmPlugin as written (${refused}): it is never created, and whether an earlier admitted version of it runs here is unknown offline`;
      }
    }
    const { stage, skip } = stageOf(o);
    if (skip) {
      skipped.push({ id, why: `${attach.why}, but ${skip}` });
      continue;
    }
    const priority = (o.manifest.spec as { priority?: unknown } | undefined)?.priority;
    entries.push({ object: o, id, stage, priority: typeof priority === 'number' ? priority : undefined, applies, why });
  }

  const tieKey = (e: ChainEntry) => e.object.manifest.metadata.name + TRANSLATED_SUFFIX;
  entries.sort(
    (a, b) =>
      a.stage - b.stage ||
      (b.priority ?? UNSET_PRIORITY) - (a.priority ?? UNSET_PRIORITY) ||
      byCodeUnit(tieKey(a), tieKey(b)) ||
      byCodeUnit(namespaceOf(a.object.manifest), namespaceOf(b.object.manifest)),
  );

  const notes: string[] = [];
  for (let i = 1; i < entries.length; i++) {
    const [a, b] = [entries[i - 1], entries[i]];
    if (orderUnknown(a, b)) {
      notes.push(
        `${a.id} and ${b.id} share phase ${STAGE_NAMES[a.stage]} and ${a.priority === b.priority ? (a.priority === undefined ? 'an unset priority' : `priority ${a.priority}`) : `priority ${UNSET_PRIORITY} (an unset one sorts as that)`}: ` +
          'in a cluster the older object runs first; creation time is unknown offline, so they are ordered by name, then namespace',
      );
    }
  }
  skipped.sort((a, b) => byCodeUnit(a.id, b.id));
  return { entries, skipped, notes };
}
