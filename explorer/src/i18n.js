// i18n.js — the consumer trace page's words in English and Simplified Chinese. The language is the
// reader's choice (the switch, kept in localStorage), else the first of navigator.languages we
// speak (zh* -> zh-CN), else English. Country names and dates come from Intl in that language.
// Pure functions except `storedLang` / `storeLang` (localStorage); no DOM.
//
//   const lang = pickLang(navigator.languages, storedLang());
//   t(lang, 'route')                                  // 'Route' | '流转路线'
//   warningText(lang, { kind: 'recalled', params })   // a sentence for a consumer
//   countryName(lang, 'NZ'), dateText(lang, '2026-03-05T10:00:00Z')

export const LANGS = ['en', 'zh-CN'];
const STORE = 'tidemark.lang';

// The language from the reader's stored choice, else their browser's languages.
export function pickLang(languages, stored) {
  if (LANGS.includes(stored)) return stored;
  for (const l of languages || []) {
    const s = String(l).toLowerCase();
    if (s.startsWith('zh')) return 'zh-CN';
    if (s.startsWith('en')) return 'en';
  }
  return 'en';
}

export function storedLang() {
  try {
    return globalThis.localStorage?.getItem(STORE) ?? null;
  } catch {
    return null;  // storage disabled
  }
}

export function storeLang(lang) {
  try {
    globalThis.localStorage?.setItem(STORE, lang);
  } catch {
    // storage disabled: the choice lasts for this page only
  }
}

const fill = (s, p = {}) => s.replace(/\{(\w+)\}/g, (_, k) => (p[k] === undefined || p[k] === null ? '' : String(p[k])));

const EN = {
  language: 'Language',
  verifying: 'Verifying in your browser…',
  unknownCode: 'This code is not on the ledger. The product may not be genuine.',
  unknownTitle: 'Unknown code',
  unregistered: 'Unregistered product',
  origin: 'Origin',
  unknown: 'unknown',
  warnings: 'Warnings',
  thisItem: 'This item',
  code: 'Code',
  lot: 'Lot',
  madeOn: 'Made on',
  bestBefore: 'Best before',
  status: 'Status',
  heldBy: 'Held by',
  notTracked: 'not tracked item by item',
  inspection: 'Inspection',
  conformant: 'Passed inspection',
  nonConformant: 'Failed inspection',
  customs: 'Customs',
  importType: 'Import type',
  declaration: 'Declaration',
  released: 'Released',
  route: 'Route',
  noEvents: 'No events recorded.',
  readAt: 'scanned at {place}',
  certificates: 'Certificates',
  certBy: 'issued by {by}, valid {from} to {to}',
  scans: 'Scans',
  scannedN: 'Checked {n} times; first on {time}.',
  scannedOnce: 'Checked once, on {time}.',
  neverScanned: 'Never checked before.',
  share: 'Share',
  qr: 'QR code of {link}',
  details: 'Technical details',
  block: 'Block',
  tx: 'Transaction',
  reportHash: 'Report SHA-256',
  okTitle: '✔ Verified in your browser.',
  okDetail: '{n} of the ledger’s {m} validators signed this information, and everything on this page matches it.',
  okMore: 'Signed by {signers} at block {height}, checked against the genesis validator set of {chain}. Checked: {checked}.',
  whatChecked: 'What was checked',
  noProofTitle: 'Not verified.',
  noProofDetail: 'This node sent no proof for this page, so your browser could not check it against the validators’ signatures.',
  noProofReason: 'The node could not prove this answer ({reason}).',
  badTitle: '✘ Verification failed.',
  badDetail: 'This page does not match what the ledger’s validators signed. Do not trust it.',
  badMore: 'Reason: {reason}.',
  disagrees: 'This node’s answer disagrees with its proof ({fields}). The warnings shown here are taken from the proof, not from the node.',
  unprovenWarnings: 'The node says (not verified):',
};

const ZH = {
  language: '语言',
  verifying: '正在您的浏览器中验证…',
  unknownCode: '此码不在账本上。该商品可能不是正品。',
  unknownTitle: '未知的码',
  unregistered: '未登记的商品',
  origin: '原产地',
  unknown: '未知',
  warnings: '警告',
  thisItem: '本商品',
  code: '编码',
  lot: '批号',
  madeOn: '生产日期',
  bestBefore: '保质期至',
  status: '状态',
  heldBy: '持有方',
  notTracked: '未逐件追踪',
  inspection: '检验',
  conformant: '检验合格',
  nonConformant: '检验不合格',
  customs: '海关',
  importType: '进口方式',
  declaration: '报关单号',
  released: '放行时间',
  route: '流转路线',
  noEvents: '暂无记录。',
  readAt: '扫描地点：{place}',
  certificates: '证书',
  certBy: '签发方 {by}，有效期 {from} 至 {to}',
  scans: '查询记录',
  scannedN: '已被查询 {n} 次；首次查询于 {time}。',
  scannedOnce: '已被查询 1 次，时间为 {time}。',
  neverScanned: '此前从未被查询。',
  share: '分享',
  qr: '{link} 的二维码',
  details: '技术详情',
  block: '区块',
  tx: '交易',
  reportHash: '报告 SHA-256',
  okTitle: '✔ 已在您的浏览器中验证。',
  okDetail: '账本的 {m} 个验证节点中有 {n} 个签署了这些信息，本页内容与之完全一致。',
  okMore: '由 {signers} 在区块 {height} 签署，已按 {chain} 的创世验证节点集核验。核验项目：{checked}。',
  whatChecked: '核验了哪些内容',
  noProofTitle: '未验证。',
  noProofDetail: '此节点没有提供本页的证明，您的浏览器无法根据验证节点的签名进行核验。',
  noProofReason: '节点无法证明此回答（{reason}）。',
  badTitle: '✘ 验证失败。',
  badDetail: '本页内容与账本验证节点的签名不符。请勿信任。',
  badMore: '原因：{reason}。',
  disagrees: '此节点的回答与其证明不符（{fields}）。此处显示的警告取自证明，而非节点的说法。',
  unprovenWarnings: '节点声称（未经验证）：',
};

