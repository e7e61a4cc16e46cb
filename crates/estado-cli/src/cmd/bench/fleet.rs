//! Executions of one compiled program driven in-process on a virtual clock: timers fire in due
//! order with the clock jumped to their due time, never slept for, so a run measures the
//! engine and nothing else.
//!
//! One [`Fleet`] holds any number of executions at once: `many_concurrent` workloads start
//! them all (each runs until it blocks on its timer) before [`Fleet::run_timers`] fires the
//! timers; `single` and `many` workloads use a fleet of one execution at a time.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::sync::Arc;

use estado_asl::Program;
use estado_interp::{Delivery, Effect, Env, ExecInfo, Execution, MachineType, Status};
use estado_json::Value;

use crate::driver::{ACCOUNT, REGION};

/// The fixed facts of every execution a benchmark starts.
pub struct Machine {
    pub program: Program,
    pub machine_type: MachineType,
    name: Arc<str>,
    arn: Arc<str>,
    /// Length of `arn:aws:states:REGION:ACCOUNT`, the part execution ARNs share with it.
    arn_head: usize,
    role_arn: Arc<str>,
}

impl Machine {
    pub fn new(program: Program, name: &str, machine_type: MachineType) -> Self {
        Machine {
            program,
            machine_type,
            name: name.into(),
            arn: format!("arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}").into(),
            arn_head: format!("arn:aws:states:{REGION}:{ACCOUNT}").len(),
            role_arn: format!("arn:aws:iam::{ACCOUNT}:role/estado-bench").into(),
        }
    }

    /// The facts of execution number `index`: a name and ARN of its own, a seed derived from
    /// the index (runs are reproducible), started at `now`. The strings are built by hand in a
    /// reused buffer, as a server would from its request, not through `format!`'s general
    /// machinery, and each becomes its shared `Arc<str>` in one allocation.
    fn info(&self, index: usize, input: Arc<Value>, now: i64, buf: &mut String) -> ExecInfo {
        // `arn:aws:states:R:A:stateMachine:NAME` -> `arn:aws:states:R:A:execution:NAME:EXEC`.
        let (head, tail) = (&self.arn[..self.arn_head], &*self.name);
        buf.clear();
        buf.push_str(head);
        buf.push_str(match self.machine_type {
            MachineType::Express => ":express:",
            MachineType::Standard => ":execution:",
        });
        buf.push_str(tail);
        buf.push(':');
        let name_at = buf.len();
        buf.push_str("bench-");
        push_decimal(buf, index as u64);
        let name_end = buf.len();
        if self.machine_type == MachineType::Express {
            buf.push(':');
            for i in 0..16 {
                buf.push(char::from(
                    b"0123456789abcdef"[(index >> ((15 - i) * 4)) & 0xf],
                ));
            }
        }
        let execution_arn: Arc<str> = Arc::from(buf.as_str());
        let exec_name: Arc<str> = Arc::from(&buf[name_at..name_end]);
        ExecInfo {
            execution_arn,
            name: exec_name,
            state_machine_arn: self.arn.clone(),
            state_machine_name: self.name.clone(),
            role_arn: self.role_arn.clone(),
            start_millis: now,
            input,
            machine_type: self.machine_type,
            seed: (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5EED,
            // An EXPRESS one runs as StartSyncExecution would run it.
            redrive_count: self.machine_type.first_redrive_count(true),
            test_case: None,
        }
    }
}

/// Append `n` in decimal (digit by digit: no text to check for UTF-8 afterwards).
fn push_decimal(buf: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let (mut n, mut at) = (n, digits.len());
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend(digits[at..].iter().map(|&d| char::from(d)));
}

/// Executions in flight, their timers, and the virtual clock.
pub struct Fleet<'m> {
    machine: &'m Machine,
    now: i64,
    execs: Vec<Execution>,
    /// (due, execution index, timer id), earliest first.
    timers: BinaryHeap<Reverse<(i64, usize, u64)>>,
    cancelled: HashSet<(usize, u64)>,
    /// Where execution names and ARNs are written before they are shared.
    scratch: String,
}

impl<'m> Fleet<'m> {
    /// An empty fleet whose clock reads `now` (milliseconds since the epoch).
    pub fn new(machine: &'m Machine, now: i64) -> Self {
        Fleet {
            machine,
            now,
            execs: Vec::new(),
            timers: BinaryHeap::new(),
            cancelled: HashSet::new(),
            scratch: String::with_capacity(160),
        }
    }

    /// An empty fleet with room for `n` executions (so growing the vector is not measured).
    pub fn with_capacity(machine: &'m Machine, now: i64, n: usize) -> Self {
        let mut fleet = Fleet::new(machine, now);
        fleet.execs.reserve_exact(n);
        fleet
    }

