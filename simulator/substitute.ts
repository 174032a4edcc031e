/**
 * Flux `postBuild` substitution of `${NAME}` in a plugin config, for
 * simulations that are given the values (e.g. from CI secrets). Names
 * without a value stay as placeholders, which evaluators report as unknown.
 */
export function substitute(value: unknown, variables: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => (Object.prototype.hasOwnProperty.call(variables, name) ? variables[name] : whole));
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, variables));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, substitute(v, variables)]));
  }
  return value;
}
