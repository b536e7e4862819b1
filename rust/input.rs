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
    match decode_text::<T>(bytes)? {
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

/// Decodes JSON text that starts as an object, leaving serde's error unexplained.
fn decode_text<T: DeserializeOwned>(
    bytes: &[u8],
) -> Result<Result<T, serde_json::Error>, DecodeError> {
    // serde would also read a struct from an array; Kubernetes objects are objects.
    if bytes.iter().find(|c| !c.is_ascii_whitespace()) != Some(&b'{') {
        return Err(DecodeError::Malformed(
            "an object must be a JSON object".to_owned(),
        ));
    }
    // UTF-8 is checked once for the whole document rather than string by
    // string; text that is not UTF-8 takes the byte reader, whose error
    // names the offending position.
    Ok(match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str::<T>(text),
        Err(_) => serde_json::from_slice::<T>(bytes),
    })
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

/// A pod whose status is type-checked but not kept.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct PodUnlessStatus {
    #[serde(default, deserialize_with = "crate::model::serde_util::nullable")]
    api_version: String,
    #[serde(default, deserialize_with = "crate::model::serde_util::nullable")]
    kind: String,
    #[serde(default, deserialize_with = "crate::model::serde_util::nullable")]
    metadata: crate::model::ObjectMeta,
    #[serde(default, deserialize_with = "crate::model::serde_util::nullable")]
    spec: crate::model::PodSpec,
    #[serde(default, deserialize_with = "crate::model::serde_util::nullable")]
    #[allow(dead_code)]
    status: crate::model::PodStatusCheck,
}

