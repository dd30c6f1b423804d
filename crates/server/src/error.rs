//! The one error type of the HTTP/WebSocket boundary.
//!
//! Policy: handlers return `ApiError`; each variant maps to exactly one
//! protocol error code (and through it to one HTTP status) here, in one
//! place. Internal failures are logged with their cause and answered with a
//! generic message: storage errors never reach clients.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use thiserror::Error;
use webchat_core::store::{AppendError, StoreError};
use webchat_protocol::ErrorCode;
use webchat_protocol::rest::{ErrorBody, ErrorDetail};
use webchat_protocol::server::ServerFrame;
use webchat_protocol::validate::BodyError;

#[derive(Debug, Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("authentication required")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("too many requests")]
    RateLimited { retry_after_ms: u64 },
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Conflict(String),
    #[error("the service is unavailable, try again")]
    Unavailable,
    /// A cap on what one client may hold at once (open WebSockets of a user
    /// or an address) is reached: `rate_limited`, with a retry hint, since
    /// a slot frees when one of theirs closes.
    #[error("{message}")]
    OverCap {
        message: &'static str,
        retry_after_ms: u64,
    },
    /// A server-wide cap is reached (open WebSockets): `unavailable`.
    #[error("{0}")]
    Full(&'static str),
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::BadRequest(_) => ErrorCode::BadRequest,
            ApiError::Unauthorized => ErrorCode::Unauthorized,
            ApiError::Forbidden(_) => ErrorCode::Forbidden,
            ApiError::NotFound(_) => ErrorCode::NotFound,
            ApiError::RateLimited { .. } | ApiError::OverCap { .. } => ErrorCode::RateLimited,
            ApiError::TooLarge(_) => ErrorCode::TooLarge,
            ApiError::Conflict(_) => ErrorCode::Conflict,
            ApiError::Unavailable | ApiError::Full(_) => ErrorCode::Unavailable,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// How long the client should wait before trying again, if it says.
    pub fn retry_after_ms(&self) -> Option<u64> {
        match self {
            ApiError::RateLimited { retry_after_ms } | ApiError::OverCap { retry_after_ms, .. } => {
                Some(*retry_after_ms)
            }
            _ => None,
        }
    }

    pub fn room_not_found() -> Self {
        ApiError::NotFound("no such room".into())
    }

    fn log(&self) {
        if let ApiError::Internal(cause) = self {
            tracing::error!(%cause, "internal error");
        }
    }

    /// The WebSocket `error` frame for this error, answering request `re`.
    pub fn frame(&self, re: Option<Value>) -> ServerFrame {
        self.log();
        ServerFrame::Error {
            re,
            code: self.code(),
            message: self.to_string(),
            retry_after_ms: self.retry_after_ms(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log();
        let status = StatusCode::from_u16(self.code().http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.to_string(),
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(retry_after_ms) = self.retry_after_ms() {
            let seconds = retry_after_ms.div_ceil(1000).max(1);
            if let Ok(value) = seconds.to_string().parse() {
                response.headers_mut().insert("retry-after", value);
            }
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::NotFound("not found".into()),
            StoreError::Conflict => ApiError::Conflict("already exists".into()),
            StoreError::Backend(cause) => {
                tracing::error!(%cause, "store failed");
                ApiError::Unavailable
            }
        }
    }
}

impl From<AppendError> for ApiError {
    fn from(error: AppendError) -> Self {
        match error {
            AppendError::RoomNotFound => ApiError::room_not_found(),
            AppendError::TargetNotFound => ApiError::NotFound("no such message".into()),
            AppendError::Unavailable => ApiError::Unavailable,
        }
    }
}

impl From<BodyError> for ApiError {
    fn from(error: BodyError) -> Self {
        match error {
            BodyError::Empty => ApiError::BadRequest(error.to_string()),
            BodyError::TooLong { .. } => ApiError::TooLarge(error.to_string()),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge("request body too large".into())
        } else {
            ApiError::BadRequest(rejection.body_text())
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}

impl From<WebSocketUpgradeRejection> for ApiError {
    fn from(rejection: WebSocketUpgradeRejection) -> Self {
        // Every cause (not GET, missing or wrong upgrade headers, a connection
        // that cannot be upgraded) is the same mistake for the client.
        ApiError::BadRequest(format!(
            "not a WebSocket upgrade request: {}",
            rejection.body_text()
        ))
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}

/// `Json` whose rejections answer the protocol's JSON error body.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

impl<T: serde::Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

/// `Query` whose rejections answer the protocol's JSON error body.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// `Path` whose rejections answer the protocol's JSON error body.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);
