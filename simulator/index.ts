export { simulate, type SimulateOptions } from './simulate';
export { type SimRequest, type HttpRequest, SimulationError, isSimulationError } from './request';
export type { SimulationResult, SimulatedResponse, TraceEntry, TraceStep, Hop, PluginOutcome } from './trace';
export type { PluginEvaluator, PluginDecision, PluginInput } from './plugin-evaluator';
export { registerPluginEvaluator, pluginEvaluatorFor, registeredPluginEvaluators } from './evaluators';
export { basicAuthEvaluator } from './basic-auth';
export { formatResult, formatStatus, toJsonResult } from './format';
export { fingerprint, redactHeaderValue } from './redact';
export { expectRequest, expectRequests, type RequestSource, type RequestCase } from './testing';
