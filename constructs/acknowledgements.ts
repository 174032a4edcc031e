/** Rules a policy deliberately breaks, each with the reason (kept in git as an annotation). */
export interface Acknowledgements {
  /**
   * Allow FAIL_OPEN on an AUTHN or AUTHZ plugin: if the module cannot load, requests skip auth.
   *
   * @default - not acknowledged: FAIL_OPEN on an auth plugin is an error
   */
  readonly failOpen?: string;
  /**
   * Allow a module URL without `sha256` pinning (`:latest` or untagged).
   *
   * @default - not acknowledged
   */
  readonly unpinnedModule?: string;
  /**
   * Allow literal credentials written in policy source (demo values only).
   *
   * @default - not acknowledged
   */
  readonly literalCredentials?: string;
  /**
   * Allow several plugins in one phase with the same or no priority.
   *
   * @default - not acknowledged
   */
  readonly ambiguousOrder?: string;
}

/** Annotation prefix under which acknowledgements are written. */
const ACKNOWLEDGE_PREFIX = 'acknowledged.waypoint-policy.io/';

/** The rule each acknowledgement silences. */
export const ACKNOWLEDGED_RULES: Record<keyof Acknowledgements, string> = {
  failOpen: 'plugin/fail-open-auth',
  unpinnedModule: 'supply-chain/unpinned-module',
  literalCredentials: 'credentials/literal',
  ambiguousOrder: 'plugin/ambiguous-order',
};

/** The annotation key that acknowledges `rule`. */
export function acknowledgementKey(rule: string): string {
  return ACKNOWLEDGE_PREFIX + rule.replace(/\//g, '.');
}
