// Drives the standalone fake Binance with ccxt's binanceusdm, an independent client, to catch where our fake and our
// own client agree with each other but not with Binance. Not part of the test run (no npm package in the repo).
//
//   npm install ccxt            (in a scratch directory outside the repo, e.g. /tmp/ccxtcheck)
//   dotnet run --project tests/FakeBinance -c Release -- --port 18097 --candles samples/data/BTCUSDT-1h.csv --speed 1
//   NODE_PATH=/tmp/ccxtcheck/node_modules FAKE_URL=http://127.0.0.1:18097 FAKE_KEY=<key> FAKE_SECRET=<secret> node tools/ccxt-check/check.js
//
// Prints one line per call ("ok" with a short summary, or "FAIL" with ccxt's error) and exits 1 on any failure.
'use strict';
const ccxt = require('ccxt');

const base = (process.env.FAKE_URL || 'http://127.0.0.1:18097').replace(/\/$/, '');
const exchange = new ccxt.binanceusdm({
    apiKey: process.env.FAKE_KEY,
    secret: process.env.FAKE_SECRET,
    enableRateLimit: false,
    options: {
        adjustForTimeDifference: true,       // GET /fapi/v1/time: the fake's clock is virtual
        fetchCurrencies: false,              // sapi (spot wallet) is not part of the fake
        fetchMarkets: { types: ['linear'] }, // USDT-M only
        defaultType: 'future',
        warnOnFetchOpenOrdersWithoutSymbol: false,
    },
});
const fapi = base + '/fapi';
for (const key of Object.keys(exchange.urls.api)) {
    const url = exchange.urls.api[key];
    if (typeof url !== 'string') continue;
    const m = url.match(/\/fapi\/(v\d)$/);
    if (m) exchange.urls.api[key] = `${fapi}/${m[1]}`;
    else if (url.includes('fapi.binance.com/futures/data')) exchange.urls.api[key] = base + '/futures/data';
}

const results = [];
async function step(name, f, summary) {
    try {
        const r = await f();
        const text = summary ? summary(r) : '';
        results.push([name, true]);
        console.log(`ok    ${name}${text ? ': ' + text : ''}`);
        return r;
    } catch (e) {
        results.push([name, false]);
        console.log(`FAIL  ${name}: ${e.constructor.name} ${String(e.message).slice(0, 300)}`);
        return undefined;
    }
}

(async () => {
    const symbol = 'BTC/USDT:USDT';
    await step('loadMarkets', () => exchange.loadMarkets(), m => `${Object.keys(m).length} market(s), ${symbol} min amount ${m[symbol] && m[symbol].limits.amount.min}`);
    await step('fetchTicker', () => exchange.fetchTicker(symbol), t => `last ${t.last}`);
    await step('fetchPositionMode', () => exchange.fetchPositionMode(symbol), r => `hedged=${r.hedged}`);
    await step('setLeverage', () => exchange.setLeverage(5, symbol), r => JSON.stringify(r));
    await step('fetchLeverageTiers', () => exchange.fetchLeverageTiers([symbol]), r => `${(r[symbol] || []).length} tier(s)`);
    await step('setMarginMode', () => exchange.setMarginMode('isolated', symbol), r => JSON.stringify(r).slice(0, 80));
    await step('fetchBalance', () => exchange.fetchBalance(), b => `USDT free ${b.USDT && b.USDT.free} total ${b.USDT && b.USDT.total}`);
    const order = await step('createOrder market', () => exchange.createOrder(symbol, 'market', 'buy', 0.01, undefined, { newOrderRespType: 'RESULT' }),
        o => `${o.id} ${o.status} filled ${o.filled} @ ${o.average}`);
    if (order) await step('fetchOrder', () => exchange.fetchOrder(order.id, symbol), o => `${o.status} filled ${o.filled} fee ${JSON.stringify(o.fee)}`);
    await step('fetchMyTrades', () => exchange.fetchMyTrades(symbol), t => `${t.length} trade(s), fee ${t.length && JSON.stringify(t[0].fee)}`);
    await step('fetchPositions', () => exchange.fetchPositions([symbol]), p => p.map(x => `${x.side} ${x.contracts} @ ${x.entryPrice} lev ${x.leverage} ${x.marginMode}`).join('; '));
    await step('fetchOpenOrders', () => exchange.fetchOpenOrders(symbol), o => `${o.length} open`);
    await step('createOrder stop (algo)', () => exchange.createOrder(symbol, 'STOP_MARKET', 'sell', undefined, undefined, { stopPrice: 10000, closePosition: true }), o => `${o.id} ${o.status}`);
    await step('createOrder market close', () => exchange.createOrder(symbol, 'market', 'sell', 0.01, undefined, { reduceOnly: true }), o => `${o.id} ${o.status}`);
    const failed = results.filter(r => !r[1]).length;
    console.log(`${results.length - failed} ok, ${failed} failed`);
    process.exit(failed ? 1 : 0);
})();
