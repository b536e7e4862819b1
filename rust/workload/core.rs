//! core/v1 Node, PersistentVolumeClaim and Namespace: their API defaults
//! (pkg/apis/core/v1/defaults.go) and the apiserver's validation
//! (`ValidateNode`, `ValidatePersistentVolumeClaim`, `ValidateNamespace` and
//! their update variants).

use super::common::{immutable, json, validate_object_meta};
use super::types::{Namespace, Node, PersistentVolumeClaim, Taint};
use crate::errors::FieldError;
use crate::model::Quantity;
use crate::validate::names::{self, name_is_dns_label, name_is_dns_subdomain};
use crate::validate::{meta, spec, volume, Errors, Path};
use serde_json::Value;
use std::cmp::Ordering;

pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";
const BETA_STORAGE_CLASS_ANNOTATION: &str = "volume.beta.kubernetes.io/storage-class";
const TAINT_EFFECTS: &[&str] = &["NoSchedule", "PreferNoSchedule", "NoExecute"];
/// Finalizer names Kubernetes defines without a domain.
const STANDARD_FINALIZERS: &[&str] = &["kubernetes", "orphan", "foregroundDeletion"];

// ---------------------------------------------------------------------------
// Defaults

/// Node defaults, and the v1 round trip of the pod CIDRs: the internal
/// type only has the list, filled from `podCIDR` when the list is absent,
/// and `podCIDR` is written back as the list's first entry.
pub fn default_node(node: &mut Node) {
    let s = &mut node.spec;
    if s.pod_cidrs.is_empty() && !s.pod_cidr.is_empty() {
        s.pod_cidrs = vec![s.pod_cidr.clone()];
    }
    if let Some(first) = s.pod_cidrs.first() {
        s.pod_cidr.clone_from(first);
    }
    if let Value::Object(status) = &mut node.status {
        let empty = status
            .get("allocatable")
            .is_none_or(|a| a.is_null() || a.as_object().is_some_and(serde_json::Map::is_empty));
        if empty {
            if let Some(cap) = status.get("capacity").filter(|c| !c.is_null()).cloned() {
                status.insert("allocatable".to_owned(), cap);
            }
        }
    }
}

pub fn default_pvc(pvc: &mut PersistentVolumeClaim) {
    if pvc.status.phase.is_empty() {
        "Pending".clone_into(&mut pvc.status.phase);
    }
    if pvc.spec.volume_mode.is_none() {
        pvc.spec.volume_mode = Some("Filesystem".to_owned());
    }
}

pub fn default_namespace(ns: &mut Namespace) {
    // A namespace still to be named (generateName) gets the label once named.
    if !ns.metadata.name.is_empty() {
        ns.metadata
            .labels
            .insert(NAMESPACE_NAME_LABEL.to_owned(), ns.metadata.name.clone());
    }
    if ns.status.phase.is_empty() {
        "Active".clone_into(&mut ns.status.phase);
    }
}

// ---------------------------------------------------------------------------
// Node

/// `validateNodeTaints`. Kubernetes reports these under `metadata.taints`.
fn validate_node_taints(taints: &[Taint], path: &Path, errs: &mut Errors) {
    let mut seen: Vec<(&str, &str)> = Vec::with_capacity(taints.len());
    for (i, t) in taints.iter().enumerate() {
        let ip = path.index(i);
        spec::validate_label_name(&t.key, &ip.child("key"), errs);
        let value_errs = names::is_valid_label_value(&t.value);
        if !value_errs.is_empty() {
            errs.push(FieldError::invalid(
                ip.child("value"),
                t.value.as_str(),
                value_errs.join(";"),
            ));
        }
        let ep = ip.child("effect");
        if t.effect.is_empty() {
            errs.push(FieldError::required(ep, ""));
        } else if !TAINT_EFFECTS.contains(&t.effect.as_str()) {
            errs.push(FieldError::not_supported(
                ep,
                t.effect.as_str(),
                TAINT_EFFECTS,
            ));
        }
        if seen.contains(&(t.effect.as_str(), t.key.as_str())) {
            let mut dup = FieldError::duplicate(ip, json(t));
            "taints must be unique by key and effect pair".clone_into(&mut dup.detail);
            errs.push(dup);
            continue;
        }
        seen.push((t.effect.as_str(), t.key.as_str()));
    }
}

