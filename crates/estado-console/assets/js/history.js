// Reading an execution's history (GetExecutionHistory, pages of 1000) and working out from it
// what the console shows: which Parallel branch or Map iteration each event belongs to (from
// previousEventId), each state's runs (entered, exited, input, output, failures), and each
// state's status.

import { call } from './api.js';

const PAGE = 1000;

// All events, oldest first. onPage(events so far) after each page.
export async function loadHistory(executionArn, onPage) {
  const events = [];
  let nextToken;
  do {
    const page = await call('GetExecutionHistory', { executionArn, maxResults: PAGE, ...(nextToken ? { nextToken } : {}) });
    events.push(...page.events);
    nextToken = page.nextToken;
    onPage?.(events, !nextToken);
  } while (nextToken);
  return events;
}

// Events after `lastId`, oldest first: newest-first pages until the known part is reached.
export async function loadNewEvents(executionArn, lastId) {
  const fresh = [];
  let nextToken;
  do {
    const page = await call('GetExecutionHistory', { executionArn, maxResults: 200, reverseOrder: true, ...(nextToken ? { nextToken } : {}) });
    let done = false;
    for (const e of page.events) {
      if (e.id <= lastId) {
        done = true;
        break;
      }
      fresh.push(e);
    }
    nextToken = done ? null : page.nextToken;
  } while (nextToken);
  return fresh.reverse();
}

export function detailsOf(e) {
  for (const k in e) if (k.endsWith('EventDetails')) return e[k];
  return null;
}

const FAILURES = new Set(['TaskFailed', 'TaskTimedOut', 'TaskStartFailed', 'TaskSubmitFailed',
  'LambdaFunctionFailed', 'LambdaFunctionTimedOut', 'LambdaFunctionStartFailed', 'LambdaFunctionScheduleFailed',
  'ActivityFailed', 'ActivityTimedOut', 'ActivityScheduleFailed', 'MapStateFailed', 'ParallelStateFailed', 'EvaluationFailed',
  'MapRunFailed']);
const SUCCESSES = new Set(['TaskSucceeded', 'LambdaFunctionSucceeded', 'ActivitySucceeded']);
const ATTEMPTS = new Set(['TaskScheduled', 'LambdaFunctionScheduled', 'ActivityScheduled']);

