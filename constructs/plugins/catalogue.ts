/**
 * The built-in plugin catalogue: every module of istio-ecosystem/wasm-extensions
 * at tag 1.12.0 that has a configuration, each built with definePlugin.
 * Importing this file registers them (in memory only) for `validate --manifests`.
 */
import type { PluginDefinition } from '../define-plugin';
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
