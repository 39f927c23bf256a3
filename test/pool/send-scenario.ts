// A scenario module: its default export is the VU function (TypeScript, loaded on every Node we support).
import type { VuContext } from '../../src/index.ts'

interface Data { url: string }
const PATH: string = '/module'

export default async function send({ http, data }: VuContext<Data>): Promise<void> {
  await http.post(`${data.url}${PATH}`, { json: { hello: 'from a module' } })
}
