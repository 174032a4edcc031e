import { objectLabel, type Finding } from '../../analysis/finding';
import { IN_CLUSTER_SERVER, type DeliveryConfig } from '../../constructs/delivery';
import { STAGE_ORDER, STAGES, stageOf } from '../gitops';
import { isSubstitutionPlaceholder } from '../../constructs/plugins/basic-auth-format';
import { FileTree, kustomization } from '../layout';
import type { ModelObject } from '../model';
import { renderManifest } from '../render';
import { argoCdFiles, destinationFor } from './argocd';
import { DELIVERY_DIR, DeliveryFile } from './common';
import { fluxFiles, fluxKustomizationName } from './flux';

export { DELIVERY_DIR } from './common';

export interface DeliveryInput {
  /** Every target that has a folder in the output. */
  readonly targets: readonly string[];
  readonly objects: readonly ModelObject[];
  readonly partOf: string;
  /**
   * Where the PolicyApp was created (`file:line`, relative to the project
   * root), for findings that only its `delivery` option can fix.
   *
   * @default - none
   */
  readonly source?: string;
}

export interface DeliveryPlan {
  /** Files relative to the output directory (all under `delivery/`). */
  readonly files: FileTree;
  readonly findings: Finding[];
}

const MAX_LABEL_VALUE = 63;
// Flux substitutes `${VAR}` (and `${VAR:=default}`) at apply time.
const PLACEHOLDER = /\$\{[A-Za-z_][A-Za-z0-9_]*(:=[^}]*)?\}/;
/**
 * Whether Flux's substitution (drone/envsubst over the object's YAML text)
 * changes `s` in a way its author cannot have meant: an unescaped `${` (a
 * run of `$` of odd length before `{`), which is substituted, or `$$` not
 * before `{`, which becomes `$`. `$${` is the escape Flux documents for a
 * literal `${`, and is left alone; a longer even run (`$$$${`) is not that
 * escape: every `$$` in it becomes `$`, and the module gets `$${`.
 */
function rewrittenByFlux(s: string): boolean {
  for (let i = s.indexOf('$'); i >= 0; i = s.indexOf('$', i)) {
    let run = 0;
    while (s[i + run] === '$') run++;
    if (s[i + run] === '{' ? run % 2 === 1 || run >= 4 : run >= 2) return true;
    i += run;
  }
  return false;
}
const SUBSTITUTE_KEY = 'kustomize.toolkit.fluxcd.io/substitute';

/**
 * Where Flux's substitution would rewrite a string of `manifest` that is not
 * a `Credential.fluxSubstitution` placeholder (a whole `${NAME}` in a
 * `credentials` list): `spec.pluginConfig.template`. Paths only; the values
 * may be secret.
 */
function rewrittenPaths(value: unknown, at: string, parentKey: string, out: string[]): string[] {
  if (typeof value === 'string') {
    if (rewrittenByFlux(value) && !(parentKey === 'credentials' && isSubstitutionPlaceholder(value))) out.push(at);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => rewrittenPaths(v, `${at}[${i}]`, parentKey, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) rewrittenPaths(v, at === '' ? k : `${at}.${k}`, k, out);
  }
  return out;
}

/** Whether Flux skips substitution for the object (the label or annotation `substitute: disabled`). */
function substitutionDisabled(o: ModelObject): boolean {
  const { labels, annotations } = o.manifest.metadata;
  return labels?.[SUBSTITUTE_KEY] === 'disabled' || annotations?.[SUBSTITUTE_KEY] === 'disabled';
}

const objectRef = (o: ModelObject) => ({ kind: o.manifest.kind, namespace: o.manifest.metadata.namespace, name: o.manifest.metadata.name });

/**
 * An object of a target whose Flux delivery substitutes (postBuild, set on
 * the policies stage only, compiler/delivery/flux.ts) that substitution gets
 * wrong, if it does: a placeholder in another stage is applied verbatim, and
 * in the policies stage every other `${...}` or `$$` is rewritten too (an
 * unknown variable to an empty string).
 */
