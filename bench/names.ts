/**
 * Names and constants of the bench mesh, kept apart from the constructs so
 * the baselines can use them without loading the library.
 */
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
