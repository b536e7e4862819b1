//! ObjectMeta validation (apimachinery objectmeta.go) and the pod-specific
//! metadata rules: annotations the apiserver gives a meaning to (mirror pods,
//! pod-deletion-cost, tolerations, seccomp and AppArmor) and which of them an
//! update may touch.

use super::names;
use super::{Errors, Opts, Path};
use crate::errors::FieldError;
use crate::model::{ObjectMeta, OwnerReference, PodSpec, StringMap, Toleration};
use serde_json::Value;

/// The detail of every immutable-field error.
pub const FIELD_IMMUTABLE: &str = "field is immutable";

/// `TotalAnnotationSizeLimitB`: keys and values of all annotations together.
pub const TOTAL_ANNOTATION_SIZE_LIMIT: usize = 256 * (1 << 10);

/// `FieldManagerMaxLength` of managed-fields entries.
const FIELD_MANAGER_MAX_LENGTH: usize = 128;

pub const MIRROR_POD_ANNOTATION: &str = "kubernetes.io/config.mirror";
pub const POD_DELETION_COST_ANNOTATION: &str = "controller.kubernetes.io/pod-deletion-cost";
pub const TOLERATIONS_ANNOTATION: &str = "scheduler.alpha.kubernetes.io/tolerations";
pub const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
pub const SECCOMP_CONTAINER_ANNOTATION_PREFIX: &str =
    "container.seccomp.security.alpha.kubernetes.io/";
pub const APPARMOR_CONTAINER_ANNOTATION_PREFIX: &str =
    "container.apparmor.security.beta.kubernetes.io/";

const SECCOMP_RUNTIME_DEFAULT: &str = "runtime/default";
const SECCOMP_DOCKER_DEFAULT: &str = "docker/default";
const SECCOMP_UNCONFINED: &str = "unconfined";
const SECCOMP_LOCALHOST_PREFIX: &str = "localhost/";
const APPARMOR_RUNTIME_DEFAULT: &str = "runtime/default";
const APPARMOR_UNCONFINED: &str = "unconfined";
const APPARMOR_LOCALHOST_PREFIX: &str = "localhost/";

/// Finalizers Kubernetes itself defines, which need no domain prefix.
const STANDARD_FINALIZERS: [&str; 3] = ["kubernetes", "orphan", "foregroundDeletion"];

/// Pushes one `Invalid` error per message, all on `path` with `value`.
fn invalid_each(errs: &mut Errors, path: &Path, value: &str, msgs: Vec<String>) {
    for msg in msgs {
        errs.push(FieldError::invalid(path, value, msg));
    }
}

// ---------------------------------------------------------------------------
// ValidateObjectMeta

/// `ValidateObjectMeta` as the pod registry calls it: names are DNS-1123
/// subdomains (`ValidatePodName`), the object is namespaced, and finalizer
/// names get Kubernetes' extra check.
pub fn validate_pod_object_meta(meta: &ObjectMeta, path: &Path, errs: &mut Errors) {
    if !meta.generate_name.is_empty() {
        invalid_each(
            errs,
            &path.child("generateName"),
            &meta.generate_name,
            names::name_is_dns_subdomain(&meta.generate_name, true),
        );
    }
    let name_path = path.child("name");
    if meta.name.is_empty() {
        errs.push(FieldError::required(
            name_path,
            "name or generateName is required",
        ));
    } else {
        invalid_each(
            errs,
            &name_path,
            &meta.name,
            names::name_is_dns_subdomain(&meta.name, false),
        );
    }
    let ns_path = path.child("namespace");
    if meta.namespace.is_empty() {
        errs.push(FieldError::required(ns_path, ""));
    } else {
        invalid_each(
            errs,
            &ns_path,
            &meta.namespace,
            names::name_is_dns_label(&meta.namespace, false),
        );
    }
    validate_nonnegative(meta.generation, &path.child("generation"), errs);
    validate_common(meta, path, errs);
    let fin = path.child("finalizers");
    validate_finalizers(&meta.finalizers, &fin, errs);
    validate_managed_fields(&meta.managed_fields, &path.child("managedFields"), errs);
    validate_kube_finalizer_names(&meta.finalizers, &fin, errs);
}

