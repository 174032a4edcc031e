/**
 * The benchmark mesh, built only through the public constructs a user would
 * write: per namespace a MeshNamespace, a Waypoint, SERVICES_PER_NAMESPACE
 * external Services bound to it, and one BasicAuth plugin per Service.
 */
import { BasicAuth, Credential, MeshNamespace, MeshService, PolicyApp, Target, Waypoint } from '../constructs';
import { CREDENTIAL_ENV, CREDENTIAL_VALUE, MODULE_SHA256, namespaceName, PART_OF, pluginName, serviceName, SERVICES_PER_NAMESPACE, TARGET } from './names';

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
