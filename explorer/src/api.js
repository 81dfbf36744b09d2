// api.js — JSON reads from the node this page came from (same origin; CSP default-src 'self').

export class ApiError extends Error {
  constructor(status, problem, path) {
    super(problem && problem.detail ? problem.detail : `HTTP ${status} for ${path}`);
    this.status = status;
    this.problem = problem;
    this.path = path;
  }
}

export async function getJson(path, { signal, accept = 'application/json' } = {}) {
  const r = await fetch(path, { headers: { Accept: accept }, signal });
  const text = await r.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (!r.ok) throw new ApiError(r.status, body, path);
  if (body === null) throw new ApiError(r.status, { title: 'Bad answer', detail: `${path} did not answer JSON` }, path);
  return { body, text };
}

export async function get(path, opts) {
  return (await getJson(path, opts)).body;
}

let openapi = null;
// The node's route list, to use optional routes (the Digital Link resolver, /v1/genesis) only when
// this node has them (no 404s in the console).
export async function routes() {
  if (!openapi) openapi = get('/openapi.json').then((d) => new Set(Object.keys(d.paths || {}))).catch(() => new Set());
  return openapi;
}
