#!/usr/bin/env node
// The installed `waypoint-policy` command. tsx's require hook is registered in
// this same process (no second node process to start), so the CLI and the
// policy programs it loads can be TypeScript.
require('./register.cjs');
const { main } = require('./main.ts');

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
