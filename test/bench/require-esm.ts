/**
 * Imported first by the benchmarks that load the handlers in process: packages that export only
 * an `import` condition (middy 7) are loaded through require(esm), as bin/cis.js does. Modules
 * that reach them are `require`d after this import.
 */
require('node:module').registerHooks({
  resolve(specifier: string, context: { conditions?: string[] }, next: (specifier: string, context: unknown) => unknown) {
    try {
      return next(specifier, context);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw error;
      return next(specifier, { ...context, conditions: [...(context.conditions ?? []), 'import'] });
    }
  },
});
