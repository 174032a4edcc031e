/** The default authority of a simulated request is the Service's name in the cluster's DNS domain (PolicyApp clusterDomain). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileApp } from '../../compiler/synth';
import { readManifests } from '../../compiler/read-manifests';
import { BasicAuth, Credential, MeshNamespace, PolicyApp, Waypoint } from '../../constructs';
import { simulate } from '../../simulator/simulate';
import { expectRequest } from '../../simulator/testing';
import { manifestDir } from '../analysis/harness';
import { SHOP_MESH_YAML } from '../support/helpers';
import { modelOf, service } from './fixtures';

/** A shop whose waypoint asks for credentials on /admin, only for requests whose authority is one of `hosts`. */
function shop(props: { clusterDomain?: string }, hosts: string[]): PolicyApp {
  const app = new PolicyApp(props);
  const ns = new MeshNamespace(app, 'shop');
  const wp = new Waypoint(ns, 'waypoint');
  ns.useWaypoint(wp);
  new BasicAuth(ns, 'admin-auth', {
    targets: [wp],
    rules: [{ prefix: '/admin', methods: ['GET'], hosts, credentials: [Credential.insecureLiteral('shop:admin')] }],
    acknowledge: { unpinnedModule: 'test fixture', literalCredentials: 'test fixture' },
  });
  return app;
}

const requestLine = (r: { trace: readonly { step: string; detail: string }[] }) => r.trace.find((e) => e.step === 'request')!.detail;

test("a request without an authority is sent as <name>.<namespace>.svc.<clusterDomain>: a rule for the Service's name in the cluster's domain meets it", () => {
  const app = shop({ clusterDomain: 'corp.internal' }, ['cart.shop.svc.corp.internal']);
  const r = expectRequest(app, { to: 'shop/cart:8080', path: '/admin' }).toHaveStatus(401);
  assert.match(requestLine(r), /; authority "cart\.shop\.svc\.corp\.internal:8080" \(default\);/);
  // The same rule in a cluster.local cluster names no Service of it, and the request skips it.
  expectRequest(shop({}, ['cart.shop.svc.corp.internal']), { to: 'shop/cart:8080', path: '/admin' }).toHaveStatus(200);
  expectRequest(shop({ clusterDomain: 'corp.internal' }, ['cart.shop.svc.cluster.local']), { to: 'shop/cart:8080', path: '/admin' }).toHaveStatus(200);
});

test("through an ingress gateway, the default authority is the gateway's Service in the cluster's domain", () => {
  const model = compileApp(shop({ clusterDomain: 'corp.internal' }, ['*'])).collected.model;
  assert.equal(model.clusterDomain, 'corp.internal');
  const r = simulate(model, { to: 'shop/cart:8080', via: 'shop/edge', path: '/' });
  assert.match(requestLine(r), /; authority "edge-istio\.shop\.svc\.corp\.internal" \(default\);/);
});

test('a model read from manifests takes the domain from readManifests options; one without it (written by hand) uses cluster.local', () => {
  const dir = manifestDir({ 'all.yaml': SHOP_MESH_YAML });
  const custom = simulate(readManifests(dir, { clusterDomain: 'corp.internal' }).model, { to: 'shop/cart', path: '/' });
  assert.match(requestLine(custom), /; authority "cart\.shop\.svc\.corp\.internal:8080" \(default\);/);
  const plain = simulate(readManifests(dir).model, { to: 'shop/cart', path: '/' });
  assert.match(requestLine(plain), /; authority "cart\.shop\.svc\.cluster\.local:8080" \(default\);/);
  const byHand = simulate(modelOf([service('shop', 'cart', {}, [80])]), { to: 'shop/cart', path: '/' });
  assert.match(requestLine(byHand), /; authority "cart\.shop\.svc\.cluster\.local:80" \(default\);/);
});
