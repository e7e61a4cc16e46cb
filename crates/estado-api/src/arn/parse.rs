//! Splitting an ARN into its scope and resource parts, with AWS's errors.

use crate::error::ApiError;
use crate::names::is_valid_name;

use super::ArnScope;

/// The partitions whose ARNs are accepted.
pub const PARTITIONS: [&str; 3] = ["aws", "aws-cn", "aws-us-gov"];

/// An ARN split into scope, resource type and the resource's `:`-separated parts.
pub(super) struct Split<'a> {
    pub arn: &'a str,
    pub scope: ArnScope,
    pub kind: &'a str,
    pub parts: Vec<&'a str>,
}

impl<'a> Split<'a> {
    /// Splits `arn`; errors when it is not an ARN of the `states` service at all.
    pub fn new(arn: &'a str) -> Result<Split<'a>, ApiError> {
        let Some(rest) = arn.strip_prefix("arn:") else {
            return Err(ApiError::invalid_arn(&format!("Invalid ARN prefix: {arn}")));
        };
        let fields: Vec<&str> = rest.splitn(5, ':').collect();
        let [partition, service, region, account, resource] = fields[..] else {
            return Err(ApiError::invalid_arn(arn));
        };
        let valid = PARTITIONS.contains(&partition)
            && service == "states"
            && is_region(region)
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit())
            && !resource.is_empty();
        if !valid {
            return Err(ApiError::invalid_arn(arn));
        }
        let mut parts = resource.split(':');
        let kind = parts.next().unwrap_or_default();
        Ok(Split {
            arn,
            scope: ArnScope {
                partition: partition.to_owned(),
                region: region.to_owned(),
                account: account.to_owned(),
            },
            kind,
            parts: parts.collect(),
        })
    }

    /// Errors unless the resource type is one of `kinds`.
    pub fn expect_kind(&self, kinds: &[&str]) -> Result<(), ApiError> {
        if kinds.contains(&self.kind) {
            Ok(())
        } else {
            Err(ApiError::invalid_arn(&format!(
                "Resource type not valid in this context: {}",
                self.kind.to_lowercase()
            )))
        }
    }

    /// The error for a resource of the right type but the wrong shape.
    pub fn malformed(&self) -> ApiError {
        ApiError::invalid_arn(self.arn)
    }

    /// `name` when it is a valid resource name.
    pub fn name(&self, name: &str) -> Result<String, ApiError> {
        if is_valid_name(name) {
            Ok(name.to_owned())
        } else {
            Err(self.malformed())
        }
    }

    /// `NAME` or `NAME/LABEL`, both valid names.
    pub fn labelled(&self, part: &str) -> Result<(String, Option<String>), ApiError> {
        match part.split_once('/') {
            None => Ok((self.name(part)?, None)),
            Some((name, label)) => Ok((self.name(name)?, Some(self.name(label)?))),
        }
    }
}

fn is_region(region: &str) -> bool {
    !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A version number: decimal digits without sign or leading zero, at least 1.
pub(super) fn version_number(text: &str) -> Option<u64> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if !digits || text.starts_with('0') {
        return None;
    }
    text.parse().ok()
}

/// An alias name: the model's `CharacterRestrictedName` (letters, digits, `_-.`, not all digits).
pub(super) fn is_alias_name(text: &str) -> bool {
    text.len() <= 80 && (crate::patterns::CHARACTER_RESTRICTED_NAME.matches)(text)
}
