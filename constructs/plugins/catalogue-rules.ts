/**
 * Documentation of the catalogue modules' own rule ids, in the analysis's
 * RuleInfo shape, for docs/rules.md. Each is checked by the construct's zod
 * schema at construction and, on any manifest with the module's url, by
 * `plugin/config` (synth, validate --manifests). The examples are manifests
 * as someone might write them by hand; test/catalogue/rule-docs.test.ts runs
 * every one through the validate --manifests path.
 */
import type { RuleInfo } from '../../analysis/rule';

/** Where these rules are checked. */
export const CATALOGUE_RULES_CHECKED_AT = 'construction and plugin/config (synth, validate --manifests)';

/** A hand-written WasmPlugin manifest of `module` with this pluginConfig (YAML lines). */
function manifest(module: string, config: string): string {
  return [
    'apiVersion: extensions.istio.io/v1alpha1',
    'kind: WasmPlugin',
    'metadata:',
    '  name: example',
    '  namespace: shop',
    'spec:',
    `  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/${module}:1.12.0`,
    '  targetRefs:',
    '    - { group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }',
    '  pluginConfig:',
    ...config.split('\n').map((l) => `    ${l}`),
  ].join('\n');
}

const rl = (config: string) => manifest('local_rate_limit', config);
const opa = (config: string) => manifest('open_policy_agent', config);
const log = (config: string) => manifest('grpc_logging', config);
const OPA_OK = 'opa_service_host: opa.istio-system.svc.cluster.local\nopa_cluster_name: "outbound|8181||opa.istio-system.svc.cluster.local"';

