#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so policy programs can be TypeScript too.
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const tsx = require.resolve('tsx/cli');
const r = spawnSync(process.execPath, [tsx, path.join(__dirname, 'main.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status === null ? 1 : r.status);
