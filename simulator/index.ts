export { simulate, type SimulateOptions } from './simulate';
export { type SimRequest, type HttpRequest, SimulationError, isSimulationError } from './request';
export type { SimulationResult, SimulatedResponse, TraceEntry, TraceStep, Hop, PluginOutcome } from './trace';
export type { PluginEvaluator, PluginDecision, PluginInput } from './plugin-evaluator';
export { registerPluginEvaluator, pluginEvaluatorFor, registeredPluginEvaluators } from './evaluators';
export { basicAuthEvaluator } from './basic-auth';
export { formatResult, formatStatus, toJsonResult } from './format';
export { fingerprint, redactHeaderValue } from './redact';
// The whole test API of waypoint-policy/testing, so this entry is enough on its own.
export { expectRequest, expectRequests, RequestExpectation, modelOf, type RequestSource, type RequestCase } from './expectations';
export { readManifests, type ReadManifests, type ReadManifestsOptions } from '../compiler/read-manifests';
export type { MeshModel, ModelObject, ModelReference, KubeObject } from '../compiler/model';
