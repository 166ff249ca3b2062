/**
 * The layer rules (docs/ARCHITECTURE.md, "Layers and imports"), checked by `npm run lint:layers` in CI.
 * Folders are layers, lowest first; production code imports only its own layer and the layers below,
 * and no two folders import each other, directly or around a cycle. Tests (`*.test.ts`), `test/`,
 * `bench/` and provider fakes (`gateway/<provider>/testing/`) are left out of this graph: they may
 * import anything. That production code never imports them is `.dependency-cruiser-tests.cjs`.
 */
const { LAYERS, NOT_PRODUCTION } = require('./.dependency-cruiser-layers.cjs');

const upward = LAYERS.slice(0, -1).map((layer, index) => ({
  name: `${layer}-imports-up`,
  comment: `${layer}/ may import only ${LAYERS.slice(0, index).join(', ') || 'libraries'}: a layer never depends on one above it`,
  severity: 'error',
  from: { path: `^${layer}/` },
  to: { path: `^(${LAYERS.slice(index + 1).join('|')}|console)/` },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'contract-is-pure',
      comment: 'contract/ is shared with the browser: no Node built-ins, nothing of the server',
      severity: 'error',
      from: { path: '^contract/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'ui-imports-contract-only',
      comment: 'the console and the simulator import only contract/ of the server',
      severity: 'error',
      from: { path: '^console/' },
      to: { path: `^(${LAYERS.filter((layer) => layer !== 'contract').join('|')})/` },
    },
    {
      name: 'gateway-knows-no-consumer',
      comment: 'channels know nothing of who uses them: status handlers and receivers are handed in by composition',
      severity: 'error',
      from: { path: '^gateway/' },
      to: { path: '^(conversations|routing|bots|dialer)/' },
    },
    {
      name: 'no-folder-cycles',
      comment: 'two folders never import each other, directly or around a cycle',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: `(^|/)(node_modules|dist|\\.data|test-results)/|${NOT_PRODUCTION}` },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
