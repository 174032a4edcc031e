import type { KubeObject } from '../compiler/model';
import type { SchemaIssue } from '../analysis/schema/issue';
import { GATEWAY_API_VERSIONS, validateGateway } from '../analysis/schema/gateway';
import { validateWasmPlugin, WASM_PLUGIN_API_VERSION } from '../analysis/schema/wasm-plugin';

/**
 * One refusal for a trace. VM env values may be credentials, and a schema
 * message can quote the value it refuses: under vmConfig only the field is named.
 */
function describe(issue: SchemaIssue): string {
  const by = issue.enforcedBy === 'webhook' ? " (istiod's webhook)" : '';
  if (issue.path.startsWith('spec.vmConfig')) return `${issue.path} is refused, rule ${issue.rule} (its value is not shown)${by}`;
  return `${issue.path ? `${issue.path}: ` : ''}${issue.message}${by}`;
}

// Many requests are simulated over one model (the PR diff): check each object once.
const refusals = new WeakMap<KubeObject, string | null>();

function validatorFor(m: KubeObject): ((o: unknown) => SchemaIssue[]) | undefined {
  if (m.kind === 'WasmPlugin' && m.apiVersion === WASM_PLUGIN_API_VERSION) return validateWasmPlugin;
  if (m.kind === 'Gateway' && GATEWAY_API_VERSIONS.includes(String(m.apiVersion))) return validateGateway;
  return undefined;
}

/**
 * Why the API server (the CRD's schema and CEL rules) or istiod's validating
 * webhook refuses a WasmPlugin or Gateway as written, or undefined when it is
 * admitted. Such an object is never created: it can only be in the cluster as
 * an earlier version that was admitted, which manifests do not show.
 */
export function admissionRefusal(manifest: KubeObject): string | undefined {
  const validate = validatorFor(manifest);
  if (!validate) return undefined;
  let why = refusals.get(manifest);
  if (why === undefined) {
    const issues = validate(manifest).filter((i) => i.enforcedBy !== 'istio');
    why = issues.length === 0 ? null : issues.map(describe).join('; ');
    refusals.set(manifest, why);
  }
  return why ?? undefined;
}
