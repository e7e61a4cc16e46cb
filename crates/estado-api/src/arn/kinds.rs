//! The typed ARNs of Step Functions resources.

use std::fmt;
use std::str::FromStr;

use crate::error::ApiError;

use super::parse::{is_alias_name, version_number, Split};

/// Where a resource lives: `arn:<partition>:states:<region>:<account>:…`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArnScope {
    pub partition: String,
    pub region: String,
    pub account: String,
}

impl ArnScope {
    /// A scope in the `aws` partition.
    pub fn new(region: impl Into<String>, account: impl Into<String>) -> Self {
        ArnScope {
            partition: "aws".to_owned(),
            region: region.into(),
            account: account.into(),
        }
    }

    pub fn state_machine(&self, name: impl Into<String>) -> StateMachineArn {
        StateMachineArn {
            scope: self.clone(),
            name: name.into(),
            label: None,
        }
    }

    pub fn activity(&self, name: impl Into<String>) -> ActivityArn {
        ActivityArn {
            scope: self.clone(),
            name: name.into(),
        }
    }
}

impl fmt::Display for ArnScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:states:{}:{}",
            self.partition, self.region, self.account
        )
    }
}

/// `…:stateMachine:NAME`, or `…:stateMachine:NAME/LABEL` for a Distributed Map's label (which
/// most operations refuse with `ValidationException` reason `API_DOES_NOT_SUPPORT_LABELED_ARNS`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StateMachineArn {
    pub scope: ArnScope,
    pub name: String,
    pub label: Option<String>,
}

/// `…:stateMachine:NAME:N`, version `N` ≥ 1 of a state machine.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StateMachineVersionArn {
    pub state_machine: StateMachineArn,
    pub version: u64,
}

/// `…:stateMachine:NAME:ALIAS`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StateMachineAliasArn {
    pub state_machine: StateMachineArn,
    pub alias: String,
}

/// What `StartExecution`, `StartSyncExecution` and friends accept: a state machine, one of its
/// versions, or one of its aliases.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StateMachineTarget {
    StateMachine(StateMachineArn),
    Version(StateMachineVersionArn),
    Alias(StateMachineAliasArn),
}

/// `…:execution:STATE_MACHINE:NAME` (`STATE_MACHINE/LABEL` for a Map Run's child execution).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExecutionArn {
    pub scope: ArnScope,
    pub state_machine: String,
    pub map_label: Option<String>,
    pub name: String,
}

/// `…:express:STATE_MACHINE:NAME:ID`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExpressExecutionArn {
    pub scope: ArnScope,
    pub state_machine: String,
    pub name: String,
    pub id: String,
}

/// A standard or an express execution.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AnyExecutionArn {
    Standard(ExecutionArn),
    Express(ExpressExecutionArn),
}

/// `…:activity:NAME`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActivityArn {
    pub scope: ArnScope,
    pub name: String,
}

/// `…:mapRun:STATE_MACHINE/LABEL:ID`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MapRunArn {
    pub scope: ArnScope,
    pub state_machine: String,
    pub label: String,
    pub id: String,
}

/// What the tagging operations accept: a state machine or an activity.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TaggableArn {
    StateMachine(StateMachineArn),
    Activity(ActivityArn),
}

impl StateMachineArn {
    pub fn version(&self, version: u64) -> StateMachineVersionArn {
        StateMachineVersionArn {
            state_machine: self.clone(),
            version,
        }
    }

    pub fn alias(&self, alias: impl Into<String>) -> StateMachineAliasArn {
        StateMachineAliasArn {
            state_machine: self.clone(),
            alias: alias.into(),
        }
    }

    pub fn execution(&self, name: impl Into<String>) -> ExecutionArn {
        ExecutionArn {
            scope: self.scope.clone(),
            state_machine: self.name.clone(),
            map_label: None,
            name: name.into(),
        }
    }

    pub fn express_execution(
        &self,
        name: impl Into<String>,
        id: impl Into<String>,
    ) -> ExpressExecutionArn {
        ExpressExecutionArn {
            scope: self.scope.clone(),
            state_machine: self.name.clone(),
            name: name.into(),
            id: id.into(),
        }
    }

