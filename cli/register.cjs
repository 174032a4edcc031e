// Makes this process able to load TypeScript (the CLI's own modules and the
// policy programs it runs), the way the installed `waypoint-policy` command
// does (cli/bin.cjs); the benchmark starts its measured processes with it too
// (`node --require ./cli/register.cjs`), so they boot as the command does.
//
// The runtime's JavaScript dependencies load first: once tsx's require hook
// is installed it reads and lexes every .js file required after it, looking
// for ES module syntax to transform, and these ~200 CommonJS files then took
// ~70 ms longer to load (a quarter of a cold `synth`'s module loading).
// Loaded here, later requires of them are hits in Node's module cache. Each
// resolves from this file, which is where the library resolves them from.
require('constructs');
require('cdk8s');
require('zod');
require('tsx/cjs');
