//! Path-tracking helpers for walking a [`Value`]: every value is visited as a [`Node`] that knows
//! its SF4 path (`$`, `.key`, `[i]`), so each error names the value it is about.

use super::ScenarioError;
use crate::json::Value;
use chrono::NaiveDate;
use domain::allocation::RawDealDate;
use domain::allocation::parse::{parse_cal_date, parse_date};
use std::collections::HashSet;
use std::ops::RangeInclusive;

pub(super) type R<T> = Result<T, ScenarioError>;

/// A value with its path.
#[derive(Debug)]
pub(super) struct Node<'a> {
    pub value: &'a Value,
    pub path: String,
}

impl<'a> Node<'a> {
    pub fn root(value: &'a Value) -> Node<'a> {
        Node {
            value,
            path: "$".to_owned(),
        }
    }

    pub fn error(&self, reason: impl Into<String>) -> ScenarioError {
        ScenarioError {
            path: self.path.clone(),
            reason: reason.into(),
        }
    }

    pub fn wrong_type(&self, expected: &str) -> ScenarioError {
        self.error(format!("expected {expected}, found {}", self.value.kind()))
    }

    pub fn unknown_key(&self) -> ScenarioError {
        self.error("unknown key")
    }

    /// An object, walked member by member in document order.
    pub fn object(&self) -> R<Obj<'a>> {
        match self.value {
            Value::Object(members) => Ok(Obj {
                path: self.path.clone(),
                members: members.iter(),
                seen: HashSet::new(),
            }),
            _ => Err(self.wrong_type("an object")),
        }
    }

    /// An array's elements with their paths.
    pub fn items(&self) -> R<Vec<Node<'a>>> {
        match self.value {
            Value::Array(items) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, value)| Node {
                    value,
                    path: format!("{}[{i}]", self.path),
                })
                .collect()),
            _ => Err(self.wrong_type("an array")),
        }
    }

    /// An array whose every element is read with `f`.
    pub fn list<T>(&self, f: impl FnMut(&Node<'a>) -> R<T>) -> R<Vec<T>> {
        self.items()?.iter().map(f).collect()
    }

    /// `None` for null, otherwise the value read with `f`.
    pub fn nullable<T>(&self, f: impl FnOnce(&Node<'a>) -> R<T>) -> R<Option<T>> {
        match self.value {
            Value::Null => Ok(None),
            _ => f(self).map(Some),
        }
    }

    pub fn string(&self) -> R<String> {
        match self.value {
            Value::String(s) => Ok(s.clone()),
            _ => Err(self.wrong_type("a string")),
        }
    }

    pub fn boolean(&self) -> R<bool> {
        match self.value {
            Value::Bool(b) => Ok(*b),
            _ => Err(self.wrong_type("a boolean")),
        }
    }

    /// A string that is not empty after trim, returned as written.
    pub fn non_empty(&self) -> R<String> {
        let s = self.string()?;
        if s.trim().is_empty() {
            return Err(self.error("must not be empty"));
        }
        Ok(s)
    }

    /// A `YYYY-MM-DD` date.
    pub fn date(&self) -> R<NaiveDate> {
        let s = self.string()?;
        parse_date(&s).ok_or_else(|| self.error(format!("{s:?} is not a YYYY-MM-DD date")))
    }

    /// An IN3 calendar date, returned as written and parsed.
    pub fn cal_date(&self) -> R<(String, NaiveDate)> {
        let s = self.string()?;
        match parse_cal_date(&s) {
            Some(d) => Ok((s, d)),
            None => Err(self.error(format!("{s:?} is not a date (IN3)"))),
        }
    }

    /// A string, or a non-negative integer written out in decimal.
    pub fn id(&self) -> R<String> {
        match self.value {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) if n.is_i64() || n.is_u64() => match n.as_u64() {
                Some(u) => Ok(u.to_string()),
                None => Err(self.error(format!("{n} is negative"))),
            },
            _ => Err(self.wrong_type("a string or a non-negative integer")),
        }
    }

    /// An integer (no fraction or exponent) within `range`.
    pub fn integer_in(&self, range: RangeInclusive<u32>) -> R<u32> {
        let Value::Number(n) = self.value else {
            return Err(self.wrong_type("an integer"));
        };
        if !(n.is_i64() || n.is_u64()) {
            return Err(self.wrong_type("an integer"));
        }
        n.as_u64()
            .and_then(|u| u32::try_from(u).ok())
            .filter(|u| range.contains(u))
            .ok_or_else(|| {
                self.error(format!(
                    "{n} is out of range {}..={}",
                    range.start(),
                    range.end()
                ))
            })
    }

    /// An IN4 deal date as received: string, integer (epoch ms) or null. An integer above
    /// `i64::MAX` is kept as its digits, which IN4 reads exactly like the integer (epoch ms, here
    /// out of range), so the W2 warning quotes the value as received.
    pub fn deal_date(&self) -> R<RawDealDate> {
        match self.value {
            Value::Null => Ok(RawDealDate::Missing),
            Value::String(s) => Ok(RawDealDate::Text(s.clone())),
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n
                .as_i64()
                .map_or_else(|| RawDealDate::Text(n.to_string()), RawDealDate::Millis)),
            _ => Err(self.wrong_type("a string, an integer or null")),
        }
    }
}

/// An object being walked: [`Obj::next_member`] yields the members in document order and rejects
/// a duplicate key at the duplicate's path.
#[derive(Debug)]
pub(super) struct Obj<'a> {
    path: String,
    members: std::slice::Iter<'a, (String, Value)>,
    seen: HashSet<&'a str>,
}

impl<'a> Obj<'a> {
    pub fn next_member(&mut self) -> R<Option<(&'a str, Node<'a>)>> {
        let Some((key, value)) = self.members.next() else {
            return Ok(None);
        };
        let node = Node {
            value,
            path: format!("{}.{key}", self.path),
        };
        if !self.seen.insert(key.as_str()) {
            return Err(node.error("duplicate key"));
        }
        Ok(Some((key.as_str(), node)))
    }

    /// The value of a required key, or the error naming the path it should have had.
    pub fn required<T>(&self, field: Option<T>, key: &str) -> R<T> {
        field.ok_or_else(|| ScenarioError {
            path: format!("{}.{key}", self.path),
            reason: "missing required key".to_owned(),
        })
    }
}
