/**
 * Jest resolves with the `require` condition; packages that only export `import` (middy 7)
 * are retried with the `import` condition so swc can transform them.
 */
module.exports = (request, options) => {
  try {
    return options.defaultResolver(request, options);
  } catch (error) {
    return options.defaultResolver(request, { ...options, conditions: ['import', 'node', 'default'] });
  }
};
