import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { z } from 'zod';
import { markExternal } from './internal/ownership';
import { recordSource } from './internal/provenance';
import { dns1035Label, dnsLabel, dnsSubdomain } from './internal/schemas';
import { declareConstructProps, fail, parseDeclaredProps, parseProps, refuseNonObjectProps, ruleParams, vacant } from './internal/validate';

/** How the Argo CD Applications are written. */
/** The cluster Argo CD runs in, as an Application destination names it. */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

export enum ArgoCdGenerator {
  /** One Application per target, in `dist/delivery/argocd/`. Each target can have its own destination. */
  APPLICATIONS = 'applications',
  /**
   * One ApplicationSet whose git directory generator makes an Application for
   * every folder under the output path (the delivery folder excluded). All
   * targets share one destination.
   */
  APPLICATION_SET = 'applicationSet',
}

/** Where an Argo CD Application deploys. Give `server` or `name`. */
export interface ArgoCdDestination {
  /**
   * The cluster's API server URL.
   *
   * @default 'https://kubernetes.default.svc' (the cluster Argo CD runs in), unless `name` is set
   */
  readonly server?: string;
  /**
   * The name of a cluster registered in Argo CD.
   *
   * @default - use `server`
   */
  readonly name?: string;
}

/** Argo CD delivery options. */
export interface ArgoCdDeliveryProps {
  /**
   * Namespace Argo CD runs in (where Applications live).
   *
   * @default 'argocd'
   */
  readonly namespace?: string;
  /**
   * The AppProject of the Applications.
   *
   * @default 'default'
   */
  readonly project?: string;
  /**
   * One Application per target, or one ApplicationSet over all targets.
   *
   * @default ArgoCdGenerator.APPLICATIONS
   */
  readonly generator?: ArgoCdGenerator;
  /**
   * The destination of every target.
   *
   * @default { server: 'https://kubernetes.default.svc' }
   */
  readonly destination?: ArgoCdDestination;
  /**
   * Per-target destinations, by target name, overriding `destination`.
   * Only with `ArgoCdGenerator.APPLICATIONS`.
   *
   * @default {}
   */
  readonly targetDestinations?: Record<string, ArgoCdDestination>;
}

/** A Secret or ConfigMap Flux reads `${VAR}` values from (`postBuild.substituteFrom`). */
export interface FluxSubstituteFrom {
  /**
   * Kind of the object.
   *
   * @default 'Secret'
   */
  readonly kind?: 'Secret' | 'ConfigMap';
  /** Name of the Secret or ConfigMap, in the Flux namespace. */
  readonly name: string;
  /**
   * Do not fail when it is missing.
   *
   * @default false
   */
  readonly optional?: boolean;
}

/** Flux delivery options. */
export interface FluxDeliveryProps {
  /**
   * Namespace of the GitRepository and Kustomizations.
   *
   * @default 'flux-system'
   */
  readonly namespace?: string;
  /**
   * How often the Kustomizations re-apply (and correct drift).
   *
   * @default '10m'
   */
  readonly interval?: string;
  /**
   * How soon a failed Kustomization retries.
   *
   * @default '1m'
   */
  readonly retryInterval?: string;
  /**
   * How often the GitRepository polls git.
   *
   * @default '1m'
   */
  readonly sourceInterval?: string;
  /**
   * How long each stage may take, health checks included (e.g. the waypoint
   * Gateway becoming Programmed).
   *
   * @default '5m'
   */
  readonly timeout?: string;
  /**
   * Secret with git credentials for the GitRepository.
   *
   * @default - none: a public repository
   */
  readonly secretRef?: string;
  /**
   * Where Flux reads `${VAR}` values from, for plugins that use
   * `Credential.fluxSubstitution()`. Set on the policies stage only.
   *
   * @default []
   */
  readonly substituteFrom?: FluxSubstituteFrom[];
}

/**
 * GitOps delivery manifests: Argo CD Applications and Flux
 * GitRepository/Kustomizations that deploy the synthesized tree, written to
 * `dist/delivery/`. Manifests are written for every tool in the app's
 * `gitops` list; `argocd` and `flux` tune them.
 *
 * @example
 * new PolicyApp({ delivery: { repoURL: 'https://github.com/acme/mesh-policy.git' } });
 */
