import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Finding } from '../analysis/finding';
import { DEFAULT_CLUSTER_DOMAIN, isClusterScoped } from './model';
import type { KubeObject, MeshModel, ModelObject } from './model';
import { learnMirror, MIRROR_OF_ANNOTATION } from '../constructs/define-plugin';
import { manifestFiles, unreadable } from './manifest-files';

export interface ReadManifestsOptions {
  /**
   * The mesh root namespace.
   *
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;

  /**
   * The cluster's DNS domain (kubelet `--cluster-domain`): manifests do not
   * record it, and the names that reach a Service end in it.
   *
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
}

export interface ReadManifests {
  readonly model: MeshModel;
  /** Files that are not YAML, or objects without apiVersion/kind/metadata.name. */
  readonly findings: Finding[];
}

const STAGE_DIR = /^\d+-[a-z-]+$/;

/**
 * The target a file belongs to: in our layout (`<target>/<n-stage>/...`) the
 * first folder; otherwise the whole directory is one target.
 */
function targetOf(rel: string, layoutIsOurs: boolean): string {
  return layoutIsOurs ? rel.split('/')[0] : 'manifests';
}

/**
 * Whether a manifest is ours or another team's object we only label (a
 * Service without spec, or one marked for merge-only apply), read from the
 * manifest alone.
 */
export function manifestOwnership(m: KubeObject): 'owned' | 'external' {
  const a = m.metadata.annotations ?? {};
  // Our own output marks every object it owns (an owned Namespace also has Prune=false).
  if (m.metadata.labels?.['app.kubernetes.io/managed-by'] === 'waypoint-policy') return 'owned';
  // A hand-written manifest may hold a number or a list there: only a string is read.
  const syncOptions = a['argocd.argoproj.io/sync-options'] as unknown;
  if (a['kustomize.toolkit.fluxcd.io/ssa'] === 'Merge' || (typeof syncOptions === 'string' && syncOptions.includes('Prune=false'))) return 'external';
  if (m.kind === 'Service' && m.spec === undefined) return 'external';
  return 'owned';
}

/** The model of manifests read from a folder, with what they do not record filled in from `options`. */
function modelOf(objects: ModelObject[], options: ReadManifestsOptions): MeshModel {
  return { objects, references: [], rootNamespace: options.rootNamespace ?? 'istio-system', clusterDomain: options.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN, origin: 'manifests' };
}

/**
 * Read every Kubernetes object in a directory of YAML and JSON (ours, or
 * written by hand), or in one such file, for `validate --manifests`,
 * `explain` and `diff`. Kustomization files and hidden folders are skipped
 * (see manifestFiles); what cannot be read becomes a finding naming the
 * file, never an exception.
 */
export function readManifests(dir: string, options: ReadManifestsOptions = {}): ReadManifests {
  const findings: Finding[] = [];
  const objects: ModelObject[] = [];
  if (!fs.existsSync(dir) || !(fs.statSync(dir).isDirectory() || fs.statSync(dir).isFile())) {
    findings.push({ rule: 'manifests/unreadable', severity: 'error', message: `${dir} is not a directory`, fix: 'Pass --manifests DIR pointing at a folder of YAML files.' });
    return { model: modelOf(objects, options), findings };
  }
  const found = manifestFiles(dir);
  findings.push(...found.findings);
  let files = found.files;
  // A flat folder of YAML is one target, not one target per file: ours has stage folders.
  const isOurs = (fs: string[]) => fs.some((f) => STAGE_DIR.test(f.split('/')[1] ?? '')) && fs.every((f) => f.split('/').length === 1 || f.split('/').length === 2 || STAGE_DIR.test(f.split('/')[1] ?? ''));
  // Our own dist/: its delivery/ folder holds Argo CD and Flux objects that
  // deploy the policies, not policies; leave it out.
  const withoutDelivery = files.filter((f) => !f.startsWith('delivery/'));
  if (withoutDelivery.length < files.length && isOurs(withoutDelivery)) files = withoutDelivery;
  const layoutIsOurs = isOurs(files);
  for (const rel of files) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(found.root, rel), 'utf8');
    } catch (e) {
      findings.push(unreadable(rel, e));
      continue;
    }
    const docs = parseAllDocuments(text);
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      if (doc.errors.length > 0) {
        const e = doc.errors[0];
        findings.push({ rule: 'manifests/parse', severity: 'error', message: `not valid YAML: ${e.message.split('\n')[0]}`, file: `${rel}:${e.linePos?.[0]?.line ?? 1}`, fix: 'Fix the YAML syntax.' });
        continue;
      }
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: 100 });
      } catch (e) {
        // An alias to no anchor, or so many aliases that expanding them would exhaust memory.
        const line = doc.range ? text.slice(0, doc.range[0]).split('\n').length : 1;
        findings.push({ rule: 'manifests/parse', severity: 'error', message: `not valid YAML: ${(e as Error).message.split('\n')[0]}`, file: `${rel}:${line}`, fix: 'Fix the YAML: every alias (*name) needs an anchor (&name) before it, and manifests need no more than 100 aliases per document.' });
        continue;
      }
      if (value === null || value === undefined) continue;
      const m = value as Partial<KubeObject>;
      if (typeof m !== 'object' || typeof m.apiVersion !== 'string' || typeof m.kind !== 'string') {
        findings.push({ rule: 'manifests/not-an-object', severity: 'error', message: 'document is not a Kubernetes object (apiVersion and kind are required)', file: rel, fix: 'Remove the document, or give it apiVersion, kind and metadata.name.' });
        continue;
      }
      if (m.kind === 'Kustomization' && m.apiVersion.startsWith('kustomize.config.k8s.io/')) continue;
      if (typeof m.metadata?.name !== 'string' || m.metadata.name === '') {
        findings.push({ rule: 'manifests/not-an-object', severity: 'error', message: `${m.kind} has no metadata.name`, file: rel, fix: 'Give the object a metadata.name.' });
        continue;
      }
      const manifest = m as KubeObject;
      // kubectl applies a namespaced object without one to the context's
      // namespace, `default` unless set: the simulator and the review read it
      // so, and the rules must agree with them (they read '' before).
      if (!isClusterScoped(manifest.kind) && (manifest.metadata.namespace === undefined || manifest.metadata.namespace === '')) manifest.metadata.namespace = 'default';
      const mirrorOf = manifest.metadata.annotations?.[MIRROR_OF_ANNOTATION];
      const url = (manifest.spec as { url?: unknown } | undefined)?.url;
      if (manifest.kind === 'WasmPlugin' && typeof mirrorOf === 'string' && typeof url === 'string') learnMirror(url, mirrorOf);
      objects.push({ manifest, target: targetOf(rel, layoutIsOurs), ownership: manifestOwnership(manifest), file: rel });
    }
  }
  return { model: modelOf(objects, options), findings };
}