function substitutionProblem(o: ModelObject, hasPlaceholder: boolean): Finding | undefined {
  if (substitutionDisabled(o)) return undefined;
  const about = { object: objectRef(o), path: o.path, source: o.source };
  const stage = stageOf(o.manifest, o.ownership);
  if (stage !== STAGES.policies) {
    if (!hasPlaceholder) return undefined;
    return {
      rule: 'delivery/flux-substitution-outside-policies',
      severity: 'warning',
      message: `${objectLabel(objectRef(o))} in target '${o.target}' holds a \${VAR} placeholder, but it is applied by the ${stage.dir} Kustomization, which substitutes nothing (only the policies stage's does): Flux applies it verbatim`,
      fix: 'Keep ${VAR} placeholders to credentials (Credential.fluxSubstitution), or write the value itself.',
      ...about,
    };
  }
  const paths = rewrittenPaths(o.manifest, '', '', []);
  if (paths.length === 0) return undefined;
  return {
    rule: 'delivery/flux-substitutes-config',
    severity: 'warning',
    message: `${objectLabel(objectRef(o))} in target '${o.target}' has ${paths.length === 1 ? 'a string' : 'strings'} with \${ or $$ at ${paths.slice(0, 3).join(', ')}${paths.length > 3 ? ` and ${paths.length - 3} more` : ''}: the policies Kustomization substitutes every \${VAR} it finds (a variable its Secret lacks becomes an empty string) and turns $$ into $, so the module gets another value than the policy wrote`,
    fix: 'Write a literal ${ as $${ (Flux turns it back into ${); give a value with $$ in it another form, or keep placeholders to credentials (Credential.fluxSubstitution).',
    ...about,
  };
}

/**
 * The name Argo CD registers its own cluster under (https://kubernetes.default.svc).
 * One target sent there by name and another by the default server deploy to
 * one cluster: told apart, their shared objects went unreported.
 */
const IN_CLUSTER_NAME = 'in-cluster';

/** The cluster an Argo CD target deploys to, as one comparable string. */
function destinationOf(argocd: NonNullable<DeliveryConfig['argocd']>, target: string): string {
  const d = destinationFor(argocd, target);
  if (d.name === IN_CLUSTER_NAME) return IN_CLUSTER_SERVER;
  return d.name !== undefined ? `cluster '${d.name}'` : (d.server ?? IN_CLUSTER_SERVER);
}

/**
 * Targets whose Argo CD Applications deploy to one cluster and declare the
 * same object, one finding per pair of targets. Argo CD tracks an object
 * with one Application (its tracking-id annotation): the generated
 * Applications set FailOnSharedResource=true, so the second one's syncs fail
 * for good, and without it the two would flip the object between them on
 * every sync.
 */
function sharedObjects(argocd: NonNullable<DeliveryConfig['argocd']>, input: DeliveryInput): Finding[] {
  const clusterOf = new Map(input.targets.map((t) => [t, destinationOf(argocd, t)]));
  // Nothing to compare unless two targets share a cluster (the common case: one target per cluster).
  if (new Set(clusterOf.values()).size === clusterOf.size) return [];
  const firstTarget = new Map<string, string>();
  const reported = new Set<string>();
  const findings: Finding[] = [];
  for (const o of input.objects) {
    const cluster = clusterOf.get(o.target);
    if (cluster === undefined) continue;
    const m = o.manifest;
    const key = `${cluster}|${m.apiVersion.split('/').slice(0, -1).join('/')}|${m.kind}|${m.metadata.namespace ?? ''}|${m.metadata.name}`;
    const first = firstTarget.get(key);
    if (first === undefined) {
      firstTarget.set(key, o.target);
      continue;
    }
    const [a, b] = [first, o.target].sort();
    if (a === b || reported.has(`${a}|${b}`)) continue;
    reported.add(`${a}|${b}`);
    findings.push({
      rule: 'delivery/shared-destination',
      severity: 'error',
      message: `targets '${a}' and '${b}' both deploy ${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name} to the same cluster (${cluster}): Argo CD tracks an object with one Application, so the other Application's syncs fail (FailOnSharedResource)`,
      fix: 'Give each target its own cluster (delivery.argocd.targetDestinations, with generator: ArgoCdGenerator.APPLICATIONS, since an ApplicationSet gives every target one destination), or declare each object in one target only.',
      object: { kind: m.kind, namespace: m.metadata.namespace, name: m.metadata.name },
      path: o.path,
      source: o.source,
    });
  }
  return findings;
}

