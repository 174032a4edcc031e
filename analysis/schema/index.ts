import { GATEWAY_API_VERSIONS, validateGateway } from './gateway';
import type { SchemaIssue } from './issue';
import { RunCache } from '../run-cache';
import { validateService } from './service';
import { validateWasmPlugin, WASM_PLUGIN_API_VERSION } from './wasm-plugin';

export * from './issue';
export { validateGateway } from './gateway';
export { validateService } from './service';
export { validateWasmPlugin } from './wasm-plugin';

type Validator = (obj: unknown) => SchemaIssue[];

/**
 * An apiVersion the CRD does not serve: kubectl apply and Argo CD fail with
 * `no matches for kind`, so nothing else about the object matters yet.
 */
function unservedVersion(rule: string, kind: string, served: readonly string[]): Validator {
  return (obj) => [
    {
      rule,
      path: 'apiVersion',
      message: `${JSON.stringify((obj as { apiVersion?: unknown }).apiVersion)} is not served: the CRD serves ${kind} as ${served.join(' and ')} only (kubectl apply fails with no matches for kind "${kind}")`,
      enforcedBy: 'crd',
    },
  ];
}

function validatorFor(o: { apiVersion?: unknown; kind?: unknown }): Validator | undefined {
  if (o.kind === 'WasmPlugin') return o.apiVersion === WASM_PLUGIN_API_VERSION ? validateWasmPlugin : unservedVersion('schema/wasm-plugin', 'WasmPlugin', [WASM_PLUGIN_API_VERSION]);
  // A Gateway of another group is another API's (Istio's networking.istio.io ingress Gateway): no schema of ours.
  if (o.kind === 'Gateway' && String(o.apiVersion).startsWith('gateway.networking.k8s.io/')) return GATEWAY_API_VERSIONS.includes(String(o.apiVersion)) ? validateGateway : unservedVersion('schema/gateway', 'Gateway', GATEWAY_API_VERSIONS);
  // A core Service only: the model leaves out other groups' (Knative's), but a Service is read by kind elsewhere too.
  if (o.kind === 'Service' && o.apiVersion === 'v1') return validateService;
  return undefined;
}

/**
 * Whether the schema chosen for this manifest checks its metadata (labels and
 * annotations as mappings of strings): a served WasmPlugin or Gateway API
 * Gateway. Not an Istio networking Gateway, nor a WasmPlugin of an unserved
 * version, though their kind is the same.
 */
export function schemaChecksMetadata(manifest: { apiVersion?: unknown; kind?: unknown }): boolean {
  const validate = validatorFor(manifest);
  return validate === validateWasmPlugin || validate === validateGateway;
}

// Several rules read the issues of one object (one rule per id): validate each object once.
const cache = new RunCache<object, readonly SchemaIssue[]>();

/** The schema issues of a manifest whose kind we have a schema for; [] for other kinds. */
export function schemaIssuesOf(manifest: object): readonly SchemaIssue[] {
  let issues = cache.get(manifest);
  if (!issues) {
    const validate = validatorFor(manifest as { apiVersion?: unknown; kind?: unknown });
    issues = validate ? validate(manifest) : [];
    cache.set(manifest, issues);
  }
  return issues;
}
