/**
 * Errors thrown in a worker reach the test's thread as the same class, with `name`, `code`,
 * their own properties and the `cause` chain: the serialise/revive pair as a table (each value
 * through a real structured clone, as postMessage sends it), then end to end through workers.
 */
import { isMainThread } from 'node:worker_threads'
import { describe, expect, test } from 'vitest'
import { scenario } from '../../src/plugin/vitest/index.ts'
import {
  HttpRequestError, InvalidOptionError, isLoadspecError, LoadspecError, WorkerFailedError,
} from '../../src/errors.ts'
import { reviveError, serializeError } from '../../src/pool/error-transfer.ts'

/** What the test's thread gets for a value thrown in a worker. */
const across = (value: unknown): Error => reviveError(structuredClone(serializeError(value)))

class QuotaError extends Error {
  override name = 'QuotaError'
  readonly code = 'E_QUOTA'
  readonly limit = 5
  readonly socket = { write: () => {} } // not JSON-safe: stays behind
}

describe('serialise / revive', () => {
  test('a loadspec error keeps its class, code, own properties, stack and cause chain', () => {
    const original = new InvalidOptionError('stages[1].duration', 'stages[1].duration: "5x" is not a duration; use "5s"',
      { cause: new TypeError('bad unit', { cause: 'the root, a string' }) })
    const e = across(original)
    expect(e).toBeInstanceOf(InvalidOptionError)
    expect(e).toBeInstanceOf(LoadspecError)
    expect(isLoadspecError(e)).toBe(true)
    const o = e as InvalidOptionError
    expect([o.name, o.code, o.option, o.message]).toEqual(['InvalidOptionError', 'LOADSPEC_ERR_INVALID_OPTION', 'stages[1].duration', original.message])
    expect(o.stack).toBe(original.stack)
    expect(o.cause).toBeInstanceOf(TypeError)
    expect((o.cause as Error).message).toBe('bad unit')
    expect((o.cause as Error).cause).toBe('the root, a string')
    expect(Object.keys(o).sort()).toEqual(Object.keys(original).sort())
  })

  const cases: { label: string; value: () => unknown; check: (e: Error) => void }[] = [
    { label: 'HttpRequestError keeps kind and status', value: () => new HttpRequestError('timeout', 504, 'GET /x timed out'), check: (e) => {
      expect(e).toBeInstanceOf(HttpRequestError)
      expect([(e as HttpRequestError).kind, (e as HttpRequestError).status, (e as HttpRequestError).code]).toEqual(['timeout', 504, 'LOADSPEC_ERR_HTTP'])
    } },
    { label: 'WorkerFailedError keeps its code; a result that is not JSON stays behind', value: () => new WorkerFailedError('w', new Map()), check: (e) => {
      expect(e).toBeInstanceOf(WorkerFailedError)
      expect((e as WorkerFailedError).code).toBe('LOADSPEC_ERR_WORKER_FAILED')
      expect((e as WorkerFailedError).result).toBeUndefined()
    } },
    { label: 'another library\'s class keeps name, message, stack and JSON-safe properties', value: () => new QuotaError('over quota'), check: (e) => {
      expect(e).toBeInstanceOf(Error)
      expect([e.name, e.message, (e as QuotaError).code, (e as QuotaError).limit]).toEqual(['QuotaError', 'over quota', 'E_QUOTA', 5])
      expect(e.stack).toMatch(/^QuotaError: over quota\n\s+at /)
      expect('socket' in e).toBe(false)
      expect(String(e)).toBe('QuotaError: over quota')
    } },
    { label: 'a built-in class stays that class', value: () => new RangeError('too far'), check: (e) => {
      expect(e).toBeInstanceOf(RangeError)
      expect(Object.prototype.hasOwnProperty.call(e, 'name')).toBe(false)
    } },
    { label: 'a thrown string becomes an Error with it as message', value: () => 'plain string', check: (e) => {
      expect(e).toBeInstanceOf(Error)
      expect(e.message).toBe('plain string')
    } },
    { label: 'a thrown object becomes an Error that shows it', value: () => ({ a: 1 }), check: (e) => expect(e.message).toBe('Non-error thrown: {"a":1}') },
    { label: 'a cause cycle is cut, not followed for ever', value: () => { const e = new Error('loop'); (e as { cause?: unknown }).cause = e; return e }, check: (e) => {
      let depth = 0
      for (let c: unknown = e; c instanceof Error; c = c.cause) depth++
      expect(depth).toBe(9)
    } },
    { label: 'a loadspec error that lost its class in a copy is known again by name and code', value: () => {
      const e = new Error('vus: must be ≥ 1')
      Object.assign(e, { name: 'InvalidOptionError', code: 'LOADSPEC_ERR_INVALID_OPTION', option: 'vus' })
      return e
    }, check: (e) => {
      expect(e).toBeInstanceOf(InvalidOptionError)
      expect(isLoadspecError(e)).toBe(true)
      expect((e as InvalidOptionError).option).toBe('vus')
    } },
    { label: 'a user error that only shares a loadspec name is not taken for one', value: () => Object.assign(new Error('mine'), { name: 'InvalidOptionError' }), check: (e) => {
      expect(e).not.toBeInstanceOf(InvalidOptionError)
      expect(isLoadspecError(e)).toBe(false)
      expect(e.name).toBe('InvalidOptionError')
    } },
  ]
  for (const c of cases) test(c.label, () => c.check(across(c.value())))
})

// Valid on the test's thread, invalid in the worker: the worker's own validation throws.
const badInWorker = scenario('errors: options invalid only in the worker', { executor: 'constant-vus', vus: isMainThread ? 1 : 0, duration: '1s' }, () => {})

const escaping = scenario('errors: a loadspec error escapes a VU', { executor: 'per-vu-iterations', vus: 1, iterations: 1 }, async () => {
  setTimeout(() => { throw new InvalidOptionError('tags', 'thrown outside the iteration', { cause: new RangeError('the inner cause') }) }, 0)
  await new Promise((resolve) => setTimeout(resolve, 1_000))
})

describe('through workers', () => {
  /** The worker's own error under WorkerFailedError → "worker i failed". */
  const workerCause = (err: unknown): unknown => ((err as Error).cause as Error | undefined)?.cause

  test('an InvalidOptionError thrown by a worker task is an InvalidOptionError on the test\'s thread', async () => {
    const err = await badInWorker.run({ workers: 1 }).then(() => null, (e: unknown) => e)
    expect(err).toBeInstanceOf(WorkerFailedError)
    expect((err as Error).message).toMatch(/worker 0 failed: Invalid options for .*vus/s)
    const e = workerCause(err)
    expect(e).toBeInstanceOf(InvalidOptionError)
    expect((e as InvalidOptionError).code).toBe('LOADSPEC_ERR_INVALID_OPTION')
    expect((e as InvalidOptionError).option).toBe('vus')
    expect((e as Error).stack).toMatch(/InvalidOptionError: Invalid options/)
  })

  test('an uncaught loadspec error in a worker keeps its class, code and cause', async () => {
    const err = await escaping.run({ workers: 1 }).then(() => null, (e: unknown) => e)
    expect(err).toBeInstanceOf(WorkerFailedError)
    const e = workerCause(err)
    expect(e).toBeInstanceOf(InvalidOptionError)
    expect([(e as InvalidOptionError).option, (e as InvalidOptionError).message]).toEqual(['tags', 'thrown outside the iteration'])
    expect((e as Error).cause).toBeInstanceOf(RangeError)
    expect(((e as Error).cause as Error).message).toBe('the inner cause')
  })
})