function problems(config: DeliveryConfig, input: DeliveryInput): Finding[] {
  const findings: Finding[] = [];
  if (config.argocd) findings.push(...sharedObjects(config.argocd, input));
  const known = new Set(input.targets);
  for (const target of Object.keys(config.argocd?.targetDestinations ?? {}).sort()) {
    if (!known.has(target)) {
      findings.push({
        rule: 'delivery/unknown-target',
        severity: 'error',
        message: `delivery.argocd.targetDestinations names target '${target}', which the app does not declare (targets: ${[...known].join(', ') || 'none'})`,
        fix: 'Use the name of a Target, or remove the entry.',
        source: input.source,
      });
    }
  }
  // Each object read once: grouped by target, and serialized once to look for placeholders.
  const substitutes = config.flux !== undefined && config.flux.substituteFrom.length > 0;
  const placeholdersIn = new Map<string, ModelObject[]>();
  for (const o of input.objects) {
    const hasPlaceholder = PLACEHOLDER.test(JSON.stringify(o.manifest));
    if (hasPlaceholder) (placeholdersIn.get(o.target) ?? placeholdersIn.set(o.target, []).get(o.target)!).push(o);
    const problem = substitutes ? substitutionProblem(o, hasPlaceholder) : undefined;
    if (problem) findings.push(problem);
  }
  for (const target of input.targets) {
    if (config.flux) {
      for (const stage of STAGE_ORDER) {
        const name = fluxKustomizationName(config, target, stage);
        if (name.length > MAX_LABEL_VALUE) {
          findings.push({
            rule: 'delivery/name-too-long',
            severity: 'error',
            message: `Flux Kustomization name '${name}' has ${name.length} characters; Flux writes it into the kustomize.toolkit.fluxcd.io/name label of every object, which allows ${MAX_LABEL_VALUE}`,
            fix: 'Set a shorter delivery.name (or partOf), or shorten the target name.',
            source: input.source,
          });
        }
      }
    }
    const placeholders = placeholdersIn.get(target) ?? [];
    if (placeholders.length === 0) continue;
    const example = placeholders[0].manifest;
    const where = `${example.kind} ${example.metadata.namespace ?? ''}/${example.metadata.name}`;
    if (config.flux && config.flux.substituteFrom.length === 0) {
      findings.push({
        rule: 'delivery/flux-substitution-missing',
        severity: 'error',
        message: `target '${target}' holds \${VAR} placeholders (e.g. ${where}) but the Flux delivery substitutes from nothing: Flux would apply them verbatim`,
        fix: "Set delivery.flux.substituteFrom to the Secret holding the values, e.g. [{ name: 'waypoint-policy-credentials' }].",
        object: objectRef(placeholders[0]),
        path: placeholders[0].path,
        source: placeholders[0].source,
      });
    }
    if (config.argocd) {
      findings.push({
        rule: 'delivery/argocd-no-substitution',
        severity: 'warning',
        message: `target '${target}' holds \${VAR} placeholders (e.g. ${where}); Argo CD applies them verbatim unless a config management plugin fills them in`,
        fix: 'Use Flux for this target, or a config management plugin that substitutes them (docs/security.md).',
        object: objectRef(placeholders[0]),
        path: placeholders[0].path,
        source: placeholders[0].source,
      });
    }
  }
  return findings;
}

function kustomizationsFor(files: DeliveryFile[]): FileTree {
  const byDir = new Map<string, string[]>();
  for (const f of files) {
    const slash = f.file.lastIndexOf('/');
    const dir = f.file.slice(0, slash);
    byDir.set(dir, [...(byDir.get(dir) ?? []), f.file.slice(slash + 1)]);
  }
  const out: FileTree = new Map();
  for (const [dir, entries] of byDir) out.set(`${DELIVERY_DIR}/${dir}/kustomization.yaml`, kustomization(entries));
  return out;
}

/**
 * The delivery manifests for every target, under `delivery/`. Each tool's
 * folder builds on its own (`kubectl apply -k dist/delivery/argocd`, or
 * `dist/delivery/flux/<target>` on that target's cluster); there is no
 * kustomization.yaml joining both tools, since one cluster must never be
 * reconciled by both (they would fight over the same fields).
 */
export function planDelivery(config: DeliveryConfig | undefined, input: DeliveryInput): DeliveryPlan {
  if (!config) return { files: new Map(), findings: [] };
  const findings = problems(config, input);
  const targets = [...input.targets].sort();
  const manifests: DeliveryFile[] = [...argoCdFiles(config, targets, input.partOf), ...targets.flatMap((t) => fluxFiles(config, t, input.partOf))];
  const files: FileTree = new Map();
  for (const m of manifests) files.set(`${DELIVERY_DIR}/${m.file}`, renderManifest(m.object, undefined));
  // An Argo CD folder with no targets still gets its (empty) kustomization.
  if (config.argocd && !manifests.some((m) => m.file.startsWith('argocd/'))) {
    files.set(`${DELIVERY_DIR}/argocd/kustomization.yaml`, kustomization([]));
  }
  for (const [file, text] of kustomizationsFor(manifests)) files.set(file, text);
  return { files, findings };
}
