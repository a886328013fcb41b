//! Where the time comes from: the system's clock in the program, a fixed one in tests, so that
//! nothing a test checks depends on the day it runs.

use std::sync::Arc;

use domain::Month;
use domain::calendar::Date;

/// Seconds since the epoch, from the source the application was opened with.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> i64 + Send + Sync>);

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

impl Clock {
    pub fn system() -> Clock {
        Clock(Arc::new(store::now))
    }

    /// Whatever `now` says, in seconds since the epoch (a clock a test moves on).
    pub fn from_fn(now: impl Fn() -> i64 + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(now))
    }

    /// Always noon, China time, of `date`.
    pub fn on(date: Date) -> Clock {
        let at = date.days() * 86_400 + 4 * 3600;
        Clock(Arc::new(move || at))
    }

    pub fn now(&self) -> i64 {
        (self.0)()
    }

    /// Today in China: deadlines are days in Beijing.
    pub fn today(&self) -> Date {
        Date::from_days((self.now() + 8 * 3600).div_euclid(86_400))
    }

    /// The month it is now in China: the latest month figures or workflow steps may concern.
    pub fn current_month(&self) -> Month {
        let d = self.today();
        Month::new(d.year, d.month).expect("today is a valid month")
    }
}
