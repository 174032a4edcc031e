/**
 * `waypoint-policy explain`, run through the CLI entry point with a captured
 * Io: its JSON shape, exit codes, and that no output ever holds a credential.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { main } from '../../cli/main';
import type { KubeObject } from '../../compiler/model';
import { isSimulationError, parseDestination, parseGateway } from '../../simulator/request';
import { captureIo, tempDir } from '../support/helpers';
import { b64, basicAuthConfig, namespace, plugin, toGateway, waypoint } from './fixtures';

/** Every secret the guide's policies and these tests use, in every form a leak could take. */
const SECRETS = ['YWRtaW4zOmFkbWluMw==', 'YWRtaW4zOmFkbWluMw', 'MXQtaW4zOmFkbWluMw==', 'MXQtaW4z', 'ok:test', b64('ok:test'), 'admin3:admin3', 'wrong:pass', b64('wrong:pass'), 'admin1', 's3cret:pw', b64('s3cret:pw')];

function assertNoSecret(text: string): void {
  for (const s of SECRETS) assert.equal(text.includes(s), false, `output contains the credential ${JSON.stringify(s.slice(0, 3))}...`);
}

async function explain(args: string[], cwd?: string) {
  const io = captureIo(cwd);
  const code = await main(['explain', ...args], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n'), all: io.text() };
}

function writeManifests(dir: string, objects: KubeObject[]): void {
  objects.forEach((o, i) => fs.writeFileSync(path.join(dir, `${i}-${o.kind.toLowerCase()}-${o.metadata.name}.yaml`), stringify(o)));
}

let guide: string;
before(async () => {
  guide = tempDir('wp-explain-');
  const io = captureIo();
  assert.equal(await main(['synth', '--outdir', guide], io), 0, io.text());
});

describe('no credential is ever printed', () => {
  const requests: string[][] = [
    ['--to', 'default/productpage:9080', '--path', '/productpage'],
    ['--to', 'default/productpage:9080', '--path', '/productpage', '-H', 'Authorization: Basic YWRtaW4zOmFkbWluMw=='],
    ['--to', 'default/productpage:9080', '--via', 'default/bookinfo-gateway', '--path', '/productpage', '-H', `Authorization: Basic ${b64('ok:test')}`],
    ['--to', 'default/reviews:9080', '--path', '/reviews/1', '-H', 'Authorization: Basic MXQtaW4zOmFkbWluMw=='],
    ['--to', 'default/reviews:9080', '--path', '/reviews/1', '-H', `authorization: Basic ${b64('wrong:pass')}`, '-H', 'X-Api-Key: admin3:admin3'],
    ['--to', 'default/reviews:9080', '--path', '/reviews/1', '-H', 'Authorization: YWRtaW4zOmFkbWluMw'],
  ];
  for (const args of requests) {
    for (const json of [false, true]) {
      test(`${json ? '--json' : 'text'}: ${args.filter((a) => !a.includes(':') || a.startsWith('default/')).join(' ')}`, async () => {
        const r = await explain(['--manifests', guide, ...args, ...(json ? ['--json'] : [])]);
        assert.equal(r.code, 0, r.err);
        assert.ok(r.out.length > 0);
        assertNoSecret(r.all);
        if (args.some((a) => /^authorization:/i.test(a))) assert.match(r.out, /<redacted, \d+ chars, sha256:[0-9a-f]{8}>/);
      });
    }
  }

  test('a config the plugin refuses is explained without its credentials', async () => {
    const dir = tempDir('wp-explain-');
    writeManifests(dir, [
      namespace('apps', { 'istio.io/use-waypoint': 'wp' }),
      waypoint('apps', 'wp'),
      plugin('apps', 'broken', { targetRefs: toGateway('wp'), pluginConfig: basicAuthConfig('/', ['s3cret:pw', 'admin1']) }),
    ]);
    for (const json of [[], ['--json']]) {
      const r = await explain(['--manifests', dir, '--to', 'apps/app:80', '-H', `Authorization: Basic ${b64('s3cret:pw')}`, ...json]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /refuses its config/);
      assertNoSecret(r.all);
    }
  });

  test('userinfo in --authority or in a module URL is never echoed', async () => {
    const authority = await explain(['--manifests', guide, '--to', 'default/productpage', '--authority', 's3cret:pw@productpage']);
    assert.equal(authority.code, 2);
    assert.match(authority.err, /--authority must not contain user information/);
    const dir = tempDir('wp-explain-');
    writeManifests(dir, [namespace('apps', { 'istio.io/use-waypoint': 'wp' }), waypoint('apps', 'wp'), plugin('apps', 'private', { targetRefs: toGateway('wp'), url: 'https://s3cret:pw@wasm.example.com/filter.wasm' })]);
    const url = await explain(['--manifests', dir, '--to', 'apps/app:80']);
    assert.equal(url.code, 0, url.err);
    assert.match(url.out, /no evaluator for module "https:\/\/\*\*\*@wasm\.example\.com\/filter\.wasm"/);
    assertNoSecret(authority.all + url.all);
  });

  test('a credential passed as --authority without a host (user:pass, Basic <base64>, a token with /) is refused by fingerprint, never echoed; hosts and ports still pass', async () => {
    for (const value of ['s3cret:pw', `Basic ${b64('s3cret:pw')}`, 'admin3:admin3', `${b64('wrong:pass')}/x`, 'admin:123456']) {
      for (const json of [[], ['--json']]) {
        const r = await explain(['--manifests', guide, '--to', 'default/productpage', '--authority', value, ...json]);
        assert.equal(r.code, 2, r.all);
        assert.match(r.err, /--authority <redacted, \d+ chars, sha256:[0-9a-f]{8}> is not a host\[:port\]/);
        assertNoSecret(r.all);
        assert.equal(r.all.includes(value), false);
      }
    }
    for (const value of ['productpage:9080', 'productpage', '[::1]:9080', 'productpage:', 'productpage:65535']) {
      const r = await explain(['--manifests', guide, '--to', 'default/productpage', '--authority', value]);
      assert.equal(r.code, 0, r.all);
    }
  });

  test('usage errors fingerprint anything that looks like a credential', async () => {
    const stray = await explain(['--manifests', guide, '--to', 'default/productpage', 'Authorization: Basic YWRtaW4zOmFkbWluMw==']);
    assert.equal(stray.code, 2);
    assert.match(stray.err, /Unexpected argument/);
    const noColon = await explain(['--manifests', guide, '--to', 'default/productpage', '-H', 'Basic YWRtaW4zOmFkbWluMw==']);
    assert.equal(noColon.code, 2);
    assert.match(noColon.err, /-H expects 'Name: value', got <redacted/);
    assertNoSecret(stray.all + noColon.all);
    // A bare credential that lost its -H (no header name, no scheme) is not echoed either.
    const bare = await explain(['--manifests', guide, '--to', 'default/productpage', 'YWRtaW4zOmFkbWluMw==']);
    assert.equal(bare.code, 2);
    assert.match(bare.err, /Unexpected argument '<redacted, 20 chars, sha256:[0-9a-f]{8}>'/);
    const userPass = await explain(['--manifests', guide, '--to', 'default/productpage', 'admin3:admin3']);
    assert.equal(userPass.code, 2);
    assert.doesNotMatch(userPass.all, /admin3/);
    assertNoSecret(bare.all);
  });
});

describe('output', () => {
  test('--json is exactly { status, trace } with step and detail on every entry', async () => {
    const r = await explain(['--manifests', guide, '--to', 'default/reviews:9080', '--path', '/reviews/1', '--json']);
    assert.equal(r.code, 0);
    const json = JSON.parse(r.out) as { status: unknown; trace: { step: unknown; detail: unknown }[] };
    assert.deepEqual(Object.keys(json), ['status', 'trace']);
    assert.equal(json.status, 401);
    assert.ok(json.trace.length > 3);
    for (const e of json.trace) {
      assert.equal(typeof e.step, 'string');
      assert.equal(typeof e.detail, 'string');
    }
    assert.equal(json.trace.at(-1)!.step, 'response');
  });

  test('an undetermined outcome is status null, still exit 0', async () => {
    const dir = tempDir('wp-explain-');
    writeManifests(dir, [namespace('apps', { 'istio.io/use-waypoint': 'wp' }), waypoint('apps', 'wp'), plugin('apps', 'opa', { targetRefs: toGateway('wp'), url: 'oci://example.com/opa:1.0' })]);
    const r = await explain(['--manifests', dir, '--to', 'apps/app:80', '--json']);
    assert.equal(r.code, 0);
    assert.equal(JSON.parse(r.out).status, null);
  });

  test('a --to that names a ServiceEntry (and no Service) is status null, not a 200 through an unlabelled Service: its waypoint and plugins are not simulated', async () => {
    const dir = tempDir('wp-explain-');
    const entry: KubeObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'httpbin-ext', namespace: 'egress', labels: { 'istio.io/use-waypoint': 'egress-waypoint' } },
      spec: { hosts: ['httpbin.org'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'DNS' },
    };
    writeManifests(dir, [
      namespace('egress', { 'istio.io/dataplane-mode': 'ambient' }),
      waypoint('egress', 'egress-waypoint'),
      entry,
      plugin('egress', 'egress-auth', { targetRefs: [{ group: 'networking.istio.io', kind: 'ServiceEntry', name: 'httpbin-ext' }], pluginConfig: basicAuthConfig('/', [b64('ok:test')]) }),
    ]);
    for (const via of [[], ['--via', 'egress/some-ingress']]) {
      const r = await explain(['--manifests', dir, '--to', 'egress/httpbin-ext:80', '--path', '/get', ...via, '--json']);
      assert.equal(r.code, 0, r.err);
      const json = JSON.parse(r.out) as { status: unknown; trace: { step: string; detail: string }[] };
      assert.equal(json.status, null);
      assert.match(json.trace.at(-1)!.detail, /^no status: ServiceEntry egress\/httpbin-ext is not simulated/);
      assert.ok(json.trace.some((e) => e.step === 'assumption' && /a ServiceEntry of that name \(from 2-serviceentry-httpbin-ext\.yaml\)/.test(e.detail)), r.out);
    }
  });

  test('the text form is a numbered trace ending with the proxies and the result', async () => {
    const r = await explain(['--manifests', guide, '--to', 'default/productpage:9080', '--via', 'default/bookinfo-gateway', '--path', '/productpage']);
    assert.equal(r.code, 0);
    assert.match(r.out, /^ ?1\. request: GET \/productpage to Service default\/productpage:9080 via ingress gateway default\/bookinfo-gateway/);
    assert.match(r.out, /\nproxies: ingress default\/bookinfo-gateway\nresult: 401 Unauthorized \(WWW-Authenticate: Basic realm=istio; empty body\)$/);
  });

  test('--manifests defaults to dist under the working directory', async () => {
    const empty = tempDir('wp-explain-');
    const r = await explain(['--to', 'default/reviews:9080', '--path', '/reviews/1', '--json'], empty);
    assert.equal(r.code, 2);
    assert.match(r.err, /--manifests "dist" does not exist\. Run 'waypoint-policy synth' first, or pass --manifests a folder of YAML or JSON manifests, or one such file\.$/m);
    const cwd = tempDir('wp-explain-');
    fs.cpSync(guide, path.join(cwd, 'dist'), { recursive: true });
    const ok = await explain(['--to', 'default/reviews:9080', '--path', '/reviews/1', '--json'], cwd);
    assert.equal(ok.code, 0, ok.err);
    assert.equal(JSON.parse(ok.out).status, 401);
  });

  test('help lists explain', async () => {
    const io = captureIo();
    assert.equal(await main(['help'], io), 0);
    assert.match(io.text(), /waypoint-policy explain --to NAMESPACE\/SERVICE\[:PORT\]/);
  });
});

