//! Time, passed into the flows rather than read by them, so a flow can be run at a fixed time.

use std::fmt;

use authhero_core::Timestamp;

/// Where the flows get the current time.
pub trait Clock: Send + Sync + fmt::Debug {
    fn now(&self) -> Timestamp;
}

/// The system's clock, the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}
