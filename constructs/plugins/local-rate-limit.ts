import type { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { z } from 'zod';
import { definePlugin, DefinedPluginProps, PluginConfigIssue } from '../define-plugin';
import { declareProps, PluginPhase, WasmPluginOptions } from '../wasm-plugin';
import { LOCAL_RATE_LIMIT_RULES } from './catalogue-rules';
import { checkObject, checkRequired, checkUint64, isDuration, issue, parseFriendlyProps, unknownKeys, wholeSeconds } from './wire';
import { refuseNonObjectProps } from '../internal/validate';

/** local_rate_limit from istio-ecosystem/wasm-extensions tag 1.12.0 (the tag the catalogue pins). */
export const LOCAL_RATE_LIMIT_URL = 'oci://ghcr.io/istio-ecosystem/wasm-extensions/local_rate_limit:1.12.0';

const NAME = 'local-rate-limit';
const KEYS = ['max_tokens', 'tokens_per_refill', 'refill_interval_sec'] as const;

/**
 * The module multiplies the interval by 10^9 in a uint64: beyond this many
 * seconds it wraps around to a short interval.
 */
export const MAX_REFILL_INTERVAL_SEC = 18446744073n;

/**
 * The pluginConfig exactly as the module reads it (`plugin.cc`
 * `parseConfiguration`): all three keys required, each a JSON number or a
 * decimal string (`JsonValueAs<uint64_t>`).
 */
export interface LocalRateLimitConfig extends Record<string, unknown> {
  /** Bucket capacity: refills stop here. */
  max_tokens: number | string;
  /** Tokens added at each refill, and the tokens the bucket starts with. */
  tokens_per_refill: number | string;
  /** Seconds between refills. */
  refill_interval_sec: number | string;
}

/** Schema of the wire config, with rule ids `local-rate-limit/...`. */
export const localRateLimitConfigSchema = z.unknown().superRefine((config, ctx) => {
  if (!checkObject(ctx, config, NAME)) return;
  const what: Record<(typeof KEYS)[number], string> = {
    max_tokens: 'the bucket capacity',
    tokens_per_refill: 'tokens added per refill',
    refill_interval_sec: 'seconds between refills',
  };
  const v: Partial<Record<(typeof KEYS)[number], bigint>> = {};
  for (const key of KEYS) {
    if (checkRequired(ctx, config, key, NAME, what[key])) v[key] = checkUint64(ctx, config[key], key, NAME);
  }
  // Values the module accepts but that can only ever answer 429.
  if (v.tokens_per_refill === 0n) {
    issue(ctx, ['tokens_per_refill'], `${NAME}/no-tokens`, 'tokens_per_refill (tokensPerRefill) is 0: the bucket starts with tokens_per_refill tokens and gains that many per refill, so every request gets 429', 'Set tokens_per_refill to at least 1.');
  }
  if (v.max_tokens === 0n) {
    issue(ctx, ['max_tokens'], `${NAME}/zero-max-tokens`, 'max_tokens (maxTokens) is 0: refills are capped at 0, so after the first tokens_per_refill requests every request gets 429 forever', 'Set max_tokens to at least tokens_per_refill.');
  }
  if (v.refill_interval_sec === 0n) {
    issue(ctx, ['refill_interval_sec'], `${NAME}/zero-interval`, 'refill_interval_sec (refillInterval) is 0: a tick period of 0 turns the refill timer off, so after the first tokens_per_refill requests every request gets 429 forever', 'Use an interval of at least 1 second.');
  }
  if (v.refill_interval_sec !== undefined && v.refill_interval_sec > MAX_REFILL_INTERVAL_SEC) {
    issue(ctx, ['refill_interval_sec'], `${NAME}/interval-overflow`, `refill_interval_sec is more than ${MAX_REFILL_INTERVAL_SEC} seconds: the module converts it to nanoseconds in 64 bits, which wraps around to a much shorter interval`, 'Use a realistic interval (seconds to hours).');
  }
}) as unknown as z.ZodType<LocalRateLimitConfig>;

/** Warnings: configs that load and work, but not as people expect. */
export function analyzeLocalRateLimitConfig(config: LocalRateLimitConfig): PluginConfigIssue[] {
  const issues = unknownKeys(config, KEYS, NAME);
  const max = BigInt(String(config.max_tokens).trim().replace(/^\+/, ''));
  const refill = BigInt(String(config.tokens_per_refill).trim().replace(/^\+/, ''));
  if (refill > max) {
    issues.push({
      rule: `${NAME}/refill-above-max`,
      severity: 'warning',
      message: `tokens_per_refill (${refill}) is above max_tokens (${max}): the bucket starts with ${refill} tokens (the start is not capped), but every refill is capped at ${max}`,
      fix: 'Make tokens_per_refill at most max_tokens.',
    });
  }
  return issues;
}

const LocalRateLimitModule = definePlugin<LocalRateLimitConfig>({
  name: NAME,
  url: LOCAL_RATE_LIMIT_URL,
  // Reject excess traffic before any auth work is done, as the upstream
  // EnvoyFilter does by inserting the filter first.
  defaultPhase: PluginPhase.AUTHN,
  // AUTHN only to run early: it answers 429 from its token bucket and never reads a credential.
  decidesAccess: false,
  configSchema: localRateLimitConfigSchema,
  analyze: analyzeLocalRateLimitConfig,
  rules: LOCAL_RATE_LIMIT_RULES,
  simulation: {
    supported: false,
    reason: 'not simulated per request: whether a request gets 429 depends on the token bucket (traffic so far, time since the last refill, number of proxy replicas)',
  },
});

export interface LocalRateLimitProps extends WasmPluginOptions {
  /** Bucket capacity: refills never take the bucket above this. */
  readonly maxTokens: number;
  /**
   * Tokens added at each refill. Also the number of tokens the bucket starts
   * with (not `maxTokens`): right after a proxy starts, only this many
   * requests pass until the first refill.
   */
  readonly tokensPerRefill: number;
  /** Time between refills, in whole seconds (`Duration.seconds(1)`, `Duration.minutes(1)`). */
  readonly refillInterval: Duration;
  /**
   * Override the module URL (e.g. a mirror of the same image).
   *
   * @default LOCAL_RATE_LIMIT_URL
   */
  readonly url?: string;
}

const propsSchema = z
  .object({
    maxTokens: z.number(),
    tokensPerRefill: z.number(),
    refillInterval: z.custom<Duration>(isDuration, { message: 'refillInterval must be a cdk8s Duration, e.g. Duration.seconds(1)' }),
  })
  .transform((p, ctx) => ({ ...p, refillSeconds: wholeSeconds(ctx, p.refillInterval, 'refillInterval', NAME) }));

/**
 * A token-bucket rate limit on a waypoint, an ingress Gateway or a Service,
 * compiled to the istio-ecosystem local_rate_limit module (phase AUTHN by
 * default). Every request takes one token; with none left the answer is 429
 * with body `rate_limited`. There are no path, host or client conditions, and
 * the bucket is per proxy replica.
 *
 * @example
 * new LocalRateLimit(ns, 'rate-limit', {
 *   targets: [waypoint],
 *   maxTokens: 20,
 *   tokensPerRefill: 10,
 *   refillInterval: Duration.seconds(1),
 * });
 */
export class LocalRateLimit extends LocalRateLimitModule {
  /**
   * The raw module construct: it takes the config as the module reads it
   * (wire field names), checked against the same schema. For configs this
   * class's typed props do not express.
   */
  public static readonly module = LocalRateLimitModule;

  constructor(scope: Construct, id: string, props: LocalRateLimitProps) {
    refuseNonObjectProps(scope, id, props, new.target);
    const p = parseFriendlyProps(scope, id, 'LocalRateLimit', propsSchema, props, new.target);
    const pluginProps: DefinedPluginProps<LocalRateLimitConfig> = {
      ...props,
      pluginConfig: {
        max_tokens: p.maxTokens,
        tokens_per_refill: p.tokensPerRefill,
        refill_interval_sec: p.refillSeconds ?? 0,
      },
    };
    super(scope, id, pluginProps);
  }
}

// The props of LocalRateLimit beyond WasmPlugin's own; any other key is refused.
declareProps(LocalRateLimit, ['maxTokens', 'tokensPerRefill', 'refillInterval']);