fn validate_pod_cidrs(cidrs: &[String], errs: &mut Errors) {
    if cidrs.is_empty() {
        return;
    }
    let sp = Path::new("spec");
    let path = sp.child("podCIDRs");
    for (i, c) in cidrs.iter().enumerate() {
        for msg in names::is_valid_cidr_for_legacy_field(c, false) {
            errs.push(FieldError::invalid(path.index(i), c.as_str(), msg));
        }
    }
    if cidrs.len() > 1 {
        let parsed: Vec<Option<bool>> = cidrs
            .iter()
            .map(|c| {
                names::is_valid_cidr_for_legacy_field(c, false)
                    .is_empty()
                    .then(|| c.contains(':'))
            })
            .collect();
        if parsed.iter().any(Option::is_none) {
            errs.push(FieldError::internal(
                path,
                "invalid PodCIDRs. failed to check with dual stack with error:invalid CIDR address",
            ));
        }
        let v6 = parsed.iter().filter(|p| **p == Some(true)).count();
        let v4 = parsed.iter().filter(|p| **p == Some(false)).count();
        let dual = v4 > 0 && v6 > 0;
        if !dual || cidrs.len() > 2 {
            errs.push(FieldError::invalid(
                path,
                json(&cidrs),
                "may specify no more than one CIDR for each IP family",
            ));
        }
    }
}

pub fn validate_node(node: &Node) -> Errors {
    let mut errs = Errors::new();
    let mp = Path::new("metadata");
    validate_object_meta(&node.metadata, false, name_is_dns_subdomain, &mp, &mut errs);
    if !node.spec.taints.is_empty() {
        validate_node_taints(&node.spec.taints, &mp.child("taints"), &mut errs);
    }
    validate_pod_cidrs(&node.spec.pod_cidrs, &mut errs);
    errs
}

const POD_CIDR_CHANGE: &str = "node updates may not change podCIDR except from \"\" to valid";

pub fn validate_node_update(new: &Node, old: &Node) -> Errors {
    let mut errs = Errors::new();
    let mp = Path::new("metadata");
    meta::validate_object_meta_update(&new.metadata, &old.metadata, &mp, &mut errs);
    let sp = Path::new("spec");
    if !old.spec.pod_cidrs.is_empty() {
        let cp = sp.child("podCIDRs");
        if old.spec.pod_cidrs.len() == new.spec.pod_cidrs.len() {
            for (o, n) in old.spec.pod_cidrs.iter().zip(&new.spec.pod_cidrs) {
                if o != n {
                    errs.push(FieldError::forbidden(cp, POD_CIDR_CHANGE));
                }
            }
        } else {
            errs.push(FieldError::forbidden(cp, POD_CIDR_CHANGE));
        }
    }
    if !old.spec.provider_id.is_empty() && old.spec.provider_id != new.spec.provider_id {
        errs.push(FieldError::forbidden(
            sp.child("providerID"),
            "node updates may not change providerID except from \"\" to valid",
        ));
    }
    if !new.spec.taints.is_empty() {
        validate_node_taints(&new.spec.taints, &mp.child("taints"), &mut errs);
    }
    if new.spec.external_id != old.spec.external_id {
        errs.push(FieldError::forbidden(
            sp.child("externalID"),
            "may not be updated",
        ));
    }
    errs
}

// ---------------------------------------------------------------------------
// PersistentVolumeClaim

pub fn validate_pvc(pvc: &PersistentVolumeClaim) -> Errors {
    let mut errs = Errors::new();
    validate_object_meta(
        &pvc.metadata,
        true,
        name_is_dns_subdomain,
        &Path::new("metadata"),
        &mut errs,
    );
    volume::claim_spec(&pvc.spec, &Path::new("spec"), &mut errs);
    errs
}

fn storage(list: &crate::model::ResourceList) -> Option<&Quantity> {
    list.get("storage")
}

