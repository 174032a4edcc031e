import type { IConstruct } from 'constructs';
import { declareConstructProps, inheritedProps } from './internal/validate';

/**
 * Have every prop of a team's subclass of a library construct checked, as
 * the library's own classes are: its parent's props plus `ownProps`, the
 * ones it takes itself. Any other key is then refused (`props/unknown`),
 * where by default a subclass is refused only keys that misspell one of its
 * parent's (its own props pass, and `owner` beside MeshNamespace's `owned`
 * would be taken for a typo until declared). Call it once, after the class.
 *
 * @example
 * class TicketedAuth extends BasicAuth { ... } // takes `ticket` besides BasicAuth's props
 * checkProps(TicketedAuth, ['ticket']);
 * class TeamNamespace extends MeshNamespace { ... } // takes `costCenter`
 * checkProps(TeamNamespace, ['costCenter']);
 */
export function checkProps(cls: new (...args: any[]) => IConstruct, ownProps: readonly string[] = []): void {
  const parent = inheritedProps(cls);
  if (!parent) {
    // A programming mistake in a library of constructs, found when it loads.
    throw new TypeError(`checkProps(${cls.name}): ${cls.name} extends no waypoint-policy construct (PolicyApp, Target, MeshNamespace, Waypoint, MeshService, ExternalService or a WasmPlugin), so there are no props to check it against`);
  }
  declareConstructProps(cls, [...parent, ...ownProps]);
}