/// Labels, annotations and owner references: the checks create and update
/// share.
fn validate_common(meta: &ObjectMeta, path: &Path, errs: &mut Errors) {
    super::spec::validate_labels(&meta.labels, &path.child("labels"), errs);
    validate_annotations(&meta.annotations, &path.child("annotations"), errs);
    validate_owner_references(&meta.owner_references, &path.child("ownerReferences"), errs);
}

/// `ValidateNonnegativeField`.
pub fn validate_nonnegative(value: i64, path: &Path, errs: &mut Errors) {
    if value < 0 {
        errs.push(FieldError::invalid(
            path,
            value,
            "must be greater than or equal to 0",
        ));
    }
}

/// `ValidateAnnotations`: keys are qualified names ignoring case, and all
/// keys and values together stay within 256 KiB.
pub fn validate_annotations(annotations: &StringMap, path: &Path, errs: &mut Errors) {
    for (key, msg) in names::validate_annotation_keys(annotations) {
        errs.push(FieldError::invalid(path, key, msg));
    }
    let total = annotations
        .iter()
        .fold(0usize, |n, (k, v)| n.saturating_add(k.len() + v.len()));
    if total > TOTAL_ANNOTATION_SIZE_LIMIT {
        errs.push(FieldError::too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT));
    }
}

/// `ValidateOwnerReferences`: every reference names its owner fully, no
/// Event owns anything, and at most one reference is the controller.
pub fn validate_owner_references(refs: &[OwnerReference], path: &Path, errs: &mut Errors) {
    let mut first_controller: Option<String> = None;
    for r in refs {
        validate_owner_reference(r, path, errs);
        if r.controller == Some(true) {
            let current = format!("{}/{}", r.kind, r.name);
            match &first_controller {
                Some(first) => errs.push(FieldError::invalid(
                    path,
                    serde_json::to_value(refs).unwrap_or(Value::Null),
                    format!(
                        "Only one reference can have Controller set to true. Found \"true\" in references for {first} and {current}"
                    ),
                )),
                None => first_controller = Some(current),
            }
        }
    }
}

/// The group and version of an `apiVersion` as `schema.ParseGroupVersion`
/// reads it; a malformed one (two slashes or more) has neither.
fn group_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        None => ("", api_version),
        Some((_, rest)) if rest.contains('/') => ("", ""),
        Some((group, version)) => (group, version),
    }
}

fn validate_owner_reference(r: &OwnerReference, path: &Path, errs: &mut Errors) {
    let (group, version) = group_version(&r.api_version);
    if version.is_empty() {
        errs.push(FieldError::invalid(
            path.child("apiVersion"),
            r.api_version.as_str(),
            "version must not be empty",
        ));
    }
    if r.kind.is_empty() {
        errs.push(FieldError::invalid(
            path.child("kind"),
            "",
            "must not be empty",
        ));
    }
    if r.name.is_empty() {
        errs.push(FieldError::invalid(
            path.child("name"),
            "",
            "must not be empty",
        ));
    }
    if r.uid.is_empty() {
        errs.push(FieldError::invalid(
            path.child("uid"),
            "",
            "must not be empty",
        ));
    }
    if group.is_empty() && version == "v1" && r.kind == "Event" {
        errs.push(FieldError::invalid(
            path,
            serde_json::to_value(r).unwrap_or(Value::Null),
            "/v1, Kind=Event is disallowed from being an owner",
        ));
    }
}