/// A claim's spec is fixed once created, except that the volume name may be
/// set once, the storage class may be set where it came from the beta
/// annotation or was never set, and a bound claim may change its storage
/// request (shrinking only down to above its current capacity).
pub fn validate_pvc_update(new: &PersistentVolumeClaim, old: &PersistentVolumeClaim) -> Errors {
    let mut errs = Errors::new();
    let mp = Path::new("metadata");
    meta::validate_object_meta_update(&new.metadata, &old.metadata, &mp, &mut errs);
    errs.extend(validate_pvc(new));
    let mut new_spec = new.spec.clone();
    let mut old_spec = old.spec.clone();
    if old.spec.volume_name.is_empty() {
        old_spec.volume_name.clone_from(&new.spec.volume_name);
    }
    let old_ann = old.metadata.annotations.get(BETA_STORAGE_CLASS_ANNOTATION);
    let new_ann = new.metadata.annotations.get(BETA_STORAGE_CLASS_ANNOTATION);
    let upgrade_from_annotation = old_ann.is_some_and(|o| {
        old.spec.storage_class_name.is_none()
            && new.spec.storage_class_name.as_ref() == Some(o)
            && new_ann.is_none_or(|n| n == o)
    });
    if upgrade_from_annotation {
        new_spec.storage_class_name = None;
    } else if old_ann != new_ann {
        let ap = mp.child("annotations");
        errs.push(FieldError::invalid(
            ap.child(BETA_STORAGE_CLASS_ANNOTATION),
            new_ann.map_or("", String::as_str),
            meta::FIELD_IMMUTABLE,
        ));
    }
    let upgrade_from_nil = old_ann.is_none()
        && old.spec.storage_class_name.is_none()
        && new
            .spec
            .storage_class_name
            .as_ref()
            .is_some_and(|s| !s.is_empty());
    if upgrade_from_nil {
        new_spec.storage_class_name = None;
    }
    if new.status.phase == "Bound" && !new_spec.resources.requests.is_empty() {
        match storage(&old.spec.resources.requests) {
            Some(q) => {
                new_spec
                    .resources
                    .requests
                    .insert("storage".to_owned(), q.clone());
            }
            None => {
                new_spec.resources.requests.remove("storage");
            }
        }
    }
    if new_spec != old_spec {
        errs.push(FieldError::forbidden(
            Path::new("spec"),
            "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
        ));
    }
    if let Some(new_size) = storage(&new.spec.resources.requests) {
        let smaller = storage(&old.spec.resources.requests)
            .and_then(|o| new_size.partial_cmp(o))
            .is_some_and(|o| o == Ordering::Less);
        // RecoverVolumeExpansionFailure (on by default) allows shrinking a
        // request down to just above the recorded capacity.
        let at_most_capacity = match storage(&old.status.capacity) {
            Some(cap) => new_size
                .partial_cmp(cap)
                .is_some_and(|o| o != Ordering::Greater),
            None => new_size.parsed().is_ok_and(|q| q.sign() <= 0),
        };
        if smaller && at_most_capacity {
            let sp = Path::new("spec");
            let rp = sp.child("resources");
            let qp = rp.child("requests");
            errs.push(FieldError::forbidden(
                qp.child("storage"),
                "field can not be less than status.capacity",
            ));
        }
    }
    immutable(
        &new.spec.volume_mode,
        &old.spec.volume_mode,
        &Path::new("volumeMode"),
        &mut errs,
    );
    errs
}

// ---------------------------------------------------------------------------
// Namespace

pub fn validate_namespace(ns: &Namespace) -> Errors {
    let mut errs = Errors::new();
    validate_object_meta(
        &ns.metadata,
        false,
        name_is_dns_label,
        &Path::new("metadata"),
        &mut errs,
    );
    let sp = Path::new("spec");
    let fp = sp.child("finalizers");
    for f in &ns.spec.finalizers {
        for msg in names::is_qualified_name(f) {
            errs.push(FieldError::invalid(fp, f.as_str(), msg));
        }
        if !f.contains('/') && !STANDARD_FINALIZERS.contains(&f.as_str()) {
            errs.push(FieldError::invalid(
                fp,
                f.as_str(),
                "name is neither a standard finalizer name nor is it fully qualified",
            ));
        }
    }
    errs
}

