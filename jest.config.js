// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const baseConfig = require('./.config/jest.config');
const [, swcOptions] = baseConfig.transform['^.+\\.(t|j)sx?$'];

module.exports = {
  // Jest configuration provided by Grafana scaffolding
  ...baseConfig,
  // Lazy pages take seconds to import in jsdom on 2 cores, and a dialog test of many steps took
  // over 60 s at load ~14 (a CI run beside other work); a limit, not a speed check.
  testTimeout: 180000,
  transform: {
    ...baseConfig.transform,
    // d3-color 3.1.1 (via @grafana/data) ships .mjs files the scaffold's transform does not match.
    '^.+\\.mjs$': ['@swc/jest', swcOptions],
  },
};
