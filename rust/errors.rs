//! Field errors as apimachinery's `field.Error`, and the API errors a call can
//! end in, as a Kubernetes `Status` would carry them.

use serde_json::Value;
use std::fmt;
use std::fmt::Write as _;

/// apimachinery's `field.ErrorType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorType {
    NotFound,
    Required,
    Duplicate,
    Invalid,
    NotSupported,
    Forbidden,
    TooLong,
    TooMany,
    Internal,
    TypeInvalid,
}

impl ErrorType {
    /// The machine-readable name (`FieldValueRequired`, …).
    pub fn name(self) -> &'static str {
        match self {
            ErrorType::NotFound => "FieldValueNotFound",
            ErrorType::Required => "FieldValueRequired",
            ErrorType::Duplicate => "FieldValueDuplicate",
            ErrorType::Invalid => "FieldValueInvalid",
            ErrorType::NotSupported => "FieldValueNotSupported",
            ErrorType::Forbidden => "FieldValueForbidden",
            ErrorType::TooLong => "FieldValueTooLong",
            ErrorType::TooMany => "FieldValueTooMany",
            ErrorType::Internal => "InternalError",
            ErrorType::TypeInvalid => "FieldValueTypeInvalid",
        }
    }

    /// The human-readable phrase kubectl users see (`Required value`, …).
    pub fn phrase(self) -> &'static str {
        match self {
            ErrorType::NotFound => "Not found",
            ErrorType::Required => "Required value",
            ErrorType::Duplicate => "Duplicate value",
            ErrorType::Invalid | ErrorType::TypeInvalid => "Invalid value",
            ErrorType::NotSupported => "Unsupported value",
            ErrorType::Forbidden => "Forbidden",
            ErrorType::TooLong => "Too long",
            ErrorType::TooMany => "Too many",
            ErrorType::Internal => "Internal error",
        }
    }

    pub fn from_name(name: &str) -> Option<ErrorType> {
        [
            ErrorType::NotFound,
            ErrorType::Required,
            ErrorType::Duplicate,
            ErrorType::Invalid,
            ErrorType::NotSupported,
            ErrorType::Forbidden,
            ErrorType::TooLong,
            ErrorType::TooMany,
            ErrorType::Internal,
            ErrorType::TypeInvalid,
        ]
        .into_iter()
        .find(|t| t.name() == name)
    }
}

/// One problem with one field, as `field.Error`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub kind: ErrorType,
    /// `None` where Kubernetes omits the value from the message.
    pub bad_value: Option<Value>,
    pub detail: String,
}

impl FieldError {
    pub fn new(
        kind: ErrorType,
        field: impl Into<String>,
        bad_value: Option<Value>,
        detail: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.into(),
            kind,
            bad_value,
            detail: detail.into(),
        }
    }

    pub fn required(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(ErrorType::Required, field, None, detail)
    }

    pub fn forbidden(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(ErrorType::Forbidden, field, None, detail)
    }

    pub fn invalid(
        field: impl Into<String>,
        value: impl Into<Value>,
        detail: impl Into<String>,
    ) -> Self {
        Self::new(ErrorType::Invalid, field, Some(value.into()), detail)
    }

    pub fn duplicate(field: impl Into<String>, value: impl Into<Value>) -> Self {
        Self::new(ErrorType::Duplicate, field, Some(value.into()), "")
    }

    pub fn not_found(field: impl Into<String>, value: impl Into<Value>) -> Self {
        Self::new(ErrorType::NotFound, field, Some(value.into()), "")
    }

    pub fn type_invalid(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(ErrorType::TypeInvalid, field, None, detail)
    }

    /// `field.NotSupported`: the detail lists the accepted values, quoted.
    pub fn not_supported(
        field: impl Into<String>,
        value: impl Into<Value>,
        valid: &[&str],
    ) -> Self {
        let detail = if valid.is_empty() {
            String::new()
        } else {
            let quoted: Vec<String> = valid.iter().map(|v| go_quote(v)).collect();
            format!("supported values: {}", quoted.join(", "))
        };
        Self::new(ErrorType::NotSupported, field, Some(value.into()), detail)
    }

    /// `field.TooLong`: the value is not echoed back.
    pub fn too_long(field: impl Into<String>, max: usize) -> Self {
        let detail = format!("may not be more than {max} bytes");
        Self::new(ErrorType::TooLong, field, None, detail)
    }

    /// `field.TooMany`.
    pub fn too_many(field: impl Into<String>, actual: Option<usize>, max: usize) -> Self {
        let detail = format!("must have at most {max} items");
        Self::new(ErrorType::TooMany, field, actual.map(Value::from), detail)
    }

    pub fn internal(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(ErrorType::Internal, field, None, detail)
    }

    /// The message after the field path, as `field.Error.ErrorBody`.
    pub fn body(&self) -> String {
        let mut s = String::from(self.kind.phrase());
        let shows_value = !matches!(
            self.kind,
            ErrorType::Required | ErrorType::Forbidden | ErrorType::TooLong | ErrorType::Internal
        );
        if let (true, Some(v)) = (shows_value, &self.bad_value) {
            s.push_str(": ");
            s.push_str(&go_value(v));
        }
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

/// A string quoted as Go's `%q` does.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A bad value printed as the apiserver prints it: strings quoted, numbers
/// and booleans bare, `null` for nothing, anything else as JSON.
pub fn go_value(v: &Value) -> String {
    match v {
        Value::String(s) => go_quote(s),
        Value::Null => "null".to_owned(),
        other => other.to_string(),
    }
}

/// What a call into the store, the validators or the patchers can end in.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// 422: the object breaks validation.
    Invalid {
        kind: String,
        name: String,
        errors: Vec<FieldError>,
    },
    /// 400: the input cannot be read.
    BadRequest(String),
    /// 404.
    NotFound { resource: String, name: String },
    /// 409 on create.
    AlreadyExists { resource: String, name: String },
    /// 409 on a stale resourceVersion.
    Conflict {
        resource: String,
        name: String,
        message: String,
    },
    /// 410: a watch from before the retained window.
    Gone(String),
    /// 403: the operation is not allowed on this object.
    Forbidden {
        resource: String,
        name: String,
        message: String,
    },
}

