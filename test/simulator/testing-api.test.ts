/** The test API users call from their own runners: expectRequest and expectRequests. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionError } from 'node:assert';
import { main } from '../../cli/main';
import { compileApp } from '../../compiler/synth';
import { BasicAuth, Credential, MeshNamespace, PolicyApp, Target, Waypoint } from '../../constructs';
import { expectRequest, expectRequests } from '../../simulator/testing';
import { captureIo, tempDir } from '../support/helpers';
import { b64, basicAuthConfig, modelOf, namespace, plugin, service, toGateway, waypoint } from './fixtures';

const PINNED = { unpinnedModule: 'test fixture' };

/** A shop whose /admin needs credentials; `credential` is what the policy configures. */
function shop(credential: Credential): PolicyApp {
  const app = new PolicyApp();
  const ns = new MeshNamespace(new Target(app, 'dev'), 'shop');
  const wp = new Waypoint(ns, 'waypoint');
  ns.useWaypoint(wp);
  new BasicAuth(ns, 'admin-auth', {
    targets: [wp],
    realm: 'shop',
    rules: [{ prefix: '/admin', methods: ['GET', 'POST'], credentials: [credential] }],
    acknowledge: { ...PINNED, literalCredentials: 'test fixture' },
  });
  return app;
}

const ADMIN = `Basic ${b64('shop:admin')}`;

describe('expectRequest', () => {
  const app = shop(Credential.insecureLiteral('shop:admin'));

  test('accepts a PolicyApp, compiling it in memory', () => {
    expectRequest(app, { to: 'shop/cart:8080', path: '/admin' }).toHaveStatus(401).trace;
    expectRequest(app, { to: 'shop/cart:8080', path: '/admin', headers: { Authorization: ADMIN } }).toHaveStatus(200);
    expectRequest(app, { to: 'shop/cart:8080', path: '/admin' }).toHaveHeader('WWW-Authenticate', 'Basic realm=shop');
  });

  test('accepts a directory of manifests and a model', async () => {
    const dir = tempDir('wp-testing-');
    const io = captureIo();
    assert.equal(await main(['synth', '--outdir', dir], io), 0, io.text());
    expectRequest(dir, { to: 'default/reviews:9080', path: '/reviews/1' }).toHaveStatus(401);
    expectRequest(compileApp(app).collected.model, { to: 'shop/cart:8080', path: '/public' }).toHaveStatus(200);
  });

  test('a mismatch throws an AssertionError carrying the redacted explanation', () => {
    const request = { to: 'shop/cart:8080', path: '/admin', headers: { Authorization: ADMIN } };
    assert.throws(
      () => expectRequest(app, request).toHaveStatus(401),
      (e: unknown) => {
        assert.ok(e instanceof AssertionError);
        assert.match(e.message, /GET \/admin -> shop\/cart:8080: expected status 401, got 200 OK/);
        assert.match(e.message, /explanation:\n.*request: GET \/admin/);
        assert.match(e.message, /authorization: Basic <redacted, 16 chars, sha256:[0-9a-f]{8}>/);
        assert.equal(e.message.includes(b64('shop:admin')), false);
        assert.equal(e.message.includes('shop:admin'), false);
        return true;
      },
    );
  });

  test('a header mismatch names both values', () => {
    assert.throws(() => expectRequest(app, { to: 'shop/cart:8080', path: '/admin' }).toHaveHeader('www-authenticate', 'Basic realm=istio'), /expected response header www-authenticate: Basic realm=istio, got Basic realm=shop/);
  });

  test('a credential put where a header name belongs is refused by fingerprint, never echoed (a pseudo-header is still named)', () => {
    for (const headers of [{ [ADMIN]: 'x' }, [[b64('shop:admin'), 'Authorization']]] as const) {
      assert.throws(
        () => expectRequest(app, { to: 'shop/cart:8080', path: '/admin', headers } as never).toHaveStatus(401),
        (e: unknown) => {
          const shown = `${(e as Error).message}\n${(e as Error).stack}\n${JSON.stringify(e)}`;
          assert.match((e as Error).message, /header name <redacted, \d+ chars, sha256:[0-9a-f]{8}> \(not shown: it may be a credential\) is not a valid HTTP header name/);
          assert.ok(!shown.includes(b64('shop:admin')) && !shown.includes('shop:admin'), shown);
          return true;
        },
      );
    }
    assert.throws(() => expectRequest(app, { to: 'shop/cart:8080', headers: { ':authority': 'x' } }).toHaveStatus(401), /header name ":authority" is not a valid HTTP header name/);
  });

  test('an app with errors throws its findings instead of simulating', () => {
    const broken = new PolicyApp();
    const ns = new MeshNamespace(new Target(broken, 'dev'), 'shop');
    // A waypoint label naming a waypoint in another namespace that does not admit it is an analysis error.
    ns.useWaypoint(Waypoint.fromWaypointName(ns, 'shared', { name: 'shared', namespace: 'infra' }));
    assert.throws(() => expectRequest(broken, { to: 'shop/cart' }), { name: 'PolicyError', message: /binding\/not-allowed/ });
  });
});

