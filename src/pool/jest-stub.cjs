// Stands in for Jest when a worker thread loads a test file to find its perf blocks (stub-chain.cjs
// says how): the module `@jest/globals`, and Jest's ambient globals, installed when this file is
// evaluated (the worker bundle imports it before the test file). Globals a thread already has are
// left alone. Exports are own properties: bundlers copy only those from a CommonJS module.
'use strict'
const { chain, expect } = require('./stub-chain.cjs')
const runsBody = ['describe', 'fdescribe', 'xdescribe']
const names = ['test', 'it', 'fit', 'xit', 'xtest', 'describe', 'fdescribe', 'xdescribe', 'beforeAll', 'afterAll', 'beforeEach', 'afterEach', 'jest']
for (const name of names) exports[name] = chain(runsBody.includes(name))
exports.expect = expect
for (const name of [...names, 'expect']) if (!(name in globalThis)) globalThis[name] = exports[name]
