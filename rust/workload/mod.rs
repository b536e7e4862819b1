//! The kinds podcore's store holds besides Pods — ReplicaSet, Deployment,
//! StatefulSet, DaemonSet, ControllerRevision (apps/v1), Job, CronJob (batch/v1),
//! Node, PersistentVolumeClaim and Namespace (v1) — taken through what
//! kube-apiserver v1.33 does before storing them: decoding with Go's
//! semantics, API defaults, the registry strategies' preparation, and
//! validation on create and update.
//!
//! Objects travel as JSON values; each call decodes into the typed model,
//! so unknown fields are dropped and wrong JSON types are reported at their
//! field, as the apiserver does.

pub mod apps;
pub mod batch;
pub mod common;
pub mod core;
pub mod cron;
pub mod cronjob;
pub mod types;

use crate::errors::FieldError;
use crate::input::{self, DecodeError};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use types::{ControllerRevision, Job};

/// A kind the store holds besides Pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    ReplicaSet,
    Deployment,
    StatefulSet,
    DaemonSet,
    ControllerRevision,
    Job,
    CronJob,
    Node,
    PersistentVolumeClaim,
    Namespace,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::ReplicaSet,
        Kind::Deployment,
        Kind::StatefulSet,
        Kind::DaemonSet,
        Kind::ControllerRevision,
        Kind::Job,
        Kind::CronJob,
        Kind::Node,
        Kind::PersistentVolumeClaim,
        Kind::Namespace,
    ];

    /// The kind named by an object's `kind` field.
    pub fn from_kind_name(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// The store's kind for this one: its names live there.
    fn store_kind(self) -> crate::store::Kind {
        use crate::store::Kind as S;
        match self {
            Kind::ReplicaSet => S::ReplicaSet,
            Kind::Deployment => S::Deployment,
            Kind::StatefulSet => S::StatefulSet,
            Kind::DaemonSet => S::DaemonSet,
            Kind::ControllerRevision => S::ControllerRevision,
            Kind::Job => S::Job,
            Kind::CronJob => S::CronJob,
            Kind::Node => S::Node,
            Kind::PersistentVolumeClaim => S::PersistentVolumeClaim,
            Kind::Namespace => S::Namespace,
        }
    }

    pub fn name(self) -> &'static str {
        self.store_kind().name()
    }

    pub fn api_version(self) -> &'static str {
        self.store_kind().api_version()
    }

    /// Whether objects of the kind live in a namespace.
    pub fn namespaced(self) -> bool {
        self.store_kind().namespaced()
    }
}

/// Decodes `obj` as the typed `T`, checking that `kind` and `apiVersion`,
/// when given, name `kind`.
fn decode<T: DeserializeOwned>(kind: Kind, obj: &Value) -> Result<T, DecodeError> {
    if let Some(map) = obj.as_object() {
        if let Some(k) = map.get("kind").and_then(Value::as_str) {
            if !k.is_empty() && k != kind.name() {
                return Err(DecodeError::Malformed(format!(
                    "expected kind {}, got {}",
                    crate::errors::go_quote(kind.name()),
                    crate::errors::go_quote(k)
                )));
            }
        }
        if let Some(v) = map.get("apiVersion").and_then(Value::as_str) {
            if !v.is_empty() && v != kind.api_version() {
                return Err(DecodeError::Malformed(format!(
                    "no kind {} is registered for version {}",
                    crate::errors::go_quote(kind.name()),
                    crate::errors::go_quote(v)
                )));
            }
        }
    }
    input::from_value(obj.clone())
}

/// The object as the apiserver writes it: `apiVersion` and `kind` set, a
/// status block always present.
fn encode<T: Serialize>(kind: Kind, obj: &T) -> Value {
    let mut v = serde_json::to_value(obj).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut v {
        let mut out = Map::with_capacity(map.len() + 2);
        out.insert("apiVersion".to_owned(), kind.api_version().into());
        out.insert("kind".to_owned(), kind.name().into());
        for (k, val) in std::mem::take(map) {
            if k != "apiVersion" && k != "kind" {
                out.insert(k, val);
            }
        }
        if kind != Kind::ControllerRevision && !out.contains_key("status") {
            out.insert("status".to_owned(), Value::Object(Map::new()));
        }
        *map = out;
    }
    v
}

