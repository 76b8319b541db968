/**
 * `npm run test:cluster`: the tests that start the real Temporal cluster (src/cluster/). Kept out
 * of `npm test` (jest.config.js ignores test/cluster/); `.ci/run` runs both.
 * @type {import('jest').Config}
 */
import base from './jest.config.js';

export default {
  ...base,
  testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 300_000,
};
