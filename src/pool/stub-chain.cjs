// Shared by the test-runner stubs that worker bundles load in place of Vitest or Jest (bundle.ts).
// Worker threads have no test runner: tests and hooks are no-ops, describe() runs its body so
// nested perf()/scenario() definitions are reached, and every property chains (test.skip.each…).
// expect(value) throws: an assertion that silently passed inside a VU function would be a lie.
'use strict'
function chain(runBody) {
  const fn = function () {}
  const proxy = new Proxy(fn, {
    get: (target, prop) => (prop === 'then' ? undefined : prop === 'prototype' ? target.prototype : chain(runBody)),
    apply: (_target, _this, args) => {
      if (runBody) { const body = args.find((a) => typeof a === 'function'); if (body) body() }
      return proxy
    },
  })
  return proxy
}
const expect = new Proxy(function () {}, {
  get: () => chain(false),
  apply: () => {
    throw new Error('expect() does not run inside a load worker: record outcomes in a VU function with check(value, { label: predicate }) and assert on the result in the test')
  },
})
module.exports = { chain, expect }
