/**
 * The `waypoint-policy` package: the constructs, the plugin catalogue and
 * patterns, `definePlugin` for your own plugins, and the compiler entry
 * points.
 *
 * Importing this module has no side effects beyond defining classes and
 * registering the catalogue's plugin definitions in memory: it never
 * synthesizes, reads the environment or touches the disk. Those happen only
 * when you construct a PolicyApp, resolve a Credential, or call a compiler
 * function.
 */
// The public surface, by name: a helper exported by a module for the
// library's own use is not published by accident. docs/api.md documents each
// name; test/docs/api-surface.test.ts checks the list is closed (every type a
// signature uses is exported) and keeps the library's internals out of it.
// Everything comes through './constructs' so the modules load in one order.

// App and targets
export { PolicyApp, Target, DEFAULT_TARGET, GitOpsTool } from './constructs';
export type { PolicyAppProps, TargetProps } from './constructs';

// Namespaces, services and waypoints
export {
  MeshNamespace,
  DataplaneMode,
  MeshService,
  ExternalService,
  Waypoint,
  WaypointFor,
  AllowedNamespaces,
  isWaypoint,
  GatewayReference,
  ServiceEntryReference,
  ALL_WAYPOINTS,
  LABELS,
  NO_WAYPOINT,
} from './constructs';
export type {
  MeshNamespaceProps,
  IMeshService,
  MeshServiceProps,
  MeshServicePort,
  ServiceWaypointOptions,
  ExternalServiceProps,
  IWaypoint,
  WaypointProps,
  ReferenceProps,
  ITargetable,
  TargetRef,
} from './constructs';

// WasmPlugin
export { WasmPlugin, PluginPhase, FailStrategy, PluginType, PullPolicy, WorkloadMode, EnvValueSource } from './constructs';
export type { WasmPluginProps, WasmPluginOptions, PluginEnvVar, TrafficSelector, Acknowledgements } from './constructs';

// The plugin catalogue
export { BasicAuth, BASIC_AUTH_URL, isBasicAuth } from './constructs';
export type { BasicAuthProps, BasicAuthRule, BasicAuthConfig } from './constructs';
export { LocalRateLimit, LOCAL_RATE_LIMIT_URL } from './constructs';
export type { LocalRateLimitProps, LocalRateLimitConfig } from './constructs';
export { OpenPolicyAgent, OPEN_POLICY_AGENT_URL, OPA_DEFAULT_PORT } from './constructs';
export type { OpenPolicyAgentProps, OpenPolicyAgentConfig } from './constructs';
export { GrpcAccessLogging, GRPC_ACCESS_LOGGING_URL } from './constructs';
export type { GrpcAccessLoggingProps, GrpcAccessLoggingConfig } from './constructs';
export { CATALOGUE } from './constructs';

// Your own plugins
export { checkProps, definePlugin, moduleId, pluginDefinitionFor, registeredPlugins } from './constructs';
export type {
  PluginDefinition,
  DefinedPluginClass,
  DefinedPluginProps,
  PluginConfigIssue,
  PluginAnalysisContext,
  PluginSimulationNote,
} from './constructs';
export type { RuleInfo, RuleDocs } from './analysis/rule';

// Patterns
export { protectPaths, ProtectedService, ALL_HTTP_METHODS, MeshBaseline, stampAcrossNamespaces, serviceWaypoint } from './constructs';
export type {
  ProtectPathsOptions,
  ProtectedServiceProps,
  ProtectedPath,
  MeshBaselineProps,
  MeshPluginBuilder,
  StampOptions,
  ServiceWaypointBinding,
} from './constructs';

// Credentials
export { Credential, isCredential } from './constructs';

// GitOps and delivery
export { ArgoCdGenerator, ReleasedLabels, ReleasedKind } from './constructs';
export type {
  DeliveryProps,
  ArgoCdDeliveryProps,
  ArgoCdDestination,
  FluxDeliveryProps,
  FluxSubstituteFrom,
  DeliveryConfig,
  ReleasedLabelsProps,
} from './constructs';

// Findings
export { PolicyError, isPolicyError } from './constructs';

export { compileApp, synthToDirectory } from './compiler/synth';
export type { CompileOptions, CompileResult, SynthOptions, SynthResult, Timings } from './compiler/synth';
export type { Collected } from './compiler/collect';
export type { WriteResult } from './compiler/write';
export type { FileTree } from './compiler/layout';
export type { Finding, ObjectRef, Severity } from './analysis/finding';
export { formatFinding, formatFindings, sortFindings } from './analysis/finding';
export { checkManifests, type CheckManifestsOptions, type ManifestCheck } from './analysis/check-manifests';
// Also exported by waypoint-policy/simulator, with readManifests.
export type { ReadManifestsOptions } from './compiler/read-manifests';

// The same zod, cdk8s Duration and JsonPatch, and Construct the library uses,
// so a package defining plugins or patching manifests needs no direct
// dependency on them (and cannot end up with a second copy whose schemas,
// durations or scopes the library does not recognise).
export { z } from 'zod';
export { Duration, JsonPatch } from 'cdk8s';
export { Construct } from 'constructs';
export type { IConstruct } from 'constructs';
