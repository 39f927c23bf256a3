// Stands in for `vitest` when a worker thread loads a test file to find its perf blocks.
// Worker threads have no test runner: tests and hooks are no-ops, describe() runs its body so
// nested perf()/scenario() definitions are reached, and every property chains (test.skip.each…).
// Exports are own properties: bundlers copy only those from a CommonJS module.
'use strict'
function chain(runBody) {
  const fn = function (...args) {
    if (runBody) { const body = args.find((a) => typeof a === 'function'); if (body) body() }
    return fn
  }
  return new Proxy(fn, { get: (target, prop) => (prop === 'then' ? undefined : prop === 'prototype' ? target.prototype : chain(runBody)) })
}
const runsBody = ['describe', 'suite']
const names = ['test', 'it', 'describe', 'suite', 'beforeAll', 'afterAll', 'beforeEach', 'afterEach', 'aroundAll', 'aroundEach', 'expect', 'vi', 'vitest',
  'assert', 'assertType', 'expectTypeOf', 'onTestFailed', 'onTestFinished', 'bench', 'inject', 'chai', 'should', 'createExpect', 'recordArtifact', 'TestRunner']
for (const name of names) exports[name] = chain(runsBody.includes(name))
