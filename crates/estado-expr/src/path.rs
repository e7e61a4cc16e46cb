//! JSONPath as AWS Step Functions evaluates it. (Being written.)
