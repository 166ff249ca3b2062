/** What both dependency-cruiser configurations share: the layers, lowest first, and what is not production code. */
module.exports = {
  LAYERS: ['contract', 'db', 'kernel', 'messages', 'gateway', 'conversations', 'routing', 'bots', 'campaigns', 'dialer', 'api', 'server'],
  NOT_PRODUCTION: '(^test/|^bench/|/testing/|\\.test\\.tsx?$|^console/ui/vite\\.config\\.ts$)',
};
