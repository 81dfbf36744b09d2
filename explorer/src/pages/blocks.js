// Blocks list and block page.
import * as tm from '../../../sdk/js/src/index.js';
import { get, routes } from '../api.js';
import { TX_CSV_COLUMNS, csvButton } from '../csv.js';
import { age, badge, code, facts, h, hashLink, link, section, short, statusBadge, table, utc } from '../ui.js';

export async function blocksList(main, ctx) {
  ctx.title('Blocks');
  const cursor = new URLSearchParams(location.search).get('cursor');
  const [page, vs] = await Promise.all([
    get(`/v1/blocks?limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
    get('/v1/validators'),
  ]);
  const org = (i) => (vs.validators[i] ? vs.validators[i].org : String(i));
  main.append(h('h1', {}, 'Blocks'),
    section('Committed blocks, newest first', table([
      { label: 'Height', cell: (b) => link(`/blocks/${b.height}`, String(b.height)) },
      { label: 'Id', cell: (b) => hashLink(`/blocks/${b.height}`, b.id, 10), cls: 'hide-sm' },
      { label: 'Time (UTC)', cell: (b) => utc(b.timestamp_ms), cls: 'hide-sm' },
      { label: 'Age', cell: (b) => age(b.timestamp_ms) },
      { label: 'Txs', cell: (b) => String(b.tx_count), cls: 'num' },
      { label: 'Proposer', cell: (b) => org(b.proposer) },
    ], page.blocks, { empty: 'No blocks.' }),
    h('nav', { class: 'pager', 'aria-label': 'Pages' },
      cursor ? link('/blocks', '← Newest') : null,
      page.next_cursor ? link(`/blocks?cursor=${encodeURIComponent(page.next_cursor)}`, 'Older →', { rel: 'next' }) : null)));
}

// Checks the block's certificate in the browser against the validator set the node reports; in
// epoch 0 that set must also hash to the genesis anchor (/v1/genesis) when the node publishes it.
async function trustedHash(vsJson) {
  const rs = await routes();
  if (!rs.has('/v1/genesis') || vsJson.epoch !== 0) return { hash: undefined, against: 'the validator set this node reports' };
  const g = await get('/v1/genesis');
  return { hash: g.validator_set_hash, against: 'the genesis validator set' };
}

// The block's own checks (what verifyBlockResponse does besides the certificate): raw header
// hashes to the id, justify hashes to justify_hash, txs decode to their ids, tx_root, tx_count.
function checkBlockInternal(j) {
  const header = tm.decodeBlockHeader(tm.fromHex(j.raw_header));
  const need = (ok, why) => { if (!ok) throw new tm.VerifyError(why); };
  need(tm.toHex(tm.blockHeaderId(header)) === j.id, 'block: raw_header does not hash to the block id');
  need(tm.bytesEqual(tm.quorumCertHash(tm.decodeQuorumCert(tm.fromHex(j.justify.raw))), header.justify_hash),
    'block: justify_hash mismatch');
  // A redacted fin tx (raw null, docs/api.md §Finance) enters tx_root by its id alone.
  const ids = j.txs.map((t) => {
    if (t.raw === null && t.redacted === true) return tm.fromHexFixed(t.id, 32, 'tx id');
    const id = tm.transactionId(tm.decodeTransaction(tm.fromHex(t.raw)));
    need(tm.toHex(id) === t.id, `block: tx ${t.id} does not match its bytes`);
    return id;
  });
  need(ids.length === header.tx_count, 'block: tx_count mismatch');
  need(tm.bytesEqual(tm.merkleRootFromLeafHashes(ids.map(tm.merkleLeafHash)), header.tx_root),
    'block: txs do not match tx_root');
  return header;
}

// Verifies the block in the browser. A certificate may commit a descendant (one certificate
// commits every block up to the one it names): then that block's header is checked against the
// certificate and the parent hashes are followed down to this block.
async function verifyBlock(j, vs) {
  const header = checkBlockInternal(j);
  const qc = tm.decodeQuorumCert(tm.fromHex(j.certificate.raw));
  const commitHeight = Number(qc.data.commit_height);
  if (commitHeight === Number(header.height)) {
    tm.verifyBlockResponse(j, vs);
    return { qc, via: null };
  }
  if (commitHeight < Number(header.height) || commitHeight > Number(header.height) + 20) {
    throw new tm.VerifyError('block: the certificate commits an unrelated height');
  }
  let child = tm.decodeBlockHeader(tm.fromHex((await get(`/v1/blocks/${commitHeight}`)).raw_header));
  tm.verifyCommittedHeader(child, qc, vs);
  for (let h = commitHeight - 1; h > Number(header.height); h--) {
    const hd = tm.decodeBlockHeader(tm.fromHex((await get(`/v1/blocks/${h}`)).raw_header));
    if (!tm.bytesEqual(tm.blockHeaderId(hd), child.parent)) throw new tm.VerifyError(`block: parent link broken at ${h}`);
    child = hd;
  }
  if (!tm.bytesEqual(tm.blockHeaderId(header), child.parent)) throw new tm.VerifyError('block: not the parent of the certified chain');
  return { qc, via: commitHeight };
}

async function verifyMark(text, vsJson, trust) {
  try {
    const j = JSON.parse(text);
    if (!j.certificate) return badge('genesis: no certificate', '');
    if (j.header.epoch !== vsJson.epoch) {
      // Another epoch's validators signed it; /v1/validators only gives the current set.
      return h('span', { class: 'muted' }, `Not checked here: this block is from epoch ${j.header.epoch}, the node reports the validators of epoch ${vsJson.epoch}.`);
    }
    const vs = tm.validatorSetFromJson(vsJson, trust.hash);
    const { qc, via } = await verifyBlock(j, vs);
    const n = qc.signatures.length;
    const how = via === null ? 'on this block' : `on block ${via}, which descends from this one by parent hashes`;
    return h('span', { class: 'verified', 'data-testid': 'block-verified' },
      `✔ Checked in your browser: ${n} of ${vs.validators.length} validator signatures ${how}, the header hash and tx root (against ${trust.against})`);
  } catch (e) {
    return h('span', { class: 'notice bad', role: 'alert', 'data-testid': 'block-verify-failed' },
      `✘ This block does not verify: ${e.reason || e.message}`);
  }
}

export async function blockPage(main, ctx, id) {
  const r = await fetch(`/v1/blocks/${encodeURIComponent(id)}`, { headers: { Accept: 'application/json' } });
  const text = await r.text();
  if (!r.ok) {
    const p = JSON.parse(text);
    throw Object.assign(new Error(p.detail), { problem: p });
  }
  const b = JSON.parse(text);
  const [vsJson, status] = await Promise.all([get('/v1/validators'), get('/v1/status')]);
  const hd = b.header;
  ctx.title(`Block ${hd.height}`);
  const org = (i) => (vsJson.validators[i] ? vsJson.validators[i].org : `#${i}`);
  const receipts = b.receipts || [];
  const txRows = b.txs.map((t, i) => ({
    id: t.id, height: hd.height, index: i, signer: t.signer, nonce: t.nonce, contract: t.contract,
    method: t.method, status: receipts[i] ? receipts[i].status : 'committed (not executed yet)',
    reason: receipts[i] ? receipts[i].reason : '',
  }));
  const cert = b.certificate;
  main.append(
    h('nav', { class: 'pager', 'aria-label': 'Neighbouring blocks' },
      hd.height > 0 ? link(`/blocks/${hd.height - 1}`, `← Block ${hd.height - 1}`, { rel: 'prev' }) : h('span'),
      hd.height < status.height ? link(`/blocks/${hd.height + 1}`, `Block ${hd.height + 1} →`, { rel: 'next' }) : h('span', { class: 'muted' }, 'Latest block')),
    h('h1', {}, `Block ${hd.height}`),
    h('p', {}, await verifyMark(text, vsJson, await trustedHash(vsJson))),
    section('Header', facts([
      ['Height', String(hd.height)],
      ['Hash', code(b.id)],
      ['Parent', hd.height > 0 ? h('a', { href: `/blocks/${hd.height - 1}`, class: 'mono' }, hd.parent) : code(hd.parent)],
      ['Time', h('span', {}, utc(hd.timestamp_ms), h('span', { class: 'muted' }, ` (${age(hd.timestamp_ms)})`))],
      ['Proposer', `${org(hd.proposer)} (validator ${hd.proposer})`],
      ['Round / epoch', `${hd.round} / ${hd.epoch}`],
      ['Transactions', String(hd.tx_count)],
      ['Tx root', code(hd.tx_root)],
      ['State root', h('span', {}, code(hd.state_root), h('span', { class: 'muted' }, ` after block ${hd.exec_height}`))],
      ['Receipts root', code(hd.receipts_root)],
      ['Validators hash', code(hd.validators_hash)],
      ['Chain', hd.chain_id],
    ])),
    section('Commit certificate', cert ? facts([
      ['Signers', h('span', { 'data-testid': 'cert-signers' }, cert.signatures.map((s) => org(s.index)).join(', '))],
      ['Signatures', `${cert.signatures.length} of ${vsJson.validators.length} (quorum ${vsJson.quorum})`],
      ['Commits', cert.commit_height === hd.height ? 'this block' : h('span', {}, link(`/blocks/${cert.commit_height}`, `block ${cert.commit_height}`), ' and with it every block before it')],
      ['Formed on', `block ${cert.height}, round ${cert.round}`],
      ['Certificate', code(short(cert.raw, 32))],
    ]) : h('p', { class: 'muted' }, 'The genesis block has no certificate.')),
    section('Transactions', txTable(txRows), txRows.length ? csvButton(`block-${hd.height}-txs.csv`, TX_CSV_COLUMNS, () => txRows) : null));
}

export function txTable(rows) {
  return table([
    { label: 'Tx', cell: (t) => hashLink(`/txs/${t.id}`, t.id, 12) },
    { label: 'Call', cell: (t) => `${t.contract}.${t.method}` },
    { label: 'Signer', cell: (t) => (t.signer ? hashLink(`/accounts/${t.signer}`, t.signer, 8) : ''), cls: 'hide-sm' },
    { label: 'Block', cell: (t) => (t.height !== undefined ? link(`/blocks/${t.height}`, String(t.height)) : '') },
    { label: 'Status', cell: (t) => statusBadge(t.status) },
  ], rows, { empty: 'No transactions.' });
}
