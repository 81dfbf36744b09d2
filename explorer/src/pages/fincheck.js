// The bank check page (/fin/check): before lending against an invoice, a bank asks the ledger
// whether it is registered, financed (encumbered), closed, or free. The invoice's fingerprint and
// invoice key are computed in this browser (the invoice never leaves it); the request is signed
// with the bank's key (session.js); the answer's proof is verified here, and the state shown is
// the proven one — an answer that does not verify shows "NOT verified" and no state as fact.
import { ApiError } from '../api.js';
import { InvoiceError, fieldsFromJson, fingerprints, formatAmount, invoiceFromFields } from '../fin.js';
import { currentReader, signInPanel, signedGet } from '../session.js';
import { h, problemText, section } from '../ui.js';
import { verifyFinCheck } from '../verify.js';

export const STATE_TEXT = {
  free: ['Free', 'this invoice is financed nowhere on this ledger.', 'ok'],
  registered: ['Registered', 'this invoice is on the ledger as a receivable; it is not financed.', 'warn'],
  encumbered: ['Encumbered', 'this invoice is already financed (pledged or factored). Do not lend against it again.', 'bad'],
  closed: ['Closed', 'the receivable of this invoice was settled, cancelled or rejected.', 'bad'],
};

const FIELDS = [
  ['creditor', 'Creditor (organisation id)', 'text', 'platform'],
  ['debtor', 'Debtor (organisation id)', 'text', 'customs'],
  ['number', 'Invoice number', 'text', 'INV-2026/0001'],
  ['amount', 'Amount', 'text', '12500.00'],
  ['currency', 'Currency', 'text', 'CNY'],
  ['date', 'Invoice date', 'date', ''],
];

export async function finCheckPage(main, ctx) {
  ctx.title('Bank check');
  const inputs = {};
  const form = h('form', { class: 'invoice', 'data-testid': 'invoice-form', novalidate: true });
  for (const [name, label, type, placeholder] of FIELDS) {
    inputs[name] = h('input', { name, type, placeholder, autocomplete: 'off', spellcheck: 'false', 'data-testid': `inv-${name}` });
    form.append(h('label', {}, h('span', {}, label), inputs[name]));
  }
  inputs.unit = h('select', { name: 'unit', 'data-testid': 'inv-unit' },
    h('option', { value: 'decimal' }, 'in the currency (1234.56)'), h('option', { value: 'minor' }, 'in minor units (123456)'));
  form.append(h('label', {}, h('span', {}, 'Amount is'), inputs.unit));
  const checkBtn = h('button', { type: 'submit', 'data-testid': 'check' }, 'Check this invoice');
  const hint = h('span', { class: 'muted' });
  form.append(h('div', { class: 'row' }, checkBtn, hint));

  // Loading an invoice: a JSON file or pasted JSON fills the form (and is checked from there).
  const msg = h('p', { role: 'status', 'data-testid': 'invoice-msg' });
  const fill = (text) => {
    msg.className = '';
    msg.textContent = '';
    try {
      let j;
      try {
        j = JSON.parse(text);
      } catch {
        throw new InvoiceError('invoice file: not valid JSON');
      }
      const f = fieldsFromJson(j);
      for (const k of Object.keys(inputs)) if (f[k] !== undefined) inputs[k].value = f[k];
      msg.textContent = 'Invoice loaded into the form.';
      return true;
    } catch (e) {
      msg.className = 'notice bad';
      msg.textContent = e.message;
      return false;
    }
  };
  const upload = h('input', { type: 'file', accept: '.json,application/json', 'data-testid': 'invoice-file', 'aria-label': 'Invoice JSON file' });
  upload.addEventListener('change', async () => {
    const f = upload.files && upload.files[0];
    upload.value = '';
    if (!f) return;
    if (f.size > 256 * 1024) {
      msg.className = 'notice bad';
      msg.textContent = 'invoice file: larger than 256 KiB';
      return;
    }
    fill(await f.text());
  });
  const paste = h('textarea', { rows: 5, spellcheck: 'false', 'data-testid': 'invoice-json',
    placeholder: '{"creditor": "platform", "debtor": "customs", "number": "INV-2026/0001", "amount": 1250000, "currency": "CNY", "date": "2026-11-30"}' });
  const pasteBtn = h('button', { type: 'button', class: 'small', 'data-testid': 'invoice-paste', onclick: () => fill(paste.value) }, 'Fill the form');

  const out = h('div', { 'data-testid': 'check-result' });
  const updateButton = () => {
    const r = currentReader();
    checkBtn.disabled = !r;
    hint.textContent = r ? '' : 'Sign in with the bank’s key first.';
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    let inv;
    let fp;
    try {
      inv = invoiceFromFields(Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, el.value])));
      fp = fingerprints(inv);
    } catch (e) {
      out.append(h('div', { class: 'notice bad', role: 'alert', 'data-testid': 'invoice-error' }, e.message));
      return;
    }
    checkBtn.disabled = true;
    try {
      await runCheck(out, inv, fp);
    } finally {
      updateButton();
    }
  });

  main.append(
    h('h1', {}, 'Bank check'),
    h('p', { class: 'lead' }, 'Before lending against an invoice, check whether it is already on this ledger or financed. ' +
      'Its fingerprint is computed in your browser: the invoice itself is never sent, and the answer is checked here ' +
      'against the validators’ signatures.'),
    signInPanel(ctx, { onChange: updateButton, purpose: 'A bank’s key signs the check (any active key of an organisation with the BANK role).' }),
    section('Invoice',
      h('div', { class: 'row' }, h('label', { class: 'file' }, 'Load an invoice JSON file ', upload)),
      h('details', {}, h('summary', {}, 'Or paste the invoice as JSON'), paste, h('div', {}, pasteBtn)),
      msg, form),
    out);
  updateButton();
}

