/**
 * Every curl of Istio's guide "Extend waypoints with WebAssembly plugins" on
 * its finished setup (not the 200 it shows before the waypoint has a plugin),
 * with the guide's expected status, replayed offline against this repo's
 * policies: through the test API on the compiled app, and through
 * `waypoint-policy explain --json` on what `synth` writes.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../cli/main';
import type { Io } from '../cli/io';
import { expectRequest, expectRequests, type RequestCase } from '../simulator/testing';
import { tempDir } from '../test/support/helpers';
import app from './main';

const ADMIN3 = 'Basic YWRtaW4zOmFkbWluMw=='; // admin3:admin3, configured on the gateway and the waypoint
const REVIEWS = 'Basic MXQtaW4zOmFkbWluMw=='; // configured on reviews-svc-waypoint

/** The guide's curls; internal ones carry the Host curl sends for `http://<service>:9080`. */
const GUIDE: readonly RequestCase[] = [
  { name: 'gateway /productpage without credentials', via: 'default/bookinfo-gateway', to: 'default/productpage:9080', path: '/productpage', status: 401 },
  { name: 'gateway /productpage with credentials', via: 'default/bookinfo-gateway', to: 'default/productpage:9080', path: '/productpage', headers: { Authorization: ADMIN3 }, status: 200 },
  { name: 'internal /productpage without credentials', to: 'default/productpage:9080', authority: 'productpage:9080', path: '/productpage', status: 401 },
  { name: 'internal /productpage with credentials (generic waypoint)', to: 'default/productpage:9080', authority: 'productpage:9080', path: '/productpage', headers: { Authorization: ADMIN3 }, status: 200 },
  { name: 'internal /reviews with credentials (reviews-svc-waypoint)', to: 'default/reviews:9080', authority: 'reviews:9080', path: '/reviews/1', headers: { Authorization: REVIEWS }, status: 200 },
  { name: 'internal /reviews without credentials', to: 'default/reviews:9080', authority: 'reviews:9080', path: '/reviews/1', status: 401 },
];

describe("the guide's curl table through the test API", () => {
  test('every curl gets the status the guide shows', () => {
    expectRequests(app, GUIDE);
  });

  test('a 401 carries WWW-Authenticate: Basic realm=istio and an empty body', () => {
    for (const c of GUIDE.filter((g) => g.status === 401)) {
      const { status: _status, name: _name, ...request } = c;
      const r = expectRequest(app, request).toHaveHeader('WWW-Authenticate', 'Basic realm=istio');
      assert.equal(r.body, '');
    }
  });

  test('each curl crosses the proxies the guide describes', () => {
    const hops = GUIDE.map(({ status: _s, name: _n, ...request }) => expectRequest(app, request).result.hops.map((h) => `${h.kind} ${h.name}`).join(' > '));
    assert.deepEqual(hops, [
      // Ingress traffic skips the waypoint: the namespace has no istio.io/ingress-use-waypoint.
      'ingress bookinfo-gateway',
      'ingress bookinfo-gateway',
      'waypoint waypoint',
      'waypoint waypoint',
      // The reviews Service label wins over the namespace waypoint.
      'waypoint reviews-svc-waypoint',
      'waypoint reviews-svc-waypoint',
    ]);
  });

  test("the reviews waypoint's credential does not open productpage, nor the reverse", () => {
    expectRequest(app, { to: 'default/productpage:9080', path: '/productpage', headers: { Authorization: REVIEWS } }).toHaveStatus(401);
    expectRequest(app, { to: 'default/reviews:9080', path: '/reviews/1', headers: { Authorization: ADMIN3 } }).toHaveStatus(401);
  });
});

describe("the guide's curl table through explain --json on synthesized manifests", () => {
  let dist: string;
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { cwd: process.cwd(), env: process.env, isTTY: false, out: (t) => out.push(t), err: (t) => err.push(t) };
    const code = await main(argv, io);
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  before(async () => {
    dist = tempDir('wp-bookinfo-');
    const synth = await run(['synth', '--outdir', dist]);
    assert.equal(synth.code, 0, synth.err);
  });

  for (const c of GUIDE) {
    test(`${c.name}: ${c.status}`, async () => {
      const argv = ['explain', '--manifests', dist, '--to', c.to, '--path', c.path!, '--json'];
      if (c.via) argv.push('--via', c.via);
      if (c.authority) argv.push('--authority', c.authority);
      for (const [k, v] of Object.entries(c.headers ?? {})) argv.push('-H', `${k}: ${v}`);
      const r = await run(argv);
      assert.equal(r.code, 0, r.err);
      const json = JSON.parse(r.out) as { status: number | null; trace: { step: string; detail: string }[] };
      assert.equal(json.status, c.status, r.out);
      if (c.status === 401) assert.match(json.trace.at(-1)!.detail, /www-authenticate: Basic realm=istio; empty body/);
      assert.equal(r.out.includes('YWRtaW4zOmFkbWluMw') || r.out.includes('MXQtaW4zOmFkbWluMw'), false, 'the credential is redacted');
    });
  }

  test('the manifests directory gives the same answers as the app', () => {
    expectRequests(dist, GUIDE);
  });
});