    /// Start execution number `index` and run it until it ends or blocks on a timer.
    pub fn start(&mut self, index: usize, input: Arc<Value>) {
        let info = self.machine.info(index, input, self.now, &mut self.scratch);
        self.execs
            .push(Execution::start(&self.machine.program, info, self.env()));
        self.settle(self.execs.len() - 1);
    }

    /// Fire every timer in due order (the clock jumps to each due time) until none is left.
    pub fn run_timers(&mut self) {
        while let Some(Reverse((due, i, id))) = self.timers.pop() {
            if self.cancelled.remove(&(i, id)) {
                continue;
            }
            self.now = self.now.max(due);
            let env = self.env();
            if let Some(exec) = self.execs.get_mut(i) {
                exec.deliver(&self.machine.program, Delivery::TimerFired { id }, env);
            }
            self.settle(i);
        }
    }

    /// The executions, in start order.
    pub fn executions(&self) -> &[Execution] {
        &self.execs
    }

    /// Drop the executions where they are, leaving the fleet empty (its clock keeps its
    /// time). Read them first with [`Fleet::executions`]: an execution is large, and moving
    /// each out only to drop it costs a copy of it.
    pub fn clear(&mut self) {
        self.timers.clear();
        self.cancelled.clear();
        self.execs.clear();
    }

    fn env(&self) -> Env {
        Env {
            now_millis: self.now,
        }
    }

    /// Run execution `i` until it ends or waits on a timer; answer its task requests at once.
    fn settle(&mut self, i: usize) {
        let env = self.env();
        let Some(exec) = self.execs.get_mut(i) else {
            return;
        };
        let program = &self.machine.program;
        loop {
            let mut deliveries = Vec::new();
            for effect in exec.run(program, env) {
                match effect {
                    Effect::StartTimer { id, due_millis } => {
                        self.timers.push(Reverse((due_millis, i, id)))
                    }
                    Effect::CancelTimer { id } => {
                        self.cancelled.insert((i, id));
                    }
                    // The workloads are pure state machines; a Task fails the way `estado run`
                    // fails it, which then shows up as a wrong answer.
                    Effect::RunTask(req) => deliveries.push(Delivery::TaskFailed {
                        id: req.id,
                        error: "States.TaskFailed".into(),
                        cause: format!(
                            "estado bench has no runner for the resource '{}' of state '{}'.",
                            req.resource, req.state_name
                        ),
                    }),
                    Effect::CancelTask { .. } => {}
                }
            }
            if deliveries.is_empty() || exec.status().is_terminal() {
                return;
            }
            for d in deliveries {
                exec.deliver(program, d, env);
            }
        }
    }
}

/// Why an execution that ended with `status` did not give `expected`, or `None` when it did.
pub fn mismatch(status: &Status, expected: &Value) -> Option<String> {
    match status {
        Status::Succeeded { output } if **output == *expected => None,
        Status::Succeeded { output } => Some(format!(
            "output {} instead of {}",
            clip(&output.to_string()),
            clip(&expected.to_string())
        )),
        other => {
            let (error, cause) = match other {
                Status::Failed { error, cause }
                | Status::TimedOut { error, cause }
                | Status::Aborted { error, cause } => (error.as_deref(), cause.as_deref()),
                _ => (None, None),
            };
            Some(format!(
                "{} (error {}, cause {})",
                other.name(),
                error.unwrap_or("-"),
                clip(cause.unwrap_or("-"))
            ))
        }
    }
}

/// At most 200 characters of `s`, marked when cut.
fn clip(s: &str) -> String {
    match s.char_indices().nth(200) {
        Some((cut, _)) => format!("{}...", &s[..cut]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine(machine_type: MachineType) -> Machine {
        let def =
            estado_json::json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
        Machine::new(
            estado_asl::compile(&def).expect("compiles"),
            "m",
            machine_type,
        )
    }

    #[test]
    fn execution_names_and_arns_are_the_ones_format_would_give() {
        for index in [0usize, 7, 10, 12345, usize::MAX] {
            let info = machine(MachineType::Standard).info(
                index,
                Arc::new(Value::Null),
                0,
                &mut String::new(),
            );
            assert_eq!(&*info.name, format!("bench-{index}"));
            assert_eq!(
                &*info.execution_arn,
                format!("arn:aws:states:{REGION}:{ACCOUNT}:execution:m:bench-{index}")
            );
            let info = machine(MachineType::Express).info(
                index,
                Arc::new(Value::Null),
                0,
                &mut String::new(),
            );
            assert_eq!(
                &*info.execution_arn,
                format!("arn:aws:states:{REGION}:{ACCOUNT}:express:m:bench-{index}:{index:016x}")
            );
        }
    }
}