// The analysis of a history. `events` oldest first, ids 1..n.
export function analyse(events) {
  const byId = new Array(events.length + 2);
  const threadOf = new Int32Array(events.length + 2);
  // Thread 0: the top level. Others: a Parallel branch or a Map iteration.
  const threads = [{ id: 0, parent: -1, kind: 'root', open: [], run: null }];
  const iterations = new Map(); // MapStateStarted event id -> Map(index -> thread id)
  const branchCount = new Map(); // ParallelStateStarted event id -> branches seen
  const runs = [];
  const step = new Array(events.length + 2);
  let redriven = 0;
  let execution = { status: 'RUNNING', start: null, end: null, error: null, cause: null, input: null, output: null };
  const newThread = (parent, kind, extra) => {
    const t = { id: threads.length, parent, kind, open: [], run: null, ...extra };
    threads.push(t);
    return t.id;
  };
  const up = (t, pred) => {
    for (let x = t; x >= 0; x = threads[x].parent) if (pred(threads[x])) return x;
    return -1;
  };

  for (const e of events) {
    byId[e.id] = e;
    const prev = e.previousEventId ? byId[e.previousEventId] : null;
    const pt = prev ? threadOf[prev.id] : 0;
    let t = pt;
    const d = detailsOf(e);
    switch (e.type) {
      case 'MapIterationStarted': {
        // Its parent is the Map's thread, found through an earlier iteration if need be.
        let mapEvent;
        let parent;
        if (prev && prev.type === 'MapStateStarted') {
          mapEvent = prev.id;
          parent = pt;
        } else {
          const it = up(pt, (x) => x.kind === 'iteration' && x.mapName === d?.name);
          if (it >= 0) {
            mapEvent = threads[it].mapEvent;
            parent = threads[it].parent;
          } else {
            const owner = up(pt, (x) => x.open.some((o) => o.type === 'MapStateStarted'));
            parent = owner >= 0 ? owner : pt;
            const o = threads[parent].open.findLast((x) => x.type === 'MapStateStarted');
            mapEvent = o ? o.id : 0;
          }
        }
        t = newThread(parent, 'iteration', { mapName: d?.name, index: d?.index, mapEvent, startId: e.id });
        if (!iterations.has(mapEvent)) iterations.set(mapEvent, new Map());
        iterations.get(mapEvent).set(d?.index, t);
        break;
      }
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
      case 'MapIterationAborted': {
        let it = up(pt, (x) => x.kind === 'iteration' && x.mapName === d?.name && x.index === d?.index);
        if (it < 0) {
          const sib = up(pt, (x) => x.kind === 'iteration' && x.mapName === d?.name);
          const m = sib >= 0 ? iterations.get(threads[sib].mapEvent) : null;
          it = m?.get(d?.index) ?? pt;
        }
        t = it;
        threads[t].end = e.type.slice('MapIteration'.length).toLowerCase();
        break;
      }
      case 'MapStateSucceeded':
      case 'MapStateFailed':
      case 'MapStateAborted':
      case 'ParallelStateSucceeded':
      case 'ParallelStateFailed':
      case 'ParallelStateAborted': {
        const kind = e.type.startsWith('Map') ? 'MapStateStarted' : 'ParallelStateStarted';
        const owner = up(pt, (x) => x.open.some((o) => o.type === kind));
        t = owner >= 0 ? owner : pt;
        const open = threads[t].open;
        const i = open.findLastIndex((o) => o.type === kind);
        if (i >= 0) open.splice(i, 1);
        break;
      }
      default:
        if (prev && prev.type === 'ParallelStateStarted') {
          const n = branchCount.get(prev.id) || 0;
          branchCount.set(prev.id, n + 1);
          t = newThread(pt, 'branch', { parallelEvent: prev.id, index: n, parallelName: threads[pt].run?.name });
        }
    }
    threadOf[e.id] = t;
    const th = threads[t];

    if (e.type === 'MapStateStarted' || e.type === 'ParallelStateStarted') th.open.push(e);
    step[e.id] = th.run?.name || '';
    if (e.type.endsWith('StateEntered')) {
      const run = {
        name: d.name, type: e.type.slice(0, -'StateEntered'.length), thread: t, enteredId: e.id,
        entered: e.timestamp, exited: null, input: d.input, output: null, events: [e.id],
        failure: null, failures: 0, attempts: 0, lastAttemptFailed: false, result: null, redrive: redriven,
      };
      runs.push(run);
      th.run = run;
      step[e.id] = run.name;
      if (run.type === 'Fail') run.failed = true;
    } else if (th.run) {
      const run = th.run;
      run.events.push(e.id);
      if (ATTEMPTS.has(e.type)) {
        run.attempts++;
        run.lastAttemptFailed = false;
        run.scheduled = e;
      } else if (FAILURES.has(e.type)) {
        run.failures++;
        run.lastAttemptFailed = true;
        run.failure = { error: d?.error, cause: d?.cause, type: e.type };
      } else if (SUCCESSES.has(e.type)) {
        run.result = d?.output;
        run.lastAttemptFailed = false;
      }
      if (e.type.endsWith('StateExited')) {
        run.exited = e.timestamp;
        run.output = d.output;
        run.exitedId = e.id;
        th.run = null;
        step[e.id] = run.name;
      }
    }

    switch (e.type) {
      case 'ExecutionStarted':
        execution.start = e.timestamp;
        execution.input = d?.input;
        break;
      case 'ExecutionSucceeded':
        execution = { ...execution, status: 'SUCCEEDED', end: e.timestamp, output: d?.output };
        break;
      case 'ExecutionFailed':
        execution = { ...execution, status: 'FAILED', end: e.timestamp, error: d?.error, cause: d?.cause };
        break;
      case 'ExecutionTimedOut':
        execution = { ...execution, status: 'TIMED_OUT', end: e.timestamp, error: d?.error, cause: d?.cause };
        break;
      case 'ExecutionAborted':
        execution = { ...execution, status: 'ABORTED', end: e.timestamp, error: d?.error, cause: d?.cause };
        break;
      case 'ExecutionRedriven':
        redriven++;
        execution = { ...execution, status: 'RUNNING', end: null, error: null, cause: null };
        break;
      default:
    }
  }

  const ended = execution.status !== 'RUNNING';
  for (const run of runs) run.status = runStatus(run, ended, execution.status, threads[run.thread], run.redrive < redriven);
  return { events, byId, threadOf, threads, runs, iterations, execution, redriven, step };
}

