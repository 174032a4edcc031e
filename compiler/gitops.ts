import type { KubeObject, ModelObject } from './model';

/**
 * Rollout order, encoded in the layout and in sync waves: a waypoint must be
 * running and its plugins attached before any label sends traffic through it,
 * or requests pass a waypoint with no auth yet. Removal runs in reverse.
 */
export interface Stage {
  /** Folder name under `dist/<target>/`; the number shows the order. */
  readonly dir: string;
  /** Argo CD sync wave. */
  readonly wave: number;
}

export const STAGES = {
  waypoints: { dir: '1-waypoints', wave: 0 },
  policies: { dir: '2-policies', wave: 1 },
  enrollment: { dir: '3-enrollment', wave: 2 },
} as const satisfies Record<string, Stage>;

export function stageOf(o: KubeObject): Stage {
  if (o.kind === 'Gateway' && o.apiVersion.startsWith('gateway.networking.k8s.io/')) return STAGES.waypoints;
  if (o.kind === 'Namespace' || (o.kind === 'Service' && o.apiVersion === 'v1')) return STAGES.enrollment;
  return STAGES.policies;
}

export const MANAGED_BY = 'waypoint-policy';

export interface GitOpsOptions {
  readonly partOf: string;
  readonly tools: readonly string[];
}

/**
 * Add the ownership and ordering metadata each GitOps tool needs. Owned
 * objects carry `managed-by`/`part-of` labels; another team's objects stay
 * label-only and are protected from prune, delete and field takeover.
 */
export function decorate(obj: ModelObject, options: GitOpsOptions): KubeObject {
  const m = structuredClone(obj.manifest);
  const labels: Record<string, string> = { ...(m.metadata.labels ?? {}) };
  const annotations: Record<string, string> = { ...(m.metadata.annotations ?? {}) };
  const stage = stageOf(m);
  const argo = options.tools.includes('argocd');
  const flux = options.tools.includes('flux');

  if (obj.ownership === 'owned') {
    labels['app.kubernetes.io/managed-by'] = MANAGED_BY;
    labels['app.kubernetes.io/part-of'] = options.partOf;
    if (argo) {
      annotations['argocd.argoproj.io/sync-wave'] = String(stage.wave);
      // On removal, delete waypoints and plugins only after the labels that
      // route traffic through them are gone (pruning otherwise runs first).
      if (stage !== STAGES.enrollment) annotations['argocd.argoproj.io/sync-options'] = 'PruneLast=true';
    }
  } else {
    if (argo) {
      annotations['argocd.argoproj.io/sync-wave'] = String(stage.wave);
      annotations['argocd.argoproj.io/sync-options'] = 'Delete=false,Prune=false,ServerSideApply=true';
      annotations['argocd.argoproj.io/compare-options'] = 'IgnoreExtraneous';
    }
    if (flux) {
      annotations['kustomize.toolkit.fluxcd.io/prune'] = 'disabled';
      annotations['kustomize.toolkit.fluxcd.io/ssa'] = 'Merge';
    }
  }
  m.metadata.labels = labels;
  if (Object.keys(annotations).length > 0) m.metadata.annotations = annotations;
  return m;
}
