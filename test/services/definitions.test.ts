// container() and processService() check their options at once; port placeholders are filled or refused.
import { describe, expect, test } from 'vitest'
import { InvalidOptionError, container, processService, startServices } from '../../src/index.ts'
import { fillPorts } from '../../src/services/ports.ts'

describe('service definitions', () => {
  test('valid options give an inert definition of each kind', () => {
    expect(container('local/redis:7', { port: 0, command: ['--port', '{port}'], ready: { log: /Ready/ } })).toMatchObject({
      kind: 'container', image: 'local/redis:7', options: { port: 0, command: ['--port', '{port}'] },
    })
    expect(processService('node', ['server.js'], { port: 8080, ready: { http: '/health' }, readyTimeout: '5s' })).toMatchObject({
      kind: 'process', command: 'node', args: ['server.js'], options: { port: 8080, readyTimeout: '5s' },
    })
  })

  test('an unknown key is an error naming it, with the nearest option', () => {
    expect(() => processService('node', [], { prot: 0 } as never)).toThrow(InvalidOptionError)
    expect(() => processService('node', [], { prot: 0 } as never)).toThrow(/prot: unknown option; did you mean "port"\?/)
    expect(() => container('redis', { comand: [] } as never)).toThrow(/comand: unknown option; did you mean "command"\?/)
    expect(() => container('redis', { cwd: '/' } as never)).toThrow(/cwd: unknown option/)
  })

  test('malformed values say what is allowed', () => {
    expect(() => processService('node', [], { port: 70000 })).toThrow(/port: must be 0 \(pick a free port\) or a port number up to 65535/)
    expect(() => processService('node', [], { port: 1, readyTimeout: '5x' })).toThrow(/readyTimeout: must be a duration longer than 0/)
    expect(() => processService('node', [], { port: 1, readyTimeout: 0 })).toThrow(/readyTimeout: must be a duration longer than 0/)
    expect(() => processService('node', [], { ready: { tcp: true } as never })).toThrow(/ready: must be \{ port: true \}, \{ http: "\/path" \}/)
    expect(() => processService('node', [], { port: 1, ready: { http: 'health' } })).toThrow(/ready.http: must be a path starting with "\/"/)
    expect(() => processService('node', [], { port: 1, protocol: 'HTTP://' })).toThrow(/protocol: must be a URL scheme/)
    expect(() => processService('', [])).toThrow(/the command must be a non-empty string/)
    expect(() => processService('node', 'server.js' as never)).toThrow(/args must be an array of strings/)
    expect(() => container('')).toThrow(/the image must be a non-empty name/)
  })

  test('a port or http check needs a port', () => {
    expect(() => processService('node', [], { ready: { port: true } })).toThrow(/a port check needs the service's port; set port \(0 picks a free one\)/)
    expect(() => container('redis', { ready: { http: '/' } })).toThrow(/a http check needs the service's port/)
  })

  test('{port} and {name.port} are filled; other braces pass through; unknown names are refused', () => {
    const ports = { api: 8080, redis: 6390, worker: undefined }
    expect(fillPorts('--port={port}', 'api', ports)).toBe('--port=8080')
    expect(fillPorts('redis://127.0.0.1:{redis.port}/0', 'api', ports)).toBe('redis://127.0.0.1:6390/0')
    expect(fillPorts('{"a":1}', 'api', ports)).toBe('{"a":1}')
    expect(() => fillPorts('{nats.port}', 'api', ports)).toThrow(/\{nats.port\} names no service; the services are "api", "redis", "worker"/)
    expect(() => fillPorts('{port}', 'worker', ports)).toThrow(/service "worker" has no port; set its port/)
  })

  test('startServices refuses what is not a definition, bad names and bad run ids before starting anything', async () => {
    await expect(startServices({ api: { kind: 'nope' } as never })).rejects.toThrow(/service "api" is not a definition; make it with container/)
    await expect(startServices({ 'a b': processService('node') })).rejects.toThrow(/the service name "a b" may hold only/)
    await expect(startServices({}, { runId: '../x' })).rejects.toThrow(/runId "..\/x" must start with a letter or digit/)
    await expect(startServices({}, { runId: '..' })).rejects.toThrow(InvalidOptionError)
  })
})
