// The shape of an Amazon States Language definition, as the graph and the views need it:
// scopes (the top level, each Parallel branch, each Map processor), states by name, and each
// state's transitions with their labels.

export function parse(definitionText) {
  const def = typeof definitionText === 'string' ? JSON.parse(definitionText) : definitionText;
  const states = new Map();
  let scopes = 0;
  const scope = (sdef, parent, kind, index) => {
    const s = { id: scopes++, startAt: sdef.StartAt, names: [], parent, kind, index, def: sdef };
    for (const [name, sd] of Object.entries(sdef.States || {})) {
      const st = { name, type: sd.Type, def: sd, scope: s, parent };
      states.set(name, st);
      s.names.push(name);
      if (sd.Type === 'Parallel') {
        st.branches = (sd.Branches || []).map((b, i) => scope(b, name, 'branch', i));
      } else if (sd.Type === 'Map') {
        const proc = sd.ItemProcessor || sd.Iterator;
        if (proc) st.processor = scope(proc, name, 'processor', 0);
      }
    }
    return s;
  };
  const root = scope(def, null, 'root', 0);
  return { def, root, states, queryLanguage: def.QueryLanguage || 'JSONPath' };
}

// The states a state is nested in, innermost first.
export function ancestors(model, name) {
  const out = [];
  let p = model.states.get(name)?.parent;
  while (p) {
    out.push(p);
    p = model.states.get(p)?.parent;
  }
  return out;
}

export function isTerminal(st) {
  const d = st.def;
  return d.End === true || st.type === 'Succeed' || st.type === 'Fail';
}

// [{to, kind: 'next'|'choice'|'default'|'catch', label}]
export function transitions(st) {
  const d = st.def;
  const out = [];
  if (st.type === 'Choice') {
    (d.Choices || []).forEach((rule, i) => {
      if (rule.Next) out.push({ to: rule.Next, kind: 'choice', label: short(ruleText(rule) || `rule ${i + 1}`) });
    });
    if (d.Default) out.push({ to: d.Default, kind: 'default', label: 'Default' });
  } else if (d.Next) {
    out.push({ to: d.Next, kind: 'next' });
  }
  for (const c of d.Catch || []) {
    if (c.Next) out.push({ to: c.Next, kind: 'catch', label: short(`catch ${(c.ErrorEquals || []).join(', ')}`) });
  }
  return out;
}

export function retrySummary(st) {
  const r = st.def.Retry || [];
  if (!r.length) return null;
  return r.map((x) => `${(x.ErrorEquals || []).join(', ')}: ${x.MaxAttempts ?? 3} attempts`).join('\n');
}

const OPS = {
  StringEquals: '==', StringEqualsPath: '==', NumericEquals: '==', NumericEqualsPath: '==',
  BooleanEquals: '==', BooleanEqualsPath: '==', TimestampEquals: '==', TimestampEqualsPath: '==',
  StringLessThan: '<', StringLessThanPath: '<', NumericLessThan: '<', NumericLessThanPath: '<',
  TimestampLessThan: '<', TimestampLessThanPath: '<',
  StringGreaterThan: '>', StringGreaterThanPath: '>', NumericGreaterThan: '>', NumericGreaterThanPath: '>',
  TimestampGreaterThan: '>', TimestampGreaterThanPath: '>',
  StringLessThanEquals: '<=', StringLessThanEqualsPath: '<=', NumericLessThanEquals: '<=',
  NumericLessThanEqualsPath: '<=', TimestampLessThanEquals: '<=', TimestampLessThanEqualsPath: '<=',
  StringGreaterThanEquals: '>=', StringGreaterThanEqualsPath: '>=', NumericGreaterThanEquals: '>=',
  NumericGreaterThanEqualsPath: '>=', TimestampGreaterThanEquals: '>=', TimestampGreaterThanEqualsPath: '>=',
  StringMatches: 'matches',
};

export function ruleText(rule) {
  if (rule.Condition != null) return String(rule.Condition).replace(/^\{%\s*|\s*%\}$/g, '');
  if (rule.And) return rule.And.map(ruleText).join(' && ');
  if (rule.Or) return rule.Or.map(ruleText).join(' || ');
  if (rule.Not) return `!(${ruleText(rule.Not)})`;
  const v = rule.Variable || '';
  for (const [k, val] of Object.entries(rule)) {
    if (k in OPS) return `${v} ${OPS[k]} ${JSON.stringify(val)}`;
    if (k === 'IsPresent') return `${v} ${val ? 'present' : 'absent'}`;
    if (k === 'IsNull') return `${v} ${val ? 'is null' : 'not null'}`;
    if (k.startsWith('Is')) return `${v} ${val ? '' : 'not '}${k.slice(2).toLowerCase()}`;
  }
  return '';
}

const short = (s) => (s.length > 34 ? `${s.slice(0, 33)}…` : s);

// The state's own definition text, as TestState takes it.
export function stateDefinition(model, name) {
  const st = model.states.get(name);
  if (!st) return null;
  const def = { ...st.def };
  // A state nested in a JSONata machine inherits its query language.
  if (!def.QueryLanguage && model.queryLanguage !== 'JSONPath') def.QueryLanguage = model.queryLanguage;
  return def;
}