describe('expectRequests (table form)', () => {
  const app = shop(Credential.insecureLiteral('shop:admin'));

  test('passes when every row gets its status and headers', () => {
    const results = expectRequests(app, [
      { to: 'shop/cart:8080', path: '/admin', status: 401, responseHeaders: { 'www-authenticate': 'Basic realm=shop' } },
      { to: 'shop/cart:8080', path: '/admin', headers: { Authorization: ADMIN }, status: 200 },
      { to: 'shop/cart:8080', method: 'DELETE', path: '/admin', status: 200, name: 'DELETE is not protected' },
    ]);
    assert.deepEqual(results.map((r) => r.status), [401, 200, 200]);
  });

  test('one AssertionError lists every failing row with its explanation', () => {
    assert.throws(
      () =>
        expectRequests(app, [
          { to: 'shop/cart:8080', path: '/admin', status: 200, name: 'wrongly expected open' },
          { to: 'shop/cart:8080', path: '/public', status: 200 },
          { to: 'shop/cart:8080', path: '/admin', status: 401, responseHeaders: { 'www-authenticate': 'Basic realm=istio' } },
        ]),
      (e: unknown) => {
        assert.ok(e instanceof AssertionError);
        assert.match(e.message, /^2 of 3 request\(s\) did not get the expected response/);
        assert.match(e.message, /#1 wrongly expected open: expected status 200, got 401 Unauthorized/);
        assert.match(e.message, /#3 GET \/admin -> shop\/cart:8080: expected response header www-authenticate: Basic realm=istio, got Basic realm=shop/);
        assert.doesNotMatch(e.message, /#2 /);
        return true;
      },
    );
  });
});

describe('Flux substitution placeholders', () => {
  const app = shop(Credential.fluxSubstitution('SHOP_ADMIN'));

  test('without the value, a request with a credential is undetermined; one without is still 401', () => {
    expectRequest(app, { to: 'shop/cart:8080', path: '/admin' }).toHaveStatus(401);
    const r = expectRequest(app, { to: 'shop/cart:8080', path: '/admin', headers: { Authorization: ADMIN } }).toHaveStatus(null);
    assert.match(r.reason, /not simulated/);
    assert.match(r.trace.map((e) => e.detail).join('\n'), /\$\{SHOP_ADMIN\}, substituted by Flux at apply time/);
  });

  test('with substitutions given, the credential is checked', () => {
    const options = { substitutions: { SHOP_ADMIN: 'shop:admin' } };
    expectRequest(app, { to: 'shop/cart:8080', path: '/admin', headers: { Authorization: ADMIN } }, options).toHaveStatus(200);
    expectRequest(app, { to: 'shop/cart:8080', path: '/admin', headers: { Authorization: `Basic ${b64('shop:wrong')}` } }, options).toHaveStatus(401);
  });
});

describe('headers of plugins tied in order', () => {
  // Two plugins of one phase and priority answering 401 with other realms: in a
  // cluster the older runs first (wasm-plugin-semantics.md §1.7, ties by creation
  // time), which manifests do not show. The status is certain, the realm is not.
  const tied = modelOf([
    namespace('apps', { 'istio.io/use-waypoint': 'wp' }),
    service('apps', 'app'),
    waypoint('apps', 'wp'),
    plugin('apps', 'a', { targetRefs: toGateway('wp'), phase: 'AUTHN', pluginConfig: basicAuthConfig('/', ['x:y'], { realm: 'a' }) }),
    plugin('apps', 'b', { targetRefs: toGateway('wp'), phase: 'AUTHN', pluginConfig: basicAuthConfig('/', ['x:y'], { realm: 'b' }) }),
  ]);
  const request = { to: 'apps/app' };

  test('the status is asserted, but no realm passes toHaveHeader: either could be the one sent', () => {
    expectRequest(tied, request).toHaveStatus(401);
    for (const realm of ['a', 'b']) {
      assert.throws(() => expectRequest(tied, request).toHaveHeader('WWW-Authenticate', `Basic realm=${realm}`), (e: unknown) => e instanceof AssertionError && /got Basic realm=a as one possible answer only: a plugin of the same phase and priority/.test(e.message));
    }
  });

  test('nor does a table row that expects one', () => {
    assert.throws(() => expectRequests(tied, [{ ...request, status: 401, responseHeaders: { 'www-authenticate': 'Basic realm=a' } }]), /#1 .*expected response header www-authenticate: Basic realm=a, got Basic realm=a as one possible answer only/);
    expectRequests(tied, [{ ...request, status: 401 }]);
  });
});