/// apimachinery's `ValidateFinalizers`: qualified names (reported on the
/// list, not the entry), and not both orphaning and foreground deletion.
pub fn validate_finalizers(finalizers: &[String], path: &Path, errs: &mut Errors) {
    let mut orphan = false;
    let mut foreground = false;
    for f in finalizers {
        invalid_each(errs, path, f, names::is_qualified_name(f));
        orphan |= f == "orphan";
        foreground |= f == "foregroundDeletion";
    }
    if orphan && foreground {
        errs.push(FieldError::invalid(
            path,
            serde_json::to_value(finalizers).unwrap_or(Value::Null),
            "finalizer orphan and foregroundDeletion cannot be both set",
        ));
    }
}

/// The core API's extra finalizer check: each entry again, on its index, and
/// a name without a domain must be one Kubernetes defines.
pub fn validate_kube_finalizer_names(finalizers: &[String], path: &Path, errs: &mut Errors) {
    for (i, f) in finalizers.iter().enumerate() {
        let ip = path.index(i);
        invalid_each(errs, &ip, f, names::is_qualified_name(f));
        if !f.contains('/') && !STANDARD_FINALIZERS.contains(&f.as_str()) {
            errs.push(FieldError::invalid(
                ip,
                f.as_str(),
                "name is neither a standard finalizer name nor is it fully qualified",
            ));
        }
    }
}

/// `ValidateManagedFields`: the operation and fields type of each entry and
/// the length of its manager.
pub fn validate_managed_fields(entries: &[Value], path: &Path, errs: &mut Errors) {
    for (i, entry) in entries.iter().enumerate() {
        let ip = path.index(i);
        let text = |key: &str| entry.get(key).and_then(Value::as_str).unwrap_or("");
        let operation = text("operation");
        if operation != "Apply" && operation != "Update" {
            errs.push(FieldError::invalid(
                ip.child("operation"),
                operation,
                "must be `Apply` or `Update`",
            ));
        }
        let fields_type = text("fieldsType");
        if !fields_type.is_empty() && fields_type != "FieldsV1" {
            errs.push(FieldError::invalid(
                ip.child("fieldsType"),
                fields_type,
                "must be `FieldsV1`",
            ));
        }
        if text("manager").len() > FIELD_MANAGER_MAX_LENGTH {
            errs.push(FieldError::too_long(
                ip.child("manager"),
                FIELD_MANAGER_MAX_LENGTH,
            ));
        }
    }
}

/// The name the apiserver generates from a `generateName`: the prefix, cut
/// to 58 bytes, and five more characters. Kubernetes draws them at random;
/// a fixed suffix from the same alphabet keeps validation deterministic.
pub fn generated_name(generate_name: &str) -> String {
    const MAX_PREFIX: usize = 63 - 5;
    let mut cut = generate_name.len().min(MAX_PREFIX);
    while !generate_name.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut name = String::with_capacity(cut + 5);
    name.push_str(&generate_name[..cut]);
    name.push_str("x7k2q");
    name
}

// ---------------------------------------------------------------------------
// ValidateObjectMetaUpdate

/// `ValidateObjectMetaUpdate` of the core API: what an update may not change,
/// the new metadata's own rules, and Kubernetes' finalizer-name check.
/// `ValidateObjectMetaUpdate` of an object's `metadata`, as a fresh list of
/// errors for the rest of the object's update validation to extend.
pub fn object_meta_update_errors(new: &ObjectMeta, old: &ObjectMeta) -> Errors {
    let mut errs = Errors::new();
    validate_object_meta_update(new, old, &Path::new("metadata"), &mut errs);
    errs
}

