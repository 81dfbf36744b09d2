// Unit tests of the explorer's pure helpers (no browser): CSV export and the chart's series.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { series } from '../src/chart.js';
import { TX_CSV_COLUMNS, toCsv } from '../src/csv.js';

test('CSV quotes commas, quotes and newlines, and defuses spreadsheet formulas', () => {
  const cols = [{ label: 'a', value: (r) => r.a }, { label: 'b', value: (r) => r.b }];
  const csv = toCsv(cols, [{ a: 'x,y', b: 'say "hi"' }, { a: '=SUM(A1)', b: 'line\nbreak' }, { a: null, b: 7 }]);
  assert.equal(csv, 'a,b\r\n"x,y","say ""hi"""\r\n\'=SUM(A1),"line\nbreak"\r\n,7\r\n');
});

test('the tx CSV has one column per tx field', () => {
  const csv = toCsv(TX_CSV_COLUMNS, [{ id: 'ab', height: 3, index: 0, status: 'committed', signer: 'cd', nonce: 1,
    contract: 'prov', method: 'scan', reason: '' }]);
  assert.equal(csv.split('\r\n')[1], 'ab,3,0,committed,cd,1,prov,scan,');
});

test('the chart series is tx/s over each block interval', () => {
  const s = series([
    { height: 1, timestamp_ms: 1000, tx_count: 5 },
    { height: 2, timestamp_ms: 1500, tx_count: 10 },
    { height: 3, timestamp_ms: 1500, tx_count: 1 },
  ]);
  assert.deepEqual(s, [{ height: 2, blockMs: 500, tps: 20 }, { height: 3, blockMs: 1, tps: 1000 }]);
});