export const LOCAL_RATE_LIMIT_RULES: readonly RuleInfo[] = [
  {
    id: 'local-rate-limit/config-type',
    severity: 'error',
    docs: {
      summary: 'The pluginConfig must be a JSON object; the module refuses anything else (and Envoy then answers 500 or keeps the old config).',
      bad: rl('- max_tokens: 20'),
      message: 'local-rate-limit pluginConfig: pluginConfig must be a JSON object; got an array',
      fix: 'Write the config as a map of keys to values.',
    },
  },
  {
    id: 'local-rate-limit/missing-field',
    severity: 'error',
    docs: {
      summary: 'max_tokens, tokens_per_refill and refill_interval_sec are all required; without any of them the module refuses its whole config.',
      bad: rl('max_tokens: 20\ntokens_per_refill: 10'),
      message: 'local-rate-limit pluginConfig refill_interval_sec: refill_interval_sec is required (seconds between refills): without it the module refuses its whole config, and Envoy then answers 500 or keeps the old config',
      fix: 'Set all three keys.',
    },
  },
  {
    id: 'local-rate-limit/not-uint64',
    severity: 'error',
    docs: {
      summary: 'The three values are uint64: a whole number or a decimal string. Other strings are refused; negative or fractional numbers are silently cast by the module (-1 becomes 2^64-1), so they are refused here.',
      bad: rl('max_tokens: -1\ntokens_per_refill: 10\nrefill_interval_sec: 1'),
      message: 'local-rate-limit pluginConfig max_tokens: max_tokens is -1: it must be a whole number >= 0 (the module casts other numbers to uint64, so it would not read -1)',
      fix: 'Write a whole number.',
    },
  },
  {
    id: 'local-rate-limit/no-tokens',
    severity: 'error',
    docs: {
      summary: 'tokens_per_refill 0: the bucket starts with tokens_per_refill tokens and never gains any, so every request gets 429.',
      bad: rl('max_tokens: 20\ntokens_per_refill: 0\nrefill_interval_sec: 1'),
      message: 'local-rate-limit pluginConfig tokens_per_refill: tokens_per_refill (tokensPerRefill) is 0: the bucket starts with tokens_per_refill tokens and gains that many per refill, so every request gets 429',
      fix: 'Set tokens_per_refill to at least 1.',
    },
  },
  {
    id: 'local-rate-limit/zero-max-tokens',
    severity: 'error',
    docs: {
      summary: 'max_tokens 0: refills are capped at 0, so after the first tokens_per_refill requests every request gets 429 forever.',
      bad: rl('max_tokens: 0\ntokens_per_refill: 10\nrefill_interval_sec: 1'),
      message: 'local-rate-limit pluginConfig max_tokens: max_tokens (maxTokens) is 0: refills are capped at 0, so after the first tokens_per_refill requests every request gets 429 forever',
      fix: 'Set max_tokens to at least tokens_per_refill.',
    },
  },
  {
    id: 'local-rate-limit/zero-interval',
    severity: 'error',
    docs: {
      summary: 'refill_interval_sec 0 turns the refill timer off: after the first tokens_per_refill requests every request gets 429 forever.',
      bad: rl('max_tokens: 20\ntokens_per_refill: 10\nrefill_interval_sec: 0'),
      message: 'local-rate-limit pluginConfig refill_interval_sec: refill_interval_sec (refillInterval) is 0: a tick period of 0 turns the refill timer off, so after the first tokens_per_refill requests every request gets 429 forever',
      fix: 'Use an interval of at least 1 second.',
    },
  },
  {
    id: 'local-rate-limit/interval-overflow',
    severity: 'error',
    docs: {
      summary: 'The module converts refill_interval_sec to nanoseconds in 64 bits; beyond 18446744073 seconds it wraps around to a much shorter interval.',
      bad: rl('max_tokens: 20\ntokens_per_refill: 10\nrefill_interval_sec: "20000000000"'),
      message: 'local-rate-limit pluginConfig refill_interval_sec: refill_interval_sec is more than 18446744073 seconds: the module converts it to nanoseconds in 64 bits, which wraps around to a much shorter interval',
      fix: 'Use a realistic interval (seconds to hours).',
    },
  },
  {
    id: 'local-rate-limit/refill-above-max',
    severity: 'warning',
    docs: {
      summary: 'tokens_per_refill above max_tokens: the bucket starts with tokens_per_refill tokens (the start is not capped), but every refill is capped at max_tokens.',
      bad: rl('max_tokens: 5\ntokens_per_refill: 10\nrefill_interval_sec: 1'),
      message: 'local-rate-limit pluginConfig: tokens_per_refill (10) is above max_tokens (5): the bucket starts with 10 tokens (the start is not capped), but every refill is capped at 5',
      fix: 'Make tokens_per_refill at most max_tokens.',
    },
  },
  {
    id: 'local-rate-limit/unknown-key',
    severity: 'warning',
    docs: {
      summary: 'A key the module does not read has no effect; it is almost always a typo.',
      bad: rl('max_tokens: 20\ntokens_per_refill: 10\nrefill_interval_sec: 1\nfill_interval_seconds: 10'),
      message: 'local-rate-limit pluginConfig: pluginConfig key "fill_interval_seconds" is not read by the module and has no effect',
      fix: 'Use only max_tokens, tokens_per_refill, refill_interval_sec.',
    },
  },
];