pub fn validate_object_meta_update(
    new: &ObjectMeta,
    old: &ObjectMeta,
    path: &Path,
    errs: &mut Errors,
) {
    let fin = path.child("finalizers");
    if old.deletion_timestamp.is_some() {
        validate_no_new_finalizers(&new.finalizers, &old.finalizers, &fin, errs);
    }
    if new.resource_version.is_empty() {
        errs.push(FieldError::invalid(
            path.child("resourceVersion"),
            "",
            "must be specified for an update",
        ));
    }
    if new.generation < old.generation {
        errs.push(FieldError::invalid(
            path.child("generation"),
            new.generation,
            "must not be decremented",
        ));
    }
    immutable(&new.name, &old.name, &path.child("name"), errs);
    immutable(
        &new.namespace,
        &old.namespace,
        &path.child("namespace"),
        errs,
    );
    immutable(&new.uid, &old.uid, &path.child("uid"), errs);
    immutable_time(
        new.creation_timestamp.as_deref(),
        old.creation_timestamp.as_deref(),
        &path.child("creationTimestamp"),
        errs,
    );
    immutable_time(
        new.deletion_timestamp.as_deref(),
        old.deletion_timestamp.as_deref(),
        &path.child("deletionTimestamp"),
        errs,
    );
    if new.deletion_grace_period_seconds != old.deletion_grace_period_seconds {
        errs.push(FieldError::invalid(
            path.child("deletionGracePeriodSeconds"),
            new.deletion_grace_period_seconds
                .map_or(Value::Null, Value::from),
            FIELD_IMMUTABLE,
        ));
    }
    validate_common(new, path, errs);
    validate_managed_fields(&new.managed_fields, &path.child("managedFields"), errs);
    validate_kube_finalizer_names(&new.finalizers, &fin, errs);
}

fn immutable(new: &str, old: &str, path: &Path, errs: &mut Errors) {
    if new != old {
        errs.push(FieldError::invalid(path, new, FIELD_IMMUTABLE));
    }
}

/// Timestamps print as the RFC 3339 text they were sent as; an absent one
/// (the zero time) prints as null.
fn immutable_time(new: Option<&str>, old: Option<&str>, path: &Path, errs: &mut Errors) {
    if new != old {
        errs.push(FieldError::invalid(
            path,
            new.map_or(Value::Null, Value::from),
            FIELD_IMMUTABLE,
        ));
    }
}

/// `ValidateNoNewFinalizers`: an object being deleted only loses finalizers.
/// The detail lists the new names sorted, in Go's `%#v` form of a string
/// slice.
fn validate_no_new_finalizers(new: &[String], old: &[String], path: &Path, errs: &mut Errors) {
    let mut extra: Vec<&str> = new
        .iter()
        .filter(|f| !old.contains(f))
        .map(String::as_str)
        .collect();
    if extra.is_empty() {
        return;
    }
    extra.sort_unstable();
    extra.dedup();
    let quoted: Vec<String> = extra.iter().map(|f| crate::errors::go_quote(f)).collect();
    errs.push(FieldError::forbidden(
        path,
        format!(
            "no new finalizers can be added if the object is being deleted, found new finalizers []string{{{}}}",
            quoted.join(", ")
        ),
    ));
}

// ---------------------------------------------------------------------------
// Pod-specific annotations

/// `ValidatePodSpecificAnnotations`.
pub fn validate_pod_specific_annotations(
    annotations: &StringMap,
    spec: &PodSpec,
    path: &Path,
    opts: &Opts,
    errs: &mut Errors,
) {
    if let Some(value) = annotations.get(MIRROR_POD_ANNOTATION) {
        if spec.node_name.is_empty() {
            errs.push(FieldError::invalid(
                path.key(MIRROR_POD_ANNOTATION),
                value.as_str(),
                "must set spec.nodeName if mirror pod annotation is set",
            ));
        }
    }
    if annotations
        .get(TOLERATIONS_ANNOTATION)
        .is_some_and(|v| !v.is_empty())
    {
        validate_tolerations_annotation(annotations, path, errs);
    }
    if !opts.allow_invalid_pod_deletion_cost && !deletion_cost_is_valid(annotations) {
        errs.push(FieldError::invalid(
            path.key(POD_DELETION_COST_ANNOTATION),
            annotations
                .get(POD_DELETION_COST_ANNOTATION)
                .map_or("", String::as_str),
            "must be a 32bit integer",
        ));
    }
    validate_seccomp_pod_annotations(annotations, path, errs);
    validate_apparmor_pod_annotations(annotations, spec, path, errs);
}

