// The web console in a real browser: Debian's Chromium driven by playwright-core, against a
// real `estado serve` (in-memory store) started here. State machines are created through the
// API, as a user would with the AWS CLI; everything else happens in the page.
//
// ESTADO_BIN: the estado binary (default target/debug/estado). Screenshots go to
// tests/console/screenshots/ (the best are copied by hand into docs/screenshots/).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const bin = resolve(process.env.ESTADO_BIN || join(here, '../../target/debug/estado'));
const shots = join(here, 'screenshots');
mkdirSync(shots, { recursive: true });

const ROLE = 'arn:aws:iam::123456789012:role/console-test';
let server;
let base;
let browser;
let page;

async function api(op, input) {
  const res = await fetch(`${base}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': `AWSStepFunctions.${op}` },
    body: JSON.stringify(input),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`${op}: ${body.__type}: ${body.message}`);
  return body;
}

async function until(fn, what, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
const execLink = (arn) => `${base}/#/execution/${encodeURIComponent(arn)}`;
const stateStatus = (name) => page.getAttribute(`#execution-graph [data-state="${name}"]`, 'data-status');

// An order flow: every state type, Choice rules, a Map, a Parallel, a Retry and a Catch.
const ORDER = {
  Comment: 'An order, checked, priced per item, shipped and billed in parallel',
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Parameters: { 'order.$': '$.order', 'items.$': '$.items', 'ok.$': '$.ok' }, ResultPath: '$', Next: 'Wait a moment' },
    'Wait a moment': { Type: 'Wait', Seconds: 2, Next: 'Check order' },
    'Check order': {
      Type: 'Choice',
      Choices: [{ Variable: '$.ok', BooleanEquals: true, Next: 'Price items' }],
      Default: 'Rejected',
    },
    'Price items': {
      Type: 'Map', ItemsPath: '$.items', ResultPath: '$.prices',
      ItemProcessor: { StartAt: 'Price', States: { Price: { Type: 'Pass', Parameters: { 'sku.$': '$', price: 10 }, End: true } } },
      Next: 'Ship and bill',
    },
    'Ship and bill': {
      Type: 'Parallel', ResultPath: '$.done',
      Branches: [
        { StartAt: 'Ship', States: { Ship: { Type: 'Pass', Result: 'shipped', End: true } } },
        { StartAt: 'Bill', States: { Bill: { Type: 'Pass', Result: 'billed', End: true } } },
      ],
      Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Rejected' }],
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
    Rejected: { Type: 'Fail', Error: 'OrderRejected', Cause: 'the order was not ok' },
  },
};

let orderArn;
let activityArn;
let approvalArn;

before(async () => {
  server = spawn(bin, ['serve', '--port', '0', '--store', 'memory:', '--wait-time-scale', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((ok, fail) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/Starting server on port (\d+)/);
      if (m) ok(Number(m[1]));
    });
    server.on('exit', (code) => fail(new Error(`estado serve exited with ${code}`)));
  });
  base = `http://127.0.0.1:${port}`;
  orderArn = (await api('CreateStateMachine', { name: 'orders', definition: JSON.stringify(ORDER), roleArn: ROLE })).stateMachineArn;
  activityArn = (await api('CreateActivity', { name: 'approve' })).activityArn;
  approvalArn = (await api('CreateStateMachine', {
    name: 'approval',
    roleArn: ROLE,
    definition: JSON.stringify({ StartAt: 'Approve', States: { Approve: { Type: 'Task', Resource: activityArn, End: true } } }),
  })).stateMachineArn;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.on('pageerror', (e) => {
    throw new Error(`page error: ${e.message}`);
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

test('the console and the API share the root path', async () => {
  const html = await (await fetch(`${base}/`)).text();
  assert.match(html, /<title>Estado console<\/title>/);
  const js = await fetch(`${base}/console/assets/js/app.js`);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  const etag = js.headers.get('etag');
  assert.equal((await fetch(`${base}/console/assets/js/app.js`, { headers: { 'If-None-Match': etag } })).status, 304);
  assert.equal((await fetch(`${base}/console/assets/nope.js`)).status, 404);
  const listed = await api('ListStateMachines', {});
  assert.equal(listed.stateMachines.length, 2);
});

test('state machines are listed with their type', async () => {
  await page.goto(`${base}/`);
  await page.waitForSelector('#machines a:text("orders")');
  const row = await page.textContent('#machines tbody');
  assert.match(row, /orders/);
  assert.match(row, /STANDARD/);
});

test('the definition is drawn: Choice labels, Map and Parallel boxes, Catch and Retry edges', async () => {
  await page.click('#machines a:text("orders")');
  await page.click('[data-tab=definition]');
  await page.waitForSelector('svg.graph [data-state="Price"]');
  const labels = await page.$$eval('.edge-label text', (ts) => ts.map((t) => t.textContent));
  assert.ok(labels.includes('Default'), labels.join('|'));
  assert.ok(labels.some((l) => l.startsWith('$.ok == true')), labels.join('|'));
  assert.ok(labels.some((l) => l.startsWith('catch States.ALL')), labels.join('|'));
  assert.equal(await page.locator('.edge.catch').count(), 1);
  assert.equal(await page.locator('[data-state="Ship and bill"] .retry').count(), 1);
  // Map processor and Parallel branches are nested inside their state's box.
  assert.equal(await page.locator('[data-state="Price items"] [data-state="Price"]').count(), 1);
  assert.equal(await page.locator('[data-state="Ship and bill"] .branch').count(), 2);
  assert.match(await page.textContent('pre.definition'), /"Check order"/);
  await shot('definition');
});

let succeededArn;

test('an execution started from the form turns the graph green, live', async () => {
  await page.click('[data-tab=executions]');
  await page.click('#start-execution');
  await page.fill('#execution-input', '{"order": 7, "items": ["a", "b", "c"], "ok": tru');
  assert.match(await page.textContent('.input-problem'), /Invalid JSON/);
  assert.equal(await page.isDisabled('#confirm-start'), true);
  await page.fill('#execution-input', '{"order": 7, "items": ["a", "b", "c"], "ok": true}');
  assert.equal(await page.isDisabled('#confirm-start'), false);
  await page.fill('#execution-name', 'first-order');
  await page.click('#confirm-start');
  await page.waitForURL(/#\/execution\//);
  succeededArn = decodeURIComponent(page.url().split('#/execution/')[1]);
  // The Wait state is seen in progress, then everything reached turns green without a reload.
  await until(async () => (await stateStatus('Wait a moment')) === 'running', 'the Wait state in progress');
  await shot('execution-running');
  await page.waitForSelector('#execution-status .st-succeeded', { timeout: 15000 });
  await until(async () => (await stateStatus('Done')) === 'succeeded', 'Done to turn green');
  for (const s of ['Prepare', 'Wait a moment', 'Check order', 'Price items', 'Price', 'Ship and bill', 'Ship', 'Bill']) {
    assert.equal(await stateStatus(s), 'succeeded', s);
  }
  assert.equal(await stateStatus('Rejected'), 'none');
  const described = await api('DescribeExecution', { executionArn: succeededArn });
  assert.equal(described.status, 'SUCCEEDED');
  await shot('execution-succeeded');
});

test('clicking a state shows its input, output and JSONPath stages from TestState', async () => {
  await page.click('#execution-graph [data-state="Prepare"]');
  assert.equal(await page.textContent('#selected-state'), 'Prepare');
  assert.match(await page.textContent('#state-input'), /"items"/);
  await page.click('#state-panel [data-tab=output]');
  const output = JSON.parse(await page.textContent('#state-output pre'));
  assert.deepEqual(output, { order: 7, items: ['a', 'b', 'c'], ok: true });
  await page.click('#state-panel [data-tab=stages]');
  await page.waitForSelector('#test-state-status');
  assert.equal(await page.textContent('#test-state-status'), 'SUCCEEDED');
  assert.match(await page.textContent('#stages-match'), /matches the history/);
  assert.match(await page.textContent('#stages'), /After Parameters/);
  // A Map's stages use its iterations' outputs, read from the history, as the mocked result.
  await page.click('#execution-graph [data-state="Price items"] > text.name');
  await page.waitForSelector('#test-state-status');
  assert.match(await page.textContent('#stages-match'), /matches the history/);
  await shot('state-stages');
});

test('Map iterations can be stepped through', async () => {
  await page.click('#state-panel [data-tab=input]');
  assert.match(await page.textContent('#map-stepper'), /all 3 shown together/);
  await page.click('#map-stepper button:text("›")');
  assert.match(await page.textContent('#map-stepper'), /of 3: succeeded/);
  await page.click('#execution-graph [data-state="Price"]');
  assert.match(await page.textContent('#state-input'), /"a"/);
  await page.click('#execution-graph [data-state="Price items"] > text.name');
  await page.click('#map-stepper button:text("›")');
  await page.click('#execution-graph [data-state="Price"]');
  assert.match(await page.textContent('#state-input'), /"b"/);
});

test('the event history is listed as AWS shows it and expands', async () => {
  await page.click('.tabbed > .tabs [data-tab=events]');
  await page.waitForSelector('.events-row[data-event="1"]');
  const first = await page.textContent('.events-row[data-event="1"]');
  assert.match(first, /ExecutionStarted/);
  await page.click('.events-row[data-event="2"]');
  assert.match(await page.textContent('.event-details'), /"name": "Prepare"/);
  await shot('events');
});

test('a failed execution shows its error and cause, and the failed state in red', async () => {
  const { executionArn } = await api('StartExecution', { stateMachineArn: orderArn, name: 'rejected-order', input: JSON.stringify({ order: 8, items: [], ok: false }) });
  await until(async () => (await api('DescribeExecution', { executionArn })).status === 'FAILED', 'the execution to fail');
  await page.goto(execLink(executionArn));
  await page.waitForSelector('#history-progress[data-done=true]');
  assert.equal(await page.textContent('#execution-error'), 'OrderRejected');
  assert.equal(await page.textContent('#execution-cause'), 'the order was not ok');
  assert.equal(await stateStatus('Rejected'), 'failed');
  assert.equal(await stateStatus('Price items'), 'none');
  await shot('execution-failed');
});

test('executions are filtered by status, searched by name and paged', async () => {
  await api('StartExecution', { stateMachineArn: orderArn, name: 'third-order', input: JSON.stringify({ order: 9, items: [], ok: false }) });
  await page.goto(`${base}/#/machine/${encodeURIComponent(orderArn)}`);
  await page.waitForSelector('#executions tr[data-execution="first-order"]');
  await page.selectOption('#status-filter', 'SUCCEEDED');
  await until(async () => (await page.locator('#executions tbody tr[data-execution]').count()) === 1, 'the status filter');
  assert.equal(await page.locator('#executions tr[data-execution="first-order"]').count(), 1);
  await page.selectOption('#status-filter', '');
  await page.fill('#name-search', 'rejected');
  await until(async () => {
    const names = await page.$$eval('#executions tbody tr[data-execution]', (rows) => rows.map((r) => r.dataset.execution));
    return names.length === 1 && names[0] === 'rejected-order';
  }, 'the name search');
  await shot('executions');
});

test('redrive and stop from the console', async () => {
  // A failed execution can be redriven (it fails again the same way: Rejected is a Fail state).
  await page.fill('#name-search', 'rejected-order');
  await page.waitForSelector('#executions tr[data-execution="rejected-order"]');
  await page.check('#executions tr[data-execution="rejected-order"] input[type=checkbox]');
  await page.click('#redrive-selected');
  const arn = `${orderArn.replace(':stateMachine:', ':execution:')}:rejected-order`;
  await until(async () => (await api('DescribeExecution', { executionArn: arn })).redriveCount === 1, 'the redrive');
  // A running execution is stopped from its page.
  const { executionArn } = await api('StartExecution', { stateMachineArn: orderArn, name: 'to-stop', input: JSON.stringify({ order: 10, items: [], ok: true }) });
  await page.goto(execLink(executionArn));
  await page.click('#stop-execution');
  await page.fill('#stop-error', 'Cancelled.ByUser');
  await page.click('#confirm-stop');
  await until(async () => (await api('DescribeExecution', { executionArn })).status === 'ABORTED', 'the stop');
  await page.waitForSelector('#execution-status .st-aborted');
  await until(async () => (await stateStatus('Wait a moment')) === 'cancelled', 'the Wait state to show cancelled');
});

test('a waiting activity task is listed, and the console can answer it as a worker', async () => {
  const { executionArn } = await api('StartExecution', { stateMachineArn: approvalArn, name: 'needs-approval', input: '{"amount": 12}' });
  await page.goto(`${base}/#/activities`);
  await page.waitForSelector('#waiting tbody tr td a:text("needs-approval")');
  assert.match(await page.textContent('#waiting tbody'), /waiting for a worker/);
  await shot('activities');
  await page.click('[data-worker=approve]');
  await page.waitForSelector('#worker-token');
  assert.ok((await page.textContent('#worker-token')).length > 20);
  await page.click('.worker button:text("Send success")');
  await page.fill('#task-output', '{"approved": true}');
  await page.click('#send-answer');
  await until(async () => (await api('DescribeExecution', { executionArn })).status === 'SUCCEEDED', 'the approval');
  const out = await api('DescribeExecution', { executionArn });
  assert.deepEqual(JSON.parse(out.output), { approved: true });
});
