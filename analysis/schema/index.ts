import { GATEWAY_API_VERSIONS, validateGateway } from './gateway';
import type { SchemaIssue } from './issue';
import { RunCache } from '../run-cache';
import { validateWasmPlugin, WASM_PLUGIN_API_VERSION } from './wasm-plugin';

export * from './issue';
export { validateGateway } from './gateway';
export { validateWasmPlugin } from './wasm-plugin';

type Validator = (obj: unknown) => SchemaIssue[];

function validatorFor(o: { apiVersion?: unknown; kind?: unknown }): Validator | undefined {
  if (o.kind === 'WasmPlugin' && o.apiVersion === WASM_PLUGIN_API_VERSION) return validateWasmPlugin;
  if (o.kind === 'Gateway' && GATEWAY_API_VERSIONS.includes(String(o.apiVersion))) return validateGateway;
  return undefined;
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
