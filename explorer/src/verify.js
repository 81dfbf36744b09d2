// verify.js — the trace page's "verified" mark, computed in this browser with sdk/js.
//
// The proof bundle comes from the Digital Link resolver (GET <link>?proof=true). The SDK's
// verifyTraceAnswer(answer, trust) checks it against a trusted validator set: the genesis set
// published at /v1/genesis, and the epoch changes since it, carried in the bundle). The mark says what
// was checked, or turns into a warning when any check fails.
import * as tm from '../../sdk/js/src/index.js';
import { get, routes } from './api.js';
import { t } from './i18n.js';

// The trust anchor: the genesis validator set (/v1/genesis: {chain_id, epoch, validators,
// validator_set, validator_set_hash}); later epochs are accepted only through the epoch-change
// chain inside the proof bundle. Without /v1/genesis there is nothing to verify against.
export async function trustAnchor() {
  const rs = await routes();
  if (!rs.has('/v1/genesis')) throw Object.assign(new Error('this node publishes no genesis anchor'), { reason: 'no /v1/genesis' });
  return get('/v1/genesis');
}

/**
 * Verifies a trace answer in this browser. Resolves to {state: 'ok' | 'bad' | 'unverified', title,
 * detail, more, result}, the texts in `lang` (i18n.js). result (when ok) is verifyTraceAnswer's:
 * the proven records, the warnings and origin DERIVED from them, and `disagreements` where the
 * node's own unproven summary differs. The reason of a failure is in `more`, never in `detail`.
 */
export async function verifyTrace(answer, lang = 'en', asOfMs = Date.now()) {
  // Looked up by name: the SDK gains it with the proof bundles; until then the mark says unverified.
  const verifyTraceAnswer = tm[['verifyTrace', 'Answer'].join('')];
  if (!answer || typeof verifyTraceAnswer !== 'function') {
    return { state: 'unverified', title: t(lang, 'noProofTitle'), detail: t(lang, 'noProofDetail'), more: null };
  }
  if (!answer.proof || answer.proof.available === false) {
    return { state: 'unverified', title: t(lang, 'noProofTitle'),
      detail: answer.proof ? t(lang, 'noProofReason', { reason: answer.proof.reason || 'no proof available' }) : t(lang, 'noProofDetail'),
      more: null };
  }
  try {
    const genesis = await trustAnchor();
    const r = verifyTraceAnswer(answer, genesis, { asOfMs });
    if (!r || r.ok !== true) throw new Error('the proof did not verify');
    const signers = (r.signers || []).map((v) => v.org || `#${v.index}`);
    return { state: 'ok', title: t(lang, 'okTitle'), result: r,
      detail: t(lang, 'okDetail', { n: signers.length, m: r.validatorCount }),
      more: t(lang, 'okMore', { signers: signers.join(', '), height: r.height, chain: genesis.chain_id,
        checked: (r.checked || []).join(', ') }) };
  } catch (e) {
    return { state: 'bad', title: t(lang, 'badTitle'), detail: t(lang, 'badDetail'),
      more: t(lang, 'badMore', { reason: e.reason || e.message || String(e) }) };
  }
}

// The mark's text from a verifier result: who signed which block.
function signedBy(r, genesis) {
  const signers = (r.signers || []).map((v) => v.org || `#${v.index}`);
  return {
    signers,
    detail: `${signers.length} of ${r.validatorCount} validators signed block ${r.height}`,
    more: `Signed by ${signers.join(', ')}, checked against the genesis validator set of ${genesis.chain_id}. ` +
      `Checked: ${(r.checked || []).join(', ')}.`,
  };
}

function failed(e, what) {
  return { state: 'bad', title: '✘ NOT verified.',
    detail: `${what} does not match what the validators signed (${e.reason || e.message}). Do not trust it.` };
}

/**
 * Verifies a bank check answer (GET /v1/fin/check?...&proof) for the fingerprint and invoice key
 * this browser computed. Resolves to {state: 'ok' | 'bad' | 'unverified', title, detail, more,
 * result}; result.state (free / registered / encumbered / closed) is the proven one.
 */
export async function verifyFinCheck(answer, want) {
  try {
    const genesis = await trustAnchor();
    const r = tm.verifyFinCheckAnswer(answer, genesis, { fingerprint: want.fingerprint, invoiceKey: want.invoiceKey });
    if (!r || r.ok !== true) throw new Error('the proof did not verify');
    const s = signedBy(r, genesis);
    return { state: 'ok', title: '✔ Verified in your browser.', result: r, signers: s.signers,
      detail: `${s.detail}; the Merkle proof shows this invoice ${r.state === 'free' ? 'absent from' : 'recorded in'} that block’s state.`,
      more: s.more };
  } catch (e) {
    return failed(e, 'This answer');
  }
}

/**
 * Verifies a receivable answer (GET /v1/fin/receivables/{id}?proof=true) for receivable `id`, as
 * verifyFinCheck; result.record is the proven record.
 */
export async function verifyReceivable(answer, id) {
  if (!answer || !answer.proof) {
    return { state: 'unverified', title: 'Not verified.', detail: 'This node sent no proof for this receivable.' };
  }
  try {
    const genesis = await trustAnchor();
    const r = tm.verifyReceivableAnswer(answer, genesis, id);
    if (!r || r.ok !== true) throw new Error('the proof did not verify');
    const s = signedBy(r, genesis);
    return { state: 'ok', title: '✔ Verified in your browser.', result: r, signers: s.signers,
      detail: `${s.detail}; the Merkle proof covers this receivable’s record.`, more: s.more };
  } catch (e) {
    return failed(e, 'This page');
  }
}
