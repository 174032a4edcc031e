/**
 * Config keys whose values are credentials in any plugin config, whatever
 * the module: `diff` fingerprints them, and construct errors never echo
 * them, even for a `definePlugin` whose definition lists no `secretKeys`.
 */
export const SECRET_CONFIG_KEYS: readonly string[] = ['credentials', 'password', 'token', 'secret'];
