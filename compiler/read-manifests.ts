import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../analysis/finding';
import { typeName } from '../analysis/schema/issue';
import { DEFAULT_CLUSTER_DOMAIN, isClusterScoped } from './model';
import type { KubeObject, MeshModel, ModelObject } from './model';
import { learnMirror, MIRROR_OF_ANNOTATION } from '../constructs/define-plugin';
import { isHelmChartFile, readDocuments, templateFinding, type FileDocuments } from './manifest-documents';
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
  /** Paths and files that cannot be read, files that are not YAML, documents that are not Kubernetes objects. */
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
 * Kinds the model and the simulator read by kind alone, and the API group
 * that kind means here. An object of the same kind in another group is
 * another API's (Istio's networking.istio.io Gateway configures an ingress
 * proxy and is no waypoint; Knative's Service is no core Service), so it
 * stays out of the model. A WasmPlugin of any apiVersion is kept: there is
 * no other, and its schema check names the one the CRD serves.
 */
const MODELLED_GROUP: Readonly<Record<string, string>> = { Gateway: 'gateway.networking.k8s.io', Service: '', Namespace: '' };

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '');

/** A value's type as a message names it (`typeName`), a boolean with how it most likely came to be one. */
function typeOf(v: unknown): string {
  return typeof v === 'boolean' ? 'a boolean (YAML 1.1 readers such as kubectl read an unquoted yes, no, on, off, y or n as one)' : typeName(v);
}

function notAnObject(file: string, message: string, fix: string): Finding {
  return { rule: 'manifests/not-an-object', severity: 'error', message, file, fix };
}

/** A Helm chart's own file (Chart.yaml, values.yaml) read as manifests: say what it is rather than what it lacks. */
function helmChartFile(rel: string, file: string): Finding {
  return notAnObject(file, `${path.posix.basename(rel)} is a Helm chart's file, not a Kubernetes object`, HELM_FIX);
}

const OBJECT_FIX = 'Remove the document, or give it apiVersion, kind and metadata.name.';

/** Why a document read from `file` is not a Kubernetes object we can read, or undefined when it is one. */
function objectProblem(value: unknown, rel: string, file: string): Finding | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    if (isHelmChartFile(rel)) return helmChartFile(rel, file);
    return Array.isArray(value)
      ? notAnObject(file, 'document is a list, not a Kubernetes object (apiVersion and kind are required)', 'Write each object as its own document, separated by ---, or as the items of an apiVersion: v1, kind: List document.')
      : notAnObject(file, `document is ${typeOf(value)}, not a Kubernetes object (apiVersion and kind are required)`, OBJECT_FIX);
  }
  const m = value as { apiVersion?: unknown; kind?: unknown; metadata?: unknown };
  const missing = (['apiVersion', 'kind'] as const).filter((k) => typeof m[k] !== 'string' || m[k] === '');
  if (missing.length > 0) {
    if (isHelmChartFile(rel)) return helmChartFile(rel, file);
    const what = missing.map((k) => (m[k] === undefined || m[k] === '' ? `no ${k}` : `a ${k} that is ${typeOf(m[k])}, not a string`)).join(' and ');
    return notAnObject(file, `document is not a Kubernetes object: it has ${what} (apiVersion and kind are required)`, OBJECT_FIX);
  }
  const meta = m.metadata as { name?: unknown } | undefined;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    return notAnObject(file, `${m.kind as string} has no metadata.name${meta === undefined ? '' : ` (metadata is ${typeOf(meta)}, not a mapping)`}`, 'Give the object a metadata.name.');
  }
  if (typeof meta.name !== 'string' || meta.name === '') {
    if (meta.name === undefined || meta.name === null || meta.name === '') return notAnObject(file, `${m.kind as string} has no metadata.name`, 'Give the object a metadata.name.');
    return notAnObject(file, `${m.kind as string} has a metadata.name that is ${typeOf(meta.name)}, not a string`, 'Quote the name (name: "..."), so every YAML reader reads it as a string.');
  }
  return undefined;
}

const isKustomization = (v: unknown): boolean => {
  const m = v as { kind?: unknown; apiVersion?: unknown } | null;
  return typeof m === 'object' && m !== null && m.kind === 'Kustomization' && typeof m.apiVersion === 'string' && m.apiVersion.startsWith('kustomize.config.k8s.io/');
};

const HELM_FIX = 'Point --manifests at rendered manifests: `helm template RELEASE CHART --output-dir DIR` writes them.';

/**
 * Why `dir` cannot be read as manifests at all, or undefined: it must be a
 * folder or one file, as kubectl apply -f takes either.
 */
