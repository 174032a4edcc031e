import type { KubeObject } from '../compiler/model';
import { schemaIssuesOf, type SchemaIssue } from '../analysis/schema';

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

/**
 * Why the API server (the CRD's schema and CEL rules) or istiod's validating
 * webhook refuses a WasmPlugin or Gateway as written, or undefined when it is
 * admitted. Such an object is never created: it can only be in the cluster as
 * an earlier version that was admitted, which manifests do not show.
 */
export function admissionRefusal(manifest: KubeObject): string | undefined {
  if (manifest.kind !== 'WasmPlugin' && manifest.kind !== 'Gateway') return undefined;
  let why = refusals.get(manifest);
  if (why === undefined) {
    // The analysis's own schema (an apiVersion the CRD does not serve included: kubectl apply fails on it too).
    const issues = schemaIssuesOf(manifest).filter((i) => i.enforcedBy !== 'istio');
    why = issues.length === 0 ? null : issues.map(describe).join('; ');
    refusals.set(manifest, why);
  }
  return why ?? undefined;
}