/// Decode with Go semantics (wrong JSON types → `DecodeError::Field` at the
/// field path, unknown fields dropped as the apiserver drops them), apply
/// defaults, and return the normalized object as JSON (omitempty as Go
/// serializes it). `uid` is the uid the store assigned: a Job whose
/// `manualSelector` is not true gets its generated selector and the
/// `controller-uid`/`job-name` template labels from it and from the name,
/// which must therefore be final (generated from `generateName` already).
pub fn normalize(kind: Kind, obj: &Value, uid: &str) -> Result<Value, DecodeError> {
    match kind {
        Kind::Deployment => defaulted(kind, obj, apps::default_deployment),
        Kind::ReplicaSet => defaulted(kind, obj, apps::default_replica_set),
        Kind::StatefulSet => defaulted(kind, obj, apps::default_stateful_set),
        Kind::DaemonSet => defaulted(kind, obj, apps::default_daemon_set),
        Kind::ControllerRevision => defaulted(kind, obj, |_: &mut ControllerRevision| {}),
        Kind::Job => defaulted(kind, obj, |job: &mut Job| {
            batch::default_job(job);
            batch::generate_selector(job, uid);
            // The stored job is defaulted again whenever it is read, so the
            // generated template labels reach the job's own empty labels.
            batch::default_job(job);
        }),
        Kind::CronJob => defaulted(kind, obj, cronjob::default_cron_job),
        Kind::Node => defaulted(kind, obj, core::default_node),
        Kind::PersistentVolumeClaim => defaulted(kind, obj, core::default_pvc),
        Kind::Namespace => defaulted(kind, obj, core::default_namespace),
    }
}

/// `obj` decoded as `T`, defaulted by `defaults`, and encoded again.
fn defaulted<T: DeserializeOwned + Serialize>(
    kind: Kind,
    obj: &Value,
    defaults: impl FnOnce(&mut T),
) -> Result<Value, DecodeError> {
    let mut typed: T = decode(kind, obj)?;
    defaults(&mut typed);
    Ok(encode(kind, &typed))
}

/// The status an object starts with: what the strategy's
/// `PrepareForCreate` leaves, as the apiserver then reads it back (defaults
/// included). Go writes these counters even at zero.
fn initial_status(kind: Kind) -> Option<Value> {
    Some(match kind {
        Kind::Deployment | Kind::Job | Kind::CronJob => serde_json::json!({}),
        Kind::ReplicaSet => serde_json::json!({"replicas": 0}),
        Kind::StatefulSet => serde_json::json!({"replicas": 0, "availableReplicas": 0}),
        Kind::DaemonSet => serde_json::json!({
            "currentNumberScheduled": 0,
            "numberMisscheduled": 0,
            "desiredNumberScheduled": 0,
            "numberReady": 0,
        }),
        Kind::PersistentVolumeClaim => serde_json::json!({"phase": "Pending"}),
        Kind::Namespace => serde_json::json!({"phase": "Active"}),
        Kind::Node | Kind::ControllerRevision => return None,
    })
}

/// The strategy's `PrepareForCreate` on a normalized object: the status is
/// reset (Nodes keep theirs, a Namespace starts Active), a Namespace gets
/// the `kubernetes` finalizer, and a PVC drops `volumeAttributesClassName`
/// (its feature gate is off by default). Generation is the store's.
pub fn prepare_for_create(kind: Kind, obj: &mut Value) {
    let Value::Object(map) = obj else {
        return;
    };
    if let Some(status) = initial_status(kind) {
        map.insert("status".to_owned(), status);
    }
    match kind {
        Kind::Namespace => {
            let spec = map
                .entry("spec")
                .or_insert_with(|| Value::Object(Map::new()));
            if !spec.is_object() {
                *spec = Value::Object(Map::new());
            }
            if let Value::Object(spec) = spec {
                let fins = spec
                    .entry("finalizers")
                    .or_insert_with(|| Value::Array(Vec::new()));
                if !fins.is_array() {
                    *fins = Value::Array(Vec::new());
                }
                if let Value::Array(list) = fins {
                    if !list.iter().any(|f| f == "kubernetes") {
                        list.push("kubernetes".into());
                    }
                }
            }
        }
        Kind::PersistentVolumeClaim => {
            if let Some(Value::Object(spec)) = map.get_mut("spec") {
                spec.remove("volumeAttributesClassName");
            }
        }
        Kind::DaemonSet => {
            let given = template_generation(map).filter(|g| *g >= 1);
            set_template_generation(map, given.unwrap_or(1));
        }
        Kind::StatefulSet => drop_stateful_set_max_unavailable(map),
        _ => {}
    }
}

