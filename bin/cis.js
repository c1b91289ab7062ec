#!/usr/bin/env node
'use strict';
// The `cis` command line. npm scripts and npx put the project's pinned Node (the `node`
// devDependency) first on PATH; refuse an older Node with a message that says what to do.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(`cis: Node ${process.versions.node} is too old; run it as "npx cis ..." or "npm start" from the project folder, which use the project's Node 24.`);
  process.exit(1);
}
// Packages that export only an `import` condition (middy 7) are loaded through Node's
// require(esm): retry their resolution with the `import` condition.
require('node:module').registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (error) {
      if (!error || error.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw error;
      return next(specifier, { ...context, conditions: [...(context.conditions || []), 'import'] });
    }
  },
});
require('tsx/cjs');
require('./cis-main.ts')
  .main(process.argv)
  .catch((error) => {
    console.error(`cis: ${error && error.message ? error.message : String(error)}`);
    process.exit(1);
  });
