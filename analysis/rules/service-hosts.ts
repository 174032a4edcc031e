/**
 * The names a client may give a Service as `:authority`: Kubernetes DNS
 * resolves each of them, and the client, not the policy, picks one.
 */

/** The authorities (port removed) that reach Service `ns/name`, short to fully qualified, then each with a trailing dot. */
export function namesOfService(namespace: string, name: string): string[] {
  const names = [name, `${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`];
  return [...names, ...names.map((n) => `${n}.`)];
}

/** The Service of a chain's scope `Service/ns/name`; undefined for any other scope. */
export function serviceOfScope(scope: string): { namespace: string; name: string } | undefined {
  const m = /^Service\/([^/]+)\/([^/]+)$/.exec(scope);
  return m ? { namespace: m[1], name: m[2] } : undefined;
}

/** `namesOfService` for a chain's scope `Service/ns/name`; undefined for any other scope. */
export function serviceNames(scope: string): string[] | undefined {
  const s = serviceOfScope(scope);
  return s ? namesOfService(s.namespace, s.name) : undefined;
}
