import type { RuleInfo } from '../rule';

/**
 * Ids checked outside analyze(): credential sources (constructs/credentials.ts),
 * the writer's path guard (compiler/layout.ts), ownership labels
 * (compiler/gitops.ts) and the delivery manifests (compiler/delivery/).
 */
export const CHECKED_AT_SYNTH: readonly (RuleInfo & { readonly checkedAt: string })[] = [
  {
    id: 'credentials/missing',
    severity: 'error',
    checkedAt: 'construction',
    docs: {
      summary: 'A credential source is missing or empty: the environment variable is unset, or the file cannot be read. Synth writes nothing. One run reports every credential it could not read, each source once (with the other plugins that read it), so a CI job missing several secrets is fixed in one go.',
      bad: `new BasicAuth(ns, 'auth', { targets: [waypoint], rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('SHOP_ADMIN')] }] }); // SHOP_ADMIN is not set`,
      message: 'credential source environment variable SHOP_ADMIN is not set',
      fix: 'Export SHOP_ADMIN wherever the policies are compiled: synth, validate, check and diff all read it (in CI, map the secret to that step).',
    },
  },
  {
    id: 'props/unknown',
    severity: 'error',
    checkedAt: 'construction',
    docs: {
      summary:
        "A prop (or a key of a BasicAuth rule or a MeshService port) the construct does not take: the plugins, PolicyApp, Target, MeshNamespace, Waypoint (and Waypoint.fromWaypointName), MeshService and ExternalService check theirs. TypeScript's excess-property check misses props built by spreading or written in JavaScript, and a misspelt `failStrategy`, `hosts`, `useWaypoint` or `targetPort` would otherwise be ignored without a word. A team's own subclass of one of them is refused only keys that misspell one of its parent's (which the parent would drop), so its own props keep working; once `checkProps(cls, ownProps)` declares its own, every other key is refused too.",
      bad: `new BasicAuth(ns, 'auth', { targets: [waypoint], failstrategy: 'FAIL_OPEN', rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }] } as BasicAuthProps); // built by spreading, or in JavaScript`,
      message: "BasicAuth has no prop 'failstrategy' (did you mean 'failStrategy'?)",
      fix: "Rename 'failstrategy' to 'failStrategy'.",
    },
  },
  {
    id: 'credentials/whitespace',
    severity: 'error',
    checkedAt: 'construction',
    docs: {
      summary:
        'A credential read from the environment or a file starts or ends with whitespace once one trailing newline is dropped, or holds a line break inside (two credentials in one file read as one). The plugin compares credentials byte for byte and Envoy trims whitespace from header values, so no request could ever match it. The value is never printed.',
      bad: `process.env.SHOP_ADMIN = 'admin:pw '; // as a CI secret stored with a trailing space
new BasicAuth(ns, 'auth', { targets: [waypoint], rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('SHOP_ADMIN')] }] });`,
      message: 'credential source environment variable SHOP_ADMIN starts or ends with whitespace (after dropping one trailing newline): no request could match it',
      fix: 'Store the credential without surrounding spaces, tabs or blank lines (printf %s, not echo, when writing it).',
    },
  },
  {
    id: 'credentials/plain-string',
    severity: 'error',
    checkedAt: 'construction',
    docs: {
      summary: 'A credential written as a plain string: refused, so secrets stay out of policy source.',
      bad: `new BasicAuth(ns, 'auth', { targets: [waypoint], rules: [{ prefix: '/', methods: ['GET'], credentials: ['bob:hunter2' as never] }] }); // as from untyped code: tsc alone refuses the string`,
      message: "BasicAuth prop 'rules[0].credentials[0]': credentials must be Credential.fromEnv(), Credential.fromFile() or Credential.insecureLiteral(); plain strings are refused so secrets stay out of policy source",
      fix: 'Use Credential.fromEnv(), Credential.fromFile() or Credential.fluxSubstitution().',
    },
  },
  {
    id: 'credentials/literal',
    severity: 'warning',
    checkedAt: 'synth',
    docs: {
      summary: 'A credential written in policy source with Credential.insecureLiteral: always reported, acknowledged or not, because it ends up in git in clear text.',
      bad: `new BasicAuth(ns, 'auth', { targets: [waypoint], rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('ok:test')] }] });`,
      message: "BasicAuth 'auth' uses credentials written in policy source; they end up in git in clear text",
      fix: 'Use Credential.fromEnv() or Credential.fromFile(); for demo values, acknowledge with acknowledge: { literalCredentials: "<why>" }.',
    },
  },
  {
    id: 'credentials/bad-variable',
    severity: 'error',
    checkedAt: 'construction',
    docs: {
      summary:
        'A Flux substitution variable name that Flux cannot substitute, or a `Credential.fromEnv` name that is no variable name (a `:`, `=` or space in it). The base64 of a `user:password` is refused as either too, though the pattern takes it (as a placeholder it would put the credential in git). Such a "name" is most often the credential itself, passed where its name belongs, so it is shown only by its length.',
      bad: `new BasicAuth(ns, 'auth', { targets: [waypoint], rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fluxSubstitution('1-bad')] }] });`,
      message: 'Flux substitution variable "1-bad" is not a valid variable name',
      fix: 'Use letters, digits and _, not starting with a digit.',
    },
  },
  {
    id: 'output/unsafe-path',
    severity: 'error',
    checkedAt: 'synth, validate (building the file paths)',
    docs: {
      summary:
        "A target, namespace, kind or name that cannot safely become a path under dist/, checked when file paths are built. Names are refused earlier (`names/rfc1123`), so in practice this catches an object's kind, which nothing else checks.",
      bad: `new ApiObject(ns, 'limits', { apiVersion: 'v1', kind: 'v1/ConfigMap', metadata: { name: 'limits' } });`,
      message: 'refusing to write a file named after kind "v1/configmap": only RFC 1123 names can become paths under dist/',
      fix: 'Write the kind as the API names it (e.g. ConfigMap), without its group or version.',
    },
  },
  {
    id: 'output/unrepresentable',
    severity: 'error',
    checkedAt: 'synth, validate (writing the manifests)',
    docs: {
      summary:
        'A value in an object that no YAML file (nor the JSON the API server reads) can hold: NaN or Infinity, a bigint, a function or symbol, a string holding half of a surrogate pair (cut in the middle of an emoji) or a character kustomize cannot write back (DEL, a C1 control character, U+FFFE or U+FFFF: Argo CD and Flux could not build the folder; U+0085, NEL, it writes back as a space), a map key longer than YAML allows (1024 characters), or a map key named `<<`, which kustomize takes for a YAML merge key however it is quoted and drops with its value. A `pluginConfig` value given at construction is checked there (`props/invalid`), so in a plugin this catches what only synth sees: what a cdk8s Lazy or token (an object with a resolve() method) produces. The message gives the place in the object.',
      bad: `new WasmPlugin(ns, 'stats', { url: 'oci://ghcr.io/acme/stats:1.0.0', targets: [waypoint], pluginConfig: { sampleRate: { resolve: () => Number('one half') } } });`,
      message: 'spec.pluginConfig.sampleRate is NaN, a non-finite number: neither YAML nor the JSON the API server reads can hold it',
      fix: 'Give it a finite number, or leave the key out. A NaN usually comes from Number() or parseInt() of a string that is no number, such as an unset environment variable.',
    },
  },
  {
    id: 'output/foreign-files',
    severity: 'error',
    checkedAt: 'synth (writing)',
    docs: {
      summary: "The output folder holds files waypoint-policy did not write (a checkout's .git, a README, the project itself). Synth replaces the whole folder, so it refuses rather than delete them; nothing is written. Only the files the new tree would drop are checked (every generated file starts with a `# Generated by waypoint-policy` line). A folder that holds the policy project (`--outdir .`, `..`, `/`) is refused before anything below it is read.",
      bad: `waypoint-policy synth --outdir .`,
      message: 'refusing to replace the output folder: synth replaces all of it, and it holds the policy project itself (the project is at policies)',
      fix: 'Give synth a folder of its own inside the project (--outdir dist, the default).',
    },
  },
  {
    id: 'delivery/path-mismatch',
    severity: 'warning',
    checkedAt: 'synth and validate --app (against --outdir, default dist)',
    docs: {
      summary:
        "`delivery.path` (where the Argo CD and Flux manifests tell the tools to look in git) is not the folder synth writes, relative to the repository root: the tools would deploy whatever that folder holds, an old output or nothing. Outside a git checkout, the project folder counts as the repository root.",
      bad: `const app = new PolicyApp({ delivery: { repoURL: 'https://github.com/acme/mesh-policies.git', path: 'deploy' } });
new Waypoint(new MeshNamespace(app, 'shop'), 'waypoint');`,
      message: "delivery path 'deploy' is not where synth writes ('dist', relative to the repository root): Argo CD and Flux would deploy what 'deploy' holds in git, not this output",
      fix: "Set delivery: { path: 'dist' } in the PolicyApp, or synth into deploy (--outdir deploy).",
    },
  },
  {
    id: 'library/two-copies',
    severity: 'error',
    checkedAt: 'construction, synth, validate --app',
    docs: {
      summary:
        "A construct made by another copy of waypoint-policy than the one reading it: a team's construct package with its own nested waypoint-policy, say. Each copy keeps its own record of which objects are another team's (label-only), which plugins it defines and where constructs were made, so the compiling copy would misread the other's constructs (another team's Service taken as ours, with all that GitOps then does to it) or leave them out. Checked when compiling, and when a construct of one copy is passed as a prop to a construct of the other. Also reported for a manifest built with another copy of cdk8s that cannot be rendered: a project whose own cdk8s is outside waypoint-policy's range gets a nested copy for the library, while cdk8s-plus-33 (a `MeshService`'s Service) and the project's code use the project's, whose deferred values (`Lazy`) the library's copy does not recognise; so is a `Lazy` of the project's copy put into one of the library's manifests.",
      bad: `// What a construct made by a second, nested copy carries (its package folder):
Object.assign(waypoint, { [Symbol.for('waypoint-policy.copy')]: '/repo/node_modules/@acme/mesh-lib/node_modules/waypoint-policy' });`,
      message:
        'this construct was made by another copy of waypoint-policy (node_modules/@acme/mesh-lib/node_modules/waypoint-policy) than the one reading it (a checkout of waypoint-policy, not an installed package): each copy keeps its own record of what it owns and emits, so its objects would be misread (another team\'s Service taken as ours) or left out',
      fix: 'Install one copy: make waypoint-policy a peerDependency of the package that brought the second one, then run npm dedupe (npm ls waypoint-policy lists both).',
    },
  },
  {
    id: 'output/would-empty',
    severity: 'error',
    checkedAt: 'synth (writing)',
    docs: {
      summary:
        "The app emits no objects while the output folder holds manifests. That is almost always a mistake (constructs created under another app, a policy file not imported), and committing the empty folder would have Argo CD or Flux prune every Gateway and WasmPlugin it deployed. Nothing is written; `--allow-empty` removes everything on purpose.",
      bad: `waypoint-policy synth --app policies/empty.ts`,
      message: 'the app emits no objects: writing it would empty an output folder that holds 2 manifest(s), and GitOps could then prune every Gateway and WasmPlugin they deployed (Flux on its next sync; Argo CD on a manual sync with prune, as its auto-sync refuses to empty an Application)',
      fix: 'Check that the default export is the PolicyApp your constructs were created in, and that every policy file is imported. To remove everything on purpose, pass --allow-empty (synthToDirectory: allowEmpty: true).',
    },
  },
  {
    id: 'output/unwritable',
    severity: 'error',
    checkedAt: 'synth (writing)',
    docs: {
      summary:
        'The output folder cannot be written: a part of its path is a file, permission is denied, the disk is read-only or full, or another synth of the same folder (a watcher, a pre-commit hook) still holds its lock after 10 s. Synth stops with exit 1 and the folder stays as it was (the new tree is built beside it and swapped in only when complete). One synth writes a folder at a time: each holds a lock file beside it (`.dist.lock` for `dist/`, naming its pid, start time and machine) while it runs; a lock whose process is gone (on Linux: or whose pid a later process has taken) is taken over, and the message names a live holder and the file to remove if that process is not a synth. Synth needs to write in the folder that holds the output folder too (the lock, the new tree): permission denied there is named as such, with that folder.',
      bad: `waypoint-policy synth --outdir policies/main.ts/dist`,
      message: 'cannot write the output folder: a part of its path is a file, not a folder (ENOTDIR)',
      fix: 'Point --outdir at a folder this user can create and write, on a writable disk with free space.',
    },
  },
  {
    id: 'gitops/external-ownership-label',
    severity: 'error',
    checkedAt: 'synth',
    docs: {
      summary: "Another team's object (emitted label-only) given app.kubernetes.io/managed-by or part-of: tools and people select on those labels, and a cleanup by label would delete it.",
      bad: `new MeshNamespace(app, 'reviews', { labels: { 'app.kubernetes.io/managed-by': 'waypoint-policy' } }); // the reviews team's Namespace, labelled by hand`,
      message: "Namespace 'reviews' belongs to another team but is given the label app.kubernetes.io/managed-by=waypoint-policy",
      fix: 'Remove the app.kubernetes.io/managed-by label: only objects this repo owns may carry it.',
    },
  },
  {
    id: 'gitops/external-tool-override',
    severity: 'error',
    checkedAt: 'synth',
    docs: {
      summary:
        "Another team's object (emitted label-only) given a label or annotation that steers how Flux or Argo CD applies, prunes or deletes it (Flux `force`, `ssa`, `prune`, `reconcile`; Argo CD `sync-options`, `compare-options`, `sync-wave`, `hook`, `hook-delete-policy`). Flux reads its keys from labels too: `force: enabled` makes it delete and re-create the live object on any apply conflict (our label-only manifest cannot re-create it), and `ssa: Override` takes over the team's fields.",
      bad: `new MeshNamespace(app, 'reviews', { labels: { 'kustomize.toolkit.fluxcd.io/force': 'enabled' } }); // the reviews team's Namespace`,
      message:
        "Namespace 'reviews' belongs to another team but is given the label kustomize.toolkit.fluxcd.io/force=enabled: with force, Flux deletes and re-creates the live object on any apply conflict, and our label-only manifest cannot re-create it",
      fix: 'Remove the kustomize.toolkit.fluxcd.io/force label: waypoint-policy sets the tool annotations of label-only objects itself (Merge apply, never pruned, never deleted).',
    },
  },
  {
    id: 'gitops/external-field',
    severity: 'error',
    checkedAt: 'synth',
    docs: {
      summary:
        "Another team's object (emitted label-only) whose manifest, edited through the escape hatch, holds more than its name, namespace, labels and annotations: a `spec`, `metadata.ownerReferences`, finalizers... The GitOps tool applies it server-side and forces every conflict, so our value replaces theirs and the field becomes ours; releasing the manifest later deletes it, and an ownerReference has Kubernetes delete their object with its owner.",
      bad: `MeshService.fromServiceName(ns, 'reviews', 'reviews', { useWaypoint: waypoint }).apiObject!.addJsonPatch(JsonPatch.add('/spec', { ports: [{ port: 80 }] }));`,
      message:
        "Service 'reviews' belongs to another team, but its label-only manifest also sets spec: the GitOps tool's server-side apply would force our values over the owning team's and take those fields from them, and releasing the manifest later would delete them",
      fix: "Remove spec (added through the escape hatch): a label-only manifest carries only the name, namespace, labels and annotations. To own the whole object, declare it as this repo's own (new MeshService, or MeshNamespace with owned: true) once its owning team has handed it over.",
    },
  },
  {
    id: 'gitops/kustomize-reserved',
    severity: 'error',
    checkedAt: 'synth',
    docs: {
      summary:
        'An object given, through the escape hatch, an annotation kustomize keeps for itself. Argo CD (for a folder with a `kustomization.yaml`, as synth writes them) and Flux build each folder with kustomize, which leaves out of its output every object marked `config.kubernetes.io/local-config` (any value but `"false"`), so it is never applied, and strips the keys it writes while it builds: `config.kubernetes.io/index`, `path` and `origin`, `config.k8s.io/id`, `alpha.config.kubernetes.io/transformations` and thirteen under `internal.config.kubernetes.io/` (`path`, `index`, `id`, `previousNames`...). Neither `kubectl apply -f` nor the simulator drops them, so nothing else shows it.',
      bad: `waypoint.apiObject.metadata.addAnnotation('config.kubernetes.io/local-config', 'true');`,
      message: "Gateway 'waypoint' is given the annotation config.kubernetes.io/local-config=true: kustomize, which Argo CD and Flux build the folder with, leaves an object so marked out of what it builds, so it is never applied",
      fix: 'Remove the config.kubernetes.io/local-config annotation (added through the escape hatch).',
    },
  },
  {
    id: 'gitops/owned-tool-override',
    severity: 'error',
    checkedAt: 'synth',
    docs: {
      summary:
        'An object this repo owns given a label or annotation that waypoint-policy writes itself (Argo CD `sync-wave`, `sync-options`, `compare-options`; Flux `prune`, `ssa`), or Flux `force`. The first would be replaced without a word, or, for a tool the app does not name, contradict the stage order; force makes Flux delete and re-create the live object on any apply conflict, which for an owned Namespace (a metadata-only manifest) deletes everything in it.',
      bad: `new MeshNamespace(app, 'payments', { owned: true, labels: { 'kustomize.toolkit.fluxcd.io/force': 'enabled' } });`,
      message:
        "Namespace 'payments' is given the label kustomize.toolkit.fluxcd.io/force=enabled: with force, Flux deletes and re-creates the live object on any apply conflict, and deleting a Namespace deletes everything in it",
      fix: "Remove the kustomize.toolkit.fluxcd.io/force label; the GitOps metadata of owned objects comes from the PolicyApp's gitops setting (docs/gitops.md).",
    },
  },
  {
    id: 'delivery/invalid',
    severity: 'error',
    checkedAt: 'construction',
    docs: {
      summary:
        'The delivery configuration is not one Argo CD or Flux accepts: a repoURL that is not a git URL (Flux needs https://, http:// or ssh://), a destination with both or neither of server and name, or per-target destinations with an ApplicationSet. It covers a malformed revision, path, interval or server URL too.',
      bad: `const app = new PolicyApp({ gitops: [GitOpsTool.FLUX], delivery: { repoURL: 'git@github.com:acme/policy.git' } });`,
      message: 'Flux GitRepository needs an https://, http:// or ssh:// URL; received "git@github.com:acme/policy.git"',
      fix: 'Write git@host:org/repo.git as ssh://git@host/org/repo.git.',
    },
  },
  {
    id: 'delivery/tool-not-enabled',
    severity: 'error',
    checkedAt: 'construction',
    docs: {
      summary:
        "Options for a GitOps tool (delivery.argocd or delivery.flux) that is not in the app's `gitops` tools: the objects would carry none of that tool's safety annotations (Flux without `prune: disabled` would prune other teams' Services).",
      bad: `const app = new PolicyApp({ gitops: [GitOpsTool.FLUX], delivery: { repoURL: 'https://github.com/acme/policy.git', argocd: { namespace: 'argo' } } });`,
      message: "delivery.argocd is set but 'argocd' is not in the app's gitops tools, so the objects carry no argocd safety annotations",
      fix: 'Add GitOpsTool.ARGO_CD to PolicyApp gitops, or remove delivery.argocd.',
    },
  },
  {
    id: 'delivery/unknown-target',
    severity: 'error',
    checkedAt: 'synth',
    docs: {
      summary: 'An Argo CD destination is given for a target the app does not declare.',
      bad: `const app = new PolicyApp({ delivery: { repoURL: 'https://github.com/acme/policy.git', argocd: { targetDestinations: { prd: { server: 'https://prod.example.com' } } } } });
new MeshNamespace(new Target(app, 'prod'), 'shop');`,
      message: "delivery.argocd.targetDestinations names target 'prd', which the app does not declare (targets: prod)",
      fix: 'Use the name of a Target, or remove the entry.',
    },
  },
  {
    id: 'delivery/shared-destination',
    severity: 'error',
    checkedAt: 'synth',
    docs: {
      summary:
        "Two targets deploy the same object to the same cluster through Argo CD (one destination for both, the in-cluster one by default). Argo CD tracks an object with one Application (its tracking-id annotation), so with the generated Applications' FailOnSharedResource=true the second one's syncs fail for good; without it the two would take the object from each other on every sync. Flux delivery is per target and cluster (`dist/delivery/flux/<target>`), so it is not checked.",
      bad: `const app = new PolicyApp({ delivery: { repoURL: 'https://github.com/acme/policy.git' } });
for (const env of ['staging', 'prod']) new Waypoint(new MeshNamespace(new Target(app, env), 'shop'), 'waypoint');`,
      message:
        "targets 'prod' and 'staging' both deploy Namespace shop to the same cluster (https://kubernetes.default.svc): Argo CD tracks an object with one Application, so the other Application's syncs fail (FailOnSharedResource)",
      fix: 'Give each target its own cluster (delivery.argocd.targetDestinations, with generator: ArgoCdGenerator.APPLICATIONS, since an ApplicationSet gives every target one destination), or declare each object in one target only.',
    },
  },
  {
    id: 'delivery/name-too-long',
    severity: 'error',
    checkedAt: 'synth',
    docs: {
      summary: 'A Flux Kustomization name over 63 characters: Flux writes it into a label on every object it applies.',
      bad: `const app = new PolicyApp({ partOf: 'a-very-long-name-for-the-policy-of-the-whole-company', delivery: { repoURL: 'https://github.com/acme/policy.git' } });
new MeshNamespace(new Target(app, 'prod'), 'shop');`,
      message: "Flux Kustomization name 'a-very-long-name-for-the-policy-of-the-whole-company-prod-policies' has 66 characters; Flux writes it into the kustomize.toolkit.fluxcd.io/name label of every object, which allows 63",
      fix: 'Set a shorter delivery.name (or partOf), or shorten the target name.',
    },
  },
  {
    id: 'delivery/flux-substitution-missing',
    severity: 'error',
    checkedAt: 'synth',
    docs: {
      summary: 'Credential.fluxSubstitution placeholders in a target whose Flux delivery substitutes from no Secret: Flux would apply ${VAR} verbatim.',
      bad: `const app = new PolicyApp({ gitops: [GitOpsTool.FLUX], delivery: { repoURL: 'https://github.com/acme/policy.git' } }); // no flux.substituteFrom
const ns = new MeshNamespace(new Target(app, 'prod'), 'shop');
new BasicAuth(ns, 'auth', { targets: [new Waypoint(ns, 'waypoint')], rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fluxSubstitution('SHOP_ADMIN')] }] });`,
      message: "target 'prod' holds ${VAR} placeholders (e.g. WasmPlugin shop/auth) but the Flux delivery substitutes from nothing: Flux would apply them verbatim",
      fix: "Set delivery.flux.substituteFrom to the Secret holding the values, e.g. [{ name: 'waypoint-policy-credentials' }].",
    },
  },
  {
    id: 'delivery/flux-substitution-outside-policies',
    severity: 'warning',
    checkedAt: 'synth',
    docs: {
      summary:
        'A ${VAR} placeholder in an object outside the policies stage (a Gateway, a Namespace, a labelled Service) of a target whose Flux delivery substitutes: only the policies stage\'s Kustomization has `postBuild.substituteFrom`, so Flux applies the placeholder verbatim. Objects labelled or annotated `kustomize.toolkit.fluxcd.io/substitute: disabled` are skipped, as Flux skips them.',
      bad: `const app = new PolicyApp({ gitops: [GitOpsTool.FLUX], delivery: { repoURL: 'https://github.com/acme/policy.git', flux: { substituteFrom: [{ name: 'shop-credentials' }] } } });
const waypoint = new Waypoint(new MeshNamespace(new Target(app, 'prod'), 'shop'), 'waypoint');
waypoint.apiObject.metadata.addAnnotation('team/owner', '\${OWNER}');`,
      message: "Gateway shop/waypoint in target 'prod' holds a ${VAR} placeholder, but it is applied by the 1-waypoints Kustomization, which substitutes nothing (only the policies stage's does): Flux applies it verbatim",
      fix: 'Keep ${VAR} placeholders to credentials (Credential.fluxSubstitution), or write the value itself.',
    },
  },
  {
    id: 'delivery/flux-substitutes-config',
    severity: 'warning',
    checkedAt: 'synth',
    docs: {
      summary:
        "A string with an unescaped `${` or a `$$` in an object of the policies stage of a target whose Flux delivery substitutes, other than a `Credential.fluxSubstitution` placeholder: Flux substitutes into the object's YAML text (drone/envsubst), so every `${VAR}` there is replaced (by an empty string when the Secret lacks it) and every `$$` becomes `$`, and the module gets another value than the policy wrote. `$${`, the escape Flux documents for a literal `${`, is not reported (a longer even run such as `$$$${` is: each `$$` in it becomes `$`). The message names the paths, never the values (a pluginConfig may hold secrets). A BasicAuth credential holding `$` is not affected: it is written as the base64 the module stores, which has no `$`.",
      bad: `const app = new PolicyApp({ gitops: [GitOpsTool.FLUX], delivery: { repoURL: 'https://github.com/acme/policy.git', flux: { substituteFrom: [{ name: 'shop-credentials' }] } } });
const ns = new MeshNamespace(new Target(app, 'prod'), 'shop');
new WasmPlugin(ns, 'stamp', { url: 'oci://ghcr.io/acme/stamp:1.0.0', sha256: 'a'.repeat(64), targets: [new Waypoint(ns, 'waypoint')], pluginConfig: { header: 'x-\${TEAM}' } });`,
      message: "WasmPlugin shop/stamp in target 'prod' has a string with ${ or $$ at spec.pluginConfig.header: the policies Kustomization substitutes every ${VAR} it finds (a variable its Secret lacks becomes an empty string) and turns $$ into $, so the module gets another value than the policy wrote",
      fix: 'Write a literal ${ as $${ (Flux turns it back into ${); give a value with $$ in it another form, or keep placeholders to credentials (Credential.fluxSubstitution).',
    },
  },
  {
    id: 'delivery/argocd-no-substitution',
    severity: 'warning',
    checkedAt: 'synth',
    docs: {
      summary: 'Credential.fluxSubstitution placeholders in a target delivered by Argo CD, which has no built-in substitution.',
      bad: `const app = new PolicyApp({ gitops: [GitOpsTool.ARGO_CD], delivery: { repoURL: 'https://github.com/acme/policy.git' } });
const ns = new MeshNamespace(new Target(app, 'prod'), 'shop');
new BasicAuth(ns, 'auth', { targets: [new Waypoint(ns, 'waypoint')], rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fluxSubstitution('SHOP_ADMIN')] }] });`,
      message: "target 'prod' holds ${VAR} placeholders (e.g. WasmPlugin shop/auth); Argo CD applies them verbatim unless a config management plugin fills them in",
      fix: 'Use Flux for this target, or a config management plugin that substitutes them (docs/security.md).',
    },
  },
];
