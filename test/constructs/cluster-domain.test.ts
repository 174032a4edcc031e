/** PolicyApp clusterDomain: the cluster's DNS domain, checked at construction like the other props. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPolicyError, PolicyApp } from '../../constructs';

function refusal(clusterDomain: unknown): { rule: string; message: string; fix?: string } {
  try {
    new PolicyApp({ clusterDomain } as never);
  } catch (e) {
    assert.ok(isPolicyError(e), String(e));
    assert.equal(e.findings.length, 1);
    return e.findings[0];
  }
  assert.fail(`clusterDomain ${JSON.stringify(clusterDomain)} was accepted`);
}

test('clusterDomain defaults to cluster.local and keeps a valid domain as written', () => {
  assert.equal(new PolicyApp().clusterDomain, 'cluster.local');
  for (const domain of ['cluster.local', 'corp.internal', 'local', 'k8s-eu1.example.com', '1.example']) {
    assert.equal(new PolicyApp({ clusterDomain: domain }).clusterDomain, domain);
  }
});

test('a clusterDomain that is not lower-case RFC 1123 labels joined by dots is refused, naming the prop, the value, what is wrong and the fix', () => {
  const cases: [unknown, RegExp][] = [
    ['corp.internal.', /"corp\.internal\." ends with '\.'/],
    ['Corp.Internal', /"Corp\.Internal" has upper-case letters/],
    ['', /"" is empty/],
    ['.corp.internal', /"\.corp\.internal" has an empty label \(a leading '\.' or '\.\.'\)/],
    ['corp..internal', /has an empty label/],
    ['-corp.internal', /has the label "-corp", which is not an RFC 1123 label/],
    ['corp_net.internal', /has the label "corp_net", which is not an RFC 1123 label/],
    [`${'a'.repeat(64)}.internal`, /has the label "a{64}", which is not an RFC 1123 label \(.*at most 63 characters\)/],
    [Array.from({ length: 64 }, () => 'abc').join('.'), /is longer than 253 characters/],
  ];
  for (const [domain, what] of cases) {
    const f = refusal(domain);
    assert.equal(f.rule, 'props/invalid', String(domain));
    assert.match(f.message, /^PolicyApp prop 'clusterDomain': /, String(domain));
    assert.match(f.message, what, String(domain));
    assert.match(f.message, /clusterDomain is the cluster's DNS domain as kubelet's --cluster-domain takes it, lower-case RFC 1123 labels joined by '\.' without a trailing dot \(e\.g\. 'corp\.internal'\)/);
    assert.match(f.fix ?? '', /Set clusterDomain to the domain the cluster's kubelets and Istio use \(kubelet --cluster-domain, Istio global\.proxy\.clusterDomain\), e\.g\. 'corp\.internal', or leave it out for 'cluster\.local'\./);
  }
  // Not a string at all: zod's own wording, still naming the prop.
  assert.match(refusal(42).message, /^PolicyApp prop 'clusterDomain': .*expected string/);
});
