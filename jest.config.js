/** Jest runs in CommonJS mode; ESM-only packages (middy 7, aedes, ...) are transformed by swc. */
const esmPackages = ['@middy', 'aedes', 'aedes-packet', 'aedes-persistence', 'mqemitter', 'aws-local-stepfunctions', 'jose', 'p-limit', 'yocto-queue'];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)sx?$': ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  resolver: '<rootDir>/test/jest-resolver.js',
  testTimeout: 30000,
};
