/**
 * The benchmark mesh, built only through the public constructs a user would
 * write: per namespace a MeshNamespace, a Waypoint, SERVICES external Services
 * bound to it, and one BasicAuth plugin per Service.
 */
import { BasicAuth, Credential, MeshNamespace, MeshService, PolicyApp, Target, Waypoint } from '../constructs';

export const SERVICES_PER_NAMESPACE = 10;
/** The bench sets this variable itself (child processes inherit it). */
export const CREDENTIAL_ENV = 'WP_BENCH_CREDENTIAL';
export const CREDENTIAL_VALUE = 'bench:bench-password';
export const TARGET = 'bench';
export const PART_OF = 'bench-mesh';
/** A pinned module digest, as a real policy would carry (any 64 hex characters). */
export const MODULE_SHA256 = 'b'.repeat(64);

export const namespaceName = (i: number): string => `ns-${String(i).padStart(5, '0')}`;
export const serviceName = (j: number): string => `svc-${String(j).padStart(2, '0')}`;
export const pluginName = (j: number): string => `auth-${serviceName(j)}`;

/** Objects each namespace emits: Namespace, Gateway, the Services and their plugins. */
export const OBJECTS_PER_NAMESPACE = 2 + 2 * SERVICES_PER_NAMESPACE;

export function buildMesh(namespaces: number): PolicyApp {
  process.env[CREDENTIAL_ENV] ??= CREDENTIAL_VALUE;
  const app = new PolicyApp({ partOf: PART_OF });
  const target = new Target(app, TARGET);
  const credential = Credential.fromEnv(CREDENTIAL_ENV);
  for (let i = 0; i < namespaces; i++) {
    const ns = new MeshNamespace(target, namespaceName(i));
    const waypoint = new Waypoint(ns, 'waypoint');
    for (let j = 0; j < SERVICES_PER_NAMESPACE; j++) {
      const svc = MeshService.fromServiceName(ns, serviceName(j), serviceName(j), { useWaypoint: waypoint });
      new BasicAuth(ns, pluginName(j), {
        targets: [svc],
        sha256: MODULE_SHA256,
        rules: [{ prefix: '/', methods: ['GET', 'POST'], credentials: [credential] }],
      });
    }
  }
  return app;
}