function runStatus(run, ended, execStatus, thread, superseded) {
  if (run.exited != null) return run.lastAttemptFailed ? 'caught' : 'succeeded';
  if (run.failed || run.lastAttemptFailed) return 'failed';
  if (thread.end === 'aborted') return 'cancelled';
  if (thread.end === 'failed') return 'failed';
  if (superseded) return 'failed';
  if (!ended) return 'running';
  if (execStatus === 'ABORTED') return 'cancelled';
  return 'failed';
}

const RANK = { running: 5, failed: 4, caught: 3, cancelled: 2, succeeded: 1 };

// Map(state name -> status) for the graph. `inThread(t)` restricts the runs considered (Map
// iteration stepping); after a redrive the runs since the last redrive decide.
export function statuses(a, inThread) {
  const best = new Map();
  const latestRedrive = new Map();
  for (const run of a.runs) {
    if (inThread && !inThread(run.thread)) continue;
    latestRedrive.set(run.name, Math.max(latestRedrive.get(run.name) ?? 0, run.redrive));
  }
  for (const run of a.runs) {
    if (inThread && !inThread(run.thread)) continue;
    if (run.redrive < latestRedrive.get(run.name)) continue;
    const cur = best.get(run.name);
    if (!cur || RANK[run.status] > RANK[cur]) best.set(run.name, run.status);
  }
  return best;
}

// Whether thread `t` is `ancestor` or nested in it.
export function within(a, t, ancestor) {
  for (let x = t; x >= 0; x = a.threads[x].parent) if (x === ancestor) return true;
  return false;
}

// The iteration threads of the Map state run `run`, by index.
export function mapIterations(a, run) {
  const started = run.events.map((id) => a.byId[id]).find((e) => e.type === 'MapStateStarted');
  if (!started) return [];
  const m = a.iterations.get(started.id);
  if (!m) return [];
  return [...m.entries()].sort((x, y) => x[0] - y[0]);
}

// The result a Map or Parallel state run produced before ResultSelector/ResultPath: each
// iteration's (branch's) final output, in order. Null when any is missing.
export function fanoutResult(a, run) {
  const children = [];
  if (run.type === 'Map') {
    for (const [, t] of mapIterations(a, run)) children.push(t);
  } else {
    const started = run.events.map((id) => a.byId[id]).find((e) => e.type === 'ParallelStateStarted');
    if (!started) return null;
    const ts = a.threads.filter((t) => t.kind === 'branch' && t.parallelEvent === started.id).sort((x, y) => x.index - y.index);
    children.push(...ts.map((t) => t.id));
  }
  const out = [];
  for (const t of children) {
    let last = null;
    for (const r of a.runs) if (r.thread === t && r.exited != null) last = r;
    if (!last) return null;
    out.push(JSON.parse(last.output));
  }
  return out;
}

// Variables assigned before `run` in its thread and the threads around it (from the
// assignedVariables of StateExited events), as TestState takes them.
export function variablesBefore(a, run) {
  const vars = {};
  const chain = new Set();
  for (let x = run.thread; x >= 0; x = a.threads[x].parent) chain.add(x);
  for (const e of a.events) {
    if (e.id >= run.enteredId) break;
    if (!chain.has(a.threadOf[e.id])) continue;
    const d = e.stateExitedEventDetails;
    if (d?.assignedVariables) {
      for (const [k, v] of Object.entries(d.assignedVariables)) {
        try {
          vars[k] = JSON.parse(v);
        } catch {
          vars[k] = v;
        }
      }
    }
  }
  return vars;
}

// The state an event belongs to (the "Step" column).
export function stepOf(a, e) {
  if (e.type.startsWith('MapIteration')) return detailsOf(e)?.name || '';
  return a.step[e.id] || '';
}
