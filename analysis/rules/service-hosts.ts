/**
 * The names a client may give a Service as `:authority`: Kubernetes DNS
 * resolves each of them, and the client, not the policy, picks one. Only
 * the cluster's own DNS domain resolves: under `corp.internal`,
 * `cart.shop.svc.cluster.local` names no Service.
 */

/**
 * The authorities (port removed) that reach Service `ns/name` in a cluster
 * whose DNS domain is `clusterDomain` (`clusterDomainOf(model)`), short to
 * fully qualified, then each with a trailing dot.
 */
export function namesOfService(namespace: string, name: string, clusterDomain: string): string[] {
  const names = [name, `${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.${clusterDomain}`];
  return [...names, ...names.map((n) => `${n}.`)];
}

/** The Service of a chain's scope `Service/ns/name`; undefined for any other scope. */
export function serviceOfScope(scope: string): { namespace: string; name: string } | undefined {
  const m = /^Service\/([^/]+)\/([^/]+)$/.exec(scope);
  return m ? { namespace: m[1], name: m[2] } : undefined;
}

/** `namesOfService` for a chain's scope `Service/ns/name`; undefined for any other scope. */
export function serviceNames(scope: string, clusterDomain: string): string[] | undefined {
  const s = serviceOfScope(scope);
  return s ? namesOfService(s.namespace, s.name, clusterDomain) : undefined;
}

/**
 * A test for host entries that name something outside the cluster (an
 * ingress hostname): anything with a dot that is not a `.svc` name, short
 * or under `clusterDomain`, with or without the trailing dot. Made once per
 * analysis run, so the suffixes are built once, not per host.
 */
export function outsideNameTest(clusterDomain: string): (host: string) => boolean {
  const qualified = `.svc.${clusterDomain}`;
  const qualifiedDot = `${qualified}.`;
  return (h) => h.includes('.') && !(h.endsWith('.svc') || h.endsWith('.svc.') || h.endsWith(qualified) || h.endsWith(qualifiedDot));
}