async function runCheck(out, inv, fp) {
  const amount = formatAmount(inv.amount, inv.currency);
  out.append(section('Fingerprint, computed in your browser', h('dl', { class: 'facts', 'data-testid': 'fingerprints' },
    h('dt', {}, 'Invoice'), h('dd', {}, `${inv.number} · ${inv.creditor} → ${inv.debtor} · ${amount} · ${inv.date}`),
    h('dt', {}, 'Fingerprint'), h('dd', { class: 'mono break', 'data-testid': 'fingerprint' }, fp.fingerprint),
    h('dt', {}, 'Invoice key'), h('dd', { class: 'mono break', 'data-testid': 'invoice-key' }, fp.invoiceKey))));
  const mark = h('div', { class: 'mark pending', role: 'status', 'data-testid': 'verify-mark' }, 'Asking the ledger…');
  const verdict = h('div', { 'data-testid': 'fin-verdict' });
  out.append(section('Answer', mark, verdict));
  let answer;
  try {
    ({ body: answer } = await signedGet(`/v1/fin/check?fingerprint=${fp.fingerprint}&invoice_key=${fp.invoiceKey}`));
  } catch (e) {
    mark.className = 'mark bad';
    mark.dataset.state = 'error';
    mark.replaceChildren(h('strong', {}, 'No answer. '), h('span', {}, checkError(e)));
    return;
  }
  mark.textContent = 'Verifying in your browser…';
  const v = await verifyFinCheck(answer, fp);
  mark.className = `mark ${v.state}`;
  mark.dataset.state = v.state;
  mark.replaceChildren(...[h('strong', {}, v.title), h('span', {}, ` ${v.detail}`),
    v.more ? h('details', {}, h('summary', {}, 'What was checked'), h('p', {}, v.more)) : null].filter(Boolean));
  if (v.state === 'ok') {
    const state = v.result.state;
    const [label, text, kind] = STATE_TEXT[state] || [state, '', 'warn'];
    verdict.dataset.state = state;
    verdict.append(h('p', { class: `verdict ${kind}`, 'data-testid': 'fin-state' }, h('strong', {}, label), ` — ${text}`),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Proven at'), h('dd', { 'data-testid': 'proof-height' }, `block ${v.result.height}`),
        h('dt', {}, 'Signed by'), h('dd', { 'data-testid': 'proof-signers' }, v.signers.join(', '))));
  } else {
    // Not a fact: the node's claim, labelled as such.
    verdict.dataset.state = 'unproven';
    verdict.append(h('p', { class: 'verdict bad', 'data-testid': 'fin-state' },
      h('strong', {}, 'Unproven'), ` — the node says “${claimedState(answer)}”, but your browser could not verify it. ` +
      'Do not lend on this answer.'));
  }
}

// The state the answer claims ({fingerprint: {state}, invoice_key: {state}}), as text only.
function claimedState(answer) {
  const states = [answer && answer.fingerprint, answer && answer.invoice_key].map((x) => String((x && x.state) || '?'));
  return states[0] === states[1] ? states[0] : states.join(' / ');
}

function checkError(e) {
  if (e instanceof ApiError) {
    if (e.status === 401) return `The node did not accept your signature: ${problemText(e)}`;
    if (e.status === 403) return `This key may not check invoices (only banks may): ${problemText(e)}`;
  }
  return problemText(e);
}