/// Whether the pod-deletion-cost annotation is absent or a 32-bit integer.
/// Kubernetes refuses a leading `+` and leading zeros before it parses the
/// value as decimal.
pub fn deletion_cost_is_valid(annotations: &StringMap) -> bool {
    let Some(value) = annotations.get(POD_DELETION_COST_ANNOTATION) else {
        return true;
    };
    let first_ok = match value.as_bytes().first() {
        None => false,
        Some(b'-') => true,
        Some(b'0') => value == "0",
        Some(b) => (b'1'..=b'9').contains(b),
    };
    let digits = value.strip_prefix('-').unwrap_or(value);
    first_ok
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && value.parse::<i32>().is_ok()
}

/// The legacy tolerations annotation must hold a JSON list of valid
/// tolerations.
fn validate_tolerations_annotation(annotations: &StringMap, path: &Path, errs: &mut Errors) {
    let Some(text) = annotations.get(TOLERATIONS_ANNOTATION) else {
        return;
    };
    match serde_json::from_str::<Vec<Toleration>>(text) {
        Err(e) => errs.push(FieldError::invalid(
            path,
            TOLERATIONS_ANNOTATION,
            e.to_string(),
        )),
        Ok(tolerations) if !tolerations.is_empty() => {
            // Kubernetes reports these under the annotation key as a child
            // path segment, dots and slashes and all.
            super::spec::validate_tolerations(
                &tolerations,
                &path.child(TOLERATIONS_ANNOTATION),
                errs,
            );
        }
        Ok(_) => {}
    }
}

/// `ValidateSeccompProfile` of an annotation value.
fn validate_seccomp_annotation_value(value: &str, path: &Path, errs: &mut Errors) {
    if [
        SECCOMP_RUNTIME_DEFAULT,
        SECCOMP_DOCKER_DEFAULT,
        SECCOMP_UNCONFINED,
    ]
    .contains(&value)
    {
        return;
    }
    if let Some(local) = value.strip_prefix(SECCOMP_LOCALHOST_PREFIX) {
        validate_local_descending_path(local, path, errs);
        return;
    }
    errs.push(FieldError::invalid(
        path,
        value,
        "must be a valid seccomp profile",
    ));
}

/// `validateLocalDescendingPath`: relative, and never stepping up.
fn validate_local_descending_path(p: &str, path: &Path, errs: &mut Errors) {
    if p.starts_with('/') {
        errs.push(FieldError::invalid(path, p, "must be a relative path"));
    }
    if p.split(['/', '\\']).any(|seg| seg == "..") {
        errs.push(FieldError::invalid(path, p, "must not contain '..'"));
    }
}

/// `ValidateSeccompPodAnnotations`: the annotation keys are child segments
/// of the path, as Kubernetes builds them.
fn validate_seccomp_pod_annotations(annotations: &StringMap, path: &Path, errs: &mut Errors) {
    if let Some(p) = annotations.get(SECCOMP_POD_ANNOTATION) {
        validate_seccomp_annotation_value(p, &path.child(SECCOMP_POD_ANNOTATION), errs);
    }
    for (k, p) in annotations {
        if k.starts_with(SECCOMP_CONTAINER_ANNOTATION_PREFIX) {
            validate_seccomp_annotation_value(p, &path.child(k), errs);
        }
    }
}

/// The annotation `prefix` + `container`, with its key, found without
/// building the key: validation of a pod without such annotations allocates
/// nothing.
pub fn container_annotation<'a>(
    annotations: &'a StringMap,
    prefix: &str,
    container: &str,
) -> Option<(&'a String, &'a String)> {
    annotations
        .iter()
        .find(|(k, _)| k.strip_prefix(prefix) == Some(container))
}

/// Whether the spec has a container, init container or ephemeral container
/// of that name.
fn spec_has_container(spec: &PodSpec, name: &str) -> bool {
    spec.containers
        .iter()
        .chain(&spec.init_containers)
        .chain(&spec.ephemeral_containers)
        .any(|c| c.name == name)
}

