/** Production code never imports tests, the test harness, benchmarks or provider fakes (`npm run lint:layers`). */
const { NOT_PRODUCTION } = require('./.dependency-cruiser-layers.cjs');

module.exports = {
  forbidden: [
    {
      name: 'production-imports-no-tests',
      comment: 'test harnesses, fakes and fixtures stay out of production code (and out of its build)',
      severity: 'error',
      from: { pathNot: NOT_PRODUCTION },
      to: { path: NOT_PRODUCTION },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|\\.data|test-results)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