const TEXT = { en: EN, 'zh-CN': ZH };

export function t(lang, key, params) {
  const s = (TEXT[lang] || EN)[key] ?? EN[key] ?? key;
  return fill(s, params);
}

// A business step of the route, in words.
const STEPS = {
  en: { commissioning: 'Made', packing: 'Packed', shipping: 'Shipped', departing: 'Departed', arriving: 'Arrived',
    receiving: 'Received', storing: 'Stored', inspecting: 'Inspected', stocking: 'On the shelf',
    retail_selling: 'Sold', accepting: 'Accepted', loading: 'Loaded', unloading: 'Unloaded',
    transporting: 'In transport', destroying: 'Destroyed', recalling: 'Recalled', unpacking: 'Unpacked',
    holding: 'Held', sampling: 'Sampled', encoding: 'Labelled', customs: 'Customs' },
  'zh-CN': { commissioning: '生产', packing: '包装', shipping: '发货', departing: '离港', arriving: '到港',
    receiving: '收货', storing: '入库', inspecting: '检验', stocking: '上架', retail_selling: '售出',
    accepting: '验收', loading: '装载', unloading: '卸载', transporting: '运输中', destroying: '销毁',
    recalling: '召回', unpacking: '拆箱', holding: '暂扣', sampling: '抽样', encoding: '贴标', customs: '海关' },
};
const CUSTOMS_STEPS = {
  en: { DECLARED: 'Declared to customs', INSPECTED: 'Inspected by customs', INSPECTING: 'Inspected by customs', RELEASED: 'Released by customs',
    REJECTED: 'Rejected by customs', other: 'Customs' },
  'zh-CN': { DECLARED: '向海关申报', INSPECTED: '海关查验', INSPECTING: '海关查验', RELEASED: '海关放行', REJECTED: '海关退运', other: '海关' },
};
const OTHER_STEPS = {
  en: { recall: 'Recalled', custody: 'Handed over', event: 'Recorded' },
  'zh-CN': { recall: '召回', custody: '交接', event: '记录' },
};

export function stepText(lang, e) {
  const L = TEXT[lang] ? lang : 'en';
  const type = String(e.type || '');
  if (type === 'customs') {
    const a = String(e.action || '').toUpperCase();
    return CUSTOMS_STEPS[L][a] || CUSTOMS_STEPS[L].other;
  }
  if (type === 'recall') return OTHER_STEPS[L].recall;
  if (type === 'custody') return OTHER_STEPS[L].custody;
  return STEPS[L][e.bizStep] || e.bizStep || OTHER_STEPS[L].event;
}

// An item's state (the contract's names) in words.
const STATES = {
  en: { COMMISSIONED: 'made', PACKED: 'packed', IN_TRANSIT: 'in transit', CUSTOMS_HOLD: 'under customs control',
    INSPECTED: 'under customs inspection', RELEASED: 'released by customs', IN_BONDED_WAREHOUSE: 'in a bonded warehouse',
    RECEIVED: 'received', STORED: 'in storage', ON_SHELF: 'on the shelf', SOLD: 'sold', RECALLED: 'recalled',
    DESTROYED: 'destroyed', RETURNED: 'returned', CUSTOMS_REJECTED: 'rejected by customs' },
  'zh-CN': { COMMISSIONED: '已生产', PACKED: '已包装', IN_TRANSIT: '运输中', CUSTOMS_HOLD: '海关监管中',
    INSPECTED: '海关查验中', RELEASED: '海关已放行', IN_BONDED_WAREHOUSE: '保税仓储中', RECEIVED: '已收货',
    STORED: '已入库', ON_SHELF: '在售', SOLD: '已售出', RECALLED: '已召回', DESTROYED: '已销毁', RETURNED: '已退回',
    CUSTOMS_REJECTED: '海关退运' },
};
export function stateText(lang, state) {
  const L = TEXT[lang] ? lang : 'en';
  return STATES[L][state] || String(state || '').toLowerCase().replace(/_/g, ' ');
}

