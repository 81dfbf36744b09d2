// session.js — "signing in" to the explorer: the reader loads a key file in this browser, and
// the pages that read protected data (finance) sign each request with it (docs/api.md, Signed
// reads: `Authorization: Tidemark-Read key=..,ts=..,sig=..`).
//
// The seed lives only in this module's memory: never sent (only signatures leave the page), never
// written to localStorage, sessionStorage, cookies or the URL. Signing out (or reloading the
// page) forgets it; signing out also overwrites the bytes.
//
//   main.append(signInPanel(ctx, { onChange: () => ctx.navigate(location.pathname, { replace: true }) }));
//   if (currentReader()) { const { body } = await signedGet('/v1/fin/receivables/rcv_...'); }
//
// Thread safety: the page is single-threaded; one reader at a time.
import * as tm from '../../sdk/js/src/index.js';
import { ApiError, get } from './api.js';
import { KeyFileError, decryptKeyFile, parseKeyFile } from './keyfile.js';
import { h, short } from './ui.js';

let reader = null;  // { seed: Uint8Array, publicKey, name, org, roles }
const listeners = new Set();

export function currentReader() {
  return reader ? { publicKey: reader.publicKey, name: reader.name, org: reader.org, roles: reader.roles } : null;
}

export function signOut() {
  if (reader) reader.seed.fill(0);
  reader = null;
  for (const fn of [...listeners]) fn();  // a snapshot: a listener may re-render the page (and re-register)
}

async function signIn(seed, name) {
  const publicKey = tm.toHex(tm.publicKeyFromSeed(seed));
  // Who this key is, from the public key registry (no secret involved): shown to the user so
  // they know which organisation they read as. An unknown key is still loaded (the node will
  // refuse its signatures with a clear 401).
  let org = '';
  let roles = [];
  try {
    const rec = (await get(`/v1/accounts/${publicKey}`)).record;
    if (rec) {
      org = rec.org || '';
      roles = rec.roles || [];
      if (org && !roles.length) {  // an admin key acts in its organisation's roles
        const o = await get(`/v1/orgs/${encodeURIComponent(org)}`).catch(() => null);
        roles = (o && o.roles) || [];
      }
    }
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
  }
  if (reader) reader.seed.fill(0);
  reader = { seed, publicKey, name, org, roles };
  for (const fn of [...listeners]) fn();  // a snapshot: a listener may re-render the page (and re-register)
}

let chain = null;
async function chainId() {
  if (!chain) chain = get('/v1/status').then((s) => s.chain_id).catch((e) => { chain = null; throw e; });
  return chain;
}

/**
 * GET `path` (same origin) signed with the reader's key, the raw Response (any status) and the
 * signed target: for answers that are not JSON (the regulator's CSV export). `accept` is the
 * Accept header.
 */
export async function signedFetch(path, { signal, accept = 'application/json' } = {}) {
  if (!reader) throw Object.assign(new Error('Load a key file first.'), { status: 0 });
  const u = new URL(path, location.origin);
  const target = u.pathname + u.search;  // exactly what the request line carries
  const auth = tm.readAuthHeader(reader.seed, await chainId(), 'GET', target, Date.now());
  const response = await fetch(target, { headers: { Accept: accept, Authorization: auth }, signal,
    cache: 'no-store', credentials: 'omit' });
  return { response, target };
}

/**
 * GET `path` (same origin) signed with the reader's key. Resolves to {body, text, status};
 * throws ApiError (status 401, 403, 404...) with the node's problem+json, or Error when no reader
 * is signed in.
 */
export async function signedGet(path, { signal } = {}) {
  const { response: r, target } = await signedFetch(path, { signal });
  const text = await r.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (!r.ok) throw new ApiError(r.status, body, target);
  if (body === null) throw new ApiError(r.status, { title: 'Bad answer', detail: `${target} did not answer JSON` }, target);
  return { body, text, status: r.status };
}

