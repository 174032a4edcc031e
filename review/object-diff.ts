import type { FileTree } from '../compiler/layout';
import type { KubeObject } from '../compiler/model';
import { argoSyncOptionsOf, GITOPS_KEYS } from '../compiler/gitops';
import { manifestOwnership } from '../compiler/read-manifests';
import { keepsMeshLabels } from './pruned-gateways';
import { useWaypointOf } from '../analysis/rules/waypoints';
import { printedKey, redactSecrets, SecretPolicy, secretPolicyForChange, withKeyLines, withNamedItem } from './secrets';
import { ParsedFiles } from './parsed-files';

/** An object's identity across revisions. */
export interface ObjectId {
  readonly target: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

export interface FieldChange {
  /** `spec.pluginConfig.basic_auth_rules[0].request_methods[2]` */
  readonly path: string;
  /** Before and after, secrets already replaced by fingerprints; undefined when absent. */
  readonly before?: unknown;
  readonly after?: unknown;
  /**
   * A list item that only changed place: its index in the base list (`path`
   * names its head index). A scalar's value is in `before` and `after`; any
   * change inside an item follows as fields of its own.
   */
  readonly movedFrom?: number;
}

export interface ObjectChange {
  readonly change: 'added' | 'removed' | 'changed';
  readonly object: ObjectId;
  readonly file: string;
  /** For `changed`: every differing leaf. */
  readonly fields: FieldChange[];
  /**
   * A removed manifest that GitOps never prunes (another team's object that
   * we only label, or a Namespace, even one we created) and that carried mesh
   * (`istio.io/`) labels. Removing it does not remove them from the cluster
   * (prune is disabled on purpose). Not set for a ReleasedLabels manifest,
   * which carries none.
   */
  readonly labelOnly?: boolean;
  /**
   * For `labelOnly`: the waypoint (`namespace/name`) its left-behind
   * `istio.io/use-waypoint` label keeps naming. No later change can see that
   * label, so removing the waypoint then sends this traffic past every
   * waypoint policy: `--fail-on-widened` fails now, when it still can.
   */
  readonly staleWaypoint?: string;
  /** For `removed`: the target it reappears in when its own target was renamed to that one (see review()). */
  readonly movedTo?: string;
  /**
   * A Service this revision only labels that the base revision owned (full
   * spec): the tool's server-side apply then drops every field it applied
   * before, `spec.ports` included, which the API server refuses.
   */
  readonly becameLabelOnly?: boolean;
  /**
   * Another team's Service that this revision owns (full spec): the tool
   * applies its spec over the live one, and from now on prunes it when its
   * manifest leaves git.
   */
  readonly becameOwned?: boolean;
  /**
   * For `changed`: the prune, delete and apply protections the base gave the
   * live object that the head no longer does (`argocd.argoproj.io/sync-options: Prune=false`,
   * `kustomize.toolkit.fluxcd.io/ssa: Merge`...). Both tools read them from
   * the live object, and the tool's next sync removes them from it (they
   * were its fields): after that it prunes the object, or deletes it with
   * the Application, or takes over the fields others wrote.
   */
  readonly droppedProtections?: string[];
}


// The protections a manifest asks of each tool (gitops.ts writes them), read from the live object.
const ARGO_PROTECTIONS = ['Delete=false', 'Prune=false'];
const FLUX_PROTECTIONS: Readonly<Record<string, string>> = { [GITOPS_KEYS.fluxPrune]: 'disabled', [GITOPS_KEYS.fluxSsa]: 'Merge' };

/** The prune, delete and apply protections a manifest gives its object, as `key: value`. */
function protectionsOf(m: KubeObject): string[] {
  const a = m.metadata.annotations ?? {};
  const argo = argoSyncOptionsOf(a);
  return [
    ...ARGO_PROTECTIONS.filter((o) => argo.includes(o)).map((o) => `${GITOPS_KEYS.argoSyncOptions}: ${o}`),
    ...Object.entries(FLUX_PROTECTIONS)
      .filter(([k, v]) => a[k] === v)
      .map(([k, v]) => `${k}: ${v}`),
  ];
}

/** What a removed never-pruned manifest leaves in the cluster: its mesh labels, and the waypoint they keep naming. */
function leftBehind(m: KubeObject): { labelOnly: true; staleWaypoint?: string } {
  const use = useWaypointOf(m.metadata.labels ?? {}, m.kind === 'Namespace' ? m.metadata.name : (m.metadata.namespace ?? 'default'));
  return use.kind === 'waypoint' ? { labelOnly: true, staleWaypoint: `${use.namespace}/${use.name}` } : { labelOnly: true };
}

export interface ParsedTree {
  readonly objects: Map<string, { id: ObjectId; manifest: KubeObject; file: string }>;
}

export function idKey(id: ObjectId): string {
  return `${id.target}/${id.kind}/${id.namespace ?? ''}/${id.name}`;
}

/** A file of a tree under review is not YAML we can read: a review that skipped it would misreport every object in it. */
export class UnreadableTreeError extends Error {
  constructor(
    public readonly file: string,
    /** Why, as the YAML parser says it (first line). */
    public readonly reason: string,
  ) {
    super(`${file} is not valid YAML (${reason}); the review would misreport its objects, so nothing was compared`);
    this.name = 'UnreadableTreeError';
  }
}

/** kustomize's own `kustomization.yaml` (no Kubernetes object), not a Flux Kustomization. */
function isKustomizeFile(m: KubeObject): boolean {
  return m.kind === 'Kustomization' && (typeof m.apiVersion !== 'string' || m.apiVersion.startsWith('kustomize.config.k8s.io/'));
}

/** The objects of a dist tree (kustomize's kustomization files skipped); `parsed`: the texts of the review, each parsed once. */
export function parseTree(tree: FileTree, parsed: ParsedFiles = new ParsedFiles()): ParsedTree {
  const objects: ParsedTree['objects'] = new Map();
  for (const [file, text] of tree) {
    if (!/\.ya?ml$/.test(file)) continue;
    const docs = parsed.plainDocuments(text);
    if ('error' in docs) throw new UnreadableTreeError(file, docs.error);
    for (const value of docs.values) {
      const m = value as KubeObject | null;
      // kustomize's own kustomization.yaml files list the others; a Flux Kustomization (delivery) is an object like any other.
      if (!m || typeof m.kind !== 'string' || isKustomizeFile(m) || !m.metadata?.name) continue;
      const target = file.includes('/') ? file.split('/')[0] : '';
      const id: ObjectId = { target, kind: m.kind, namespace: m.metadata.namespace, name: m.metadata.name };
      objects.set(idKey(id), { id, manifest: m, file });
    }
  }
  return { objects };
}

function renderPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : /^[A-Za-z_][\w-]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`)).join('');
}

/**
 * What identifies a list item across revisions: a scalar's value; a
 * Basic-auth rule's path string and hosts (so a rule whose kind of match
 * changes stays one rule); an item's kind and name (targetRefs, env, ports).
 * Undefined when the item has none: the list is then compared by position.
 */
function identity(item: unknown): string | undefined {
  if (item === null || typeof item !== 'object') return JSON.stringify(item);
  if (Array.isArray(item)) return undefined;
  const o = item as Record<string, unknown>;
  const match = o.prefix ?? o.exact ?? o.suffix;
  if (typeof match === 'string') return JSON.stringify(['rule', match, o.hosts ?? []]);
  if (typeof o.name === 'string') return JSON.stringify(['named', o.kind, o.group, o.name]);
  return undefined;
}

/** Pairs of positions (base, head) of the longest common run of identities, in order. */
function align(a: string[], b: string[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const pairs: [number, number][] = [];
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (a[i] === b[j]) pairs.push([i++, j++]);
    else if (lcs[i + 1][j] >= lcs[i][j + 1]) i++;
    else j++;
  }
  return pairs;
}

function diffLists(a: unknown[], b: unknown[], path: (string | number)[], out: FieldChange[], listPolicy: SecretPolicy): void {
  const secrets = withKeyLines(listPolicy, path, a, b);
  const ia = a.map(identity);
  const ib = b.map(identity);
  if (ia.some((x) => x === undefined) || ib.some((x) => x === undefined)) {
    for (let k = 0; k < Math.max(a.length, b.length); k++) diffValues(a[k], b[k], [...path, k], out, secrets);
    return;
  }
  // Matched by identity, not position: removing one item reads as that item
  // removed, not as every later item edited. An item found on both sides
  // off the common run only moved (a reordered rule or method): one line
  // saying so, not a removal and an addition of the same thing. Between two
  // matched items, what was removed and what was added pair up in order as a
  // change in place (a rotated credential, a rule's new path); the rest are
  // removed (base position) or added (head position).
  const common = align(ia as string[], ib as string[]);
  const baseInRun = new Set(common.map(([i]) => i));
  const headInRun = new Set(common.map(([, j]) => j));
  // Base positions of the items off the common run, by identity, in order.
  const offRun = new Map<string, number[]>();
  for (let i = 0; i < ia.length; i++) {
    if (baseInRun.has(i)) continue;
    const at = offRun.get(ia[i]!);
    if (at) at.push(i);
    else offRun.set(ia[i]!, [i]);
  }
  // Head position -> base position of each item that is on both sides, off the run.
  const moved = new Map<number, number>();
  for (let j = 0; j < ib.length; j++) {
    const from = headInRun.has(j) ? undefined : offRun.get(ib[j]!)?.shift();
    if (from !== undefined) moved.set(j, from);
  }
  const movedFrom = new Set(moved.values());
  let [i, j] = [0, 0];
  for (const [pi, pj] of [...common, [a.length, b.length] as [number, number]]) {
    const removed: number[] = [];
    const added: number[] = [];
    for (; i < pi; i++) if (!movedFrom.has(i)) removed.push(i);
    for (; j < pj; j++) if (!moved.has(j)) added.push(j);
    const inPlace = Math.min(removed.length, added.length);
    for (let k = 0; k < inPlace; k++) diffValues(a[removed[k]], b[added[k]], [...path, added[k]], out, secrets);
    for (const k of removed.slice(inPlace)) out.push({ path: renderPath([...path, k]), before: redactSecrets(a[k], [...path, k], secrets), after: undefined });
    for (const k of added.slice(inPlace)) out.push({ path: renderPath([...path, k]), before: undefined, after: redactSecrets(b[k], [...path, k], secrets) });
    if (pi < a.length) diffValues(a[pi], b[pj], [...path, pj], out, secrets);
    [i, j] = [pi + 1, pj + 1];
  }
  for (const [to, from] of [...moved].sort(([x], [y]) => x - y)) {
    const scalar = b[to] === null || typeof b[to] !== 'object' ? { before: redactSecrets(a[from], [...path, from], secrets), after: redactSecrets(b[to], [...path, to], secrets) } : {};
    out.push({ path: renderPath([...path, to]), ...scalar, movedFrom: from });
    diffValues(a[from], b[to], [...path, to], out, secrets);
  }
}

function diffValues(a: unknown, b: unknown, path: (string | number)[], out: FieldChange[], secrets: SecretPolicy): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (Array.isArray(a) && Array.isArray(b)) return diffLists(a, b, path, out, secrets);
  const bothObjects = a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b);
  if (bothObjects) {
    const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
    // Below a secret key, a key may be the secret itself (a map from API key to team): the path names it by fingerprint.
    const keyed = secrets.isSecret(path);
    const inner = withNamedItem(secrets, path, a, b);
    for (const k of keys) diffValues((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], [...path, printedKey(k, keyed)], out, inner);
    return;
  }
  out.push({ path: renderPath(path), before: redactSecrets(a, path, secrets), after: redactSecrets(b, path, secrets) });
}

/**
 * Added, removed and changed objects between two dist trees, in a stable
 * order. `renamed` maps a base target to the head target it was renamed to:
 * an object found there again is moved, its labels still managed.
 */
export function diffObjects(base: ParsedTree, head: ParsedTree, renamed: ReadonlyMap<string, string> = new Map()): ObjectChange[] {
  const changes: ObjectChange[] = [];
  const keys = [...new Set([...base.objects.keys(), ...head.objects.keys()])].sort();
  for (const key of keys) {
    const b = base.objects.get(key);
    const h = head.objects.get(key);
    const movedTo = b && renamed.get(b.id.target);
    if (b && !h && movedTo !== undefined && head.objects.has(idKey({ ...b.id, target: movedTo }))) changes.push({ change: 'removed', object: b.id, file: b.file, fields: [], movedTo });
    else if (b && !h) changes.push({ change: 'removed', object: b.id, file: b.file, fields: [], ...(keepsMeshLabels(b.manifest) ? leftBehind(b.manifest) : {}) });
    else if (!b && h) changes.push({ change: 'added', object: h.id, file: h.file, fields: [] });
    else if (b && h) {
      const fields: FieldChange[] = [];
      diffValues(b.manifest, h.manifest, [], fields, secretPolicyForChange(b.manifest, h.manifest));
      const [before, after] = [manifestOwnership(b.manifest), manifestOwnership(h.manifest)];
      const handedOver = h.id.kind === 'Service' && before === 'owned' && after === 'external';
      const takenOver = h.id.kind === 'Service' && before === 'external' && after === 'owned';
      const kept = new Set(protectionsOf(h.manifest));
      const dropped = protectionsOf(b.manifest).filter((p) => !kept.has(p));
      if (fields.length > 0) {
        changes.push({ change: 'changed', object: h.id, file: h.file, fields, ...(handedOver ? { becameLabelOnly: true } : {}), ...(takenOver ? { becameOwned: true } : {}), ...(dropped.length > 0 ? { droppedProtections: dropped } : {}) });
      }
    }
  }
  return changes;
}
