//! API operations and OAuth scopes: `CloudSpend.Internal.<Operation>`.

use std::fmt;
use std::str::FromStr;

/// What a route does, as the spec's Operation column says (a POST can be a Read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    Read,
    Create,
    Update,
    Delete,
}

impl Operation {
    pub const ALL: [Operation; 4] = [
        Operation::Read,
        Operation::Create,
        Operation::Update,
        Operation::Delete,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Read => "Read",
            Operation::Create => "Create",
            Operation::Update => "Update",
            Operation::Delete => "Delete",
        }
    }

    /// The scope a token needs for this operation.
    pub fn scope(self) -> &'static str {
        match self {
            Operation::Read => "CloudSpend.Internal.Read",
            Operation::Create => "CloudSpend.Internal.Create",
            Operation::Update => "CloudSpend.Internal.Update",
            Operation::Delete => "CloudSpend.Internal.Delete",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of granted scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scopes(u8);

/// The scope that grants all four operations.
pub const SCOPE_ALL: &str = "CloudSpend.Internal.ALL";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scope {0:?} (known: CloudSpend.Internal.Read, .Create, .Update, .Delete, .ALL)")]
pub struct UnknownScope(pub String);

impl Scopes {
    pub fn all() -> Scopes {
        Scopes(0b1111)
    }

    fn bit(op: Operation) -> u8 {
        1 << (op as u8)
    }

    pub fn with(self, op: Operation) -> Scopes {
        Scopes(self.0 | Self::bit(op))
    }

    pub fn allows(self, op: Operation) -> bool {
        self.0 & Self::bit(op) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Parses a comma-separated scope list (spaces also separate, as OAuth allows).
    pub fn parse(list: &str) -> Result<Scopes, UnknownScope> {
        let mut scopes = Scopes::default();
        for item in list
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            scopes = match item {
                SCOPE_ALL => Scopes::all(),
                _ => match Operation::ALL.into_iter().find(|op| op.scope() == item) {
                    Some(op) => scopes.with(op),
                    None => return Err(UnknownScope(item.to_string())),
                },
            };
        }
        Ok(scopes)
    }

    /// The canonical comma-separated form.
    pub fn to_scope_string(self) -> String {
        if self == Scopes::all() {
            return SCOPE_ALL.to_string();
        }
        Operation::ALL
            .into_iter()
            .filter(|op| self.allows(*op))
            .map(Operation::scope)
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl FromStr for Scopes {
    type Err = UnknownScope;
    fn from_str(s: &str) -> Result<Scopes, UnknownScope> {
        Scopes::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_grants_every_operation() {
        let s = Scopes::parse(SCOPE_ALL).unwrap();
        assert!(Operation::ALL.iter().all(|op| s.allows(*op)));
        assert_eq!(s.to_scope_string(), SCOPE_ALL);
    }

    #[test]
    fn lists_grant_only_what_they_name() {
        let s = Scopes::parse("CloudSpend.Internal.Read, CloudSpend.Internal.Delete").unwrap();
        assert!(s.allows(Operation::Read) && s.allows(Operation::Delete));
        assert!(!s.allows(Operation::Create) && !s.allows(Operation::Update));
        assert_eq!(
            s.to_scope_string(),
            "CloudSpend.Internal.Read,CloudSpend.Internal.Delete"
        );
    }

    #[test]
    fn unknown_scopes_are_named() {
        let err = Scopes::parse("CloudSpend.Internal.Read,Other.Thing").unwrap_err();
        assert_eq!(err.0, "Other.Thing");
        assert!(Scopes::parse("").unwrap().is_empty());
    }
}
