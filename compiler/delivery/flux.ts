import type { DeliveryConfig } from '../../constructs/delivery';
import { Stage, STAGE_ORDER, STAGES } from '../gitops';
import { DeliveryFile, ownedLabels, targetPath } from './common';

/**
 * Health of a waypoint Gateway, in CEL (`healthCheckExprs`, kustomize-controller
 * v1.5+). kstatus alone reports a Gateway Current as soon as it exists (it has
 * no Ready condition and no status.observedGeneration), so `wait: true` would
 * not wait for the waypoint. Same verdicts as Argo CD's built-in Gateway check:
 * failed when Accepted or ResolvedRefs is False; current when Programmed is
 * True for this generation; in progress otherwise (e.g. while the waypoint
 * Deployment starts).
 */
export const GATEWAY_HEALTH_CHECK = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  failed: "status.conditions.exists(e, (e.type == 'Accepted' || e.type == 'ResolvedRefs') && e.status == 'False')",
  current: "status.conditions.exists(e, e.type == 'Programmed' && e.status == 'True' && e.observedGeneration == metadata.generation)",
};

/** Flux Kustomization name for one stage of one target. Flux writes it into a label on every object it applies, so at most 63 characters. */
export function fluxKustomizationName(config: DeliveryConfig, target: string, stage: Stage): string {
  return `${config.name}-${target}-${stage.name}`;
}

export function fluxSourceName(config: DeliveryConfig, target: string): string {
  return `${config.name}-${target}`;
}

/**
 * `.sourceignore` rules that keep only one folder in the artifact. Each parent
 * must be re-included level by level: an excluded directory is never entered,
 * so `!/a/b/` alone cannot bring back `a/b` once `/*` excluded `a`.
 */
export function onlyFolder(folder: string): string {
  const lines = ['/*'];
  const segs = folder.split('/');
  for (let i = 1; i <= segs.length; i++) {
    const prefix = segs.slice(0, i).join('/');
    lines.push(`!/${prefix}/`);
    if (i < segs.length) lines.push(`/${prefix}/*`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Flux manifests for one target, under `dist/delivery/flux/<target>/`: a
 * GitRepository and one Kustomization per stage folder, chained with
 * `dependsOn` (waypoints -> policies -> enrollment). All three read the same
 * source, so a stage waits until the previous one is Ready *at the same
 * revision*. Within one Kustomization Flux applies Namespaces and Services
 * before custom resources, which is why the stages cannot share one.
 *
 * Every Kustomization: `prune: true` (owned objects go when removed from
 * git; label-only ones opt out per object), `force: false` (force deletes and
 * re-creates on any 409/422, which would delete another team's Service),
 * `deletionPolicy: Orphan` (deleting a Kustomization never changes traffic),
 * `wait: true` except on the enrollment stage (other teams' objects, whose
 * health is not ours to wait for), and no `targetNamespace`/`commonMetadata`
 * (both would stamp other teams' objects).
 */
export function fluxFiles(config: DeliveryConfig, target: string, partOf: string): DeliveryFile[] {
  const flux = config.flux;
  if (!flux) return [];
  const labels = ownedLabels(partOf);
  const source = fluxSourceName(config, target);
  const dir = `flux/${target}`;
  const files: DeliveryFile[] = [
    {
      file: `${dir}/gitrepository-${source}.yaml`,
      object: {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'GitRepository',
        metadata: { name: source, namespace: flux.namespace, labels },
        spec: {
          interval: flux.sourceInterval,
          url: config.repoURL,
          ref: { branch: config.revision },
          secretRef: flux.secretRef ? { name: flux.secretRef } : undefined,
          ignore: onlyFolder(targetPath(config, target)),
        },
      },
    },
  ];
  let previous: string | undefined;
  for (const stage of STAGE_ORDER) {
    const name = fluxKustomizationName(config, target, stage);
    files.push({
      file: `${dir}/kustomization-${name}.yaml`,
      object: {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name, namespace: flux.namespace, labels },
        spec: {
          interval: flux.interval,
          retryInterval: flux.retryInterval,
          timeout: flux.timeout,
          sourceRef: { kind: 'GitRepository', name: source },
          path: `./${targetPath(config, target)}/${stage.dir}`,
          dependsOn: previous ? [{ name: previous }] : undefined,
          prune: true,
          force: false,
          // The enrollment stage holds other teams' Services: kstatus keeps a LoadBalancer Service without an
          // address InProgress, which would keep the stage from Ready (and a removal waiting on it) for good.
          wait: stage !== STAGES.enrollment,
          deletionPolicy: 'Orphan',
          healthCheckExprs: stage === STAGES.waypoints ? [GATEWAY_HEALTH_CHECK] : undefined,
          postBuild:
            stage === STAGES.policies && flux.substituteFrom.length > 0
              ? { substituteFrom: flux.substituteFrom.map((s) => ({ kind: s.kind, name: s.name, optional: s.optional })) }
              : undefined,
        },
      },
    });
    previous = name;
  }
  return files;
}
