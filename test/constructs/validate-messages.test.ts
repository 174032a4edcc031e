import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPolicyError, MeshNamespace, PolicyApp, Waypoint } from '../../constructs';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isPolicyError(e), String(e));
    return e.message;
  }
  assert.fail('expected a PolicyError');
}

test('a refused name is quoted in the error, so the reader sees which one', () => {
  const ns = new MeshNamespace(new PolicyApp(), 'default');
  assert.match(messageOf(() => new Waypoint(ns, 'Reviews_Waypoint')), /names\/rfc1123.*RFC 1123 subdomain.*; received "Reviews_Waypoint"/);
});

test('other refused values are not echoed: a repository URL may carry a token', () => {
  const message = messageOf(() => new PolicyApp({ delivery: { repoURL: 'github.com/acme/policy?token=ghp_s3cr3t' } }));
  assert.match(message, /repoURL must be a git URL/);
  assert.doesNotMatch(message, /s3cr3t/);
});
