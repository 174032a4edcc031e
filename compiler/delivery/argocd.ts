import { ArgoCdDestination, ArgoCdGenerator, DeliveryConfig } from '../../constructs/delivery';
import { DELIVERY_DIR, DeliveryFile, ownedLabels, targetPath } from './common';

type ArgoConfig = NonNullable<DeliveryConfig['argocd']>;

/**
 * Application-level options (docs/gitops.md, "Argo CD"):
 * - ServerSideApply: label-only manifests are only safe as SSA patches;
 * - ClientSideApplyMigration=false: otherwise Argo CD (v3.1+) first moves the
 *   fields another team wrote with `kubectl apply` to itself, and the next
 *   apply of a partial manifest deletes them;
 * - FailOnSharedResource: fail instead of fighting another Application that
 *   already tracks the same Service (both would apply as `argocd-controller`).
 * Never Replace=true or Force=true: both rewrite whole objects.
 */
export const ARGO_SYNC_OPTIONS = ['ServerSideApply=true', 'ClientSideApplyMigration=false', 'FailOnSharedResource=true'];

/** Server-Side Diff: the stable way to diff partial manifests (v3.1+); set on the Application. */
export const ARGO_COMPARE_OPTIONS = 'ServerSideDiff=true';

function syncPolicy(): Record<string, unknown> {
  return {
    automated: { prune: true, selfHeal: true },
    // A label-only Service whose Service does not exist yet fails the sync;
    // retry until the owning team has deployed it.
    retry: { limit: 10, backoff: { duration: '30s', factor: 2, maxDuration: '10m' } },
    syncOptions: [...ARGO_SYNC_OPTIONS],
  };
}

function destination(d: ArgoCdDestination): Record<string, unknown> {
  // No namespace: every emitted object names its own, and a destination
  // namespace would be forced onto any object that did not.
  return d.name ? { name: d.name } : { server: d.server };
}

function spec(argo: ArgoConfig, config: DeliveryConfig, path: string, dest: ArgoCdDestination): Record<string, unknown> {
  return {
    project: argo.project,
    source: { repoURL: config.repoURL, targetRevision: config.revision, path },
    destination: destination(dest),
    syncPolicy: syncPolicy(),
  };
}

/**
 * Argo CD manifests, under `dist/delivery/argocd/`. One Application per
 * target keeps all three stages in one sync, which is what makes the sync
 * waves order them (waves only order objects within one Application).
 *
 * No `resources-finalizer`: deleting an Application then deletes nothing (and
 * every object carries Delete=false for the cascade case anyway).
 */
/** Where `target`'s Application deploys: its own destination, or the one all targets share. */
export function destinationFor(argo: NonNullable<DeliveryConfig['argocd']>, target: string): ArgoCdDestination {
  return argo.targetDestinations[target] ?? argo.destination;
}

export function argoCdFiles(config: DeliveryConfig, targets: readonly string[], partOf: string): DeliveryFile[] {
  const argo = config.argocd;
  if (!argo) return [];
  const labels = ownedLabels(partOf);
  const annotations = { 'argocd.argoproj.io/compare-options': ARGO_COMPARE_OPTIONS };
  if (argo.generator === ArgoCdGenerator.APPLICATION_SET) {
    return [
      {
        file: `argocd/applicationset-${config.name}.yaml`,
        object: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'ApplicationSet',
          metadata: { name: config.name, namespace: argo.namespace, labels },
          spec: {
            goTemplate: true,
            goTemplateOptions: ['missingkey=error'],
            generators: [
              {
                git: {
                  repoURL: config.repoURL,
                  revision: config.revision,
                  directories: [{ path: `${config.path}/*` }, { path: `${config.path}/${DELIVERY_DIR}`, exclude: true }],
                },
              },
            ],
            // Removing a target folder deletes its Application; never let
            // that cascade to the objects (labels may still route to them).
            syncPolicy: { preserveResourcesOnDeletion: true },
            template: {
              metadata: { name: `${config.name}-{{.path.basename}}`, labels, annotations },
              spec: spec(argo, config, '{{.path.path}}', argo.destination),
            },
          },
        },
      },
    ];
  }
  return targets.map((target) => ({
    file: `argocd/application-${config.name}-${target}.yaml`,
    object: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: `${config.name}-${target}`, namespace: argo.namespace, labels, annotations },
      spec: spec(argo, config, targetPath(config, target), destinationFor(argo, target)),
    },
  }));
}
