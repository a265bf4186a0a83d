// Reads the JSON lines run.sh collected and prints the side-by-side table with the ratios.
"use strict";
const fs = require("fs");
const rows = {};
for (const line of fs.readFileSync(process.argv[2], "utf8").split("\n")) {
  if (line.trim().startsWith("{")) {
    const r = JSON.parse(line);
    rows[r.name] = r;
  }
}
const f = (x, d = 0) => (x === undefined ? "-" : Number(x).toFixed(d));
const line = (name, r) =>
  `  ${name.padEnd(16)} ${f(r && r.rps).padStart(8)} req/s   p50 ${f(r && r.p50ms, 2).padStart(7)} ms   p99 ${f(r && r.p99ms, 2).padStart(7)} ms   errors ${f(r && r.errors)}`;
const ratio = (a, b) => (a && b && b.rps ? (a.rps / b.rps).toFixed(2) + "x" : "-");

console.log("servers (same load tool, same document, validation on in both):");
console.log(line("paykit sandbox", rows.sandbox));
console.log(line("prism mock", rows.prism));
console.log(`  sandbox / prism requests/s: ${ratio(rows.sandbox, rows.prism)}`);
console.log("clients against the sandbox:");
console.log(line("paykit (Go)", rows["paykit-client"]));
console.log(line("mtn-momo (Node)", rows["mtn-momo-client"]));
console.log(`  paykit / mtn-momo requests/s: ${ratio(rows["paykit-client"], rows["mtn-momo-client"])}`);
const tok = (r) => (r ? `${r.count.tokenFetches} token fetches for ${r.count.requests} requests` : "-");
console.log(`token fetches from a cold start: paykit ${tok(rows["paykit-tokens"])}; mtn-momo ${tok(rows["mtn-momo-tokens"])}`);