export interface DeliveryProps {
  /** The git URL of this repository, as the GitOps tool clones it. Flux needs `https://`, `http://` or `ssh://`. */
  readonly repoURL: string;
  /**
   * The branch to deploy (Argo CD `targetRevision`, Flux `ref.branch`).
   *
   * @default 'main'
   */
  readonly revision?: string;
  /**
   * Where the synth output sits in the repository, relative to its root.
   *
   * @default 'dist'
   */
  readonly path?: string;
  /**
   * Prefix of the delivery objects' names (`<name>-<target>`).
   *
   * @default - the app's `partOf`
   */
  readonly name?: string;
  /**
   * Argo CD options.
   *
   * @default - defaults of ArgoCdDeliveryProps
   */
  readonly argocd?: ArgoCdDeliveryProps;
  /**
   * Flux options.
   *
   * @default - defaults of FluxDeliveryProps
   */
  readonly flux?: FluxDeliveryProps;
}

/** DeliveryProps with every default filled in. */
export interface DeliveryConfig {
  readonly repoURL: string;
  readonly revision: string;
  readonly path: string;
  readonly name: string;
  readonly argocd?: {
    readonly namespace: string;
    readonly project: string;
    readonly generator: ArgoCdGenerator;
    readonly destination: ArgoCdDestination;
    readonly targetDestinations: Readonly<Record<string, ArgoCdDestination>>;
  };
  readonly flux?: {
    readonly namespace: string;
    readonly interval: string;
    readonly retryInterval: string;
    readonly sourceInterval: string;
    readonly timeout: string;
    readonly secretRef?: string;
    readonly substituteFrom: readonly Required<FluxSubstituteFrom>[];
  };
}

// Go duration, as the Flux CRDs accept it.
const DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
const duration = (what: string) =>
  z.string().refine((v) => DURATION.test(v), { message: `${what} must be a Go duration such as 30s, 5m or 1h`, ...ruleParams('delivery/invalid') });
const SCHEME_URL = /^(https?|ssh):\/\/[^\s/]+\S*$/;
const SCP_URL = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\S+$/;
/**
 * Whether a repository URL carries a secret: a password (`user:password@`),
 * or a token as the user (`https://ghp_...@`), known by its prefix or its
 * length. A plain user name, as Azure DevOps and Bitbucket clone URLs have
 * (`https://org@dev.azure.com/...`), is not one.
 */
