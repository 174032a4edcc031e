import type { KubeObject } from '../compiler/model';
import { validateWasmPlugin, WASM_PLUGIN_API_VERSION } from '../analysis/schema/wasm-plugin';

// Many requests are simulated over one model (the PR diff): check each object once.
const refusals = new WeakMap<KubeObject, string | null>();

/**
 * Why the API server (the CRD's schema and CEL rules) or istiod's validating
 * webhook refuses a WasmPlugin as written, or undefined when it is admitted.
 * Such an object is never created: it can only run as an earlier version that
 * was admitted, which manifests do not show.
 */
export function admissionRefusal(manifest: KubeObject): string | undefined {
  if (manifest.kind !== 'WasmPlugin' || manifest.apiVersion !== WASM_PLUGIN_API_VERSION) return undefined;
  let why = refusals.get(manifest);
  if (why === undefined) {
    const issues = validateWasmPlugin(manifest).filter((i) => i.enforcedBy !== 'istio');
    why = issues.length === 0 ? null : issues.map((i) => `${i.path ? `${i.path}: ` : ''}${i.message}${i.enforcedBy === 'webhook' ? ' (istiod\'s webhook)' : ''}`).join('; ');
    refusals.set(manifest, why);
  }
  return why ?? undefined;
}
