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
            errs.push(FieldError::not_supported(ep, t.effect.as_str(), TAINT_EFFECTS));
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
        errs.push(FieldError::forbidden(sp.child("externalID"), "may not be updated"));
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
        && new.spec.storage_class_name.as_ref().is_some_and(|s| !s.is_empty());
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
            Some(cap) => new_size.partial_cmp(cap).is_some_and(|o| o != Ordering::Greater),
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
    let mut errs = Errors::new();
    meta::validate_object_meta_update(
        &new.metadata,
        &old.metadata,
        &Path::new("metadata"),
        &mut errs,
    );
    errs
}
