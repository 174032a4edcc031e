import type { IConstruct } from 'constructs';
import type { ObjectRef } from '../../analysis/finding';

/**
 * Objects a policy references but does not emit (another team's Gateway or
 * Service). The compiler lists them so the analysis can resolve targetRefs
 * and waypoint labels against them.
 */
const references = new WeakMap<IConstruct, ReferencedObject>();

export interface ReferencedObject extends ObjectRef {
  /** Labels known for the referenced object (e.g. a waypoint's `istio.io/waypoint-for`). */
  readonly labels?: Readonly<Record<string, string>>;
  /** A waypoint's admission of other namespaces, as a listener `allowedRoutes`. */
  readonly allowedRoutes?: unknown;
  /** A referenced waypoint's GatewayClass, when it is not `istio-waypoint`. */
  readonly gatewayClassName?: string;
}

export function markReference(c: IConstruct, ref: ReferencedObject): void {
  references.set(c, ref);
}

export function referenceOf(c: IConstruct): ReferencedObject | undefined {
  return references.get(c);
}
