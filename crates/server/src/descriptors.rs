//! File descriptors: the budget that open sockets must stay within.
//!
//! Every TCP connection is a descriptor, and so are the listener, SQLite's
//! database, WAL and shared-memory files (per pooled connection) and the
//! log outputs. When the process runs out, `accept` fails and even
//! `/healthz` stops answering. So the binary raises the soft limit to the
//! hard one at start ([`raise_limit`]), and [`Budget::split`] divides the
//! limit: WebSockets get all but a reserve, and the HTTP connections that are
//! not upgraded (the only other thing that grows with clients) are capped
//! within that reserve, leaving room for the store and the listener.

/// Descriptors that are neither WebSockets nor HTTP connections: the
/// listener, SQLite's files, stdio, the runtime's own.
pub const FIXED: u64 = 64;

/// The smallest reserve (for HTTP connections and [`FIXED`]) kept from the
/// WebSockets, and the share of the limit it grows to on large limits.
pub const MIN_RESERVE: u64 = 256;
const RESERVE_SHARE: u64 = 8;

/// Used where the limit cannot be read (no `RLIMIT_NOFILE` on the platform).
pub const FALLBACK_LIMIT: u64 = 10_000;

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (where the platform
/// has one); the soft limit now in force.
pub fn raise_limit() -> std::io::Result<u64> {
    rlimit::increase_nofile_limit(u64::MAX)
}

/// The soft `RLIMIT_NOFILE` now in force, if the platform has one.
pub fn current_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        rlimit::getrlimit(rlimit::Resource::NOFILE)
            .ok()
            .map(|(soft, _hard)| soft)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// How a descriptor limit is shared out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Open WebSockets at most.
    pub sockets: usize,
    /// Open HTTP connections (not upgraded) at most.
    pub http_connections: usize,
}

impl Budget {
    /// Splits `limit` descriptors: a reserve of `max(256, limit / 8)` for
    /// HTTP connections and [`FIXED`], the rest for WebSockets.
    /// `max_http_connections` is the configured HTTP cap, lowered to fit the
    /// reserve.
    pub fn split(limit: u64, max_http_connections: usize) -> Budget {
        let reserve = MIN_RESERVE.max(limit / RESERVE_SHARE);
        let sockets = limit.saturating_sub(reserve).max(1);
        let http = reserve.saturating_sub(FIXED).max(1);
        Budget {
            sockets: usize::try_from(sockets).unwrap_or(usize::MAX),
            http_connections: usize::try_from(http)
                .unwrap_or(usize::MAX)
                .min(max_http_connections),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_leaves_a_reserve_for_http_and_the_store() {
        assert_eq!(
            Budget::split(1024, 10_000),
            Budget {
                sockets: 768,
                http_connections: 192
            }
        );
        assert_eq!(
            Budget::split(1 << 20, 10_000),
            Budget {
                sockets: 917_504,
                http_connections: 10_000
            }
        );
        let tiny = Budget::split(100, 10_000);
        assert!(tiny.sockets >= 1 && tiny.http_connections >= 1, "{tiny:?}");
    }
}
