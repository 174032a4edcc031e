import type { ReadManifestsOptions } from '../compiler/read-manifests';
import { dnsDomainProblem, isDnsLabel } from '../constructs/internal/schemas';
import { UsageError } from './io';

/** The flags for what manifests do not record about the mesh, as `parseFlags` options. */
export const MESH_FLAGS = {
  'root-namespace': { type: 'string' },
  'cluster-domain': { type: 'string' },
} as const;

/** The PolicyApp prop each flag stands for. */
export const MESH_FLAG_PROPS = { 'root-namespace': 'rootNamespace', 'cluster-domain': 'clusterDomain' } as const;

export const MESH_FLAGS_USAGE = `--root-namespace NS (default istio-system) and --cluster-domain DOMAIN
(default cluster.local) say what the manifests do not record: the mesh root
namespace (its plugins apply mesh-wide) and the cluster's DNS domain (a
Service's fully qualified name is <name>.<namespace>.svc.<DOMAIN>); a policy
program sets them with PolicyApp rootNamespace and clusterDomain.`;

/**
 * `--root-namespace` and `--cluster-domain` as readManifests options, checked
 * the way PolicyApp checks the props they stand for.
 */
export function meshFlags(command: string, values: { 'root-namespace'?: string; 'cluster-domain'?: string }): ReadManifestsOptions {
  const rootNamespace = values['root-namespace'];
  if (rootNamespace !== undefined && !isDnsLabel(rootNamespace)) {
    throw new UsageError(`${command}: --root-namespace ${JSON.stringify(rootNamespace)} is not a namespace name (an RFC 1123 label: lower-case letters, digits and '-', at most 63 characters).`);
  }
  const clusterDomain = values['cluster-domain'];
  const problem = clusterDomain === undefined ? undefined : dnsDomainProblem(clusterDomain);
  if (problem !== undefined) {
    throw new UsageError(`${command}: --cluster-domain ${JSON.stringify(clusterDomain)} ${problem}: pass the cluster's DNS domain as kubelet's --cluster-domain takes it, e.g. corp.internal.`);
  }
  return { ...(rootNamespace !== undefined ? { rootNamespace } : {}), ...(clusterDomain !== undefined ? { clusterDomain } : {}) };
}
