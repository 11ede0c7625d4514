//! The allocation configuration (CF1) and the rule constants (CF2).

use chrono_tz::Tz;
use std::ops::RangeInclusive;

/// CF2: the pod name that gets the solo limit (LM2).
pub const SOLO_POD: &str = "Solo Adviser";
/// CF2: packages exempt from the household rule (EL4).
pub const HOUSEHOLD_EXEMPT_PACKAGES: [&str; 2] = ["series c", "ipo"];
/// CF2: the counted meeting types (WC2).
pub const CLARIFY: &str = "Clarify";
pub const KICK_OFF: &str = "Kick Off";
/// CF2: the ratio tolerance (SL5).
pub const RATIO_TOLERANCE: f64 = 1e-6;

/// A validated configuration (CF1). Build it with [`Config::new`]; [`Config::default`] holds
/// the defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    timezone: Tz,
    values: ConfigValues,
}

/// The integer keys of CF1, unvalidated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfigValues {
    pub prestart_weeks: u32,
    pub buffer_weeks: u32,
    pub horizon_weeks: u32,
    pub max_clarifies_per_week: u32,
    pub base_limit_monthly: u32,
    pub solo_limit_monthly: u32,
}

impl Default for ConfigValues {
    fn default() -> Self {
        ConfigValues {
            prestart_weeks: 3,
            buffer_weeks: 2,
            horizon_weeks: 52,
            max_clarifies_per_week: 2,
            base_limit_monthly: 6,
            solo_limit_monthly: 4,
        }
    }
}

/// CF1: a value outside its allowed range.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{key} must be an integer in {min}..={max}, got {value}")]
pub struct ConfigError {
    pub key: &'static str,
    pub value: u64,
    pub min: u32,
    pub max: u32,
}

impl ConfigValues {
    /// Each key with its allowed range (CF1), in output order.
    pub fn ranges(&self) -> [(&'static str, u32, RangeInclusive<u32>); 6] {
        [
            ("prestart_weeks", self.prestart_weeks, 0..=52),
            ("buffer_weeks", self.buffer_weeks, 0..=52),
            ("horizon_weeks", self.horizon_weeks, 1..=520),
            (
                "max_clarifies_per_week",
                self.max_clarifies_per_week,
                0..=100,
            ),
            ("base_limit_monthly", self.base_limit_monthly, 1..=1000),
            ("solo_limit_monthly", self.solo_limit_monthly, 1..=1000),
        ]
    }

    /// The allowed range of a key, for callers that validate raw input (e.g. a scenario file).
    pub fn range_of(key: &str) -> Option<RangeInclusive<u32>> {
        ConfigValues::default()
            .ranges()
            .into_iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, r)| r)
    }
}

impl Config {
    /// Validates every value against its CF1 range.
    pub fn new(timezone: Tz, values: ConfigValues) -> Result<Config, ConfigError> {
        for (key, value, range) in values.ranges() {
            if !range.contains(&value) {
                return Err(ConfigError {
                    key,
                    value: u64::from(value),
                    min: *range.start(),
                    max: *range.end(),
                });
            }
        }
        Ok(Config { timezone, values })
    }

    pub fn timezone(&self) -> Tz {
        self.timezone
    }
    pub fn values(&self) -> &ConfigValues {
        &self.values
    }
    pub fn prestart_weeks(&self) -> u32 {
        self.values.prestart_weeks
    }
    pub fn buffer_weeks(&self) -> u32 {
        self.values.buffer_weeks
    }
    pub fn horizon_weeks(&self) -> u32 {
        self.values.horizon_weeks
    }
    pub fn max_clarifies_per_week(&self) -> u32 {
        self.values.max_clarifies_per_week
    }
    pub fn base_limit_monthly(&self) -> u32 {
        self.values.base_limit_monthly
    }
    pub fn solo_limit_monthly(&self) -> u32 {
        self.values.solo_limit_monthly
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            timezone: chrono_tz::Australia::Sydney,
            values: ConfigValues::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cf1_defaults_are_valid() {
        let c = Config::new(chrono_tz::Australia::Sydney, ConfigValues::default()).unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.horizon_weeks(), 52);
    }

    #[test]
    fn cf1_out_of_range_is_an_error() {
        let values = ConfigValues {
            horizon_weeks: 0,
            ..ConfigValues::default()
        };
        let err = Config::new(chrono_tz::UTC, values).unwrap_err();
        assert_eq!(err.key, "horizon_weeks");
        let values = ConfigValues {
            prestart_weeks: 53,
            ..ConfigValues::default()
        };
        assert_eq!(
            Config::new(chrono_tz::UTC, values).unwrap_err().key,
            "prestart_weeks"
        );
        assert_eq!(ConfigValues::range_of("base_limit_monthly"), Some(1..=1000));
    }
}
