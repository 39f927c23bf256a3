// Every loadspec error code, as a table (as undici tests its errors in test/errors.js).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import {
  AbortedError, BaselineError, CliError, ClosedError, DefinitionError, ERROR_CODES, HttpRequestError, InvalidOptionError, InvalidResultError,
  InvalidThresholdError, LoadspecError, MatcherUsageError, MetricTypeError, ServiceError, SetupError, ThresholdsFailedError, UsageError, WorkerFailedError,
  isLoadspecError, isLoadspecErrorCode, loadspecError, type LoadspecErrorCode,
} from '../src/index.ts'
import { FaultProxyError } from '../src/index.ts'

const CLASSES: Record<LoadspecErrorCode, abstract new (...args: never[]) => LoadspecError> = {
  LOADSPEC_ERR_INVALID_OPTION: InvalidOptionError,
  LOADSPEC_ERR_INVALID_THRESHOLD: InvalidThresholdError,
  LOADSPEC_ERR_THRESHOLDS_FAILED: ThresholdsFailedError,
  LOADSPEC_ERR_SETUP: SetupError,
  LOADSPEC_ERR_WORKER_FAILED: WorkerFailedError,
  LOADSPEC_ERR_ABORTED: AbortedError,
  LOADSPEC_ERR_HTTP: HttpRequestError,
  LOADSPEC_ERR_BASELINE: BaselineError,
  LOADSPEC_ERR_USAGE: UsageError,
  LOADSPEC_ERR_CLOSED: ClosedError,
  LOADSPEC_ERR_METRIC_TYPE: MetricTypeError,
  LOADSPEC_ERR_INVALID_RESULT: InvalidResultError,
  LOADSPEC_ERR_DEFINITION: DefinitionError,
  LOADSPEC_ERR_MATCHER: MatcherUsageError,
  LOADSPEC_ERR_CLI: CliError,
  LOADSPEC_ERR_SERVICE: ServiceError,
  LOADSPEC_ERR_FAULT_PROXY: FaultProxyError,
}
const codes = Object.keys(ERROR_CODES) as LoadspecErrorCode[]

describe('loadspec errors', () => {
  test('the table and the exported classes name the same codes', () => {
    expect(Object.keys(CLASSES).sort()).toEqual([...codes].sort())
    expect(new Set(codes.map((c) => ERROR_CODES[c].name)).size).toBe(codes.length)
  })

  test.each(codes)('%s: name, code, default message, cause and instanceof', (code) => {
    const cause = new Error('underneath')
    const err = loadspecError(code, undefined, { cause })
    expect(code).toMatch(/^LOADSPEC_ERR_[A-Z_]+$/)
    expect(err.code).toBe(code)
    expect(err.name).toBe(ERROR_CODES[code].name)
    expect(err.message).toBe(ERROR_CODES[code].message)
    expect(err.cause).toBe(cause)
    expect(err).toBeInstanceOf(Error)
    expect(err).toBeInstanceOf(LoadspecError)
    expect(err).toBeInstanceOf(CLASSES[code])
    for (const other of codes) if (other !== code) expect(err instanceof CLASSES[other]).toBe(false)
    expect(isLoadspecError(err)).toBe(true)
    expect(isLoadspecErrorCode(code)).toBe(true)
    expect(String(err)).toBe(`${ERROR_CODES[code].name}: ${ERROR_CODES[code].message}`)
    expect(loadspecError(code, 'a message of its own').message).toBe('a message of its own')
  })

  test('instanceof holds for an error made by another copy of the package (the brand and the code)', () => {
    const foreign = Object.assign(new Error('from a worker'), { [Symbol.for('loadspec.error')]: true, code: 'LOADSPEC_ERR_SETUP' })
    expect(foreign).toBeInstanceOf(LoadspecError)
    expect(foreign).toBeInstanceOf(SetupError)
    expect(foreign instanceof UsageError).toBe(false)
    expect(new Error('plain') instanceof LoadspecError).toBe(false)
    expect(isLoadspecErrorCode('LOADSPEC_ERR_NOPE')).toBe(false)
  })

  test('classes with fields keep them', () => {
    const opt = new InvalidOptionError('stages[1].duration', 'stages[1].duration: "5x" is not a duration')
    expect([opt.option, opt.code, opt.name]).toEqual(['stages[1].duration', 'LOADSPEC_ERR_INVALID_OPTION', 'InvalidOptionError'])
    const http = new HttpRequestError('timeout', undefined, 'GET / failed')
    expect([http.kind, http.status, http.code]).toEqual(['timeout', undefined, 'LOADSPEC_ERR_HTTP'])
    const worker = new WorkerFailedError('worker 1 failed', { partial: true })
    expect(worker.result).toEqual({ partial: true })
    expect(loadspecError('LOADSPEC_ERR_INVALID_OPTION')).toBeInstanceOf(InvalidOptionError)
    const service = new ServiceError('redis', 'redis never became ready', ['booting', 'still booting'])
    expect([service.service, service.logs, service.code]).toEqual(['redis', ['booting', 'still booting'], 'LOADSPEC_ERR_SERVICE'])
  })
})

// Misuse must reach users as a coded loadspec error. The few bare errors left are listed with why.
const BARE_ERRORS_ALLOWED: Record<string, string> = {
  'src/errors.ts': 'toError() wraps a thrown non-error value, which is not misuse of loadspec',
  'src/drivers/http-error-kind.ts': 'transport faults carry undici codes (UND_ERR_*) so they are counted by kind, never thrown to users',
  'src/pool/stub-chain.cjs': 'runs inside a worker bundle (the Vitest and Jest stubs) as CommonJS text, where the package is not imported',
  'src/pool/bundle.ts': 'the throw is generated code inside a worker bundle; module-scenario.ts checks the same earlier',
  'src/pool/run-pool.ts': 'worker exit and failure reasons; they reach users as the cause of a WorkerFailedError',
}

test('no source file throws a bare Error or TypeError for misuse', () => {
  const offenders: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry)
      if (statSync(path).isDirectory()) walk(path)
      else if (/\.(ts|cjs|mjs)$/.test(entry) && !(path in BARE_ERRORS_ALLOWED)) {
        readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
          if (/new (Type|Range)?Error\(/.test(line) && !/^\s*(\/?\*|\/\/)/.test(line)) offenders.push(`${path}:${i + 1}: ${line.trim()}`)
        })
      }
    }
  }
  walk('src')
  expect(offenders).toEqual([])
})
