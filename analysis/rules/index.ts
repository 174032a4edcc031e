import type { Rule, RuleInfo } from '../rule';
import { BASIC_AUTH_RULES } from './basic-auth';
import { basicAuthConflictingPlugins } from './basic-auth-conflicting-plugins';
import { basicAuthPartialHosts } from './basic-auth-partial-hosts';
import { bindingMissingUseWaypoint } from './binding-missing-use-waypoint';
import { bindingNotAllowed } from './binding-not-allowed';
import { bindingNotEnrolled } from './binding-not-enrolled';
import { bindingTrafficType } from './binding-traffic-type';
import { bindingUnknownWaypoint } from './binding-unknown-waypoint';
import { bindingGatewayNotEnrolled } from './binding-gateway-not-enrolled';
import { bindingSimilarWaypoint } from './binding-similar-waypoint';
import { bindingSidecarInjection } from './binding-sidecar-injection';
import { CHECKED_AT_SYNTH } from './checked-at-synth';
import { CHECKED_ELSEWHERE } from './checked-elsewhere';
import { bindingLabelAsAnnotation } from './binding-label-as-annotation';
import { bindingLabelOnController } from './binding-label-on-controller';
import { namesLabelSyntax } from './names-label-syntax';
import { namesRfc1123 } from './names-rfc1123';
import { objectsDuplicate } from './objects-duplicate';
import { objectsOwnedAndReferenced } from './objects-owned-and-referenced';
import { pluginAmbiguousOrder } from './plugin-ambiguous-order';
import { pluginConfig } from './plugin-config';
import { pluginCrossNamespaceRef } from './plugin-cross-namespace-ref';
import { pluginDuplicateEnv } from './plugin-duplicate-env';
import { pluginEnvValueFromHost } from './plugin-env-value-from-host';
import { pluginFailOpenAuth } from './plugin-fail-open-auth';
import { pluginRootId } from './plugin-root-id';
import { pluginGatewayClassTarget } from './plugin-gateway-class-target';
import { pluginMatchOnWaypoint } from './plugin-match-on-waypoint';
import { pluginNetworkOnWaypoint } from './plugin-network-on-waypoint';
import { pluginNoTarget } from './plugin-no-target';
import { pluginSelectorAndTargets } from './plugin-selector-and-targets';
import { pluginSelectorOnly } from './plugin-selector-only';
import { pluginSha256Format } from './plugin-sha256-format';
import { pluginTargetKind } from './plugin-target-kind';
import { pluginTargetWithoutWaypoint } from './plugin-target-without-waypoint';
import { pluginTargetOtherController } from './plugin-target-other-controller';
import { pluginTooManyTargets } from './plugin-too-many-targets';
import { pluginUnresolvedTarget } from './plugin-unresolved-target';
import { pluginUnusedWaypoint } from './plugin-unused-waypoint';
import { pluginUrlScheme } from './plugin-url-scheme';
import { schemaGateway } from './schema-gateway';
import { schemaService } from './schema-service';
import { schemaWasmPlugin } from './schema-wasm-plugin';
import { waypointListener } from './waypoint-listener';
import { waypointReservedName } from './waypoint-reserved-name';
import { waypointUnknownTrafficType } from './waypoint-unknown-traffic-type';
import { waypointClassController } from './waypoint-class-controller';
import { digestMismatch, insecureUrl, pullSecret, unpinnedModule } from './supply-chain';

/** Every analysis rule, in documentation order. */
export const RULES: readonly Rule[] = [
  // Schema: what the API server and istiod's webhook refuse.
  schemaWasmPlugin,
  schemaGateway,
  schemaService,
  pluginSelectorAndTargets,
  pluginTooManyTargets,
  pluginCrossNamespaceRef,
  pluginTargetKind,
  pluginUrlScheme,
  pluginSha256Format,
  pluginEnvValueFromHost,
  pluginDuplicateEnv,
  waypointListener,
  // Names and objects.
  namesRfc1123,
  namesLabelSyntax,
  objectsDuplicate,
  objectsOwnedAndReferenced,
  waypointReservedName,
  waypointUnknownTrafficType,
  waypointClassController,
  // Plugin targets and how plugins attach to waypoints.
  pluginUnresolvedTarget,
  pluginGatewayClassTarget,
  pluginTargetWithoutWaypoint,
  pluginTargetOtherController,
  pluginUnusedWaypoint,
  pluginNoTarget,
  pluginSelectorOnly,
  pluginMatchOnWaypoint,
  pluginNetworkOnWaypoint,
  pluginFailOpenAuth,
  pluginRootId,
  pluginAmbiguousOrder,
  pluginConfig,
  basicAuthConflictingPlugins,
  basicAuthPartialHosts,
  // Waypoint bindings (istio.io/use-waypoint).
  bindingUnknownWaypoint,
  bindingGatewayNotEnrolled,
  bindingSimilarWaypoint,
  bindingTrafficType,
  bindingNotAllowed,
  bindingMissingUseWaypoint,
  bindingSidecarInjection,
  bindingNotEnrolled,
  bindingLabelAsAnnotation,
  bindingLabelOnController,
  unpinnedModule,
  digestMismatch,
  insecureUrl,
  pullSecret,
];

/**
 * Documented ids checked outside analyze() (construct props, loading, reading
 * manifests, a plugin module's own config rules): with RULES, every id a
 * finding can carry. docs/rules.md is generated from both (analysis/docs.ts).
 */
export const DOCUMENTED_ELSEWHERE: readonly (RuleInfo & { readonly checkedAt: string })[] = [...BASIC_AUTH_RULES, ...CHECKED_ELSEWHERE, ...CHECKED_AT_SYNTH];
