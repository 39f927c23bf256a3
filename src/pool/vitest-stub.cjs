// Stands in for `vitest` when a worker thread loads a test file to find its perf blocks
// (stub-chain.cjs says how). Exports are own properties: bundlers copy only those from a CommonJS module.
'use strict'
const { chain, expect } = require('./stub-chain.cjs')
const runsBody = ['describe', 'suite']
const names = ['test', 'it', 'describe', 'suite', 'beforeAll', 'afterAll', 'beforeEach', 'afterEach', 'aroundAll', 'aroundEach', 'vi', 'vitest',
  'assert', 'assertType', 'expectTypeOf', 'onTestFailed', 'onTestFinished', 'bench', 'inject', 'chai', 'should', 'createExpect', 'recordArtifact', 'TestRunner']
for (const name of names) exports[name] = chain(runsBody.includes(name))
exports.expect = expect
