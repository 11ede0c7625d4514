//! Scalar schema types of the explanation: numbers that are multiples of 0.5 (allocation.md
//! EW15) and dates and instants written as strings (H0.4). Each keeps the exact JSON it was read
//! from, so typing a response never changes its bytes (`2` stays `2`, `2.5` stays `2.5`).

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use serde_json::{Number, Value};
use std::borrow::Cow;

/// Implements `Type` for a newtype whose JSON is kept as read.
macro_rules! kept_json_type {
    ($ty:ident, $name:literal, $schema:expr) => {
        impl Type for $ty {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> Cow<'static, str> {
                $name.into()
            }

            fn schema_ref() -> MetaSchemaRef {
                MetaSchemaRef::Inline(Box::new($schema))
            }

            fn as_raw_value(&self) -> Option<&Self> {
                Some(self)
            }

            fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
                Box::new(self.as_raw_value().into_iter())
            }
        }
    };
}

/// A multiple of 0.5: an integer when whole, else one decimal (allocation.md EW15).
#[derive(Clone, Debug, PartialEq)]
pub struct Half(pub Number);

kept_json_type!(
    Half,
    "half_number",
    MetaSchema {
        multiple_of: Some(0.5),
        ..MetaSchema::new("number")
    }
);

impl ParseFromJSON for Half {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::Number(n) => Ok(Half(n)),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl ToJSON for Half {
    fn to_json(&self) -> Option<Value> {
        Some(Value::Number(self.0.clone()))
    }
}

/// A string with a documented format (`date`: `YYYY-MM-DD`; `date-time`: RFC 3339 UTC with
/// milliseconds and `Z`).
macro_rules! formatted_string {
    ($(#[$doc:meta])* $ty:ident, $format:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $ty(pub String);

        kept_json_type!($ty, $format, MetaSchema::new_with_format("string", $format));

        impl ParseFromJSON for $ty {
            fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
                match value.unwrap_or_default() {
                    Value::String(s) => Ok($ty(s)),
                    other => Err(ParseError::expected_type(other)),
                }
            }
        }

        impl ToJSON for $ty {
            fn to_json(&self) -> Option<Value> {
                Some(Value::String(self.0.clone()))
            }
        }
    };
}

formatted_string!(
    /// `YYYY-MM-DD`; a week is written as its Monday (H0.4).
    Date,
    "date"
);
formatted_string!(
    /// RFC 3339 UTC with milliseconds and `Z` (H0.4).
    Instant,
    "date-time"
);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn halves_keep_their_json_spelling() {
        for v in [json!(2), json!(2.5), json!(-0.5), json!(0)] {
            let h = Half::parse_from_json(Some(v.clone())).unwrap();
            assert_eq!(h.to_json(), Some(v));
        }
        assert!(Half::parse_from_json(Some(json!("2"))).is_err());
    }

    #[test]
    fn dates_and_instants_are_strings() {
        let d = Date::parse_from_json(Some(json!("2025-03-24"))).unwrap();
        assert_eq!(d.to_json(), Some(json!("2025-03-24")));
        assert!(Instant::parse_from_json(Some(json!(5))).is_err());
    }
}
