//! Where the request being served came from, for the events it causes: the client's IP and its
//! `User-Agent`. `monitoring::observe` sets it around every request, so that the code recording an
//! event need not carry the request's headers down to where the change happens.

use std::net::IpAddr;

use axum::http::HeaderValue;

#[derive(Clone, Debug, Default)]
pub struct RequestOrigin {
    pub client: Option<IpAddr>,
    /// As sent: cheap to keep (the header's bytes are shared), cleaned only if an event is written.
    pub user_agent: Option<HeaderValue>,
}

tokio::task_local! {
    static ORIGIN: RequestOrigin;
}

impl RequestOrigin {
    /// Runs `future` (serving a request) with this origin as [`RequestOrigin::current`].
    pub async fn scope<T>(self, future: impl Future<Output = T>) -> T {
        ORIGIN.scope(self, future).await
    }

    /// The origin of the request served on this task; empty outside of one (the command line).
    pub fn current() -> Self {
        ORIGIN.try_with(Clone::clone).unwrap_or_default()
    }

    /// The user agent as an event keeps it: at most [`MAX_USER_AGENT_CHARS`] characters, control
    /// and invisible format characters replaced (it is the client's text, shown to admins).
    pub fn user_agent_text(&self) -> Option<String> {
        let value = self.user_agent.as_ref()?;
        let text = String::from_utf8_lossy(value.as_bytes());
        let cleaned: String = text
            .chars()
            .take(MAX_USER_AGENT_CHARS)
            .map(|c| if crate::text::is_hidden(c) { '\u{FFFD}' } else { c })
            .collect();
        (!cleaned.trim().is_empty()).then_some(cleaned)
    }
}

pub const MAX_USER_AGENT_CHARS: usize = 256;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_agent_is_kept_short_and_visible() {
        let origin = |ua: &[u8]| RequestOrigin { client: None, user_agent: Some(HeaderValue::from_bytes(ua).unwrap()) };
        assert_eq!(origin(b"curl/8.5.0").user_agent_text().as_deref(), Some("curl/8.5.0"));
        assert_eq!(origin("a\u{202E}b".as_bytes()).user_agent_text().as_deref(), Some("a\u{FFFD}b"));
        assert_eq!(origin(&[b'x'; 1000]).user_agent_text().unwrap().chars().count(), MAX_USER_AGENT_CHARS);
        assert_eq!(origin(b"  ").user_agent_text(), None);
    }
}
