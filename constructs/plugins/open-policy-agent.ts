import type { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { z } from 'zod';
import { definePlugin, DefinedPluginProps, PluginConfigIssue } from '../define-plugin';
import { declareProps, PluginPhase, WasmPluginOptions } from '../wasm-plugin';
import { OPEN_POLICY_AGENT_RULES } from './catalogue-rules';
import { checkObject, checkRequired, checkString, checkUint64, isDuration, issue, parseFriendlyProps, unknownKeys, wholeSeconds } from './wire';
import { refuseNonObjectProps } from '../internal/validate';

/** open_policy_agent from istio-ecosystem/wasm-extensions tag 1.12.0. */
export const OPEN_POLICY_AGENT_URL = 'oci://ghcr.io/istio-ecosystem/wasm-extensions/open_policy_agent:1.12.0';

const NAME = 'open-policy-agent';
const KEYS = ['opa_service_host', 'opa_cluster_name', 'check_result_cache_valid_sec'] as const;
/** The key the module's README documents, which the code never reads. */
export const OPA_README_CACHE_KEY = 'cache_valid_for_sec';
/** OPA's default REST port (and the one in the upstream example). */
export const OPA_DEFAULT_PORT = 8181;

/**
 * The pluginConfig exactly as the module reads it (`plugin.cc`
 * `parseConfiguration`).
 */
export interface OpenPolicyAgentConfig extends Record<string, unknown> {
  /** Sent as `:authority` on every check call. */
  opa_service_host: string;
  /** The Envoy cluster the check calls go to (`outbound|8181||opa.istio-system.svc.cluster.local`). */
  opa_cluster_name: string;
  /** Seconds a decision stays cached; absent means no caching. */
  check_result_cache_valid_sec?: number | string;
}

export const openPolicyAgentConfigSchema = z.unknown().superRefine((config, ctx) => {
  if (!checkObject(ctx, config, NAME)) return;
  if (config[OPA_README_CACHE_KEY] !== undefined) {
    issue(
      ctx,
      [OPA_README_CACHE_KEY],
      `${NAME}/readme-cache-key`,
      `${OPA_README_CACHE_KEY} is the key the module's README documents, but the code reads check_result_cache_valid_sec and ignores this one: decisions would never be cached, and OPA would be called on every request`,
      `Rename ${OPA_README_CACHE_KEY} to check_result_cache_valid_sec.`,
    );
  }
  const required: Array<[(typeof KEYS)[number], string]> = [
    ['opa_service_host', 'the host sent to OPA as :authority'],
    ['opa_cluster_name', 'the Envoy cluster of the OPA server'],
  ];
  for (const [key, what] of required) {
    if (!checkRequired(ctx, config, key, NAME, what)) continue;
    const value = checkString(ctx, config[key], key, NAME);
    if (value === '') {
      issue(ctx, [key], `${NAME}/empty-field`, `${key} is empty: every check call then fails to dispatch, and every request gets 500 ("OPA policy check call failed")`, `Set ${key}.`);
    }
  }
  if (config.check_result_cache_valid_sec !== undefined) checkUint64(ctx, config.check_result_cache_valid_sec, 'check_result_cache_valid_sec', NAME);
}) as unknown as z.ZodType<OpenPolicyAgentConfig>;

/** Istio's name for a mesh Service's cluster: `outbound|<port>|<subset>|<host>`. */
const ISTIO_CLUSTER = /^outbound\|(\d+)\|([^|]*)\|([^|]+)$/;

export function analyzeOpenPolicyAgentConfig(config: OpenPolicyAgentConfig): PluginConfigIssue[] {
  const issues = unknownKeys(config, KEYS, NAME);
  const cluster = config.opa_cluster_name;
  if (cluster.startsWith('outbound|')) {
    const m = ISTIO_CLUSTER.exec(cluster);
    if (!m) {
      issues.push({
        rule: `${NAME}/cluster-name`,
        severity: 'warning',
        message: `opa_cluster_name ${JSON.stringify(cluster)} looks like an Istio cluster name but is not "outbound|<port>|<subset>|<host>": no such cluster exists, so every request would get 500`,
        fix: 'Write it as outbound|8181||opa.<namespace>.svc.cluster.local.',
      });
    } else if (!m[3].includes('.')) {
      issues.push({
        rule: `${NAME}/cluster-name`,
        severity: 'warning',
        message: `opa_cluster_name ${JSON.stringify(cluster)} names the host ${JSON.stringify(m[3])}, but Istio names a Service's cluster by its fully qualified name: no such cluster exists, so every request would get 500`,
        fix: `Use the fully qualified name, e.g. outbound|${m[1]}||${m[3]}.<namespace>.svc.cluster.local.`,
      });
    } else if (m[3] !== config.opa_service_host.replace(/:\d+$/, '')) {
      issues.push({
        rule: `${NAME}/host-mismatch`,
        severity: 'warning',
        message: `opa_service_host ${JSON.stringify(config.opa_service_host)} is not the host of opa_cluster_name (${m[3]}): the check calls go to ${m[3]} with another :authority`,
        fix: 'Use the same host in both, or leave clusterName to its default.',
      });
    }
  }
  return issues;
}

const OpenPolicyAgentModule = definePlugin<OpenPolicyAgentConfig>({
  name: NAME,
  url: OPEN_POLICY_AGENT_URL,
  // An authorization decision: after authentication (AUTHN) and Istio's JWT
  // filter, before Istio RBAC.
  defaultPhase: PluginPhase.AUTHZ,
  configSchema: openPolicyAgentConfigSchema,
  analyze: analyzeOpenPolicyAgentConfig,
  rules: OPEN_POLICY_AGENT_RULES,
  simulation: {
    supported: false,
    reason: 'depends on the OPA server: every decision is made by the policy it runs (POST /v1/data/test/allow)',
  },
});

export interface OpenPolicyAgentProps extends WasmPluginOptions {
  /**
   * Host of the OPA server, sent as `:authority` on check calls: its fully
   * qualified Service name, e.g. `opa.istio-system.svc.cluster.local`.
   */
  readonly serviceHost: string;

  /**
   * Port of the OPA server, used to name the default cluster.
   *
   * @default 8181
   */
  readonly servicePort?: number;

  /**
   * The Envoy cluster the check calls go to. The proxy must have it: a call
   * that cannot be dispatched answers 500.
   *
   * @default - `outbound|<servicePort>||<serviceHost>`, Istio's cluster for that Service
   */
  readonly clusterName?: string;

  /**
   * How long a decision (allow or deny) is cached, in whole seconds. The
   * cache key is the source principal, destination workload, method and path.
   *
   * @default - not cached: OPA is called for every request
   */
  readonly cacheDecisionsFor?: Duration;

  /**
   * Override the module URL (e.g. a mirror of the same image).
   *
   * @default OPEN_POLICY_AGENT_URL
   */
  readonly url?: string;
}

const propsSchema = z
  .object({
    serviceHost: z.string().min(1, { message: 'serviceHost is required' }),
    servicePort: z.number().int().min(1).max(65535).optional(),
    clusterName: z.string().min(1).optional(),
    cacheDecisionsFor: z.custom<Duration>(isDuration, { message: 'cacheDecisionsFor must be a cdk8s Duration, e.g. Duration.seconds(10)' }).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.clusterName === undefined && /:\d+$/.test(p.serviceHost)) {
      issue(ctx, ['serviceHost'], `${NAME}/host-with-port`, `serviceHost ${JSON.stringify(p.serviceHost)} has a port, so the default cluster name would not exist`, 'Pass the host without port and servicePort, or set clusterName.');
    }
  })
  .transform((p, ctx) => ({
    ...p,
    cacheSeconds: p.cacheDecisionsFor ? wholeSeconds(ctx, p.cacheDecisionsFor, 'cacheDecisionsFor', NAME) : undefined,
  }));