export const OPEN_POLICY_AGENT_RULES: readonly RuleInfo[] = [
  {
    id: 'open-policy-agent/config-type',
    severity: 'error',
    docs: {
      summary: 'The pluginConfig must be a JSON object; the module refuses anything else.',
      bad: opa('- opa_service_host: opa.istio-system.svc.cluster.local'),
      message: 'open-policy-agent pluginConfig: pluginConfig must be a JSON object; got an array',
      fix: 'Write the config as a map of keys to values.',
    },
  },
  {
    id: 'open-policy-agent/missing-field',
    severity: 'error',
    docs: {
      summary: 'opa_service_host and opa_cluster_name are required; without either the module refuses its whole config.',
      bad: opa('opa_service_host: opa.istio-system.svc.cluster.local'),
      message: 'open-policy-agent pluginConfig opa_cluster_name: opa_cluster_name is required (the Envoy cluster of the OPA server): without it the module refuses its whole config, and Envoy then answers 500 or keeps the old config',
      fix: 'Set opa_cluster_name (e.g. outbound|8181||opa.istio-system.svc.cluster.local).',
    },
  },
  {
    id: 'open-policy-agent/not-a-string',
    severity: 'error',
    docs: {
      summary: 'opa_service_host and opa_cluster_name must be strings.',
      bad: opa('opa_service_host: 8181\nopa_cluster_name: "outbound|8181||opa.istio-system.svc.cluster.local"'),
      message: 'open-policy-agent pluginConfig opa_service_host: opa_service_host must be a string; got number 8181: the module refuses its whole config',
      fix: 'Quote the value.',
    },
  },
  {
    id: 'open-policy-agent/empty-field',
    severity: 'error',
    docs: {
      summary: 'An empty host or cluster makes every check call fail to dispatch: every request gets 500 ("OPA policy check call failed").',
      bad: opa('opa_service_host: opa.istio-system.svc.cluster.local\nopa_cluster_name: ""'),
      message: 'open-policy-agent pluginConfig opa_cluster_name: opa_cluster_name is empty: every check call then fails to dispatch, and every request gets 500 ("OPA policy check call failed")',
      fix: 'Set it.',
    },
  },
  {
    id: 'open-policy-agent/readme-cache-key',
    severity: 'error',
    docs: {
      summary: "The module's README documents `cache_valid_for_sec`, but the code reads `check_result_cache_valid_sec`: with the README's key, decisions are never cached and OPA is called on every request.",
      bad: opa(`${OPA_OK}\ncache_valid_for_sec: 10`),
      message: `open-policy-agent pluginConfig cache_valid_for_sec: cache_valid_for_sec is the key the module's README documents, but the code reads check_result_cache_valid_sec and ignores this one: decisions would never be cached, and OPA would be called on every request`,
      fix: 'Rename cache_valid_for_sec to check_result_cache_valid_sec.',
    },
  },
  {
    id: 'open-policy-agent/not-uint64',
    severity: 'error',
    docs: {
      summary: 'check_result_cache_valid_sec is a uint64: a whole number of seconds (or a decimal string).',
      bad: opa(`${OPA_OK}\ncheck_result_cache_valid_sec: 2.5`),
      message: 'open-policy-agent pluginConfig check_result_cache_valid_sec: check_result_cache_valid_sec is 2.5: it must be a whole number >= 0 (the module casts other numbers to uint64, so it would not read 2.5)',
      fix: 'Write a whole number of seconds.',
    },
  },
  {
    id: 'open-policy-agent/host-with-port',
    severity: 'error',
    docs: {
      summary: 'OpenPolicyAgent derives the cluster name `outbound|<port>||<host>` from serviceHost; a host with a port would name a cluster that does not exist. Checked at construction only.',
      bad: `new OpenPolicyAgent(ns, 'opa', { targets: [waypoint], serviceHost: 'opa.istio-system.svc.cluster.local:8181' });`,
      message: `OpenPolicyAgent prop 'serviceHost': serviceHost "opa.istio-system.svc.cluster.local:8181" has a port, so the default cluster name would not exist`,
      fix: 'Pass the host without port and servicePort, or set clusterName.',
    },
  },
  {
    id: 'open-policy-agent/cluster-name',
    severity: 'warning',
    docs: {
      summary: 'An opa_cluster_name that starts like an Istio cluster name but is not `outbound|<port>|<subset>|<host>` names no cluster: every request would get 500.',
      bad: opa('opa_service_host: opa.istio-system.svc.cluster.local\nopa_cluster_name: "outbound|opa.istio-system.svc.cluster.local"'),
      message: 'open-policy-agent pluginConfig: opa_cluster_name "outbound|opa.istio-system.svc.cluster.local" looks like an Istio cluster name but is not "outbound|<port>|<subset>|<host>": no such cluster exists, so every request would get 500',
      fix: 'Write it as outbound|8181||opa.<namespace>.svc.cluster.local.',
    },
  },
  {
    id: 'open-policy-agent/host-mismatch',
    severity: 'warning',
    docs: {
      summary: 'opa_service_host (the :authority of check calls) is not the host of opa_cluster_name (where they go).',
      bad: opa('opa_service_host: opa.policy.svc.cluster.local\nopa_cluster_name: "outbound|8181||opa.istio-system.svc.cluster.local"'),
      message: 'open-policy-agent pluginConfig: opa_service_host "opa.policy.svc.cluster.local" is not the host of opa_cluster_name (opa.istio-system.svc.cluster.local): the check calls go to opa.istio-system.svc.cluster.local with another :authority',
      fix: 'Use the same host in both, or leave clusterName to its default.',
    },
  },
  {
    id: 'open-policy-agent/unknown-key',
    severity: 'warning',
    docs: {
      summary: 'A key the module does not read has no effect; it is almost always a typo.',
      bad: opa(`${OPA_OK}\ncheck_result_cache_valid_secs: 10`),
      message: 'open-policy-agent pluginConfig: pluginConfig key "check_result_cache_valid_secs" is not read by the module and has no effect (did you mean "check_result_cache_valid_sec"?)',
      fix: 'Use only opa_service_host, opa_cluster_name, check_result_cache_valid_sec.',
    },
  },
];