/// Decodes a pod for a caller that does not read its status (validation
/// of an update of the pods resource, which ignores the status sent): the
/// status is checked as strictly as [`pod_from_slice`] checks it, but left
/// empty. Any failure is reported exactly as [`pod_from_slice`] reports it.
pub fn pod_without_status_from_slice(bytes: &[u8]) -> Result<Pod, DecodeError> {
    match decode_text::<PodUnlessStatus>(bytes) {
        Ok(Ok(p)) => check_pod(Pod {
            api_version: p.api_version,
            kind: p.kind,
            metadata: p.metadata,
            spec: p.spec,
            status: crate::model::PodStatus::default(),
        }),
        // The full decoding names the failure as it always has.
        _ => pod_from_slice(bytes).map(|mut pod| {
            pod.status = crate::model::PodStatus::default();
            pod
        }),
    }
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

    /// A status with every field of the v1 PodStatus set, nested types included.
    fn full_status() -> Value {
        let resources = serde_json::json!({
            "limits": {"cpu": "1", "memory": "1Gi"},
            "requests": {"cpu": "500m"},
            "claims": [{"name": "gpu", "request": "r"}]
        });
        let container = serde_json::json!({
            "name": "app", "ready": true, "restartCount": 2, "image": "nginx:1",
            "imageID": "sha256:ab", "containerID": "containerd://1f", "started": true,
            "state": {"running": {"startedAt": "2024-01-01T00:00:00Z"},
                      "waiting": {"reason": "CrashLoopBackOff", "message": "m"}},
            "lastState": {"terminated": {"exitCode": 1, "signal": 9, "reason": "Error",
                "message": "m", "startedAt": "2024-01-01T00:00:00Z",
                "finishedAt": "2024-01-01T00:00:01Z", "containerID": "containerd://0e"}},
            "allocatedResources": {"cpu": "500m"},
            "resources": resources,
            "volumeMounts": [{"name": "v", "mountPath": "/v"}],
            "user": {"linux": {"uid": 1, "gid": 2}},
            "allocatedResourcesStatus": [{"name": "claim:gpu", "resources": []}],
            "stopSignal": "SIGTERM"
        });
        serde_json::json!({
            "observedGeneration": 3, "phase": "Running", "message": "m", "reason": "r",
            "nominatedNodeName": "n", "hostIP": "10.0.0.1", "hostIPs": [{"ip": "10.0.0.1"}],
            "podIP": "10.1.0.1", "podIPs": [{"ip": "10.1.0.1"}],
            "startTime": "2024-01-01T00:00:00Z", "qosClass": "Burstable", "resize": "InProgress",
            "conditions": [{"type": "Ready", "observedGeneration": 3, "status": "True",
                "lastProbeTime": "2024-01-01T00:00:00Z", "lastTransitionTime": "2024-01-01T00:00:00Z",
                "reason": "r", "message": "m"}],
            "initContainerStatuses": [container.clone()],
            "containerStatuses": [container.clone()],
            "ephemeralContainerStatuses": [container],
            "resourceClaimStatuses": [{"name": "gpu", "resourceClaimName": "c"}]
        })
    }

    /// Every place of a JSON value, as a list of steps from its root.
    fn places(v: &Value, at: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
        out.push(at.clone());
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    at.push(Value::from(k.as_str()));
                    places(x, at, out);
                    at.pop();
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    at.push(Value::from(i));
                    places(x, at, out);
                    at.pop();
                }
            }
            _ => {}
        }
    }

    fn place_mut<'a>(v: &'a mut Value, path: &[Value]) -> &'a mut Value {
        path.iter().fold(v, |v, step| match step {
            Value::String(k) => &mut v[k.as_str()],
            _ => &mut v[usize::try_from(step.as_u64().unwrap()).unwrap()],
        })
    }

    #[test]
    fn a_status_left_unbuilt_is_checked_as_strictly_as_a_decoded_one() {
        let status = full_status();
        let pod = serde_json::json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "app", "image": "nginx:1"}]},
            "status": status.clone()
        });
        // The whole status decodes, and every field of it was set: a field
        // the check does not know would be missing from the round trip.
        let decoded = pod_from_slice(&serde_json::to_vec(&pod).unwrap()).unwrap();
        assert_eq!(serde_json::to_value(&decoded.status).unwrap(), status);
        let mut steps = Vec::new();
        places(&status, &mut Vec::new(), &mut steps);
        let replacements = [
            Value::Null,
            serde_json::json!(true),
            serde_json::json!(7),
            serde_json::json!(-1),
            serde_json::json!(4_294_967_296_i64),
            serde_json::json!(1.5),
            serde_json::json!("x"),
            serde_json::json!("1Gi"),
            serde_json::json!([]),
            serde_json::json!([1]),
            serde_json::json!({}),
            serde_json::json!({"a": 1}),
        ];
        let mut refused = 0;
        for path in &steps {
            for r in &replacements {
                let mut doc = pod.clone();
                *place_mut(&mut doc["status"], path) = r.clone();
                let text = serde_json::to_vec(&doc).unwrap();
                let full = pod_from_slice(&text);
                let checked = pod_without_status_from_slice(&text);
                match (&full, &checked) {
                    (Ok(f), Ok(c)) => {
                        assert_eq!(c.spec, f.spec);
                        assert_eq!(c.metadata, f.metadata);
                        assert_eq!(c.status, crate::model::PodStatus::default());
                    }
                    (Err(f), Err(c)) => {
                        assert_eq!(c, f, "at status {path:?} = {r}");
                        refused += 1;
                    }
                    _ => panic!("at status {path:?} = {r}: {full:?} against {checked:?}"),
                }
            }
        }
        assert!(
            refused > steps.len(),
            "most replacements are of the wrong type"
        );
    }

    #[test]
    fn a_status_left_unbuilt_keeps_duplicate_and_syntax_errors() {
        for text in [
            &br#"{"status":{"phase":"Running","phase":"Failed"}}"#[..],
            br#"{"status":{"containerStatuses":[{"name":"a"}],}}"#,
            br#"{"status":{"podIP":"\ud800"}}"#,
            br#"{"status":{"conditions":[{"type":"Ready"}]"#,
            br#"{"status":[]}"#,
        ] {
            assert_eq!(
                pod_without_status_from_slice(text).map(|_| ()),
                pod_from_slice(text).map(|_| ())
            );
        }
    }
}
