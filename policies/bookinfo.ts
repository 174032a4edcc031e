/**
 * The setup of Istio's guide "Extend waypoints with WebAssembly plugins"
 * (istio.io/latest/docs/ambient/usage/extend-waypoint-wasm/), as policy.
 * Each block names the guide step it replaces.
 */
import type { Construct } from 'constructs';
import {
  BasicAuth,
  Credential,
  GatewayReference,
  MeshNamespace,
  MeshService,
  Waypoint,
  WaypointFor,
} from '../constructs';

// DEMO VALUES from the Istio guide. Real policies read credentials with
// Credential.fromEnv() or Credential.fromFile(): see docs/security.md.
const DEMO_USER = Credential.insecureLiteral('ok:test');
const DEMO_ADMIN3 = Credential.insecureLiteral('YWRtaW4zOmFkbWluMw=='); // base64 of admin3:admin3
const DEMO_REVIEWS = Credential.insecureLiteral('MXQtaW4zOmFkbWluMw=='); // as printed in the guide
const DEMO = {
  literalCredentials: 'demo credentials printed in the Istio guide',
  unpinnedModule: 'the guide pins basic_auth by its 1.12.0 tag; add sha256 once the digest is verified',
};

export function bookinfo(scope: Construct): void {
  // The bookinfo app runs in `default`, in ambient mode (the guide's prerequisite).
  const ns = new MeshNamespace(scope, 'default');

  // "Apply Wasm configuration at the Gateway": bookinfo-gateway (class istio)
  // belongs to the app team; we only attach a plugin to it.
  const ingress = GatewayReference.fromGatewayName(ns, 'bookinfo-gateway', 'bookinfo-gateway');
  new BasicAuth(ns, 'basic-auth-at-gateway', {
    targets: [ingress],
    rules: [{ prefix: '/productpage', methods: ['GET', 'POST'], credentials: [DEMO_USER, DEMO_ADMIN3] }],
    acknowledge: DEMO,
  });

  // "Deploy a waypoint proxy": istioctl waypoint apply --enroll-namespace.
  const waypoint = new Waypoint(ns, 'waypoint', { waypointFor: WaypointFor.SERVICE });
  ns.useWaypoint(waypoint);

  // "Apply WasmPlugin at waypoint proxy".
  new BasicAuth(ns, 'basic-auth-at-waypoint', {
    targets: [waypoint],
    rules: [{ prefix: '/productpage', methods: ['GET', 'POST'], credentials: [DEMO_USER, DEMO_ADMIN3] }],
    acknowledge: DEMO,
  });

  // "Apply WasmPlugin for a specific Service using Waypoint": a waypoint for
  // reviews only, and the label on the app team's reviews Service.
  const reviewsWaypoint = new Waypoint(ns, 'reviews-svc-waypoint');
  MeshService.fromServiceName(ns, 'reviews', 'reviews', { useWaypoint: reviewsWaypoint });
  new BasicAuth(ns, 'basic-auth-for-service', {
    targets: [reviewsWaypoint],
    rules: [{ prefix: '/reviews', methods: ['GET', 'POST'], credentials: [DEMO_USER, DEMO_REVIEWS] }],
    acknowledge: DEMO,
  });
}
