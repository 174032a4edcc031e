/**
 * The zod schema of WasmPlugin's options and props: kept out of
 * wasm-plugin.ts, whose exports are the library's public API.
 */
import { z } from 'zod';
import { EnvValueSource, FailStrategy, PluginPhase, PluginType, PullPolicy, WorkloadMode } from '../plugin-enums';
import type { ITargetable } from '../target-ref';
import { distinctRefs } from './plugin-targets';
import { dnsSubdomain, stringMap } from './schemas';
import { ruleParams } from './validate';

const HEX64 = /^[a-f0-9]{64}$/;

/** CRD `maxProperties` of `spec.selector.matchLabels`. */
const MAX_SELECTOR_LABELS = 4096;

/**
 * The CRD keys `match[].ports` by number (`x-kubernetes-list-type: map`):
 * the API server refuses a port listed twice in one selector.
 */
function refuseRepeatedPorts(ports: number[], ctx: z.RefinementCtx): void {
  if (new Set(ports).size === ports.length) return;
  ports.forEach((port, i) => {
    const first = ports.indexOf(port);
    if (first < i) ctx.addIssue({ code: 'custom', path: [i], message: `port ${port} is already listed as ports[${first}]: the CRD keys match ports by number, so the API server refuses a repeated one`, ...ruleParams('schema/wasm-plugin', 'List each port once.') });
  });
}

const targetableSchema = z.custom<ITargetable>(
  (t) => typeof t === 'object' && t !== null && typeof (t as ITargetable).targetRef?.kind === 'string',
  {
    message: 'a target must be a Waypoint, MeshService, ExternalService, GatewayReference, ServiceEntryReference or ALL_WAYPOINTS',
    // A namespace is the most common wrong guess: plugins attach to a proxy or a Service, never to a namespace.
    ...ruleParams('props/invalid', 'Target what the plugin guards: a Waypoint (every Service that uses it), a MeshService or ExternalService, or a GatewayReference (an ingress gateway). A MeshNamespace is not a target: target the Waypoint it uses.'),
  },
);

export const optionsShape = {
  name: dnsSubdomain('WasmPlugin name'),
  // Counted as emitted: the same target twice is one targetRef.
  targets: z.array(targetableSchema).refine((t) => t.length <= 16 || distinctRefs(t) <= 16, { message: 'at most 16 distinct targets (CRD maxItems)', ...ruleParams('plugin/too-many-targets', 'Split the plugin into several WasmPlugins, or target the waypoint (Gateway) they share.') }).optional(),
  selector: stringMap('selector', 'the plugin would select on the other labels alone')
    .refine((s) => Object.keys(s).length <= MAX_SELECTOR_LABELS, { message: `selector may hold at most ${MAX_SELECTOR_LABELS} labels (CRD maxProperties)`, ...ruleParams('schema/wasm-plugin', 'Select on the few labels that tell the workloads apart.') })
    .optional(),
  phase: z.enum(PluginPhase).optional(),
  priority: z.number().int().min(-2147483648).max(2147483647).optional(),
  failStrategy: z.enum(FailStrategy).optional(),
  type: z.enum(PluginType).optional(),
  sha256: z.string().refine((s) => HEX64.test(s), { message: 'sha256 must be 64 lower-case hex characters', ...ruleParams('plugin/sha256-format', 'Use the hex digest without the "sha256:" prefix.') }).optional(),
  imagePullPolicy: z.enum(PullPolicy).optional(),
  imagePullSecret: dnsSubdomain('imagePullSecret').optional(),
  pluginName: z.string().min(1).max(256).optional(),
  env: z
    .array(
      z.object({
        name: z.string().min(1).max(256),
        valueFrom: z.enum(EnvValueSource).optional(),
        value: z.string().max(2048).optional(),
      }).refine((e) => e.valueFrom !== EnvValueSource.HOST || e.value === undefined, { message: 'value may only be set when valueFrom is INLINE', ...ruleParams('plugin/env-value-from-host') }),
    )
    .max(256)
    .refine((env) => new Set(env.map((e) => e.name)).size === env.length, { message: 'env names must be unique', ...ruleParams('plugin/duplicate-env') })
    .optional(),
  match: z
    .array(
      z.object({
        mode: z.enum(WorkloadMode).optional(),
        ports: z
          .array(z.number().int().min(1).max(65535))
          .superRefine(refuseRepeatedPorts)
          .optional(),
      }),
    )
    .optional(),
  acknowledge: z
    .object({
      // A reason, not a document: each becomes an annotation, and the API server caps them at 256 KiB together.
      failOpen: z.string().min(1).max(1024).optional(),
      unpinnedModule: z.string().min(1).max(1024).optional(),
      literalCredentials: z.string().min(1).max(1024).optional(),
      ambiguousOrder: z.string().min(1).max(1024).optional(),
    })
    .strict()
    .optional(),
};

export const propsSchema = z.object({
  ...optionsShape,
  url: z.string().min(1, { message: 'url is required' }),
  // Checked before zod parses it (configProblem): zod's copy would drop an own __proto__ key.
  pluginConfig: z
    .record(z.string(), z.unknown())
    .optional(),
});
