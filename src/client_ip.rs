//! The client's IP address, for the limits that count per client: the TCP peer's, or, behind a
//! proxy trusted with its headers (`TRUST_PROXY_HEADERS`), the address it appended to
//! `X-Forwarded-For`. Without that setting the header is ignored: any client can write one.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request};

/// Set on every request by [`crate::monitoring::observe`]; `None` where the server was started
/// without peer addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl ClientIp {
    pub fn of(request: &Request, trust_proxy: bool) -> Self {
        let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
        let forwarded = trust_proxy
            .then(|| request.headers().get_all("x-forwarded-for").iter().next_back())
            .flatten()
            .and_then(|value| value.to_str().ok())
            // The proxy appends the address it saw: the last one. Earlier ones came from the client.
            .and_then(|value| value.rsplit(',').next())
            .and_then(|last| last.trim().parse::<IpAddr>().ok());
        // An IPv4 client of a dual-stack socket shows as `::ffff:a.b.c.d`: it is a.b.c.d.
        ClientIp(forwarded.or(peer).map(|ip| ip.to_canonical()))
    }

    /// The client of a request being served, from its extensions.
    pub fn in_extensions(extensions: &axum::http::Extensions) -> Option<IpAddr> {
        extensions.get::<ClientIp>().and_then(|client| client.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn request(forwarded: &str, peer: [u8; 4]) -> Request {
        let mut request = Request::builder().header("x-forwarded-for", forwarded).body(Body::empty()).unwrap();
        request.extensions_mut().insert(ConnectInfo(SocketAddr::from((peer, 4000))));
        request
    }

    #[test]
    fn the_forwarded_address_counts_only_behind_a_trusted_proxy() {
        let request = request("198.51.100.9, 203.0.113.5", [10, 0, 0, 2]);
        assert_eq!(ClientIp::of(&request, true), ClientIp(Some(IpAddr::from([203, 0, 113, 5]))));
        assert_eq!(ClientIp::of(&request, false), ClientIp(Some(IpAddr::from([10, 0, 0, 2]))));
        let garbage = self::request("not an address", [10, 0, 0, 2]);
        assert_eq!(ClientIp::of(&garbage, true), ClientIp(Some(IpAddr::from([10, 0, 0, 2]))));
    }
}
