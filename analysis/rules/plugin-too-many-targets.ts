import { schemaRule } from './schema-rule';

export const pluginTooManyTargets = schemaRule({
  id: 'plugin/too-many-targets',
  severity: 'error',
  docs: {
    summary: 'A WasmPlugin has at most 16 targetRefs (CRD maxItems); the API server refuses more.',
    bad: `const services = Array.from({ length: 17 }, (_, i) => MeshService.fromServiceName(ns, 'svc-' + i, 'svc-' + i));
new WasmPlugin(ns, 'stamp', { url: 'oci://ghcr.io/acme/stamp:1.0.0', targets: services });`,
    message: "WasmPlugin prop 'targets': at most 16 distinct targets (CRD maxItems)",
    fix: 'Split the plugin into several WasmPlugins, or target the waypoint (Gateway) they share.',
  },
});
