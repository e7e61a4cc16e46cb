//! StartExecution, DescribeExecution, ListExecutions, StopExecution, GetExecutionHistory, ... (being written)