    pub fn map_run(&self, label: impl Into<String>, id: impl Into<String>) -> MapRunArn {
        MapRunArn {
            scope: self.scope.clone(),
            state_machine: self.name.clone(),
            label: label.into(),
            id: id.into(),
        }
    }

    fn from_split(split: &Split<'_>) -> Result<StateMachineArn, ApiError> {
        let [part] = split.parts[..] else {
            return Err(split.malformed());
        };
        let (name, label) = split.labelled(part)?;
        Ok(StateMachineArn {
            scope: split.scope.clone(),
            name,
            label,
        })
    }

    /// An unqualified state machine ARN (label allowed).
    pub fn parse(arn: &str) -> Result<Self, ApiError> {
        let split = Split::new(arn)?;
        split.expect_kind(&["stateMachine"])?;
        StateMachineArn::from_split(&split)
    }
}

impl StateMachineVersionArn {
    pub fn parse(arn: &str) -> Result<Self, ApiError> {
        match StateMachineTarget::parse(arn)? {
            StateMachineTarget::Version(version) => Ok(version),
            _ => Err(ApiError::invalid_arn(arn)),
        }
    }
}

impl StateMachineAliasArn {
    pub fn parse(arn: &str) -> Result<Self, ApiError> {
        match StateMachineTarget::parse(arn)? {
            StateMachineTarget::Alias(alias) => Ok(alias),
            _ => Err(ApiError::invalid_arn(arn)),
        }
    }
}

impl StateMachineTarget {
    pub fn parse(arn: &str) -> Result<Self, ApiError> {
        let split = Split::new(arn)?;
        split.expect_kind(&["stateMachine"])?;
        match split.parts[..] {
            [_] => StateMachineArn::from_split(&split).map(StateMachineTarget::StateMachine),
            [name, qualifier] => {
                let state_machine = StateMachineArn {
                    scope: split.scope.clone(),
                    name: split.name(name)?,
                    label: None,
                };
                if let Some(version) = version_number(qualifier) {
                    Ok(StateMachineTarget::Version(state_machine.version(version)))
                } else if is_alias_name(qualifier) {
                    Ok(StateMachineTarget::Alias(state_machine.alias(qualifier)))
                } else {
                    Err(split.malformed())
                }
            }
            _ => Err(split.malformed()),
        }
    }

    /// The state machine itself, whatever the qualifier.
    pub fn state_machine(&self) -> &StateMachineArn {
        match self {
            StateMachineTarget::StateMachine(arn) => arn,
            StateMachineTarget::Version(version) => &version.state_machine,
            StateMachineTarget::Alias(alias) => &alias.state_machine,
        }
    }
}

impl ExecutionArn {
    fn from_split(split: &Split<'_>) -> Result<ExecutionArn, ApiError> {
        let [state_machine, name] = split.parts[..] else {
            return Err(split.malformed());
        };
        let (state_machine, map_label) = split.labelled(state_machine)?;
        Ok(ExecutionArn {
            scope: split.scope.clone(),
            state_machine,
            map_label,
            name: split.name(name)?,
        })
    }

    /// A standard execution ARN.
    pub fn parse(arn: &str) -> Result<Self, ApiError> {
        let split = Split::new(arn)?;
        split.expect_kind(&["execution"])?;
        ExecutionArn::from_split(&split)
    }

    /// The ARN of the state machine this execution belongs to.
    pub fn state_machine_arn(&self) -> StateMachineArn {
        self.scope.state_machine(self.state_machine.clone())
    }
}

impl ExpressExecutionArn {
    fn from_split(split: &Split<'_>) -> Result<ExpressExecutionArn, ApiError> {
        let [state_machine, name, id] = split.parts[..] else {
            return Err(split.malformed());
        };
        Ok(ExpressExecutionArn {
            scope: split.scope.clone(),
            state_machine: split.name(state_machine)?,
            name: split.name(name)?,
            id: split.name(id)?,
        })
    }

    pub fn parse(arn: &str) -> Result<Self, ApiError> {
        let split = Split::new(arn)?;
        split.expect_kind(&["express"])?;
        ExpressExecutionArn::from_split(&split)
    }
}

