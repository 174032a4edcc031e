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
      summary: 'A credential source is missing or empty: the environment variable is unset, or the file cannot be read. Synth writes nothing.',
      bad: `Credential.fromEnv('SHOP_ADMIN') // with SHOP_ADMIN unset`,
      message: 'credential source environment variable SHOP_ADMIN is not set',
      fix: 'Export SHOP_ADMIN before running synth (in CI, map the secret to it).',
    },
  },
  {
    id: 'credentials/plain-string',
    severity: 'error',
    checkedAt: 'construction',
    docs: {
      summary: 'A credential written as a plain string: refused, so secrets stay out of policy source.',
      bad: `rules: [{ prefix: '/', methods: ['GET'], credentials: ['bob:hunter2'] }]`,
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
      bad: `credentials: [Credential.insecureLiteral('ok:test')]`,
      message: "BasicAuth 'auth' uses credentials written in policy source; they end up in git in clear text",
      fix: 'Use Credential.fromEnv() or Credential.fromFile(); for demo values, acknowledge with acknowledge: { literalCredentials: "<why>" }.',
    },
  },
  {
    id: 'credentials/bad-variable',
    severity: 'error',
    checkedAt: 'construction',
    docs: {
      summary: 'A Flux substitution variable name that Flux cannot substitute.',
      bad: `Credential.fluxSubstitution('1-bad')`,
      message: 'Flux substitution variable "1-bad" is not a valid variable name',
      fix: 'Use letters, digits and _, not starting with a digit.',
    },
  },
  {
    id: 'output/unsafe-path',
    severity: 'error',
    checkedAt: 'synth (writing)',
    docs: {
      summary: 'A name that would become a path outside dist/ (a second guard behind names/rfc1123, at the moment file paths are built).',
      bad: `new ApiObject(ns, 'x', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: '../../escape' } })`,
      message: 'refusing to write a file named after name "../../escape": only RFC 1123 names can become paths under dist/',
      fix: "Rename it to lower-case letters, digits, '-' and '.'.",
    },
  },
  {
    id: 'gitops/external-ownership-label',
    severity: 'error',
    checkedAt: 'synth',
    docs: {
      summary: "Another team's object (emitted label-only) given app.kubernetes.io/managed-by or part-of: tools and people select on those labels, and a cleanup by label would delete it.",
      bad: `MeshService.fromServiceName(ns, 'reviews', 'reviews') // plus an 'app.kubernetes.io/managed-by' label added by hand`,
      message: "Service 'reviews' belongs to another team but is given the label app.kubernetes.io/managed-by=waypoint-policy",
      fix: 'Remove the label: only objects this repo owns may carry it.',
    },
  },
  {
    id: 'delivery/invalid',
    severity: 'error',
    checkedAt: 'construction',
    docs: {
      summary: 'The delivery configuration (repository, revision, path, destinations, intervals) is not one Argo CD or Flux accepts.',
      bad: `new PolicyApp({ delivery: { repoURL: 'https://github.com/acme/policy.git', path: '../dist' } })`,
      message: "path must be relative to the repository root, without '..' (e.g. 'dist')",
      fix: 'Correct the delivery prop as the message says.',
    },
  },
  {
    id: 'delivery/unknown-target',
    severity: 'error',
    checkedAt: 'synth',
    docs: {
      summary: 'An Argo CD destination is given for a target the app does not declare.',
      bad: `delivery: { argocd: { targetDestinations: { prd: { server: 'https://prod.example.com' } } } } // target is 'prod'`,
      message: "delivery.argocd.targetDestinations names target 'prd', which the app does not declare (targets: prod)",
      fix: 'Use the name of a Target, or remove the entry.',
    },
  },
  {
    id: 'delivery/name-too-long',
    severity: 'error',
    checkedAt: 'synth',
    docs: {
      summary: 'A Flux Kustomization name over 63 characters: Flux writes it into a label on every object it applies.',
      bad: `new PolicyApp({ partOf: 'a-very-long-name-for-the-policy-of-the-whole-company', delivery: { ... } })`,
      message: "Flux Kustomization name '...' has 70 characters; Flux writes it into the kustomize.toolkit.fluxcd.io/name label of every object, which allows 63",
      fix: 'Set a shorter delivery.name (or partOf), or shorten the target name.',
    },
  },
  {
    id: 'delivery/flux-substitution-missing',
    severity: 'error',
    checkedAt: 'synth',
    docs: {
      summary: 'Credential.fluxSubstitution placeholders in a target whose Flux delivery substitutes from no Secret: Flux would apply ${VAR} verbatim.',
      bad: `credentials: [Credential.fluxSubstitution('SHOP_ADMIN')] // with delivery.flux and no substituteFrom`,
      message: "target 'prod' holds ${VAR} placeholders (e.g. WasmPlugin shop/auth) but the Flux delivery substitutes from nothing: Flux would apply them verbatim",
      fix: "Set delivery.flux.substituteFrom to the Secret holding the values, e.g. [{ name: 'waypoint-policy-credentials' }].",
    },
  },
  {
    id: 'delivery/argocd-no-substitution',
    severity: 'warning',
    checkedAt: 'synth',
    docs: {
      summary: 'Credential.fluxSubstitution placeholders in a target delivered by Argo CD, which has no built-in substitution.',
      bad: `credentials: [Credential.fluxSubstitution('SHOP_ADMIN')] // with delivery.argocd`,
      message: "target 'prod' holds ${VAR} placeholders (e.g. WasmPlugin shop/auth); Argo CD applies them verbatim unless a config management plugin fills them in",
      fix: 'Use Flux for this target, or a config management plugin that substitutes them (docs/security.md).',
    },
  },
];