/// `dropStatefulSetDisabledFields`: rollingUpdate.maxUnavailable belongs to
/// MaxUnavailableStatefulSet, off by default in v1.33.
fn drop_stateful_set_max_unavailable(map: &mut Map<String, Value>) {
    if let Some(ru) = map
        .get_mut("spec")
        .and_then(|s| s.pointer_mut("/updateStrategy/rollingUpdate"))
        .and_then(Value::as_object_mut)
    {
        ru.remove("maxUnavailable");
    }
}

/// The strategy's `PrepareForUpdate` of the main resource on a normalized
/// object: the status is carried over from the stored object (a Namespace
/// keeps its stored finalizers too, and a PVC's `volumeAttributesClassName`
/// stays as stored).
pub fn prepare_for_update(kind: Kind, new: &mut Value, old: &Value) {
    let (Value::Object(map), Some(old_map)) = (new, old.as_object()) else {
        return;
    };
    if kind != Kind::ControllerRevision {
        let status = old_map
            .get("status")
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new()));
        map.insert("status".to_owned(), status);
    }
    if kind == Kind::StatefulSet
        && old
            .pointer("/spec/updateStrategy/rollingUpdate/maxUnavailable")
            .is_none()
    {
        drop_stateful_set_max_unavailable(map);
    }
    if kind == Kind::DaemonSet {
        let new_template = map.get("spec").and_then(|s| s.get("template"));
        let old_template = old_map.get("spec").and_then(|s| s.get("template"));
        let changed = new_template != old_template;
        let old_generation = template_generation(old_map).unwrap_or(0);
        set_template_generation(map, old_generation + i64::from(changed));
    }
    let carried = match kind {
        Kind::Namespace => Some("finalizers"),
        Kind::PersistentVolumeClaim => Some("volumeAttributesClassName"),
        _ => None,
    };
    if let Some(field) = carried {
        let old_value = old_map.get("spec").and_then(|s| s.get(field)).cloned();
        if let Some(Value::Object(spec)) = map.get_mut("spec") {
            match old_value {
                Some(v) => {
                    spec.insert(field.to_owned(), v);
                }
                None => {
                    spec.remove(field);
                }
            }
        }
    }
}

/// apps/v1 shows a DaemonSet's internal `spec.templateGeneration` as this
/// annotation: 1 on create (or the client's value, if higher), one more on
/// each update that changes the pod template, never set by clients after.
const DAEMON_SET_TEMPLATE_GENERATION: &str = "deprecated.daemonset.template.generation";

fn template_generation(obj: &Map<String, Value>) -> Option<i64> {
    obj.get("metadata")?
        .get("annotations")?
        .get(DAEMON_SET_TEMPLATE_GENERATION)?
        .as_str()?
        .parse()
        .ok()
}

fn set_template_generation(obj: &mut Map<String, Value>, generation: i64) {
    let meta = obj
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(meta) = meta else {
        return;
    };
    let annotations = meta
        .entry("annotations")
        .or_insert_with(|| Value::Object(Map::new()));
    if !annotations.is_object() {
        *annotations = Value::Object(Map::new());
    }
    if let Value::Object(annotations) = annotations {
        annotations.insert(
            DAEMON_SET_TEMPLATE_GENERATION.to_owned(),
            Value::String(generation.to_string()),
        );
    }
}

/// A normalized object that does not decode is a caller error; it is
/// reported as the apiserver reports a type error.
fn decode_errors(e: DecodeError) -> Vec<FieldError> {
    match e {
        DecodeError::Field(f) => vec![*f],
        DecodeError::Malformed(m) => vec![FieldError::internal("", m)],
    }
}

macro_rules! with_typed {
    ($kind:expr, $obj:expr, $f:expr) => {
        match decode($kind, $obj) {
            Ok(v) => $f(&v),
            Err(e) => decode_errors(e),
        }
    };
}

/// Validation on create of a normalized object (ObjectMeta rules for the
/// kind — namespaced or not, name rules per kind: DNS-1123 subdomain for
/// most, DNS label for Namespace and StatefulSet; and the spec rules).
/// Returns every error, with Kubernetes' field paths, types and details.
pub fn validate_create(kind: Kind, obj: &Value) -> Vec<FieldError> {
    match kind {
        Kind::Deployment => with_typed!(kind, obj, apps::validate_deployment),
        Kind::ReplicaSet => with_typed!(kind, obj, apps::validate_replica_set),
        Kind::StatefulSet => with_typed!(kind, obj, apps::validate_stateful_set),
        Kind::DaemonSet => with_typed!(kind, obj, apps::validate_daemon_set),
        Kind::ControllerRevision => with_typed!(kind, obj, apps::validate_controller_revision),
        Kind::Job => with_typed!(kind, obj, batch::validate_job),
        Kind::CronJob => with_typed!(kind, obj, cronjob::validate_cron_job),
        Kind::Node => with_typed!(kind, obj, core::validate_node),
        Kind::PersistentVolumeClaim => with_typed!(kind, obj, core::validate_pvc),
        Kind::Namespace => with_typed!(kind, obj, core::validate_namespace),
    }
}

