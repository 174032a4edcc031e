/**
 * The path the plugins see: Envoy's `normalize_path` (Istio's default,
 * BASE), which is Envoy's copy of Chromium's path canonicaliser
 * (`url_canon_path.cc`), on the path part; the query is kept as sent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '../../cli/main';
import { normalizePath, SimulationError } from '../../simulator/request';
import { captureIo, REPO_ROOT } from '../support/helpers';
import * as path from 'node:path';

/** Each raw path normalises to the path beside it. */
function normalises(cases: [raw: string, want: string][]): void {
  for (const [raw, want] of cases) assert.equal(normalizePath(raw), want, raw);
}

test('dot segments are removed, with %2e counting as a dot, and never climb above the root', () => {
  normalises([
    ['/a/../b', '/b'],
    ['/a/./b', '/a/b'],
    ['/x/%2e%2e/admin', '/admin'],
    ['/x/%2E%2e/admin', '/admin'],
    ['/a/.%2e/b', '/b'],
    ['/a/%2e', '/a/'],
    ['/a/.', '/a/'],
    ['/a/..', '/'],
    ['/../../a', '/a'],
    ['/a//../b', '/a/b'],
    // Not whole segments: plain characters (the escaped dot is still decoded).
    ['/a/..b', '/a/..b'],
    ['/a.%2eb', '/a..b'],
  ]);
});

test('letters, digits, "-", "_" and "~" are decoded; other escapes are kept exactly as sent (hex case included)', () => {
  normalises([
    ['/%61dmin', '/admin'],
    ['/%41%42%2d%5f%7e', '/AB-_~'],
    ['/a%2fb', '/a%2fb'],
    ['/a%2Fb', '/a%2Fb'],
    ['/%5c', '/%5c'],
    ['/%25', '/%25'],
  ]);
});

test('a backslash is a slash, and characters a path may not hold are percent-encoded (non-ASCII as UTF-8 bytes)', () => {
  normalises([
    ['/a\\b', '/a/b'],
    ['/a\\..\\b', '/b'],
    ['/a{b}|c^d`e"f<g>', '/a%7Bb%7D%7Cc%5Ed%60e%22f%3Cg%3E'],
    ['/é', '/%C3%A9'],
    // Characters the canonicaliser passes through.
    ["/a!$&'()*+,;=:@[]b", "/a!$&'()*+,;=:@[]b"],
    // Slashes are not merged (MERGE_SLASHES is not Istio's default).
    ['//a', '//a'],
  ]);
});

test('the query is kept as sent', () => {
  assert.equal(normalizePath('/x/../%61?next=/%61/../b'), '/a?next=/%61/../b');
});

test("a '%' not followed by two hex digits is not simulated: refused with a reason, not guessed", () => {
  assert.throws(() => normalizePath('/a%zz'), (e: unknown) => e instanceof SimulationError && /not followed by two hex digits: how Envoy canonicalises it is not simulated/.test(e.message));
  assert.throws(() => normalizePath('/a%4'), SimulationError);
});

test('explain: an encoded path to a protected prefix meets the rule, as it does through Envoy (401, not 200)', async () => {
  const explain = async (p: string) => {
    const io = captureIo();
    const code = await main(['explain', '--manifests', path.join(REPO_ROOT, 'dist'), '--to', 'default/productpage:9080', '--path', p, '--json'], io);
    assert.equal(code, 0, io.text());
    return JSON.parse(io.stdout.join('\n'));
  };
  for (const p of ['/productpage', '/%70roductpage', '/static/%2e%2e/productpage']) assert.equal((await explain(p)).status, 401, p);
  const r = await explain('/%70roductpage');
  assert.match(r.trace[0].detail, /GET \/productpage \(normalised by Envoy from "\/%70roductpage"\)/);
});

test('a path holding %00 is refused with the reason Istio gives: it answers 400 before any plugin runs, so no 401 or 200 is promised', () => {
  for (const p of ['/%00x', '/admin%00', '/a/%00/b?x=1']) {
    assert.throws(() => normalizePath(p), (e: unknown) => e instanceof SimulationError && /holds %00: Istio rejects such a request with 400 before any filter or plugin runs/.test(e.message), p);
  }
  // Other encoded control characters stay encoded, as Envoy keeps them.
  assert.equal(normalizePath('/a%01b'), '/a%01b');
});

test("a '#' fragment is cut off, query included, before normalising: Istio has Envoy strip it rather than reject it or pass it on", () => {
  normalises([
    ['/admin#x', '/admin'],
    ['/admin?a=1#x', '/admin?a=1'],
    ['/a/../admin#/../public', '/admin'],
    ['/x.json#frag', '/x.json'],
    ['/#', '/'],
    // After the cut: a malformed escape or %00 in the fragment never reaches the canonicaliser.
    ['/a#%zz', '/a'],
    ['/a#%00', '/a'],
    // An encoded '#' is not a fragment: kept as sent.
    ['/admin%23x', '/admin%23x'],
  ]);
});

test("explain: the fragment never reaches the plugin, so its '..' segments climb nothing (200), and /productpage#x meets the rule (401)", async () => {
  const explain = async (p: string) => {
    const io = captureIo();
    const code = await main(['explain', '--manifests', path.join(REPO_ROOT, 'dist'), '--to', 'default/productpage:9080', '--path', p, '--json'], io);
    assert.equal(code, 0, io.text());
    return JSON.parse(io.stdout.join('\n'));
  };
  const r = await explain('/productpage#x');
  assert.equal(r.status, 401);
  assert.match(r.trace[0].detail, /GET \/productpage \(normalised by Envoy from "\/productpage#x", the '#' fragment cut off as Istio configures Envoy to\)/);
  // Read as path characters, '#' would become %23 and the '..' after it would climb to /productpage.
  assert.equal((await explain('/static/x#/../../productpage')).status, 200);
});
