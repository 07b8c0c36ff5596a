// DuckDB on one thread, the same file and filter as bench/e2e_duckdb.sh gives alertc.
// Usage: node duckdb_filter.mjs ORDERS.csv   (prints the best of 3 wall times)
import { DuckDBInstance } from '@duckdb/node-api';

const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
const con = await instance.connect();
const path = process.argv[2];
const sql = `SELECT count(*) FROM read_csv('${path}', header=true, columns={'ts':'TIMESTAMPTZ',
  'order_id':'VARCHAR','sku':'VARCHAR','region':'VARCHAR','price':'DOUBLE','qty':'BIGINT',
  'coupon':'VARCHAR'}) WHERE price * qty > 19900.0 AND region = 'EU'`;
let best = Infinity, count = 0;
for (let i = 0; i < 3; i++) {
  const t0 = process.hrtime.bigint();
  const r = await con.runAndReadAll(sql);
  best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  count = r.getRows()[0][0];
}
console.log(`duckdb (1 thread): ${count} rows match, best of 3: ${best.toFixed(3)} s`);