const CUSTOMS_STATUS = {
  en: { DECLARED: 'declared', INSPECTED: 'being inspected', INSPECTING: 'being inspected', RELEASED: 'released', REJECTED: 'rejected' },
  'zh-CN': { DECLARED: '已申报', INSPECTED: '查验中', INSPECTING: '查验中', RELEASED: '已放行', REJECTED: '未通过' },
};
export function customsStatusText(lang, s) {
  const L = TEXT[lang] ? lang : 'en';
  return CUSTOMS_STATUS[L][s] || String(s || '').toLowerCase();
}

const MODES = {
  en: { 1210: 'bonded import (1210)', 1239: 'bonded e-commerce import (1239)', 9610: 'direct import (9610)',
    9710: 'B2B direct export (9710)', 9810: 'export to an overseas warehouse (9810)' },
  'zh-CN': { 1210: '保税进口（1210）', 1239: '保税电商进口（1239）', 9610: '直购进口（9610）',
    9710: '跨境电商 B2B 直接出口（9710）', 9810: '跨境电商出口海外仓（9810）' },
};
export function modeText(lang, mode) {
  const L = TEXT[lang] ? lang : 'en';
  return MODES[L][mode] || String(mode || '');
}

export function countryName(lang, code) {
  if (!code) return '';
  try {
    const name = new Intl.DisplayNames([lang], { type: 'region' }).of(code);
    return name && name !== code ? name : code;
  } catch {
    return code;
  }
}

// "2026-03-05T10:00:00Z" -> a date and time in the reader's language and time zone; a bare
// "2026-03-05" -> the date alone. Anything else as it is.
export function dateText(lang, value, { timeZone } = {}) {
  if (value === null || value === undefined || value === '') return '';
  const s = String(value);
  const dateOnly = /^\d{4}-\d\d-\d\d$/.test(s);
  const d = new Date(dateOnly ? `${s}T00:00:00Z` : s);
  if (Number.isNaN(d.getTime())) return s;
  const opts = dateOnly ? { dateStyle: 'medium', timeZone: 'UTC' } : { dateStyle: 'medium', timeStyle: 'short' };
  if (timeZone && !dateOnly) opts.timeZone = timeZone;
  try {
    return new Intl.DateTimeFormat(lang, opts).format(d);
  } catch {
    return s;
  }
}

// A derived warning ({kind, params}) as a sentence a consumer understands, and how bad it is
// ('bad' or 'warn').
const WARNINGS = {
  en: {
    recalled: (p) => `Recalled: this product’s lot was recalled${p.reason ? ` (${p.reason})` : ''}. Do not use it.`,
    customs_hold: (p) => `Not released by customs yet${p.declaration ? ` (declaration ${p.declaration})` : ''}. It should not be on sale.`,
    sold: (p) => `This item was already sold${p.time ? ` on ${p.time}` : ''}. If you did not buy it then, it may be a copy or resold.`,
    destroyed: (p) => `This item was recorded as destroyed${p.time ? ` on ${p.time}` : ''}. It should not be on sale.`,
    non_conformant: () => 'This lot failed inspection. Do not use it.',
    expired: (p) => `Expired on ${p.expiry_date}.`,
    scanned: (p) => `This code was scanned ${p.count === 1 ? 'once' : `${p.count} times`} before, first on ${p.first_time}. If you did not scan it before, it may be a copy.`,
  },
  'zh-CN': {
    recalled: (p) => `已召回：该商品所在批次已被召回${p.reason ? `（${p.reason}）` : ''}。请勿使用。`,
    customs_hold: (p) => `尚未获海关放行${p.declaration ? `（报关单号 ${p.declaration}）` : ''}，不应在售。`,
    sold: (p) => `该商品已${p.time ? `于 ${p.time} ` : ''}售出。如果不是您当时购买的，它可能是仿冒品或被转售。`,
    destroyed: (p) => `该商品已${p.time ? `于 ${p.time} ` : ''}登记为销毁，不应在售。`,
    non_conformant: () => '该批次检验不合格。请勿使用。',
    expired: (p) => `已于 ${p.expiry_date} 过期。`,
    scanned: (p) => `此码此前已被扫描 ${p.count} 次，首次于 ${p.first_time}。如果您之前没有扫描过，它可能是仿冒品。`,
  },
};

export function warningText(lang, w) {
  const L = TEXT[lang] ? lang : 'en';
  const p = { ...(w && w.params ? w.params : {}) };
  for (const f of ['time', 'first_time']) if (p[f]) p[f] = dateText(lang, p[f]);
  if (p.expiry_date) p.expiry_date = dateText(lang, p.expiry_date);
  const fn = WARNINGS[L][w && w.kind];
  if (!fn) return typeof w === 'string' ? w : JSON.stringify(w);  // an old node's text, or a new kind
  return fn(p);
}

export const warningLevel = (w) => (w && w.kind === 'scanned' ? 'warn' : 'bad');