impl Error {
    pub fn code(&self) -> u16 {
        match self {
            Error::Invalid { .. } => 422,
            Error::BadRequest(_) => 400,
            Error::NotFound { .. } => 404,
            Error::AlreadyExists { .. } | Error::Conflict { .. } => 409,
            Error::Gone(_) => 410,
            Error::Forbidden { .. } => 403,
        }
    }

    pub fn reason(&self) -> &'static str {
        match self {
            Error::Invalid { .. } => "Invalid",
            Error::BadRequest(_) => "BadRequest",
            Error::NotFound { .. } => "NotFound",
            Error::AlreadyExists { .. } => "AlreadyExists",
            Error::Conflict { .. } => "Conflict",
            Error::Gone(_) => "Expired",
            Error::Forbidden { .. } => "Forbidden",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid { kind, name, errors } => {
                write!(f, "{kind} {} is invalid: ", go_quote(name))?;
                // As apimachinery's aggregate: each distinct message once.
                let mut distinct: Vec<String> = Vec::with_capacity(errors.len());
                for e in errors {
                    let text = e.to_string();
                    if !distinct.contains(&text) {
                        distinct.push(text);
                    }
                }
                if let [only] = distinct.as_slice() {
                    f.write_str(only)
                } else {
                    write!(f, "[{}]", distinct.join(", "))
                }
            }
            Error::BadRequest(m) | Error::Gone(m) => f.write_str(m),
            Error::NotFound { resource, name } => {
                write!(f, "{resource} {} not found", go_quote(name))
            }
            Error::AlreadyExists { resource, name } => {
                write!(f, "{resource} {} already exists", go_quote(name))
            }
            Error::Forbidden {
                resource,
                name,
                message,
            } => write!(f, "{resource} {} is forbidden: {message}", go_quote(name)),
            Error::Conflict {
                resource,
                name,
                message,
            } => {
                write!(
                    f,
                    "Operation cannot be fulfilled on {resource} {}: {message}",
                    go_quote(name)
                )
            }
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_error_prints_without_value() {
        let e = FieldError::required("spec.containers[0].image", "");
        assert_eq!(e.to_string(), "spec.containers[0].image: Required value");
    }

    #[test]
    fn invalid_error_prints_value_and_detail() {
        let e = FieldError::invalid(
            "spec.activeDeadlineSeconds",
            11,
            "must be less than or equal to previous value",
        );
        assert_eq!(
            e.to_string(),
            "spec.activeDeadlineSeconds: Invalid value: 11: must be less than or equal to previous value"
        );
    }

    #[test]
    fn not_supported_lists_quoted_values() {
        let e = FieldError::not_supported("spec.restartPolicy", "Sometimes", &["Always", "Never"]);
        assert_eq!(
            e.to_string(),
            "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"Never\""
        );
    }

    #[test]
    fn invalid_status_message_brackets_many_errors() {
        let err = Error::Invalid {
            kind: "Pod".into(),
            name: "x".into(),
            errors: vec![FieldError::required("a", ""), FieldError::required("b", "")],
        };
        assert_eq!(
            err.to_string(),
            "Pod \"x\" is invalid: [a: Required value, b: Required value]"
        );
    }

    #[test]
    fn invalid_status_message_lists_each_distinct_error_once() {
        let err = Error::Invalid {
            kind: "Pod".into(),
            name: "x".into(),
            errors: vec![FieldError::required("a", ""), FieldError::required("a", "")],
        };
        assert_eq!(err.to_string(), "Pod \"x\" is invalid: a: Required value");
    }
}
