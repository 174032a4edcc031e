/**
 * The built-in plugin catalogue: every module of istio-ecosystem/wasm-extensions
 * at tag 1.12.0 that has a configuration, each built with definePlugin.
 * Importing this file registers them (in memory only) for `validate --manifests`.
 */
import type { RuleInfo } from '../../analysis/rule';
import type { PluginDefinition } from '../define-plugin';
import { CATALOGUE_RULES_CHECKED_AT, DEFINE_PLUGIN_RULES } from './catalogue-rules';
import { BasicAuth } from './basic-auth';
import { GrpcAccessLogging } from './grpc-access-logging';
import { LocalRateLimit } from './local-rate-limit';
import { OpenPolicyAgent } from './open-policy-agent';

/** The catalogue's definitions, in documentation order. */
export const CATALOGUE: readonly PluginDefinition<Record<string, unknown>>[] = [
  BasicAuth.definition,
  LocalRateLimit.definition,
  OpenPolicyAgent.definition,
  GrpcAccessLogging.definition,
] as unknown as readonly PluginDefinition<Record<string, unknown>>[];

/**
 * Every rule id the catalogue modules (other than basic-auth, documented with
 * the analysis) and definePlugin can report, for docs/rules.md.
 */
export const CATALOGUE_RULES: readonly (RuleInfo & { readonly checkedAt: string })[] = [
  ...DEFINE_PLUGIN_RULES.map((r) => ({ ...r, checkedAt: 'definePlugin()' })),
  ...CATALOGUE.flatMap((d) => d.rules ?? []).map((r) => ({ ...r, checkedAt: r.docs.bad.startsWith('new ') ? 'construction' : CATALOGUE_RULES_CHECKED_AT })),
];
