// `npm run test:jest`: the relay suite under Jest (CommonJS through babel-jest), at the `ci` profile.
// `npm run test:compat` runs it on Jest 29 from another project (LOADSPEC_JEST_PROJECT): the
// transform then comes from there too, as it must match its Jest.
const from = process.env.LOADSPEC_JEST_PROJECT
const resolve = (name) => (from ? require.resolve(name, { paths: [from] }) : name)
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/*.test.ts'],
  transform: { '\\.ts$': [resolve('babel-jest'), { presets: [resolve('@babel/preset-typescript')], plugins: [resolve('@babel/plugin-transform-modules-commonjs')] }] },
  setupFilesAfterEnv: ['loadspec/jest/setup'],
  reporters: ['default', ['loadspec/jest/reporter', { profile: 'ci', reportDir: '../../perf-results/jest' }]],
}
