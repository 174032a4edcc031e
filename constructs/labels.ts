/** The Istio ambient labels this library writes. */
export const LABELS = {
  dataplaneMode: 'istio.io/dataplane-mode',
  useWaypoint: 'istio.io/use-waypoint',
  useWaypointNamespace: 'istio.io/use-waypoint-namespace',
  ingressUseWaypoint: 'istio.io/ingress-use-waypoint',
  waypointFor: 'istio.io/waypoint-for',
  rev: 'istio.io/rev',
} as const;

/** Opt a Service or Namespace out of any waypoint (`istio.io/use-waypoint: none`). */
export const NO_WAYPOINT = 'none' as const;

/** The label the API server gives every Namespace, its name as value (AllowedNamespaces.named() selects on it). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