export function manifestsPathProblem(dir: string): string | undefined {
  // existsSync, not statSync alone: it also answers false for a link loop, which statSync throws on.
  const stat = fs.existsSync(dir) ? fs.statSync(dir) : undefined;
  if (!stat) return 'does not exist';
  return stat.isDirectory() || stat.isFile() ? undefined : 'is neither a folder nor a file';
}

/**
 * Read every Kubernetes object in a directory of YAML and JSON (ours, or
 * written by hand), or in one such file, for `validate --manifests`,
 * `explain` and `diff`, as kubectl `apply -R -f` reads them: every document
 * of a file, the items of a `kind: List`, YAML 1.1 booleans, numbers and merge keys.
 * Kustomization files and hidden folders are skipped (see manifestFiles);
 * a Helm chart's own files are reported as such, and what cannot be read
 * becomes a finding naming the file and line, never an exception.
 */
export function readManifests(dir: string, options: ReadManifestsOptions = {}): ReadManifests {
  const findings: Finding[] = [];
  const objects: ModelObject[] = [];
  const problem = manifestsPathProblem(dir);
  if (problem) {
    findings.push({ rule: 'manifests/unreadable', severity: 'error', message: `${dir} ${problem}`, fix: 'Pass --manifests a folder of YAML or JSON manifests, or one such file.' });
    return { model: modelOf(objects, options), findings };
  }
  const found = manifestFiles(dir);
  findings.push(...found.findings);
  const read = manifestsIn(found.files, (rel) => fs.readFileSync(path.join(found.root, rel)), options);
  return { model: read.model, findings: [...findings, ...read.findings] };
}

/**
 * The objects of manifest files (`files`, relative paths with `/`
 * separators, in the order manifestFiles lists them), each read by
 * `readFile`: readManifests reads them from disk, the review from the trees
 * it already holds in memory. `read` parses one file (the review passes one
 * that remembers the files its two revisions share).
 */
export function manifestsIn(listed: readonly string[], readFile: (rel: string) => Buffer, options: ReadManifestsOptions = {}, read: (rel: string, bytes: Buffer) => FileDocuments = readDocuments): ReadManifests {
  const findings: Finding[] = [];
  const objects: ModelObject[] = [];
  let files = listed;
  // A flat folder of YAML is one target, not one target per file: ours has stage folders.
  const isOurs = (fs: readonly string[]) => fs.some((f) => STAGE_DIR.test(f.split('/')[1] ?? '')) && fs.every((f) => f.split('/').length === 1 || f.split('/').length === 2 || STAGE_DIR.test(f.split('/')[1] ?? ''));
  // Our own dist/: its delivery/ folder holds Argo CD and Flux objects that
  // deploy the policies, not policies; leave it out.
  const withoutDelivery = files.filter((f) => !f.startsWith('delivery/'));
  if (withoutDelivery.length < files.length && isOurs(withoutDelivery)) files = withoutDelivery;
  const layoutIsOurs = isOurs(files);
  for (const rel of files) {
    let bytes: Buffer;
    try {
      bytes = readFile(rel);
    } catch (e) {
      findings.push(unreadable(rel, e));
      continue;
    }
    const docs = read(rel, bytes);
    const problems = [...docs.findings];
    const manifests: { manifest: KubeObject; line: number }[] = [];
    for (const { value, line } of docs.values) {
      // kustomize's own file under another name: no object to deploy, and it has no metadata.name to ask for.
      if (isKustomization(value)) continue;
      const problem = objectProblem(value, rel, `${rel}:${line}`);
      if (problem) problems.push(problem);
      else manifests.push({ manifest: value as KubeObject, line });
    }
    const template = problems.length > 0 ? templateFinding(rel, docs.text) : undefined;
    if (template) {
      findings.push(template);
      continue;
    }
    findings.push(...problems);
    for (const { manifest, line } of manifests) {
      const group = MODELLED_GROUP[manifest.kind];
      if (group !== undefined && groupOf(manifest.apiVersion) !== group) continue;
      // kubectl applies a namespaced object without one to the context's
      // namespace, `default` unless set: the simulator and the review read it
      // so, and the rules must agree with them (they read '' before).
      if (!isClusterScoped(manifest.kind) && (manifest.metadata.namespace === undefined || manifest.metadata.namespace === '')) manifest.metadata.namespace = 'default';
      const mirrorOf = manifest.metadata.annotations?.[MIRROR_OF_ANNOTATION];
      const url = (manifest.spec as { url?: unknown } | undefined)?.url;
      if (manifest.kind === 'WasmPlugin' && typeof mirrorOf === 'string' && typeof url === 'string') learnMirror(url, mirrorOf);
      objects.push({ manifest, target: targetOf(rel, layoutIsOurs), ownership: manifestOwnership(manifest), file: rel, line });
    }
  }
  return { model: modelOf(objects, options), findings };
}
