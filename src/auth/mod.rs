//! Who is asking: password sign-in, browser sessions, the signed-in person as the pages see them,
//! and the one authentication layer of the REST API (HTTP Basic and bearer access tokens).

pub mod page;
pub mod server_fns;
pub mod viewer;

#[cfg(feature = "ssr")]
pub mod csrf;
#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod layer;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod throttle;