/**
 * External authorization by an Open Policy Agent server, compiled to the
 * istio-ecosystem open_policy_agent module (phase AUTHZ by default). For each
 * request the module POSTs `{"input": {source_principal,
 * destination_workload, request_method, request_url_path}}` to
 * `/v1/data/test/allow`: `{"result": false}` gives 403, a bad or failed call 500.
 *
 * @example
 * new OpenPolicyAgent(ns, 'opa', {
 *   targets: [waypoint],
 *   serviceHost: 'opa.istio-system.svc.cluster.local',
 *   cacheDecisionsFor: Duration.seconds(10),
 * });
 */
export class OpenPolicyAgent extends OpenPolicyAgentModule {
  /**
   * The raw module construct: it takes the config as the module reads it
   * (wire field names), checked against the same schema. For configs this
   * class's typed props do not express.
   */
  public static readonly module = OpenPolicyAgentModule;

  /** The Envoy cluster the check calls go to. */
  public readonly clusterName: string;

  constructor(scope: Construct, id: string, props: OpenPolicyAgentProps) {
    refuseNonObjectProps(scope, id, props, new.target);
    const p = parseFriendlyProps(scope, id, 'OpenPolicyAgent', propsSchema, props, new.target);
    const clusterName = p.clusterName ?? `outbound|${p.servicePort ?? OPA_DEFAULT_PORT}||${p.serviceHost}`;
    const pluginProps: DefinedPluginProps<OpenPolicyAgentConfig> = {
      ...props,
      pluginConfig: {
        opa_service_host: p.serviceHost,
        opa_cluster_name: clusterName,
        ...(p.cacheSeconds !== undefined ? { check_result_cache_valid_sec: p.cacheSeconds } : {}),
      },
    };
    super(scope, id, pluginProps);
    this.clusterName = clusterName;
  }
}

// The props of OpenPolicyAgent beyond WasmPlugin's own; any other key is refused.
declareProps(OpenPolicyAgent, ['serviceHost', 'servicePort', 'clusterName', 'cacheDecisionsFor']);
