//! Decoding objects from JSON text or from JSON values, with Go's semantics
//! and errors that name the offending field.

use crate::errors::{Error, FieldError};
use crate::model::Pod;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Nesting deeper than this is refused rather than risking the stack; no
/// Kubernetes object comes near it.
pub const MAX_DEPTH: usize = 100;

/// Why an object could not be decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum DecodeError {
    /// Not JSON at all, or not an object: the request is malformed (400).
    Malformed(String),
    /// JSON of the wrong type in a field: reported at that field.
    Field(Box<FieldError>),
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Error {
        match e {
            DecodeError::Malformed(m) => Error::BadRequest(m),
            DecodeError::Field(f) => Error::BadRequest(format!(
                "{}: {}",
                if f.field.is_empty() {
                    "<root>"
                } else {
                    &f.field
                },
                f.detail
            )),
        }
    }
}

/// Decodes a typed object from JSON bytes.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    // serde would also read a struct from an array; Kubernetes objects are objects.
    if bytes.iter().find(|c| !c.is_ascii_whitespace()) != Some(&b'{') {
        return Err(DecodeError::Malformed(
            "an object must be a JSON object".to_owned(),
        ));
    }
    // UTF-8 is checked once for the whole document rather than string by
    // string; text that is not UTF-8 takes the byte reader, whose error
    // names the offending position.
    let decoded = match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str::<T>(text),
        Err(_) => serde_json::from_slice::<T>(bytes),
    };
    match decoded {
        Ok(v) => Ok(v),
        Err(e) if e.is_data() => {
            // Decode again, tracking the path, only to explain the failure.
            let mut de = serde_json::Deserializer::from_slice(bytes);
            let Err(err) = serde_path_to_error::deserialize::<_, T>(&mut de) else {
                return Err(DecodeError::Malformed(e.to_string()));
            };
            Err(field_error(&err.path().to_string(), err.inner()))
        }
        Err(e) => Err(DecodeError::Malformed(format!("invalid JSON: {e}"))),
    }
}

/// Decodes a typed object from a JSON value (from a Python dict or YAML).
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, DecodeError> {
    if !value.is_object() {
        return Err(DecodeError::Malformed(format!(
            "an object must be a JSON object, not {}",
            kind_of(&value)
        )));
    }
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(v) => Ok(v),
        Err(err) => Err(field_error(&err.path().to_string(), err.inner())),
    }
}

fn field_error(path: &str, inner: &serde_json::Error) -> DecodeError {
    let path = if path == "." { "" } else { path };
    if path.is_empty() {
        return DecodeError::Malformed(format!("an object must be a JSON object: {inner}"));
    }
    let msg = inner.to_string();
    // serde_json appends " at line L column C" for text input; the path says where.
    let msg = match msg.find(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg,
    };
    DecodeError::Field(Box::new(FieldError::type_invalid(path, msg)))
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Decodes a pod, checking that `kind` and `apiVersion`, when given, name a v1 Pod.
pub fn pod_from_slice(bytes: &[u8]) -> Result<Pod, DecodeError> {
    check_pod(from_slice(bytes)?)
}

pub fn pod_from_value(value: Value) -> Result<Pod, DecodeError> {
    check_pod(from_value(value)?)
}

fn check_pod(pod: Pod) -> Result<Pod, DecodeError> {
    if !pod.kind.is_empty() && pod.kind != "Pod" {
        return Err(DecodeError::Malformed(format!(
            "expected kind \"Pod\", got \"{}\"",
            pod.kind
        )));
    }
    if !pod.api_version.is_empty() && pod.api_version != "v1" {
        return Err(DecodeError::Malformed(format!(
            "no kind \"Pod\" is registered for version \"{}\"",
            pod.api_version
        )));
    }
    Ok(pod)
}

/// The fields of a pod that the v1 Pod does not have, as the apiserver's
/// field validation names them in its `unknown field "spec.foo"` warnings
/// (its default, Warn mode). Fields inside free-form parts of the model are
/// not checked.
pub fn unknown_pod_fields(value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let _ = serde_ignored::deserialize(value, |path: serde_ignored::Path<'_>| {
        let mut out = String::new();
        write_path(&path, &mut out);
        found.push(format!("unknown field \"{out}\""));
    })
    .map(|_: Pod| ());
    found
}

fn write_path(path: &serde_ignored::Path<'_>, out: &mut String) {
    use serde_ignored::Path as P;
    use std::fmt::Write as _;
    match path {
        P::Root => {}
        P::Seq { parent, index } => {
            write_path(parent, out);
            let _ = write!(out, "[{index}]");
        }
        P::Map { parent, key } => {
            write_path(parent, out);
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(key);
        }
        P::Some { parent } | P::NewtypeStruct { parent } | P::NewtypeVariant { parent } => {
            write_path(parent, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_are_named_with_kubernetes_paths() {
        let v: Value = serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "a", "colour": "blue"},
            "spec": {"containers": [{"name": "c", "image": "i", "imagePullPolicyy": "Always"}]}
        });
        assert_eq!(
            unknown_pod_fields(&v),
            [
                "unknown field \"metadata.colour\"",
                "unknown field \"spec.containers[0].imagePullPolicyy\""
            ]
        );
    }

    #[test]
    fn wrong_type_names_the_field() {
        let err = pod_from_slice(
            br#"{"spec":{"containers":[{"name":"a","ports":[{"containerPort":"x"}]}]}}"#,
        )
        .unwrap_err();
        match err {
            DecodeError::Field(f) => {
                assert_eq!(f.field, "spec.containers[0].ports[0].containerPort");
            }
            DecodeError::Malformed(m) => panic!("unexpected {m}"),
        }
    }

    #[test]
    fn null_reads_as_zero_value() {
        let pod =
            pod_from_slice(br#"{"spec":{"containers":[{"name":null,"image":"x"}]}}"#).unwrap();
        assert_eq!(pod.spec.containers[0].name, "");
    }

    #[test]
    fn garbage_is_malformed() {
        assert!(matches!(
            pod_from_slice(b"\xff\x00garbage"),
            Err(DecodeError::Malformed(_))
        ));
        assert!(matches!(
            pod_from_slice(b"[1,2]"),
            Err(DecodeError::Malformed(_))
        ));
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let mut s = String::from(r#"{"metadata":{"managedFields":["#);
        s.push_str(&"[".repeat(100_000));
        assert!(pod_from_slice(s.as_bytes()).is_err());
    }
}