fn update_of<T: DeserializeOwned>(
    kind: Kind,
    old: &Value,
    new: &Value,
    f: fn(&T, &T) -> Vec<FieldError>,
) -> Vec<FieldError> {
    match (decode::<T>(kind, new), decode::<T>(kind, old)) {
        (Ok(n), Ok(o)) => f(&n, &o),
        (Err(e), _) | (_, Err(e)) => decode_errors(e),
    }
}

/// Validation on update of the main resource: `new` is the normalized,
/// prepared object (see `prepare_for_update`), `old` the stored one.
pub fn validate_update(kind: Kind, old: &Value, new: &Value) -> Vec<FieldError> {
    match kind {
        Kind::Deployment => update_of(kind, old, new, apps::validate_deployment_update),
        Kind::ReplicaSet => update_of(kind, old, new, apps::validate_replica_set_update),
        Kind::StatefulSet => update_of(kind, old, new, apps::validate_stateful_set_update),
        Kind::DaemonSet => update_of(kind, old, new, apps::validate_daemon_set_update),
        Kind::ControllerRevision => {
            update_of(kind, old, new, apps::validate_controller_revision_update)
        }
        Kind::Job => update_of(kind, old, new, batch::validate_job_update),
        Kind::CronJob => update_of(kind, old, new, cronjob::validate_cron_job_update),
        Kind::Node => update_of(kind, old, new, core::validate_node_update),
        Kind::PersistentVolumeClaim => update_of(kind, old, new, core::validate_pvc_update),
        Kind::Namespace => update_of(kind, old, new, core::validate_namespace_update),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeSet;

    fn fields(errs: &[FieldError]) -> BTreeSet<(String, &'static str)> {
        errs.iter()
            .map(|e| (e.field.clone(), e.kind.name()))
            .collect()
    }

    /// Every document of the fixture manifests, as JSON, read with PyYAML
    /// (the fixtures' own reader) since the crate has no YAML parser.
    fn fixture_documents() -> Vec<(String, Value)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/manifests");
        let script = r#"
import json, sys, yaml, pathlib
root = pathlib.Path(sys.argv[1])
out = []
for entry in json.loads((root / "index.json").read_text()):
    for doc in yaml.safe_load_all((root / entry["path"]).read_text()):
        out.append([entry["path"], doc])
print(json.dumps(out, default=str))
"#;
        let output = std::process::Command::new("python3")
            .args(["-c", script, dir])
            .output()
            .expect("python3 with PyYAML reads the fixture manifests");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("the converted fixtures are JSON")
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_kind_name(k.name()), Some(k));
        }
        assert_eq!(Kind::from_kind_name("Pod"), None);
        assert_eq!(Kind::Job.api_version(), "batch/v1");
        assert!(!Kind::Node.namespaced() && !Kind::Namespace.namespaced());
        assert!(Kind::PersistentVolumeClaim.namespaced());
    }

    #[test]
    fn a_wrong_json_type_is_reported_at_its_field() {
        let obj = json!({"spec": {"replicas": "three"}});
        let Err(DecodeError::Field(f)) = normalize(Kind::Deployment, &obj, "") else {
            panic!("expected a field error");
        };
        assert_eq!(f.field, "spec.replicas");
    }

    #[test]
    fn unknown_fields_are_dropped_and_kind_and_version_are_set() {
        let obj = json!({"metadata": {"name": "n"}, "spec": {"foo": 1}, "bar": true});
        let out = normalize(Kind::Namespace, &obj, "").unwrap();
        assert_eq!(out["apiVersion"], "v1");
        assert_eq!(out["kind"], "Namespace");
        assert!(out.get("bar").is_none() && out["spec"].get("foo").is_none());
    }

    #[test]
    fn another_kind_or_version_is_malformed() {
        let obj = json!({"kind": "Pod"});
        assert!(matches!(
            normalize(Kind::Deployment, &obj, ""),
            Err(DecodeError::Malformed(_))
        ));
        let obj = json!({"apiVersion": "extensions/v1beta1", "kind": "DaemonSet"});
        assert!(matches!(
            normalize(Kind::DaemonSet, &obj, ""),
            Err(DecodeError::Malformed(_))
        ));
    }

    #[test]
    fn normalizing_twice_changes_nothing() {
        for (path, doc) in fixture_documents() {
            let Some(kind) = doc
                .get("kind")
                .and_then(Value::as_str)
                .and_then(Kind::from_kind_name)
            else {
                continue;
            };
            let Ok(once) = normalize(kind, &doc, "u-1") else {
                continue;
            };
            assert_eq!(normalize(kind, &once, "u-1").unwrap(), once, "{path}");
        }
    }

    #[test]
    fn fixture_manifests_normalize_and_validate_as_the_apiserver_judges_them() {
        // Documents the apiserver rejects, with the (field, type) pairs it reports.
        let no_selector: &[(&str, &str)] = &[
            ("spec.selector", "FieldValueRequired"),
            ("spec.template.metadata.labels", "FieldValueInvalid"),
        ];
        let rejected: &[(&str, &[(&str, &str)])] = &[
            // A kustomize base: kustomize adds the selector and the labels.
            ("metrics-server/manifests/base/deployment.yaml", no_selector),
            // A strategic-merge patch, not an object of its own.
            (
                "metrics-server/manifests/components/high-availability/patch.yaml",
                no_selector,
            ),
            (
                "metrics-server/manifests/components/high-availability/patch.yaml",
                &[("spec.template.spec.containers", "FieldValueRequired")],
            ),
        ];
        let mut checked = 0;
        let mut mismatches = Vec::new();
        for (path, doc) in fixture_documents() {
            let Some(kind) = doc
                .get("kind")
                .and_then(Value::as_str)
                .and_then(Kind::from_kind_name)
            else {
                continue;
            };
            let version = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
            if version != kind.api_version() {
                // Removed API versions (extensions/v1beta1, apps/v1beta2, …)
                // are not served by a v1.33 apiserver.
                assert!(normalize(kind, &doc, "u-1").is_err(), "{path}");
                continue;
            }
            let mut doc = doc;
            if kind.namespaced() && doc["metadata"].get("namespace").is_none() {
                doc["metadata"]["namespace"] = json!("default");
            }
            let mut obj = normalize(kind, &doc, "u-1").unwrap_or_else(|e| panic!("{path}: {e:?}"));
            obj["metadata"]["uid"] = json!("u-1");
            prepare_for_create(kind, &mut obj);
            let errs = validate_create(kind, &obj);
            let expected: BTreeSet<(String, &'static str)> = rejected
                .iter()
                .filter(|(p, _)| *p == path)
                .flat_map(|(_, e)| e.iter())
                .map(|(f, t)| {
                    (
                        (*f).to_owned(),
                        crate::errors::ErrorType::from_name(t).unwrap().name(),
                    )
                })
                .collect();
            if fields(&errs) != expected {
                mismatches.push(format!("{path}: {errs:?}"));
            }
            checked += 1;
        }
        assert!(mismatches.is_empty(), "{mismatches:#?}");
        assert!(checked >= 40, "only {checked} fixture objects checked");
    }

    #[test]
    fn create_resets_the_status_and_update_carries_it_over() {
        let mut obj = normalize(
            Kind::StatefulSet,
            &json!({"metadata": {"name": "s"}, "status": {"replicas": 3}}),
            "",
        )
        .unwrap();
        prepare_for_create(Kind::StatefulSet, &mut obj);
        assert_eq!(
            obj["status"],
            json!({"replicas": 0, "availableReplicas": 0})
        );
        let old = json!({"status": {"replicas": 5}});
        prepare_for_update(Kind::StatefulSet, &mut obj, &old);
        assert_eq!(obj["status"], json!({"replicas": 5}));
    }

    #[test]
    fn a_created_namespace_is_active_with_the_kubernetes_finalizer() {
        let mut obj = normalize(
            Kind::Namespace,
            &json!({"metadata": {"name": "team-a"}}),
            "",
        )
        .unwrap();
        prepare_for_create(Kind::Namespace, &mut obj);
        assert_eq!(obj["status"], json!({"phase": "Active"}));
        assert_eq!(obj["spec"]["finalizers"], json!(["kubernetes"]));
        assert_eq!(
            obj["metadata"]["labels"]["kubernetes.io/metadata.name"],
            "team-a"
        );
    }
}
