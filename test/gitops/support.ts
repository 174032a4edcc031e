/**
 * Shared fixtures for the GitOps tests: a multi-target policy program, a real
 * synth into a temp dir, `kubectl kustomize`, and schema checks with the
 * published Argo CD / Flux models.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { main } from '../../cli/main';
import { captureIo, tempDir, writePolicy } from '../support/helpers';

/**
 * Two environments from one program, with per-target values (namespace,
 * realm, waypoint traffic type), plus a declared but empty target. `prod`
 * also owns a Namespace and a Service, so every stage rule is exercised.
 */
export const MULTI_TARGET_POLICY = `
const app = new wp.PolicyApp({
  partOf: 'shop-policy',
  delivery: {
    repoURL: 'https://github.com/acme/mesh-policy.git',
    argocd: { targetDestinations: { prod: { name: 'prod-eu-1' } } },
    flux: { secretRef: 'mesh-policy-git' },
  },
});

const DEMO = { literalCredentials: 'test fixture' };
const environments = [
  { name: 'staging', values: { namespace: 'shop-staging', realm: 'staging', waypointFor: wp.WaypointFor.SERVICE } },
  { name: 'prod', values: { namespace: 'shop', realm: 'shop', waypointFor: wp.WaypointFor.ALL } },
];

for (const env of environments) {
  const target = new wp.Target(app, env.name, { values: env.values });
  const v = target.values as typeof env.values;
  const ns = new wp.MeshNamespace(target, 'ns', { name: v.namespace });
  const waypoint = new wp.Waypoint(ns, 'waypoint', { waypointFor: v.waypointFor });
  ns.useWaypoint(waypoint);
  new wp.BasicAuth(ns, 'auth', {
    targets: [waypoint],
    realm: v.realm,
    rules: [{ prefix: '/', methods: ['GET', 'POST'], credentials: [wp.Credential.insecureLiteral('ok:test')] }],
    acknowledge: DEMO,
  });
  const reviewsWaypoint = new wp.Waypoint(ns, 'reviews-waypoint');
  wp.MeshService.fromServiceName(ns, 'reviews', 'reviews', { useWaypoint: reviewsWaypoint });
  if (env.name === 'prod') {
    const owned = new wp.MeshNamespace(target, 'owned', { name: 'shop-internal', owned: true });
    const internal = new wp.Waypoint(owned, 'waypoint');
    owned.useWaypoint(internal);
    new wp.MeshService(owned, 'ledger', { ports: [{ port: 8080, name: 'http' }] });
  }
}

// Declared, not yet populated: still gets its folders and delivery objects.
new wp.Target(app, 'dr');

export default app;
`;

/** A temp project with the policy program at `main.ts`. */
export function project(body = MULTI_TARGET_POLICY): { dir: string; app: string } {
  const dir = tempDir('wp-gitops-');
  writePolicy(dir, body);
  return { dir, app: 'main.ts' };
}

/** Run a CLI command in-process; returns the exit code and what it printed. */
export async function run(dir: string, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo(dir);
  const code = await main(argv, io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

/** Synthesize the program into `<dir>/dist` with the real CLI. */
export async function synthProject(body?: string): Promise<{ dir: string; dist: string; app: string }> {
  const p = project(body);
  const r = await run(p.dir, ['synth', '--app', p.app]);
  if (r.code !== 0) throw new Error(`synth failed (${r.code}):\n${r.stderr}`);
  return { ...p, dist: path.join(p.dir, 'dist') };
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] };
  spec?: any;
  [k: string]: unknown;
}

/** Build a directory with the real kustomize (`kubectl kustomize`). */
export function kustomize(dir: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return parseAllDocuments(out)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

/** Every directory under `root` (relative, `/`-separated), root first. */
export function directories(root: string, rel = ''): string[] {
  const out = [rel];
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.isDirectory()) out.push(...directories(root, rel ? `${rel}/${e.name}` : e.name));
  }
  return out;
}

/** The YAML objects stored in the files of one directory tree (kustomization.yaml excluded). */
export function filesUnder(root: string, rel: string): K8sObject[] {
  const objs: K8sObject[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(path.join(root, d), { withFileTypes: true })) {
      const r = `${d}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.name !== 'kustomization.yaml' && e.name.endsWith('.yaml')) {
        for (const doc of parseAllDocuments(fs.readFileSync(path.join(root, r), 'utf8'))) objs.push(doc.toJS());
      }
    }
  };
  walk(rel);
  return objs;
}

export const key = (o: { kind: string; metadata: { namespace?: string; name: string } }) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
export const keys = (os: K8sObject[]) => os.map(key).sort();

const PROBE = [[['not-a-valid-value-for-any-typed-field']]];

/**
 * The paths of `obj` that a model's validation does not look at: replacing
 * the value with a nested array (which no typed schema accepts) still
 * validates. The model packages are generated from CRDs that predate some
 * fields we use, and their validation (like the API server's structural
 * schema) ignores unknown fields instead of rejecting them; this finds them.
 */
export function uncheckedPaths(validate: (o: unknown) => void, obj: unknown): string[] {
  const out: string[] = [];
  const valid = (o: unknown) => {
    try {
      validate(o);
      return true;
    } catch {
      return false;
    }
  };
  const walk = (segs: (string | number)[], value: unknown) => {
    if (value === null || typeof value !== 'object') return;
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [k, v] of entries) {
      const at = [...segs, k];
      const probe = structuredClone(obj) as any;
      let cur = probe;
      for (const s of at.slice(0, -1)) cur = cur[s];
      cur[at[at.length - 1]] = structuredClone(PROBE);
      if (valid(probe)) out.push(at.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').slice(1));
      else walk(at, v);
    }
  };
  walk([], obj);
  return out.sort();
}