/**
 * The sign-in box: a key file picker (plain or encrypted key files, as `tidemark keys` writes),
 * a passphrase field for encrypted ones, and, once signed in, who the reader is and "Sign out".
 * `onChange` runs after sign-in and sign-out (the page re-renders); `purpose` says why a key is
 * needed here.
 */
export function signInPanel(ctx, { onChange, purpose = '' } = {}) {
  const box = h('section', { class: 'card signin', 'data-testid': 'signin', 'aria-label': 'Reader key' });
  const listener = () => { draw(); if (onChange) onChange(); };
  listeners.add(listener);
  ctx.cleanup(() => listeners.delete(listener));

  function draw() {
    if (reader) {
      const who = reader.org ? `${reader.org}${reader.roles.length ? ` (${reader.roles.join(', ')})` : ''}` : 'a key this ledger does not know';
      box.replaceChildren(h('p', { 'data-testid': 'signed-in' },
        'Signed in as ', h('strong', {}, who), ' with key ', h('code', { title: reader.publicKey }, short(reader.publicKey, 12)),
        reader.name ? ` (“${reader.name}”)` : '', '. ',
        h('button', { type: 'button', class: 'small', 'data-testid': 'sign-out', onclick: signOut }, 'Sign out')),
      h('p', { class: 'muted small' }, 'The key stays in this page’s memory: requests carry only its signatures. Reloading the page forgets it.'));
      return;
    }
    const status = h('p', { class: 'muted', role: 'status', 'data-testid': 'signin-status' });
    const file = h('input', { type: 'file', accept: '.json,.txt,application/json,text/plain', 'data-testid': 'key-file',
      'aria-label': 'Key file' });
    const pass = h('input', { type: 'password', autocomplete: 'off', 'data-testid': 'passphrase', 'aria-label': 'Passphrase' });
    const unlock = h('button', { type: 'submit', 'data-testid': 'unlock' }, 'Unlock');
    const passForm = h('form', { class: 'row', hidden: true }, h('label', {}, 'Passphrase ', pass), unlock);
    let pending = null;

    file.addEventListener('change', async () => {
      const f = file.files && file.files[0];
      file.value = '';  // the page keeps no handle on the file
      passForm.hidden = true;
      if (!f) return;
      try {
        if (f.size > 64 * 1024) throw new KeyFileError('key file: larger than 64 KiB');
        const k = parseKeyFile(await f.text());
        if (k.kind === 'plain') {
          status.textContent = 'Loading…';
          await signIn(k.seed, k.name || f.name.replace(/\.json$/, ''));
          return;
        }
        pending = k;
        status.textContent = `Encrypted key “${k.name}” (${short(k.publicKey, 12)}): enter its passphrase.`;
        passForm.hidden = false;
        pass.focus();
      } catch (e) {
        status.textContent = e instanceof KeyFileError ? e.message : `Could not load the key: ${e.message}`;
        status.className = 'notice bad';
      }
    });
    passForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!pending) return;
      unlock.disabled = true;
      status.className = 'muted';
      status.textContent = 'Deriving the key (Argon2id)…';
      try {
        const seed = await decryptKeyFile(pending.file, pass.value, {
          onProgress: (p) => { status.textContent = `Deriving the key (Argon2id)… ${Math.round(p * 100)} %`; } });
        pass.value = '';
        await signIn(seed, pending.name);
        pending = null;
      } catch (e) {
        status.textContent = e instanceof KeyFileError ? e.message : `Could not unlock the key: ${e.message}`;
        status.className = 'notice bad';
        unlock.disabled = false;
      }
    });
    box.replaceChildren(
      h('h2', {}, 'Sign in with your key'),
      purpose ? h('p', {}, purpose) : null,
      h('label', { class: 'file' }, 'Key file ', file),
      h('p', { class: 'muted small' },
        'A key file written by ', h('code', {}, 'tidemark keys'), ' (encrypted: you will be asked its passphrase) or a plain ',
        h('code', {}, 'admin_key.json'), '. It is read in this browser and never sent or stored.'),
      passForm, status);
  }
  draw();
  return box;
}
