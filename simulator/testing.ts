/**
 * The `waypoint-policy/testing` entry point: assertions for users' own test
 * runners (node:test, vitest, jest). They throw node's AssertionError, which
 * every runner reports, with the explanation (credentials redacted) in the
 * message.
 *
 * @example
 * import app from './main';
 * expectRequest(app, { to: 'default/productpage:9080', path: '/productpage' }).toHaveStatus(401);
 */
export { expectRequest, expectRequests, RequestExpectation, modelOf, type RequestSource, type RequestCase } from './expectations';
// The types these functions take and return, so this entry is enough to
// write a test (their home, with the rest of the simulator, is
// waypoint-policy/simulator).
export type { MeshModel } from '../compiler/model';
export type { SimRequest } from './request';
export type { SimulateOptions } from './simulate';
export type { SimulationResult } from './trace';
