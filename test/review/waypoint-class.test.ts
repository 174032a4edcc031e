/**
 * istiod binds istio.io/use-waypoint to a Gateway of any class, and only an
 * Istio waypoint proxy attaches Service-targeted plugins: moving a Service
 * off an Istio waypoint onto another kind of proxy can drop its auth, and the
 * review must count that as widened access.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { effectChanges } from '../../review/effects';
import type { KubeObject } from '../../compiler/model';
import { basicAuthConfig, ingressGateway, modelOf, namespace, plugin, service, waypoint } from '../simulator/fixtures';

const gatewayClass = (name: string, controllerName: string): KubeObject => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name }, spec: { controllerName } });
const svcAuth = plugin('shop', 'auth', { targetRefs: [{ kind: 'Service', name: 'cart' }], phase: 'AUTHN', pluginConfig: basicAuthConfig('/admin', ['ok:test']) });
const mesh = (waypointName: string, ...gateways: KubeObject[]) =>
  modelOf([namespace('shop'), service('shop', 'cart', { 'istio.io/use-waypoint': waypointName }, [80]), waypoint('shop', 'waypoint'), ...gateways, svcAuth]);

function widened(head: ReturnType<typeof mesh>): string[] {
  return effectChanges(mesh('waypoint'), head)
    .access.filter((a) => a.widened && a.path === '/admin' && a.method === 'GET' && a.credential === 'none')
    .map((a) => `${a.to} ${a.before}->${a.after}${a.afterIfPassed !== undefined ? ` (if passed ${a.afterIfPassed})` : ''}`);
}

test('moving a Service with Service-targeted auth onto another controller\'s proxy (kgateway) is widened access: the auth no longer attaches, whatever that proxy does', () => {
  const head = mesh('edge', waypoint('shop', 'edge', { className: 'kgateway-waypoint' }), gatewayClass('kgateway-waypoint', 'kgateway.dev/kgateway'));
  assert.deepEqual(widened(head), ['shop/cart 401->null (if passed 200)']);
});

test('moving it onto a Gateway of a class neither builtin nor in the manifests is widened access too', () => {
  assert.deepEqual(widened(mesh('edge', waypoint('shop', 'edge', { className: 'mystery' }))), ['shop/cart 401->null (if passed 200)']);
});

test('moving it onto a class istio Gateway (gateway sandwich) is widened: the Service-targeted plugin never attaches on a router', () => {
  assert.deepEqual(widened(mesh('edge', ingressGateway('shop', 'edge'))), ['shop/cart 401->200']);
});

test('moving it onto another mesh-controller class is not widened: Service-targeted plugins run on every waypoint proxy', () => {
  assert.deepEqual(widened(mesh('edge', waypoint('shop', 'edge', { className: 'team-waypoint' }), gatewayClass('team-waypoint', 'istio.io/mesh-controller'))), []);
});