export const GRPC_ACCESS_LOGGING_RULES: readonly RuleInfo[] = [
  {
    id: 'grpc-logging/config-type',
    severity: 'error',
    docs: {
      summary: 'The pluginConfig must be a JSON object; the module refuses anything else.',
      bad: log('- logging_service: localhost:9000'),
      message: 'grpc-logging pluginConfig: pluginConfig must be a JSON object; got an array',
      fix: 'Write the config as a map of keys to values.',
    },
  },
  {
    id: 'grpc-logging/missing-field',
    severity: 'error',
    docs: {
      summary: 'logging_service is required and non-empty (protobuf JSON reads a missing or null field as ""); the module refuses its whole config without it.',
      bad: log('logging_service: ""'),
      message: 'grpc-logging pluginConfig logging_service: logging_service is empty: the module refuses its whole config',
      fix: 'Set it to the gRPC address of the LoggingService.',
    },
  },
  {
    id: 'grpc-logging/not-a-string',
    severity: 'error',
    docs: {
      summary: 'logging_service must be a string (a gRPC target URI).',
      bad: log('logging_service: 9000'),
      message: 'grpc-logging pluginConfig logging_service: logging_service must be a string; got number 9000: the module refuses its whole config',
      fix: 'Quote the value.',
    },
  },
  {
    id: 'grpc-logging/duplicate-key',
    severity: 'error',
    docs: {
      summary: 'protobuf JSON accepts the field as logging_service or loggingService; writing both is the same field twice.',
      bad: log('logging_service: a:9000\nloggingService: b:9000'),
      message: 'grpc-logging pluginConfig loggingService: logging_service and loggingService are the same protobuf field written twice',
      fix: 'Keep only logging_service.',
    },
  },
  {
    id: 'grpc-logging/resends-batches',
    severity: 'warning',
    docs: {
      summary: 'The published grpc_logging modules (up to 1.12.0) never remove a sent batch from their buffer: every 10 s they send again every batch since the proxy started. Fixed upstream after 1.12.0 (wasm-extensions #81), in no published tag.',
      bad: log('logging_service: localhost:9000'),
      message: 'grpc-logging pluginConfig: grpc_logging up to 1.12.0 never drops a batch it has sent: every 10 s it sends again every batch collected since the proxy started (duplicate log entries, memory that grows until the proxy restarts); fixed upstream after 1.12.0',
      fix: "Build the module from a later wasm-extensions commit and set url and sha256 to it, or use Istio's Telemetry API for access logs.",
    },
  },
  {
    id: 'grpc-logging/unknown-key',
    severity: 'warning',
    docs: {
      summary: 'The module parses its config with ignore_unknown_fields: any other key has no effect.',
      bad: log('logging_service: localhost:9000\nflush_interval: 5s'),
      message: 'grpc-logging pluginConfig: pluginConfig key "flush_interval" is not read by the module and has no effect',
      fix: 'Use only logging_service.',
    },
  },
];

/** definePlugin's own check of a definition. */
export const DEFINE_PLUGIN_RULES: readonly RuleInfo[] = [
  {
    id: 'plugin/definition',
    severity: 'error',
    docs: {
      summary: 'A definePlugin() definition is checked when it is made: kebab-case name (it prefixes rule ids), a url, a PluginPhase, a zod schema, a well-formed sha256 and simulation note.',
      bad: `definePlugin({ name: 'Header Stamp', url: 'oci://registry.example.com/wasm/stamp:1.0.0', defaultPhase: PluginPhase.STATS, configSchema: BasicAuth.definition.configSchema });`,
      message: `definePlugin('Header Stamp') name: name must be kebab-case (lower-case letters, digits and "-"): it prefixes rule ids and messages`,
      fix: 'Correct the definition passed to definePlugin(); see docs/library.md.',
    },
  },
];
