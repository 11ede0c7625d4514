//! The circuit breaker of U0.6: opens after 5 consecutive retryable failures, or when at least
//! half of 20+ calls in the last 30 s failed; after 30 s one probe is let through (half-open).
//! 4xx answers other than 408 and 429 count as successes: the upstream is up.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BreakerConfig {
    pub consecutive_failures: u32,
    pub window: Duration,
    pub min_calls: usize,
    pub open_for: Duration,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            consecutive_failures: 5,
            window: Duration::from_secs(30),
            min_calls: 20,
            open_for: Duration::from_secs(30),
        }
    }
}

/// What the breaker lets through, as `/readyz` reports it (H2.11).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    /// The open period is over: the next call goes out as the probe, or is out now.
    HalfOpen,
}

impl BreakerState {
    /// The less available of two breakers of one upstream: open, then half-open, then closed.
    pub fn worse(self, other: BreakerState) -> BreakerState {
        let rank = |s| match s {
            BreakerState::Closed => 0,
            BreakerState::HalfOpen => 1,
            BreakerState::Open => 2,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }
}

#[derive(Debug)]
enum State {
    Closed,
    Open { until: Instant },
    HalfOpen { probing: bool },
}

#[derive(Debug)]
struct Inner {
    state: State,
    consecutive: u32,
    recent: VecDeque<(Instant, bool)>,
}

#[derive(Debug)]
pub(crate) struct Breaker {
    config: BreakerConfig,
    inner: Mutex<Inner>,
}

impl Breaker {
    pub(crate) fn new(config: BreakerConfig) -> Breaker {
        Breaker {
            config,
            inner: Mutex::new(Inner {
                state: State::Closed,
                consecutive: 0,
                recent: VecDeque::new(),
            }),
        }
    }

    /// Whether a call may go out now. In half-open state only one probe at a time.
    pub(crate) fn allow(&self, now: Instant) -> bool {
        let Ok(mut inner) = self.inner.lock() else {
            return true; // a poisoned breaker must not block the upstream forever
        };
        match inner.state {
            State::Closed => true,
            State::Open { until } if now < until => false,
            State::Open { .. } => {
                inner.state = State::HalfOpen { probing: true };
                true
            }
            State::HalfOpen { probing: true } => false,
            State::HalfOpen { probing: false } => {
                inner.state = State::HalfOpen { probing: true };
                true
            }
        }
    }

    /// The state at `now`, without changing it (a read must not use up the probe).
    pub(crate) fn state(&self, now: Instant) -> BreakerState {
        let Ok(inner) = self.inner.lock() else {
            return BreakerState::Closed; // as `allow`: a poisoned breaker lets calls through
        };
        match inner.state {
            State::Closed => BreakerState::Closed,
            State::Open { until } if now < until => BreakerState::Open,
            State::Open { .. } | State::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    /// Holds every call back until `until` (an exhausted quota); then one probe, as after any
    /// opening.
    pub(crate) fn hold(&self, until: Instant) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.state = State::Open { until };
            inner.consecutive = 0;
            inner.recent.clear();
        }
    }

    /// Records an attempt's outcome: `failed` for retryable failures only.
    pub(crate) fn record(&self, now: Instant, failed: bool) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let open = State::Open {
            until: now + self.config.open_for,
        };
        if let State::HalfOpen { .. } = inner.state {
            inner.state = if failed { open } else { State::Closed };
            inner.consecutive = 0;
            inner.recent.clear();
            return;
        }
        inner.consecutive = if failed { inner.consecutive + 1 } else { 0 };
        inner.recent.push_back((now, failed));
        while inner
            .recent
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t) > self.config.window)
        {
            inner.recent.pop_front();
        }
        let failures = inner.recent.iter().filter(|(_, f)| *f).count();
        let calls = inner.recent.len();
        if inner.consecutive >= self.config.consecutive_failures
            || (calls >= self.config.min_calls && failures * 2 >= calls)
        {
            inner.state = open;
            inner.consecutive = 0;
            inner.recent.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u0_6_opens_after_five_consecutive_failures_then_probes_once() {
        let b = Breaker::new(BreakerConfig::default());
        let t0 = Instant::now();
        for _ in 0..4 {
            assert!(b.allow(t0));
            b.record(t0, true);
        }
        assert!(b.allow(t0));
        b.record(t0, true);
        assert!(!b.allow(t0), "open");
        assert_eq!(b.state(t0), BreakerState::Open);
        let later = t0 + Duration::from_secs(31);
        assert_eq!(
            b.state(later),
            BreakerState::HalfOpen,
            "reading keeps the probe"
        );
        assert!(b.allow(later), "one probe");
        assert_eq!(b.state(later), BreakerState::HalfOpen);
        assert!(!b.allow(later), "only one");
        b.record(later, false);
        assert_eq!(b.state(later), BreakerState::Closed);
        assert!(b.allow(later), "closed again");
    }

    #[test]
    fn the_worse_state_is_the_less_available_one() {
        use BreakerState::{Closed, HalfOpen, Open};
        assert_eq!(Closed.worse(HalfOpen), HalfOpen);
        assert_eq!(Open.worse(HalfOpen), Open);
        assert_eq!(Closed.worse(Closed), Closed);
        assert_eq!(HalfOpen.worse(Open).as_str(), "open");
    }

    #[test]
    fn u0_6_opens_on_a_failure_rate_and_reopens_on_a_failed_probe() {
        let b = Breaker::new(BreakerConfig::default());
        let t0 = Instant::now();
        for i in 0..20 {
            b.record(t0, i % 2 == 0);
        }
        assert!(!b.allow(t0));
        let later = t0 + Duration::from_secs(31);
        assert!(b.allow(later));
        b.record(later, true);
        assert!(!b.allow(later + Duration::from_secs(1)), "re-opened");
    }
}
