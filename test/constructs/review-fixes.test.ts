import assert from 'node:assert/strict';
import { test } from 'node:test';
import { definePlugin, PluginPhase, z } from '../../index';
import { thrownFindings } from '../catalogue/helpers';

test('definePlugin: a broken definition names the line of the definePlugin call', () => {
  const findings = thrownFindings(() => definePlugin({ name: 'Header Stamp', url: '', defaultPhase: PluginPhase.STATS, configSchema: z.object({}) }));
  assert.deepEqual(findings.map((f) => f.rule), ['plugin/definition', 'plugin/definition']);
  for (const f of findings) assert.match(f.source ?? '', /review-fixes\.test\.ts:7$/, 'each finding names the call');
});
