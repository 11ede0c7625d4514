//! JSON request bodies with the H0 rules: `Content-Type: application/json` (415), a size cap checked
//! while reading (413), `invalid_json` for syntax errors or a non-object top level, and
//! `validation_failed` naming the field for everything else (H0.9, S12.2). The schema of `T` is
//! what OpenAPI documents.

use crate::error::ApiError;
use poem::http::StatusCode;
use poem::{Request, RequestBody};
use poem_openapi::registry::{MetaMediaType, MetaRequest, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// JSON bodies other than webhooks (H0.3).
pub const JSON_CAP: usize = 65_536;
/// Webhook bodies (H0.3).
pub const WEBHOOK_CAP: usize = 262_144;

/// A parsed JSON body of type `T`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

/// The raw bytes of a JSON webhook body (read before the signature is checked), documented as `T`.
#[derive(Debug)]
pub struct RawJson<T> {
    pub bytes: Vec<u8>,
    _schema: std::marker::PhantomData<fn() -> T>,
}

fn is_json(request: &Request) -> bool {
    request
        .content_type()
        .and_then(|ct| ct.parse::<mime::Mime>().ok())
        .is_some_and(|m| {
            m.type_() == "application"
                && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"))
        })
}

fn has_body(request: &Request) -> bool {
    let headers = request.headers();
    let length = headers
        .get(poem::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match length {
        Some(n) => n > 0,
        None => headers.contains_key(poem::http::header::TRANSFER_ENCODING),
    }
}

/// Reads the body under `cap` after checking the content type.
pub async fn read_json_bytes(
    request: &Request,
    body: &mut RequestBody,
    cap: usize,
) -> Result<Vec<u8>, ApiError> {
    if has_body(request) && !is_json(request) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as application/json.",
        ));
    }
    let taken = body.take().map_err(|_| ApiError::internal())?;
    match taken.into_bytes_limit(cap).await {
        Ok(bytes) => Ok(bytes.to_vec()),
        Err(poem::error::ReadBodyError::PayloadTooLarge) => Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("The body is larger than {cap} bytes."),
        )),
        Err(_) => Err(ApiError::invalid_json()),
    }
}

/// Parses a JSON object into `T`: syntax → `invalid_json`; anything else → `validation_failed`
/// with the path of the field at fault.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|_| ApiError::invalid_json())?;
    if !value.is_object() {
        return Err(ApiError::invalid_json());
    }
    // Re-parse from the bytes so duplicate keys are refused, with the failing path.
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path.is_empty() || path == "." {
            "body".to_owned()
        } else {
            path
        };
        let message = e.inner().to_string();
        let code = if message.starts_with("missing field") {
            "required"
        } else if message.starts_with("duplicate field") {
            "duplicate_key"
        } else {
            "invalid_value"
        };
        let field = match message.strip_prefix("missing field `") {
            Some(rest) if field == "body" => rest
                .trim_end_matches(|c| c != '`')
                .trim_end_matches('`')
                .to_owned(),
            _ => field,
        };
        ApiError::field(&field, code)
    })
}

fn request_meta<T: Type>() -> Option<MetaRequest> {
    Some(MetaRequest {
        description: None,
        content: vec![MetaMediaType {
            content_type: "application/json",
            schema: T::schema_ref(),
        }],
        required: true,
    })
}

impl<'a, T: Type + DeserializeOwned + Send> ApiExtractor<'a> for JsonBody<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        request_meta::<T>()
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let bytes = read_json_bytes(request, body, JSON_CAP).await?;
        Ok(JsonBody(parse_json(&bytes)?))
    }
}

impl<'a, T: Type + Send> ApiExtractor<'a> for RawJson<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        request_meta::<T>()
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let bytes = read_json_bytes(request, body, WEBHOOK_CAP).await?;
        Ok(RawJson {
            bytes,
            _schema: std::marker::PhantomData,
        })
    }
}
