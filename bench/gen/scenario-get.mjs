// A module scenario for pooled runs: GET the URL in the run's data.
export default async function ({ http, data }) { await http.get(data.url) }
