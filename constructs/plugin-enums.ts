/** Where in the proxy's filter chain the plugin runs (`spec.phase`). */
export enum PluginPhase {
  /** Before Istio authentication. */
  AUTHN = 'AUTHN',
  /** After authentication, before Istio authorization (RBAC). */
  AUTHZ = 'AUTHZ',
  /** After authorization, before the stats filter. */
  STATS = 'STATS',
  /** At the end of the chain, just before the router. */
  UNSPECIFIED = 'UNSPECIFIED_PHASE',
}

/** What happens when the module cannot be fetched or crashes (`spec.failStrategy`). */
export enum FailStrategy {
  /**
   * Istio's default. A module that cannot be fetched: before 1.25 the config
   * is NACKed (new listeners never get ready); from 1.25 every request on the
   * listener gets 403. A module that crashes at run time answers 503.
   */
  FAIL_CLOSE = 'FAIL_CLOSE',
  /** The plugin is skipped and requests pass. Never right for an auth plugin. */
  FAIL_OPEN = 'FAIL_OPEN',
  /** A new VM is created after a runtime error; other failures fail closed (Istio >= 1.27). */
  FAIL_RELOAD = 'FAIL_RELOAD',
}

/** The filter chain the plugin joins (`spec.type`). */
export enum PluginType {
  HTTP = 'HTTP',
  /** TCP chains only: never applies to HTTP traffic on a waypoint. */
  NETWORK = 'NETWORK',
  UNSPECIFIED = 'UNSPECIFIED_PLUGIN_TYPE',
}

/** When the module is pulled again (`spec.imagePullPolicy`). */
export enum PullPolicy {
  IF_NOT_PRESENT = 'IfNotPresent',
  ALWAYS = 'Always',
  UNSPECIFIED = 'UNSPECIFIED_POLICY',
}

/** Traffic direction (`spec.match[].mode`). */
export enum WorkloadMode {
  UNDEFINED = 'UNDEFINED',
  CLIENT = 'CLIENT',
  SERVER = 'SERVER',
  CLIENT_AND_SERVER = 'CLIENT_AND_SERVER',
}

/** Where an env var's value comes from (`spec.vmConfig.env[].valueFrom`). */
export enum EnvValueSource {
  INLINE = 'INLINE',
  /** The proxy's own environment variable of the same name. */
  HOST = 'HOST',
}
