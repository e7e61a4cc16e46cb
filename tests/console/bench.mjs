// Large data in the console: a 500-state machine and an execution of about 25,000 events,
// opened in Chromium against a real `estado serve`. Prints the figures (not a pass/fail test).
//
//   ESTADO_BIN=target/release/estado node tests/console/bench.mjs
//
// "open" = from navigation until the graph is drawn (machine) / until every history page is
// read, analysed and drawn (execution).

import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const bin = resolve(process.env.ESTADO_BIN || join(here, '../../target/debug/estado'));
const ROLE = 'arn:aws:iam::123456789012:role/bench';

const server = spawn(bin, ['serve', '--port', '0', '--store', 'memory:', '--wait-time-scale', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
const port = await new Promise((ok) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    const m = out.match(/Starting server on port (\d+)/);
    if (m) ok(Number(m[1]));
  });
});
const base = `http://127.0.0.1:${port}`;
async function api(op, input) {
  const res = await fetch(`${base}/`, { method: 'POST', headers: { 'X-Amz-Target': `AWSStepFunctions.${op}`, 'Content-Type': 'application/x-amz-json-1.0' }, body: JSON.stringify(input) });
  const body = await res.json();
  if (!res.ok) throw new Error(`${op}: ${body.__type}: ${body.message}`);
  return body;
}

// 500 states: a chain of Pass states with a Choice every 10 (skipping ahead or to a shared
// handler), a Parallel and a Map every 50.
function bigMachine(n) {
  const states = {};
  const name = (i) => `Step ${String(i).padStart(3, '0')}`;
  let count = 0;
  for (let i = 0; count < n - 2; i++) {
    const next = name(i + 1);
    if (i % 10 === 5) {
      states[name(i)] = { Type: 'Choice', Choices: [{ Variable: '$.skip', BooleanEquals: true, Next: name(i + 2) }, { Variable: '$.bad', BooleanEquals: true, Next: 'Handle failure' }], Default: next };
      count++;
    } else if (i % 50 === 20) {
      states[name(i)] = { Type: 'Parallel', Branches: [0, 1].map((b) => ({ StartAt: `B${b} of ${i}`, States: { [`B${b} of ${i}`]: { Type: 'Pass', End: true } } })), ResultPath: null, Next: next };
      count += 3;
    } else if (i % 50 === 40) {
      states[name(i)] = { Type: 'Map', ItemsPath: '$.few', ResultPath: null, ItemProcessor: { StartAt: `Item of ${i}`, States: { [`Item of ${i}`]: { Type: 'Pass', End: true } } }, Next: next };
      count += 2;
    } else {
      states[name(i)] = { Type: 'Pass', Next: next };
      count++;
    }
    if (count >= n - 2) states[name(i)].Next = 'Done';
  }
  states['Handle failure'] = { Type: 'Fail', Error: 'Bad' };
  states.Done = { Type: 'Succeed' };
  return { StartAt: name(0), States: states };
}

const big = bigMachine(500);
const machine = (await api('CreateStateMachine', { name: 'big', roleArn: ROLE, definition: JSON.stringify(big) })).stateMachineArn;
const mapper = (await api('CreateStateMachine', {
  name: 'many-events', roleArn: ROLE,
  definition: JSON.stringify({ StartAt: 'Each', States: { Each: { Type: 'Map', ItemsPath: '$.items', MaxConcurrency: 40, ItemProcessor: { StartAt: 'One', States: { One: { Type: 'Pass', End: true } } }, End: true } } }),
})).stateMachineArn;
const items = Array.from({ length: 6240 }, (_, i) => i);
const { executionArn } = await api('StartExecution', { stateMachineArn: mapper, input: JSON.stringify({ items }) });
for (;;) {
  const d = await api('DescribeExecution', { executionArn });
  if (d.status !== 'RUNNING') {
    if (d.status !== 'SUCCEEDED') throw new Error(`the big execution ended ${d.status}: ${d.cause}`);
    break;
  }
  await new Promise((r) => setTimeout(r, 200));
}
let events = 0;
for (let token; ;) {
  const page = await api('GetExecutionHistory', { executionArn, maxResults: 1000, ...(token ? { nextToken: token } : {}) });
  events += page.events.length;
  token = page.nextToken;
  if (!token) break;
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
const results = [];
for (let run = 0; run < 3; run++) {
  await page.goto('about:blank');
  let t = Date.now();
  await page.goto(`${base}/#/machine/${encodeURIComponent(machine)}`);
  await page.click('[data-tab=definition]');
  await page.waitForSelector('svg.graph [data-state="Done"]');
  const graphMs = Date.now() - t;
  const drawn = await page.locator('svg.graph .state').count();
  await page.goto('about:blank');
  t = Date.now();
  await page.goto(`${base}/#/execution/${encodeURIComponent(executionArn)}`);
  await page.waitForSelector('#history-progress[data-done=true]', { timeout: 60000 });
  const historyMs = Date.now() - t;
  const inPage = Number(await page.getAttribute('#history-progress', 'data-ms'));
  const rows = await page.locator('.states-row:not(.head)').count();
  results.push({ graphMs, drawn, historyMs, inPage, rows });
}
await browser.close();
server.kill('SIGTERM');
console.log(`${results[0].drawn}-state machine: graph laid out and drawn in ${results.map((r) => r.graphMs).join(' / ')} ms`);
console.log(`execution of ${events} events: history read, analysed and drawn in ${results.map((r) => r.historyMs).join(' / ')} ms (in-page ${results.map((r) => r.inPage).join(' / ')} ms; ${results[0].rows} table rows in the DOM, virtualised)`);