function carriesCredential(url: string): boolean {
  const m = /^(?:https?|ssh):\/\/([^/@]*)@/.exec(url);
  if (!m) return false;
  const userinfo = m[1];
  return userinfo.includes(':') || userinfo.length >= 20 || /^(ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|glpat-)/.test(userinfo);
}
// A branch name: no spaces, no `..`, no leading `-` or `/` (git check-ref-format, simplified).
const BRANCH = /^(?!-)(?!\/)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._\/-]+(?<!\/)(?<!\.lock)$/;
// A relative path of plain segments.
const REPO_PATH = /^(?!\.\.?(\/|$))(?!.*\/\.\.?(\/|$))[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

const destinationSchema = z
  .object({
    server: z.string().refine((v) => /^https?:\/\/\S+$/.test(v), { message: 'server must be an https:// URL', ...ruleParams('delivery/invalid') }).optional(),
    name: z.string().min(1).optional(),
  })
  .strict()
  .refine((d) => Boolean(d.server) !== Boolean(d.name), { message: 'give exactly one of server or name', ...ruleParams('delivery/invalid') });

export const deliverySchema = z
  .object({
    repoURL: z
      .string()
      .refine((u) => SCHEME_URL.test(u) || SCP_URL.test(u), {
        message: 'repoURL must be a git URL (https://, ssh:// or git@host:path)',
        ...ruleParams('delivery/invalid'),
      })
      // Written into the committed delivery manifests: a token or password
      // there (https://user:token@..., https://token@...) is a leaked secret.
      .refine((u) => !carriesCredential(u), {
        message: 'repoURL must not carry credentials (a password, or a token in place of the user, before "@"): the delivery manifests are committed to git',
        ...ruleParams('delivery/invalid', 'Write the URL without them, and give the tool its repository credentials: an Argo CD repository Secret, or delivery.flux.secretRef.'),
      }),
    revision: z.string().refine((v) => BRANCH.test(v), { message: 'revision must be a branch name', ...ruleParams('delivery/invalid') }).optional(),
    path: z
      .string()
      .transform((p) => p.replace(/^\.\//, '').replace(/\/+$/, ''))
      .pipe(z.string().refine((v) => REPO_PATH.test(v), { message: "path must be relative to the repository root, without '..' (e.g. 'dist')", ...ruleParams('delivery/invalid') }))
      .optional(),
    name: dnsLabel('delivery name').optional(),
    argocd: z
      .object({
        namespace: dnsLabel('Argo CD namespace').optional(),
        project: dnsSubdomain('Argo CD project').optional(),
        generator: z.enum(ArgoCdGenerator).optional(),
        destination: destinationSchema.optional(),
        targetDestinations: z.record(dnsLabel('target name'), destinationSchema).optional(),
      })
      .strict()
      .optional(),
    flux: z
      .object({
        namespace: dnsLabel('Flux namespace').optional(),
        interval: duration('interval').optional(),
        retryInterval: duration('retryInterval').optional(),
        sourceInterval: duration('sourceInterval').optional(),
        timeout: duration('timeout').optional(),
        secretRef: dnsSubdomain('secretRef').optional(),
        substituteFrom: z
          .array(z.object({ kind: z.enum(['Secret', 'ConfigMap']).optional(), name: dnsSubdomain('substituteFrom name'), optional: z.boolean().optional() }).strict())
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/**
 * Fill in defaults and check the delivery options against the app's GitOps
 * tools. `tools` decides which manifests are written: options for a tool the
 * objects carry no metadata for would deploy them without their safety
 * annotations (Flux without `prune: disabled` prunes other teams' Services).
 */
export function resolveDelivery(
  scope: IConstruct,
  props: z.output<typeof deliverySchema>,
  tools: readonly string[],
  partOf: string,
): DeliveryConfig {
  const argo = tools.includes('argocd');
  const flux = tools.includes('flux');
  for (const [tool, on] of [['argocd', argo], ['flux', flux]] as const) {
    if (props[tool] && !on) {
      fail(
        scope,
        'delivery/tool-not-enabled',
        `delivery.${tool} is set but '${tool}' is not in the app's gitops tools, so the objects carry no ${tool} safety annotations`,
        `Add GitOpsTool.${tool === 'argocd' ? 'ARGO_CD' : 'FLUX'} to PolicyApp gitops, or remove delivery.${tool}.`,
      );
    }
  }
  if (flux && !SCHEME_URL.test(props.repoURL)) {
    fail(scope, 'delivery/invalid', `Flux GitRepository needs an https://, http:// or ssh:// URL; received ${JSON.stringify(props.repoURL)}`, 'Write git@host:org/repo.git as ssh://git@host/org/repo.git.');
  }
  const a = props.argocd ?? {};
  const generator = a.generator ?? ArgoCdGenerator.APPLICATIONS;
  if (generator === ArgoCdGenerator.APPLICATION_SET && Object.keys(a.targetDestinations ?? {}).length > 0) {
    fail(scope, 'delivery/invalid', 'argocd.targetDestinations needs ArgoCdGenerator.APPLICATIONS: an ApplicationSet gives every target the same destination', 'Use generator: ArgoCdGenerator.APPLICATIONS, or one destination.');
  }
  const f = props.flux ?? {};
  return {
    repoURL: props.repoURL,
    revision: props.revision ?? 'main',
    path: props.path ?? 'dist',
    name: props.name ?? partOf,
    argocd: argo
      ? {
          namespace: a.namespace ?? 'argocd',
          project: a.project ?? 'default',
          generator,
          destination: a.destination ?? { server: IN_CLUSTER_SERVER },
          targetDestinations: { ...(a.targetDestinations ?? {}) },
        }
      : undefined,
    flux: flux
      ? {
          namespace: f.namespace ?? 'flux-system',
          interval: f.interval ?? '10m',
          retryInterval: f.retryInterval ?? '1m',
          sourceInterval: f.sourceInterval ?? '1m',
          timeout: f.timeout ?? '5m',
          secretRef: f.secretRef,
          substituteFrom: (f.substituteFrom ?? []).map((s) => ({ kind: s.kind ?? 'Secret', name: s.name, optional: s.optional ?? false })),
        }
      : undefined,
  };
}

/** The kind of object whose waypoint labels are released. */
export enum ReleasedKind {
  SERVICE = 'Service',
  NAMESPACE = 'Namespace',
}

export interface ReleasedLabelsProps {
  /** Kind of the other team's object. */
  readonly kind: ReleasedKind;
  /**
   * Its name.
   *
   * @default - a Service: the construct id; a Namespace: the enclosing MeshNamespace's
   */
  readonly name?: string;
}

const releasedLabelsSchema = z.object({ kind: z.enum(ReleasedKind), name: dnsLabel('name') });
// A Service's name starts with a letter (RFC 1035): released under another name, its manifest could never be applied.
const releasedServiceSchema = releasedLabelsSchema.extend({ name: dns1035Label('Service name') });

/**
 * Step 1 of removing a waypoint safely (docs/gitops.md, "Removing a policy"):
 * keep a label-only manifest for another team's Service or Namespace, with no
 * labels at all. The GitOps tool then removes the waypoint labels it applied
 * (they were its fields under server-side apply) instead of leaving them
 * behind, still routing traffic to a waypoint that is about to go away.
 *
 * Once the release is deployed, the construct can be deleted too: the tool
 * never prunes these objects.
 *
 * @example
 * // was: MeshService.fromServiceName(ns, 'reviews', 'reviews', { useWaypoint: reviewsWaypoint });
 * ReleasedLabels.ofService(ns, 'reviews');
 */
export class ReleasedLabels extends Construct {
  /** Release the labels this repo wrote on a Service another team owns. */
  public static ofService(scope: Construct, name: string): ReleasedLabels {
    return new ReleasedLabels(scope, `released-service-${name}`, { kind: ReleasedKind.SERVICE, name });
  }

  /**
   * Release the labels this repo wrote on a Namespace another team owns.
   * Create it under the Target (not inside a MeshNamespace of the same name,
   * which emits that Namespace itself).
   */
  public static ofNamespace(scope: Construct, name?: string): ReleasedLabels {
    return new ReleasedLabels(scope, `released-namespace${name ? `-${name}` : ''}`, { kind: ReleasedKind.NAMESPACE, name });
  }

  public readonly kind: ReleasedKind;
  public readonly name: string;
  /** The label-only manifest, with no labels. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ReleasedLabelsProps) {
    refuseNonObjectProps(scope, id, props, new.target);
    super(vacant(scope, id, new.target), id);
    recordSource(this, new.target);
    let chartNamespace: string | undefined;
    try {
      chartNamespace = Chart.of(this).namespace;
    } catch {
      chartNamespace = undefined;
    }
    // A refused release must not stay in the tree: a caller that catches the
    // error and goes on would otherwise keep its id taken, or synthesize it.
    try {
      const defaultName = props?.kind === ReleasedKind.NAMESPACE ? chartNamespace : id;
      const schema = props?.kind === ReleasedKind.SERVICE ? releasedServiceSchema : releasedLabelsSchema;
      const p = parseDeclaredProps(this, new.target, props, () => parseProps(this, 'ReleasedLabels', schema, { kind: props?.kind, name: props?.name ?? defaultName }));
      if (p.kind === ReleasedKind.SERVICE && !chartNamespace) {
        fail(this, 'scope/no-namespace', `ReleasedLabels for Service '${p.name}' is not inside a namespace`, 'Create it inside a MeshNamespace.');
      }
      this.kind = p.kind;
      this.name = p.name;
      // A Namespace can be released from anywhere under a Target (its
      // MeshNamespace is usually gone by then), so it gets a chart of its own.
      const parent = p.kind === ReleasedKind.NAMESPACE ? new Chart(this, 'Chart', { disableResourceNameHashes: true }) : this;
      this.apiObject = new ApiObject(parent, 'Labels', {
        apiVersion: 'v1',
        kind: p.kind,
        // Cluster-scoped: a Namespace must not inherit a chart namespace.
        metadata: p.kind === ReleasedKind.NAMESPACE ? { name: p.name, namespace: undefined as unknown as string } : { name: p.name },
      });
      markExternal(this.apiObject);
    } catch (e) {
      scope.node.tryRemoveChild(this.node.id);
      throw e;
    }
  }
}
declareConstructProps(ReleasedLabels, Object.keys(releasedLabelsSchema.shape));