/// `ValidateAppArmorPodAnnotations`.
fn validate_apparmor_pod_annotations(
    annotations: &StringMap,
    spec: &PodSpec,
    path: &Path,
    errs: &mut Errors,
) {
    for (k, p) in annotations {
        let Some(container) = k.strip_prefix(APPARMOR_CONTAINER_ANNOTATION_PREFIX) else {
            continue;
        };
        let kp = path.key(k);
        if !spec_has_container(spec, container) {
            errs.push(FieldError::invalid(kp, container, "container not found"));
        }
        if !apparmor_profile_format_ok(p) {
            errs.push(FieldError::invalid(
                kp,
                p.as_str(),
                format!(
                    "invalid AppArmor profile name: {}",
                    crate::errors::go_quote(p)
                ),
            ));
        }
    }
}

/// `ValidateAppArmorProfileFormat`.
pub fn apparmor_profile_format_ok(profile: &str) -> bool {
    profile.is_empty()
        || profile == APPARMOR_RUNTIME_DEFAULT
        || profile == APPARMOR_UNCONFINED
        || profile.starts_with(APPARMOR_LOCALHOST_PREFIX)
}

/// `ValidatePodSpecificAnnotationUpdates`: AppArmor and mirror-pod
/// annotations can be neither added, changed nor removed; then the new
/// annotations are validated as on create.
pub fn validate_pod_specific_annotation_updates(
    new_annotations: &StringMap,
    new_spec: &PodSpec,
    old_annotations: &StringMap,
    path: &Path,
    opts: &Opts,
    errs: &mut Errors,
) {
    let guarded = |k: &str| k.starts_with(APPARMOR_CONTAINER_ANNOTATION_PREFIX);
    for (k, old_value) in old_annotations {
        if new_annotations.get(k) == Some(old_value) {
            continue;
        }
        if guarded(k) {
            errs.push(FieldError::forbidden(
                path.key(k),
                "may not remove or update AppArmor annotations",
            ));
        }
        if k == MIRROR_POD_ANNOTATION {
            errs.push(FieldError::forbidden(
                path.key(k),
                "may not remove or update mirror pod annotation",
            ));
        }
    }
    for k in new_annotations.keys() {
        if old_annotations.contains_key(k) {
            continue;
        }
        if guarded(k) {
            errs.push(FieldError::forbidden(
                path.key(k),
                "may not add AppArmor annotations",
            ));
        }
        if k == MIRROR_POD_ANNOTATION {
            errs.push(FieldError::forbidden(
                path.key(k),
                "may not add mirror pod annotation",
            ));
        }
    }
    validate_pod_specific_annotations(new_annotations, new_spec, path, opts, errs);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(name: &str) -> ObjectMeta {
        ObjectMeta {
            name: name.to_owned(),
            namespace: "default".to_owned(),
            ..ObjectMeta::default()
        }
    }

    fn fields(errs: &Errors) -> Vec<(String, &'static str)> {
        errs.iter()
            .map(|e| (e.field.clone(), e.kind.name()))
            .collect()
    }

    #[test]
    fn valid_metadata_has_no_errors() {
        let mut errs = Errors::new();
        validate_pod_object_meta(&meta("web-0"), &Path::new("metadata"), &mut errs);
        assert!(errs.is_empty(), "{errs:?}");
    }

    #[test]
    fn missing_name_and_namespace_are_required() {
        let mut errs = Errors::new();
        validate_pod_object_meta(&ObjectMeta::default(), &Path::new("metadata"), &mut errs);
        assert_eq!(
            fields(&errs),
            vec![
                ("metadata.name".to_owned(), "FieldValueRequired"),
                ("metadata.namespace".to_owned(), "FieldValueRequired"),
            ]
        );
        assert_eq!(errs[0].detail, "name or generateName is required");
    }

    #[test]
    fn negative_generation_is_invalid() {
        let mut m = meta("p");
        m.generation = -1;
        let mut errs = Errors::new();
        validate_pod_object_meta(&m, &Path::new("metadata"), &mut errs);
        assert_eq!(
            errs[0].to_string(),
            "metadata.generation: Invalid value: -1: must be greater than or equal to 0"
        );
    }

    #[test]
    fn decremented_generation_and_changed_uid_are_invalid() {
        let mut old = meta("p");
        old.resource_version = "1".into();
        old.generation = 3;
        old.uid = "a".into();
        let mut new = old.clone();
        new.generation = 2;
        new.uid = "b".into();
        let mut errs = Errors::new();
        validate_object_meta_update(&new, &old, &Path::new("metadata"), &mut errs);
        let shown: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            vec![
                "metadata.generation: Invalid value: 2: must not be decremented",
                "metadata.uid: Invalid value: \"b\": field is immutable",
            ]
        );
    }

    #[test]
    fn generated_names_keep_at_most_58_prefix_bytes() {
        assert_eq!(generated_name("web-"), "web-x7k2q");
        assert_eq!(generated_name(&"a".repeat(100)).len(), 63);
        assert_eq!(
            generated_name(&format!("a{}", "é".repeat(40))).len(),
            57 + 5
        );
    }

    #[test]
    fn second_controller_reference_is_invalid() {
        let owner = |name: &str| OwnerReference {
            api_version: "apps/v1".into(),
            kind: "ReplicaSet".into(),
            name: name.into(),
            uid: "u".into(),
            controller: Some(true),
            block_owner_deletion: None,
        };
        let mut errs = Errors::new();
        validate_owner_references(
            &[owner("a"), owner("b")],
            &Path::new("metadata").child("ownerReferences"),
            &mut errs,
        );
        assert_eq!(errs.len(), 1);
        assert_eq!(
            errs[0].detail,
            "Only one reference can have Controller set to true. Found \"true\" in references for ReplicaSet/a and ReplicaSet/b"
        );
    }

    #[test]
    fn new_finalizers_on_a_deleting_object_are_forbidden() {
        let mut old = meta("p");
        old.resource_version = "1".into();
        old.deletion_timestamp = Some("2024-01-01T00:00:00Z".into());
        let mut new = old.clone();
        new.finalizers = vec!["example.com/b".into(), "example.com/a".into()];
        let mut errs = Errors::new();
        validate_object_meta_update(&new, &old, &Path::new("metadata"), &mut errs);
        assert_eq!(
            fields(&errs),
            vec![("metadata.finalizers".to_owned(), "FieldValueForbidden")]
        );
        assert_eq!(
            errs[0].detail,
            "no new finalizers can be added if the object is being deleted, found new finalizers []string{\"example.com/a\", \"example.com/b\"}"
        );
    }

    #[test]
    fn deletion_cost_must_be_an_int32() {
        let ann =
            |v: &str| StringMap::from([(POD_DELETION_COST_ANNOTATION.to_owned(), v.to_owned())]);
        assert!(deletion_cost_is_valid(&ann("-42")));
        assert!(!deletion_cost_is_valid(&ann("+7")));
        assert!(!deletion_cost_is_valid(&ann("007")));
        assert!(deletion_cost_is_valid(&ann("0")));
        assert!(!deletion_cost_is_valid(&ann("2147483648")));
        assert!(!deletion_cost_is_valid(&ann("1.5")));
        assert!(!deletion_cost_is_valid(&ann(" 1")));
        assert!(!deletion_cost_is_valid(&ann("")));
    }

    #[test]
    fn oversized_annotations_are_too_long() {
        let big = "x".repeat(TOTAL_ANNOTATION_SIZE_LIMIT);
        let ann = StringMap::from([("a".to_owned(), big)]);
        let mut errs = Errors::new();
        validate_annotations(&ann, &Path::new("metadata").child("annotations"), &mut errs);
        assert_eq!(
            errs[0].to_string(),
            "metadata.annotations: Too long: may not be more than 262144 bytes"
        );
    }
}
