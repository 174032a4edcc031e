import type { IConstruct } from 'constructs';
import { declareConstructProps, declaresProps, inheritedProps } from './internal/validate';

// The classes checkProps declared, which it may declare again: any other
// class that declared its props is one of the library's own.
const checked = new WeakSet<Function>();

/**
 * Have every prop of a team's subclass of a library construct checked, as
 * the library's own classes are: its parent's props plus `ownProps`, the
 * ones it takes itself. Any other key is then refused (`props/unknown`),
 * where by default a subclass is refused only keys that misspell one of its
 * parent's (its own props pass, and `owner` beside MeshNamespace's `owned`
 * would be taken for a typo until declared). Call it once, after the class;
 * it throws a TypeError for a library construct itself.
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
  if (declaresProps(cls) && !checked.has(cls)) {
    // Its own props would be replaced by its parent's: BasicAuth would refuse its rules.
    throw new TypeError(`checkProps(${cls.name}): ${cls.name} is a waypoint-policy construct, whose props are checked already; call checkProps on your subclass of it`);
  }
  checked.add(cls);
  declareConstructProps(cls, [...parent, ...ownProps]);
}
