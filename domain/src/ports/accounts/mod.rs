//! Accounts: users and roles (portal.md P1.1, P3), server-side sessions (security.md S2), login
//! throttling (S3) and profiles (P1.2, P4). One module per store; the small rules the stores and
//! the use cases must agree on (login normalisation, session expiry, the throttle step) live next
//! to the records they apply to.

mod passwords;
mod photos;
mod profiles;
mod sessions;
mod throttle;
mod users;

pub use passwords::*;
pub use photos::*;
pub use profiles::*;
pub use sessions::*;
pub use throttle::*;
pub use users::*;