impl AnyExecutionArn {
    pub fn parse(arn: &str) -> Result<Self, ApiError> {
        let split = Split::new(arn)?;
        split.expect_kind(&["execution", "express"])?;
        if split.kind == "execution" {
            ExecutionArn::from_split(&split).map(AnyExecutionArn::Standard)
        } else {
            ExpressExecutionArn::from_split(&split).map(AnyExecutionArn::Express)
        }
    }
}

impl ActivityArn {
    fn from_split(split: &Split<'_>) -> Result<ActivityArn, ApiError> {
        let [name] = split.parts[..] else {
            return Err(split.malformed());
        };
        Ok(ActivityArn {
            scope: split.scope.clone(),
            name: split.name(name)?,
        })
    }

    pub fn parse(arn: &str) -> Result<Self, ApiError> {
        let split = Split::new(arn)?;
        split.expect_kind(&["activity"])?;
        ActivityArn::from_split(&split)
    }
}

impl MapRunArn {
    pub fn parse(arn: &str) -> Result<Self, ApiError> {
        let split = Split::new(arn)?;
        split.expect_kind(&["mapRun"])?;
        let [labelled, id] = split.parts[..] else {
            return Err(split.malformed());
        };
        let (state_machine, Some(label)) = split.labelled(labelled)? else {
            return Err(split.malformed());
        };
        Ok(MapRunArn {
            scope: split.scope.clone(),
            state_machine,
            label,
            id: split.name(id)?,
        })
    }
}

impl TaggableArn {
    pub fn parse(arn: &str) -> Result<Self, ApiError> {
        let split = Split::new(arn)?;
        split.expect_kind(&["stateMachine", "activity"])?;
        if split.kind == "activity" {
            ActivityArn::from_split(&split).map(TaggableArn::Activity)
        } else {
            StateMachineArn::from_split(&split).map(TaggableArn::StateMachine)
        }
    }
}

impl fmt::Display for StateMachineArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:stateMachine:{}", self.scope, self.name)?;
        match &self.label {
            Some(label) => write!(f, "/{label}"),
            None => Ok(()),
        }
    }
}

impl fmt::Display for StateMachineVersionArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.state_machine, self.version)
    }
}

impl fmt::Display for StateMachineAliasArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.state_machine, self.alias)
    }
}

impl fmt::Display for StateMachineTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateMachineTarget::StateMachine(arn) => arn.fmt(f),
            StateMachineTarget::Version(arn) => arn.fmt(f),
            StateMachineTarget::Alias(arn) => arn.fmt(f),
        }
    }
}

impl fmt::Display for ExecutionArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:execution:{}", self.scope, self.state_machine)?;
        if let Some(label) = &self.map_label {
            write!(f, "/{label}")?;
        }
        write!(f, ":{}", self.name)
    }
}

impl fmt::Display for ExpressExecutionArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:express:{}:{}:{}",
            self.scope, self.state_machine, self.name, self.id
        )
    }
}

impl fmt::Display for AnyExecutionArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnyExecutionArn::Standard(arn) => arn.fmt(f),
            AnyExecutionArn::Express(arn) => arn.fmt(f),
        }
    }
}

impl fmt::Display for ActivityArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:activity:{}", self.scope, self.name)
    }
}

impl fmt::Display for MapRunArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:mapRun:{}/{}:{}",
            self.scope, self.state_machine, self.label, self.id
        )
    }
}

impl fmt::Display for TaggableArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaggableArn::StateMachine(arn) => arn.fmt(f),
            TaggableArn::Activity(arn) => arn.fmt(f),
        }
    }
}

macro_rules! from_str_via_parse {
    ($($ty:ty),*) => {$(
        impl FromStr for $ty {
            type Err = ApiError;

            fn from_str(arn: &str) -> Result<Self, ApiError> {
                <$ty>::parse(arn)
            }
        }
    )*};
}

from_str_via_parse!(
    StateMachineArn,
    StateMachineVersionArn,
    StateMachineAliasArn,
    StateMachineTarget,
    ExecutionArn,
    ExpressExecutionArn,
    AnyExecutionArn,
    ActivityArn,
    MapRunArn,
    TaggableArn
);
