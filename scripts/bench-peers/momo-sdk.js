// Drives the Node mtn-momo SDK the way a service would use it: one Collections client,
// `workers` request-to-pay + status flows at a time, until `flows` have run or `seconds`
// have passed. Prints one JSON line in the shape of `loadgen load`. Loopback only.
//
//   node momo-sdk.js BASE_URL KEY API_USER API_KEY [workers] [seconds] [flows]
"use strict";

const momo = require("mtn-momo");

const [base, key, apiUser, apiKey] = process.argv.slice(2, 6);
const workers = Number(process.argv[6] || 64);
const seconds = Number(process.argv[7] || 10);
const maxFlows = Number(process.argv[8] || 0);
if (!base || !key || !apiUser || !apiKey) {
  console.error("usage: node momo-sdk.js BASE_URL KEY API_USER API_KEY [workers] [seconds] [flows]");
  process.exit(2);
}
const host = new URL(base).hostname;
if (!["127.0.0.1", "localhost", "::1"].includes(host)) {
  console.error("momo-sdk.js: load goes to loopback addresses only");
  process.exit(2);
}

const { Collections } = momo.create({ baseUrl: base, environment: "sandbox", callbackHost: "localhost" });
const collections = Collections({ userId: apiUser, userSecret: apiKey, primaryKey: key });

const latencies = [];
let errors = 0;
let firstError = "";
let flows = 0;

async function timed(call) {
  const start = process.hrtime.bigint();
  try {
    return await call();
  } catch (err) {
    errors++;
    if (!firstError) firstError = String((err && err.message) || err);
    throw err;
  } finally {
    latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
}

async function worker(deadline) {
  while (Date.now() < deadline && (maxFlows === 0 || flows < maxFlows)) {
    flows++;
    const n = flows;
    try {
      const ref = await timed(() =>
        collections.requestToPay({
          amount: "100",
          currency: "EUR",
          externalId: "order-" + n,
          payer: { partyIdType: "MSISDN", partyId: "46733000001" },
          payerMessage: "Order " + n,
          payeeNote: "Order " + n,
        })
      );
      await timed(() => collections.getTransaction(ref));
    } catch (_) {
      // counted in timed
    }
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  const rank = Math.min(Math.max(Math.round((sorted.length * p) / 100) - 1, 0), sorted.length - 1);
  return sorted[rank];
}

(async () => {
  const start = Date.now();
  const deadline = start + seconds * 1000;
  await Promise.all(Array.from({ length: workers }, () => worker(deadline)));
  const elapsed = (Date.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      name: "mtn-momo",
      workers,
      flows: Math.min(flows, maxFlows || flows),
      requests: latencies.length,
      errors,
      firstError: firstError || undefined,
      seconds: elapsed,
      rps: latencies.length / elapsed,
      p50ms: percentile(latencies, 50),
      p99ms: percentile(latencies, 99),
    })
  );
})();
