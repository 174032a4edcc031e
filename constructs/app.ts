import { App, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { z } from 'zod';
import { DEFAULT_CLUSTER_DOMAIN } from '../compiler/model';
import { DeliveryConfig, DeliveryProps, deliverySchema, resolveDelivery } from './delivery';
import { recordSource } from './internal/provenance';
import { dnsDomainProblem, dnsLabel } from './internal/schemas';
import { declareConstructProps, fail, parseDeclaredProps, parseProps, refuseNonObjectProps, refuseUndeclaredProps, ruleParams, vacant } from './internal/validate';

/** Which GitOps tools the generated metadata is written for. */
export enum GitOpsTool {
  /** Argo CD: sync waves and sync-options annotations. */
  ARGO_CD = 'argocd',
  /** Flux: kustomize-controller prune and ssa annotations. */
  FLUX = 'flux',
}

export interface PolicyAppProps {
  /**
   * Value of the `app.kubernetes.io/part-of` label on every object this repo owns.
   * Keep it stable: GitOps tools and people select on it.
   *
   * @default 'waypoint-policy'
   */
  readonly partOf?: string;

  /**
   * The mesh root namespace (istiod's `rootNamespace`). Mesh-wide plugins
   * (targeting the `istio-waypoint` GatewayClass) must live here.
   *
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;

  /**
   * The cluster's DNS domain: kubelet's `--cluster-domain`, the same one
   * Istio is installed with (`global.proxy.clusterDomain`). A Service is
   * reachable as `<name>.<namespace>.svc.<clusterDomain>`, so the analysis
   * (which host names a Service, `basic-auth/partial-hosts` and
   * `basic-auth/conflicting-plugins`) and the simulator's default authority
   * use it. Lower-case RFC 1123 labels joined by '.', without a trailing dot.
   *
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;

  /**
   * GitOps tools whose ordering and ownership-safety metadata is written on
   * every object. Name only the tool that delivers this output: another
   * team's label-only objects would otherwise also carry the other tool's
   * prune and delete opt-outs, which that tool reads from the live object
   * if the owning team deploys with it (docs/gitops.md, "Ownership"). At
   * least one: an empty list is refused.
   *
   * @default [GitOpsTool.ARGO_CD, GitOpsTool.FLUX]
   */
  readonly gitops?: GitOpsTool[];

  /**
   * Also write GitOps delivery manifests (Argo CD Applications, Flux
   * GitRepository and Kustomizations) for every target, to `dist/delivery/`.
   *
   * @default - none
   */
  readonly delivery?: DeliveryProps;
}

const appSchema = z.object({
  partOf: dnsLabel('partOf').optional(),
  rootNamespace: dnsLabel('rootNamespace').optional(),
  clusterDomain: z
    .string()
    .superRefine((domain, ctx) => {
      const problem = dnsDomainProblem(domain);
      if (problem === undefined) return;
      const shown = JSON.stringify(domain.length > 80 ? `${domain.slice(0, 77)}...` : domain);
      ctx.addIssue({
        code: 'custom',
        message: `${shown} ${problem}: clusterDomain is the cluster's DNS domain as kubelet's --cluster-domain takes it, lower-case RFC 1123 labels joined by '.' without a trailing dot (e.g. 'corp.internal')`,
        ...ruleParams('props/invalid', "Set clusterDomain to the domain the cluster's kubelets and Istio use (kubelet --cluster-domain, Istio global.proxy.clusterDomain), e.g. 'corp.internal', or leave it out for 'cluster.local'."),
      });
    })
    .optional(),
  // Empty, every object would lose its prune, delete and apply protections
  // (another team's Service among them), and dist/ is always delivered by one.
  gitops: z
    .array(z.enum(GitOpsTool))
    .min(1, { message: 'names no GitOps tool: every object would lose the prune, delete and field-ownership protections the tool reads (another team\'s labelled Service could be pruned). Name the tool that delivers dist/: [GitOpsTool.ARGO_CD] or [GitOpsTool.FLUX]; leave gitops out for both' })
    .optional(),
  delivery: deliverySchema.optional(),
});

const POLICY_APP = Symbol.for('waypoint-policy.PolicyApp');
/** Set while the CLI loads a policy program (a global symbol, so another copy of the library sees it too). */
const LOADING_PROGRAM = Symbol.for('waypoint-policy.loadingProgram');

/**
 * Run `load` (the CLI requiring a policy program and calling its default
 * export) with `PolicyApp.synth()` turned off: a program that ends with
 * `app.synth()`, the cdk8s habit, must not write `dist/` when the command is
 * `validate` or `check` (which would then compare dist/ with itself), nor a
 * second folder besides `synth --outdir`. Internal: used by cli/load-app.ts.
 */
export function loadingProgram<T>(load: () => T): T {
  const g = globalThis as Record<symbol, unknown>;
  if (loadingDepth() === 0) appsOfLoad.length = 0;
  g[LOADING_PROGRAM] = loadingDepth() + 1;
  try {
    return load();
  } finally {
    g[LOADING_PROGRAM] = loadingDepth() - 1;
  }
}

// The apps the program being loaded has created so far: an exception it
// throws names only the parent's id, and its path is found in their trees.
const appsOfLoad: PolicyApp[] = [];

/** The PolicyApps created by the program `loadingProgram` is loading (or loaded last). Internal: cli/load-app.ts. */
export function appsCreatedByProgram(): readonly PolicyApp[] {
  return appsOfLoad;
}

function loadingDepth(): number {
  const depth = (globalThis as Record<symbol, unknown>)[LOADING_PROGRAM];
  return typeof depth === 'number' ? depth : 0;
}

/**
 * The root of a policy program. Build targets and namespaces under it, then
 * export it as the module's default export; `waypoint-policy synth` compiles it.
 *
 * `synth()` is overridden: it runs the linear, atomic waypoint-policy synth
 * instead of cdk8s's per-chart synth (which is O(charts x objects)).
 */
export class PolicyApp extends App {
  public static isPolicyApp(x: unknown): x is PolicyApp {
    return typeof x === 'object' && x !== null && POLICY_APP in x;
  }

  /** Find the PolicyApp a construct belongs to. */
  public static override of(c: IConstruct): PolicyApp {
    const root = c.node.root;
    if (!PolicyApp.isPolicyApp(root)) {
      throw new Error(`${c.node.path}: waypoint-policy constructs must be created under a PolicyApp`);
    }
    return root;
  }

  public readonly partOf: string;
  public readonly rootNamespace: string;
  /** The cluster's DNS domain (`PolicyAppProps.clusterDomain`), default filled in. */
  public readonly clusterDomain: string;
  public readonly gitops: readonly GitOpsTool[];
  /** The delivery manifests' options, defaults filled in; undefined when none are written. */
  public readonly delivery?: DeliveryConfig;

  constructor(props: PolicyAppProps = {}) {
    super({ outdir: process.env.CDK8S_OUTDIR ?? 'dist' });
    Object.defineProperty(this, POLICY_APP, { value: true });
    if (loadingDepth() > 0) appsOfLoad.push(this);
    // Where the app is created decides its project root (compiler/project-root.ts).
    recordSource(this, new.target);
    const p = parseDeclaredProps(this, new.target, props, () => parseProps(this, 'PolicyApp', appSchema, props));
    this.partOf = p.partOf ?? 'waypoint-policy';
    this.rootNamespace = p.rootNamespace ?? 'istio-system';
    this.clusterDomain = p.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
    this.gitops = [...new Set(p.gitops ?? [GitOpsTool.ARGO_CD, GitOpsTool.FLUX])].sort();
    if (p.delivery) this.delivery = resolveDelivery(this, p.delivery, this.gitops, this.partOf);
  }

  /**
   * Compile and write the app atomically into `outdir` (see compiler/synth.ts).
   * Does nothing while a `waypoint-policy` command loads the program: the
   * command compiles the app itself, writing only where it was asked
   * (`validate` and `check` write nothing, `synth` writes its `--outdir`).
   */
  public override synth(): void {
    if (loadingDepth() > 0) return;
    // Loaded lazily: the library must not pull the compiler (and fs) in on import.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { synthToDirectory } = require('../compiler/synth') as typeof import('../compiler/synth');
    synthToDirectory(this, { outdir: this.outdir });
  }
}
declareConstructProps(PolicyApp, Object.keys(appSchema.shape));

export interface TargetProps {
  /**
   * Free-form values for this target (environment or cluster), read by the
   * policy code that builds under it.
   *
   * @default {}
   */
  readonly values?: Record<string, unknown>;
}

const TARGET = Symbol.for('waypoint-policy.Target');
const targetSchema = z.object({ id: dnsLabel('target name') });

/**
 * One deployment target (an environment or a cluster). Its objects are
 * written to `dist/<target>/`, one GitOps application per target.
 */
export class Target extends Construct {
  public static isTarget(x: unknown): x is Target {
    return typeof x === 'object' && x !== null && TARGET in x;
  }

  /** The target a construct belongs to, or undefined for the default target. */
  public static of(c: IConstruct): Target | undefined {
    for (let cur: IConstruct | undefined = c; cur; cur = cur.node.scope) {
      if (Target.isTarget(cur)) return cur;
    }
    return undefined;
  }

  /** The target's name, also its folder under `dist/`. */
  public readonly name: string;
  public readonly values: Readonly<Record<string, unknown>>;

  constructor(scope: PolicyApp, id: string, props: TargetProps = {}) {
    refuseNonObjectProps(scope, id, props, new.target);
    super(vacant(scope, id, new.target), id);
    Object.defineProperty(this, TARGET, { value: true });
    recordSource(this, new.target);
    refuseUndeclaredProps(this, new.target, props);
    parseProps(this, 'Target', targetSchema, { id });
    if (id === 'delivery') {
      fail(this, 'names/reserved', `target name 'delivery' is reserved for the GitOps delivery manifests`, 'Choose another target name.');
    }
    this.name = id;
    this.values = Object.freeze({ ...(props.values ?? {}) });
  }
}
declareConstructProps(Target, ['values']);

/** The name of the target used when constructs are built without one. */
export const DEFAULT_TARGET = 'default';

export function targetNameOf(c: IConstruct): string {
  return Target.of(c)?.name ?? DEFAULT_TARGET;
}

/** The namespace a namespaced construct lives in: its chart's namespace. */
export function namespaceOf(c: IConstruct, what: string): string {
  let chart: Chart;
  try {
    chart = Chart.of(c);
  } catch {
    chart = undefined as unknown as Chart;
  }
  if (!chart?.namespace) {
    fail(
      c,
      'scope/no-namespace',
      `${what} is not inside a namespace`,
      'Create it inside a MeshNamespace (or a cdk8s Chart with a namespace).',
    );
  }
  return chart.namespace;
}