/// Only the metadata can change through the namespace resource: the
/// strategy carries spec and status over from the stored namespace.
pub fn validate_namespace_update(new: &Namespace, old: &Namespace) -> Errors {
    meta::object_meta_update_errors(&new.metadata, &old.metadata)
}

#[cfg(test)]
mod tests {
    use crate::workload::{
        normalize, prepare_for_create, prepare_for_update, validate_create, validate_update, Kind,
    };
    use serde_json::{json, Value};

    fn create(kind: Kind, obj: &Value) -> Vec<(String, &'static str)> {
        let mut obj = normalize(kind, obj, "").unwrap();
        prepare_for_create(kind, &mut obj);
        validate_create(kind, &obj)
            .iter()
            .map(|e| (e.field.clone(), e.kind.name()))
            .collect()
    }

    fn pvc(spec: &Value) -> Value {
        json!({"metadata": {"name": "data", "namespace": "default"}, "spec": spec})
    }

    fn owned(v: &[(&str, &str)]) -> Vec<(String, &'static str)> {
        v.iter()
            .map(|(f, t)| {
                let t = crate::errors::ErrorType::from_name(t).unwrap().name();
                ((*f).to_owned(), t)
            })
            .collect()
    }

    #[test]
    fn minimal_nodes_namespaces_and_claims_validate_clean() {
        assert_eq!(
            create(Kind::Node, &json!({"metadata": {"name": "n1"}})),
            vec![]
        );
        assert_eq!(
            create(Kind::Namespace, &json!({"metadata": {"name": "team"}})),
            vec![]
        );
        let spec = json!({"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}});
        assert_eq!(create(Kind::PersistentVolumeClaim, &pvc(&spec)), vec![]);
    }

    #[test]
    fn core_defaults_match_kubernetes() {
        let node = normalize(
            Kind::Node,
            &json!({"metadata": {"name": "n"}, "spec": {"podCIDR": "10.0.0.0/24"},
                    "status": {"capacity": {"cpu": "4"}}}),
            "",
        )
        .unwrap();
        assert_eq!(node["spec"]["podCIDRs"], json!(["10.0.0.0/24"]));
        assert_eq!(node["status"]["allocatable"], json!({"cpu": "4"}));
        let claim = normalize(Kind::PersistentVolumeClaim, &pvc(&json!({})), "").unwrap();
        assert_eq!(claim["spec"]["volumeMode"], "Filesystem");
        assert_eq!(claim["status"]["phase"], "Pending");
    }

    type Case = (Kind, Value, Vec<(&'static str, &'static str)>);

    #[test]
    fn invalid_core_objects_report_kubernetes_fields_and_types() {
        let cases: Vec<Case> = vec![
            (
                Kind::Node,
                json!({"metadata": {"name": "n", "namespace": "x"}}),
                vec![("metadata.namespace", "FieldValueForbidden")],
            ),
            (
                Kind::Node,
                json!({"metadata": {"name": "n"}, "spec": {"taints": [
                    {"key": "a", "effect": "NoSchedule"},
                    {"key": "a", "effect": "NoSchedule"},
                    {"key": "b", "effect": "Sometimes", "value": "x y"},
                    {"key": "c"}
                ]}}),
                vec![
                    ("metadata.taints[1]", "FieldValueDuplicate"),
                    ("metadata.taints[2].value", "FieldValueInvalid"),
                    ("metadata.taints[2].effect", "FieldValueNotSupported"),
                    ("metadata.taints[3].effect", "FieldValueRequired"),
                ],
            ),
            (
                Kind::Node,
                json!({"metadata": {"name": "n"}, "spec": {"podCIDRs": ["10.0.0.0/24", "10.1.0.0/24"]}}),
                vec![("spec.podCIDRs", "FieldValueInvalid")],
            ),
            (
                Kind::Node,
                json!({"metadata": {"name": "n"}, "spec": {"podCIDRs": ["10.0.0.0/24", "fd00::/64"]}}),
                vec![],
            ),
            (
                Kind::Namespace,
                json!({"metadata": {"name": "a.b"}, "spec": {"finalizers": ["custom"]}}),
                vec![
                    ("metadata.name", "FieldValueInvalid"),
                    ("spec.finalizers", "FieldValueInvalid"),
                ],
            ),
            (
                Kind::PersistentVolumeClaim,
                pvc(&json!({})),
                vec![
                    ("spec.accessModes", "FieldValueRequired"),
                    ("spec.resources[storage]", "FieldValueRequired"),
                ],
            ),
        ];
        for (kind, obj, want) in cases {
            assert_eq!(create(kind, &obj), owned(&want), "{obj}");
        }
    }

    fn stored(kind: Kind, obj: &Value) -> Value {
        let mut obj = normalize(kind, obj, "").unwrap();
        prepare_for_create(kind, &mut obj);
        obj["metadata"]["resourceVersion"] = json!("1");
        obj
    }

    fn update(kind: Kind, old: &Value, f: impl FnOnce(&mut Value)) -> Vec<(String, &'static str)> {
        let mut new = old.clone();
        f(&mut new);
        let mut new = normalize(kind, &new, "").unwrap();
        prepare_for_update(kind, &mut new, old);
        validate_update(kind, old, &new)
            .iter()
            .map(|e| (e.field.clone(), e.kind.name()))
            .collect()
    }

    #[test]
    fn claims_keep_their_spec_except_a_bound_claims_storage_request() {
        let spec = json!({"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}});
        let old = stored(Kind::PersistentVolumeClaim, &pvc(&spec));
        let grow = |j: &mut Value| j["spec"]["resources"]["requests"]["storage"] = json!("2Gi");
        assert_eq!(
            update(Kind::PersistentVolumeClaim, &old, grow),
            owned(&[("spec", "FieldValueForbidden")])
        );
        let mut bound = old.clone();
        bound["status"] = json!({"phase": "Bound", "capacity": {"storage": "1Gi"}});
        assert_eq!(update(Kind::PersistentVolumeClaim, &bound, grow), vec![]);
        assert_eq!(
            update(Kind::PersistentVolumeClaim, &bound, |j| {
                j["spec"]["resources"]["requests"]["storage"] = json!("512Mi");
            }),
            owned(&[("spec.resources.requests.storage", "FieldValueForbidden")])
        );
        assert_eq!(
            update(Kind::PersistentVolumeClaim, &old, |j| j["spec"]
                ["volumeName"] =
                json!("pv-1")),
            vec![]
        );
    }

    #[test]
    fn node_pod_cidrs_and_provider_id_are_set_once() {
        let old = stored(
            Kind::Node,
            &json!({"metadata": {"name": "n"}, "spec": {"podCIDR": "10.0.0.0/24", "providerID": "p"}}),
        );
        assert_eq!(
            update(Kind::Node, &old, |j| {
                j["spec"]["podCIDRs"] = json!(["10.9.0.0/24"]);
                j["spec"]["podCIDR"] = json!("10.9.0.0/24");
                j["spec"]["providerID"] = json!("q");
            }),
            owned(&[
                ("spec.podCIDRs", "FieldValueForbidden"),
                ("spec.providerID", "FieldValueForbidden"),
            ])
        );
        assert_eq!(
            update(Kind::Node, &old, |j| j["spec"]["unschedulable"] =
                json!(true)),
            vec![]
        );
    }

    #[test]
    fn namespace_updates_keep_the_stored_finalizers() {
        let old = stored(Kind::Namespace, &json!({"metadata": {"name": "team"}}));
        let mut new = old.clone();
        new["spec"]["finalizers"] = json!([]);
        prepare_for_update(Kind::Namespace, &mut new, &old);
        assert_eq!(new["spec"]["finalizers"], json!(["kubernetes"]));
        assert!(validate_update(Kind::Namespace, &old, &new).is_empty());
    }
}