describe('bad usage exits 2 and names the flag and value', () => {
  const cases: [string, string[], RegExp][] = [
    ['missing --to', [], /--to NAMESPACE\/SERVICE\[:PORT\] is required/],
    ['malformed --to', ['--to', 'productpage'], /--to "productpage" is not NAMESPACE\/SERVICE\[:PORT\]/],
    ['port out of range', ['--to', 'default/productpage:70000'], /--to: .*port 70000 is not between 1 and 65535/],
    ['malformed --via', ['--to', 'default/productpage', '--via', 'gateway'], /--via "gateway" is not NAMESPACE\/GATEWAY/],
    ['unknown --target', ['--to', 'default/productpage', '--target', 'prod'], /--target "prod" is not in the manifests; targets: demo/],
    ['bad --method', ['--to', 'default/productpage', '--method', 'GE T'], /--method "GE T" is not an HTTP method token/],
    ['bad --path', ['--to', 'default/productpage', '--path', 'productpage'], /--path "productpage" must start with '\/'/],
    ['unknown flag', ['--to', 'default/productpage', '--verbose'], /Unknown option '--verbose'/],
    ['Host as a header', ['--to', 'default/productpage', '-H', 'Host: x'], /-H: set the Host header with authority/],
  ];
  for (const [name, args, message] of cases) {
    test(name, async () => {
      const r = await explain(['--manifests', guide, ...args]);
      assert.equal(r.code, 2, r.all);
      assert.match(r.err, message);
      assert.equal(r.out, '');
    });
  }

  test('--manifests that is neither a folder nor a file says which', async () => {
    const r = await explain(['--manifests', '/nonexistent/dir', '--to', 'default/productpage']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--manifests "\/nonexistent\/dir" does not exist/);
    const device = await explain(['--manifests', '/dev/null', '--to', 'default/productpage']);
    assert.equal(device.code, 2);
    assert.match(device.err, /--manifests "\/dev\/null" is neither a folder nor a file/);
  });

  test('manifests that do not parse fail with exit 1 and the findings', async () => {
    const dir = tempDir('wp-explain-');
    fs.writeFileSync(path.join(dir, 'bad.yaml'), 'kind: [unclosed\n');
    const r = await explain(['--manifests', dir, '--to', 'default/productpage']);
    assert.equal(r.code, 1);
    assert.match(r.err, /manifests\/parse/);
  });
});

