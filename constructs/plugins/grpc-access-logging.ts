import { Construct } from 'constructs';
import { z } from 'zod';
import { refuseNonObjectProps, ruleParams } from '../internal/validate';
import { definePlugin, DefinedPluginProps, PluginConfigIssue } from '../define-plugin';
import { declareProps, PluginPhase, WasmPluginOptions } from '../wasm-plugin';
import { GRPC_ACCESS_LOGGING_RULES } from './catalogue-rules';
import { checkObject, checkString, issue, parseFriendlyProps, unknownKeys } from './wire';
import { withoutDigest } from '../internal/module-url';

/** grpc_logging from istio-ecosystem/wasm-extensions tag 1.12.0. */
export const GRPC_ACCESS_LOGGING_URL = 'oci://ghcr.io/istio-ecosystem/wasm-extensions/grpc_logging:1.12.0';

const NAME = 'grpc-logging';
/**
 * The module parses its config with protobuf's JSON parser, which accepts a
 * field under its proto name and under its JSON (lowerCamel) name.
 */
const KEYS = ['logging_service', 'loggingService'] as const;

/** The pluginConfig as the module reads it (`config.proto` `PluginConfig`). */
export interface GrpcAccessLoggingConfig extends Record<string, unknown> {
  /** gRPC target URI of the `LoggingService` (`logging.telemetry.svc.cluster.local:8080`). */
  logging_service?: string;
  /** The same field under its protobuf JSON name. */
  loggingService?: string;
}

export const grpcAccessLoggingConfigSchema = z.unknown().superRefine((config, ctx) => {
  if (!checkObject(ctx, config, NAME)) return;
  const present = KEYS.filter((k) => config[k] !== undefined && config[k] !== null);
  if (present.length === 2) {
    issue(ctx, ['loggingService'], `${NAME}/duplicate-key`, 'logging_service and loggingService are the same protobuf field written twice', 'Keep only logging_service.');
    return;
  }
  if (present.length === 0) {
    // protobuf JSON reads a missing or null field as "", which the module refuses.
    issue(ctx, ['logging_service'], `${NAME}/missing-field`, 'logging_service is required (the gRPC address of the LoggingService): without it the module refuses its whole config, and Envoy then answers 500 or keeps the old config', 'Set logging_service.');
    return;
  }
  const key = present[0];
  const value = checkString(ctx, config[key], key, NAME);
  if (value === '') {
    issue(ctx, [key], `${NAME}/missing-field`, `${key} is empty: the module refuses its whole config`, 'Set it to the gRPC address of the LoggingService.');
  }
}) as unknown as z.ZodType<GrpcAccessLoggingConfig>;

/**
 * Whether the module at `url` is a build with the never-emptied batch
 * buffer: every tag up to 1.12 (the fix, wasm-extensions #81, came after
 * 1.12.0). A digest or an unknown url is assumed to be such a build, since
 * no later build is published.
 */
export function resendsBatches(url: string | undefined): boolean {
  const tag = url === undefined ? undefined : /:(\d+)\.(\d+)[^/@]*$/.exec(withoutDigest(url));
  if (!tag) return true;
  const [major, minor] = [Number(tag[1]), Number(tag[2])];
  return major < 1 || (major === 1 && minor <= 12);
}

export function analyzeGrpcAccessLoggingConfig(config: GrpcAccessLoggingConfig, context?: { readonly url?: string }): PluginConfigIssue[] {
  const issues = unknownKeys(config, KEYS, NAME);
  if (resendsBatches(context?.url)) {
    issues.push({
      rule: `${NAME}/resends-batches`,
      severity: 'warning',
      message: 'grpc_logging up to 1.12.0 never drops a batch it has sent: every 10 s it sends again every batch collected since the proxy started (duplicate log entries, memory that grows until the proxy restarts); fixed upstream after 1.12.0',
      fix: 'Build the module from a later wasm-extensions commit and set url and sha256 to it, or use Istio\'s Telemetry API for access logs.',
    });
  }
  return issues;
}

const GrpcAccessLoggingModule = definePlugin<GrpcAccessLoggingConfig>({
  name: NAME,
  url: GRPC_ACCESS_LOGGING_URL,
  // Telemetry: after authorization, so denied requests are logged with their
  // status too (onLog runs at the end of every stream whatever the phase).
  defaultPhase: PluginPhase.STATS,
  configSchema: grpcAccessLoggingConfigSchema,
  analyze: analyzeGrpcAccessLoggingConfig,
  rules: GRPC_ACCESS_LOGGING_RULES,
  simulation: {
    supported: true,
    passThrough: true,
    reason: 'telemetry only: it never changes a request or a response',
  },
});

export interface GrpcAccessLoggingProps extends WasmPluginOptions {
  /**
   * gRPC target URI of the service implementing
   * `istio_ecosystem.wasm_extensions.grpc_logging.LoggingService/WriteLog`,
   * e.g. `access-log.telemetry.svc.cluster.local:9000`.
   */
  readonly loggingService: string;

  /**
   * Override the module URL (e.g. a mirror of the same image).
   *
   * @default GRPC_ACCESS_LOGGING_URL
   */
  readonly url?: string;
}

const propsSchema = z.object({
  loggingService: z.string().refine((s) => s.length > 0, { message: 'loggingService is required: the module refuses an empty address', ...ruleParams(`${NAME}/missing-field`, 'Set loggingService to the gRPC address of the LoggingService.') }),
});

/**
 * Access logs sent in batches to a gRPC logging service, compiled to the
 * istio-ecosystem grpc_logging module (phase STATS by default). It never
 * changes a request or a response. Entries are buffered (in batches of up to
 * 500) and sent every 10 seconds, and when the plugin stops. The published
 * builds (up to 1.12.0) never empty that buffer: see docs/plugins.md.
 *
 * @example
 * new GrpcAccessLogging(ns, 'access-log', {
 *   targets: [waypoint],
 *   loggingService: 'access-log.telemetry.svc.cluster.local:9000',
 * });
 */
export class GrpcAccessLogging extends GrpcAccessLoggingModule {
  /**
   * The raw module construct: it takes the config as the module reads it
   * (wire field names), checked against the same schema. For configs this
   * class's typed props do not express.
   */
  public static readonly module = GrpcAccessLoggingModule;

  constructor(scope: Construct, id: string, props: GrpcAccessLoggingProps) {
    refuseNonObjectProps(scope, id, props, new.target);
    const p = parseFriendlyProps(scope, id, 'GrpcAccessLogging', propsSchema, props, new.target);
    const pluginProps: DefinedPluginProps<GrpcAccessLoggingConfig> = {
      ...props,
      pluginConfig: { logging_service: p.loggingService },
    };
    super(scope, id, pluginProps);
  }
}

// The props of GrpcAccessLogging beyond WasmPlugin's own; any other key is refused.
declareProps(GrpcAccessLogging, ['loggingService']);
