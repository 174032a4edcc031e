import type { ApiObject } from 'cdk8s';

/**
 * Whether this repo owns an emitted object. External objects are emitted as
 * label-only manifests that GitOps tools must never prune or overwrite.
 */
export type Ownership = 'owned' | 'external';

const ownership = new WeakMap<ApiObject, Ownership>();

export function markExternal(o: ApiObject): void {
  ownership.set(o, 'external');
}

export function ownershipOf(o: ApiObject): Ownership {
  return ownership.get(o) ?? 'owned';
}