test("a header of any name has its value fingerprinted (-H 'user:password' is a header named 'user'); only standard harmless headers are shown as given", async () => {
  const dir = tempDir('wp-explain-h-');
  const io = captureIo();
  assert.equal(await main(['synth', '--outdir', dir], io), 0, io.text());
  for (const json of [false, true]) {
    const r = await explain(['--manifests', dir, '--to', 'default/productpage:9080', '--path', '/productpage', '-H', 'leaky:S3cr3tZZ', '-H', 'X-Team-Pin: 9a8b7c', '-H', 'Accept: text/html', ...(json ? ['--json'] : [])]);
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.all, /S3cr3tZZ|9a8b7c/);
    assert.match(r.out, /leaky: <redacted, 8 chars, sha256:[0-9a-f]{8}>/);
    assert.match(r.out, /accept: text\/html/);
  }
});

test('a malformed --to or --via is refused with an example of its own kind (a Service, a gateway)', () => {
  assert.throws(() => parseGateway('bookinfo-gateway'), (e: unknown) => isSimulationError(e) && e.field === 'via' && e.finding.fix === 'Write NAMESPACE/GATEWAY, e.g. "default/bookinfo-gateway".');
  assert.throws(() => parseDestination('productpage'), (e: unknown) => isSimulationError(e) && e.field === 'to' && e.finding.fix === 'Write NAMESPACE/SERVICE[:PORT], e.g. "default/productpage:9080".');
});
