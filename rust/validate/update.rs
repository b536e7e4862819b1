//! `ValidatePodCreate`, `ValidatePodUpdate` and the validation options the
//! apiserver derives from the stored pod.
//!
//! An update of the pods resource may change little of the spec: container
//! images, a lower `activeDeadlineSeconds`, added tolerations, removed
//! scheduling gates, the negative-to-1 grace period fix, and, while the pod
//! is still gated, additions to its node selector and required node
//! affinity. Everything else is compared after those fields are reset to the
//! stored values, and any difference is one `Forbidden` error at `spec`.

use super::meta;
use super::names;
use super::{Errors, Opts, Path};
use crate::errors::FieldError;
use crate::model::serde_util::Omit;
use crate::model::{
    AppArmorProfile, Container, NodeAffinity, NodeSelectorTerm, ObjectMeta, Pod, PodSchedulingGate,
    PodSpec, Quantity, ResourceList, SeccompProfile, StringMap, Toleration,
};
use serde_json::Value;
use std::fmt::Write as _;

const MAX_INT32: i64 = 2_147_483_647;

/// The fields an update may change, as Kubernetes lists them in its error.
const UPDATABLE_POD_SPEC_FIELDS: [&str; 5] = [
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
];

// ---------------------------------------------------------------------------
// Validation options

/// `GetValidationOptionsFromPodSpecAndMeta` under the v1.33 default gates.
/// Gated relaxations that are on by default (relaxed environment variable
/// names, relaxed DNS search, zero-second sleep, every SELinux change
/// policy, sidecar resize policies) are always allowed; the rest are allowed
/// only where the stored pod already breaks the stricter rule, so that it
/// stays updatable.
pub fn validation_options(_new: &Pod, old: Option<&Pod>) -> Opts {
    let mut opts = Opts {
        allow_sidecar_resize_policy: true,
        ..Opts::default()
    };
    let Some(old) = old else {
        return opts;
    };
    let spec = &old.spec;
    opts.allow_invalid_pod_deletion_cost = !meta::deletion_cost_is_valid(&old.metadata.annotations);
    opts.allow_indivisible_huge_pages_values = uses_indivisible_huge_pages(spec);
    opts.allow_invalid_label_value_in_selector = has_invalid_affinity_selector(spec);
    opts.allow_invalid_label_value_in_required_node_affinity =
        has_invalid_required_node_affinity_value(spec);
    opts.allow_invalid_topology_spread_constraint_label_selector = spec
        .topology_spread_constraints
        .iter()
        .any(|c| c.label_selector.as_ref().is_some_and(selector_is_invalid));
    opts.allow_non_local_projected_token_path = spec
        .volumes
        .iter()
        .filter_map(|v| v.projected.as_ref())
        .flat_map(|p| &p.sources)
        .filter_map(|s| s.service_account_token.as_ref())
        .any(|t| t.path.starts_with('/') || t.path.split(['/', '\\']).any(|seg| seg == ".."));
    opts.allow_namespaced_sysctls_for_host_net_and_host_ipc =
        has_namespaced_sysctl_on_host_namespaces(spec);
    opts
}

/// Whether a huge-pages request, limit or overhead is not a whole number of
/// pages.
fn uses_indivisible_huge_pages(spec: &PodSpec) -> bool {
    let indivisible = |list: &ResourceList| {
        list.iter()
            .any(|(name, q)| name.starts_with("hugepages-") && !huge_pages_divisible(name, q))
    };
    spec.init_containers
        .iter()
        .chain(&spec.containers)
        .chain(&spec.ephemeral_containers)
        .any(|c| indivisible(&c.resources.limits) || indivisible(&c.resources.requests))
        || indivisible(&spec.overhead)
}

/// `IsHugePageResourceValueDivisible`.
fn huge_pages_divisible(name: &str, q: &Quantity) -> bool {
    let Some(page) = name
        .strip_prefix("hugepages-")
        .and_then(|size| Quantity::parse(size).ok())
    else {
        return false;
    };
    let Ok(value) = q.parsed() else {
        return false;
    };
    page.sign() > 0
        && page.milli_value() % 1000 == 0
        && page.value() != 0
        && value.value() % page.value() == 0
}

fn selector_is_invalid(sel: &crate::model::LabelSelector) -> bool {
    let mut scratch = Errors::new();
    super::spec::validate_label_selector(sel, false, &Path::ROOT, &mut scratch);
    !scratch.is_empty()
}

/// `hasInvalidLabelValueInAffinitySelector`: a pod (anti-)affinity term
/// whose label or namespace selector fails the strict selector rules.
fn has_invalid_affinity_selector(spec: &PodSpec) -> bool {
    let Some(aff) = &spec.affinity else {
        return false;
    };
    [&aff.pod_affinity, &aff.pod_anti_affinity]
        .into_iter()
        .flatten()
        .flat_map(|pa| {
            pa.required_during_scheduling_ignored_during_execution
                .iter()
                .chain(
                    pa.preferred_during_scheduling_ignored_during_execution
                        .iter()
                        .map(|w| &w.pod_affinity_term),
                )
        })
        .any(|term| {
            [&term.label_selector, &term.namespace_selector]
                .into_iter()
                .flatten()
                .any(selector_is_invalid)
        })
}

/// A required node-affinity expression value that is not a label value.
fn has_invalid_required_node_affinity_value(spec: &PodSpec) -> bool {
    spec.affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|n| {
            n.required_during_scheduling_ignored_during_execution
                .as_ref()
        })
        .is_some_and(|sel| {
            sel.node_selector_terms
                .iter()
                .flat_map(|t| &t.match_expressions)
                .flat_map(|e| &e.values)
                .any(|v| !names::is_valid_label_value(v).is_empty())
        })
}

/// The kernel namespace a sysctl lives in (`utilsysctl.GetNamespace`), after
/// turning a slash-separated name into the dotted form.
fn sysctl_namespace(name: &str) -> Option<&'static str> {
    let dotted: String = match name.find(['.', '/']) {
        Some(i) if name.as_bytes().get(i) == Some(&b'/') => name
            .chars()
            .map(|c| match c {
                '/' => '.',
                '.' => '/',
                c => c,
            })
            .collect(),
        _ => name.to_owned(),
    };
    if dotted == "kernel.sem"
        || ["kernel.shm", "kernel.msg", "fs.mqueue."]
            .iter()
            .any(|p| dotted.starts_with(p))
    {
        Some("ipc")
    } else if dotted.starts_with("net.") {
        Some("net")
    } else {
        None
    }
}

fn has_namespaced_sysctl_on_host_namespaces(spec: &PodSpec) -> bool {
    let Some(sc) = &spec.security_context else {
        return false;
    };
    sc.sysctls.iter().any(|s| match sysctl_namespace(&s.name) {
        Some("net") => spec.host_network,
        Some("ipc") => spec.host_ipc,
        _ => false,
    })
}

// ---------------------------------------------------------------------------
// The registry's preparation before validation

/// The apiserver's steps between decoding a created pod and validating it
/// that change what validation sees. Returns the warnings they raise.
///
/// - the request's namespace (`default` here) fills an empty one;
/// - a `generateName` becomes a name, with a fixed suffix where the
///   apiserver picks five random characters;
/// - deletion fields are cleared, the generation starts at 1 (set for every
///   pod since v1.33) and the status starts as `Pending`;
/// - fields of features v1.33 leaves disabled are dropped;
/// - deprecated AppArmor annotations become profile fields.
pub fn prepare_for_create(pod: &mut Pod) -> Vec<String> {
    let m = &mut pod.metadata;
    if m.namespace.is_empty() {
        "default".clone_into(&mut m.namespace);
    }
    if m.name.is_empty() && !m.generate_name.is_empty() {
        m.name = meta::generated_name(&m.generate_name);
    }
    m.deletion_timestamp = None;
    m.deletion_grace_period_seconds = None;
    m.generation = 1;
    drop_disabled_fields(&mut pod.spec, None);
    pod.status = crate::model::PodStatus {
        phase: "Pending".to_owned(),
        qos_class: qos_class(&pod.spec).to_owned(),
        ..Default::default()
    };
    apply_apparmor_version_skew(pod)
}

/// The pod's quality-of-service class (`ComputePodQOS`), from the cpu and
/// memory of its containers and init containers: no requests or limits at
/// all is BestEffort; limits on both for every container, with the summed
/// requests equal to the summed limits, is Guaranteed; anything else
/// Burstable. Zero quantities count as unset.
pub fn qos_class(spec: &PodSpec) -> &'static str {
    const TRACKED: [&str; 2] = ["cpu", "memory"];
    let mut requests: [Option<i128>; 2] = [None; 2];
    let mut limits: [Option<i128>; 2] = [None; 2];
    let mut guaranteed = true;
    let positive = |q: &crate::model::Quantity| {
        q.parsed()
            .ok()
            .filter(|p| p.sign() > 0)
            .map(|p| i128::from(p.milli_value()))
    };
    for c in spec.init_containers.iter().chain(&spec.containers) {
        for (i, name) in TRACKED.iter().enumerate() {
            if let Some(v) = c.resources.requests.get(*name).and_then(positive) {
                *requests[i].get_or_insert(0) += v;
            }
            match c.resources.limits.get(*name).and_then(positive) {
                Some(v) => *limits[i].get_or_insert(0) += v,
                None => guaranteed = false,
            }
        }
    }
    if requests.iter().chain(&limits).all(Option::is_none) {
        return "BestEffort";
    }
    if guaranteed && requests == limits {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// The apiserver's steps between decoding an update and validating it: the
/// fields a client cannot change through the pods resource are taken from
/// the stored pod (namespace when unset, resource version for an
/// unconditional update, uid, timestamps, status), fields of disabled
/// features are dropped unless the stored pod uses them, and the generation
/// is the stored one, plus one when the spec changes. A stored pod always has
/// a resource version; one given without gets a placeholder.
pub fn prepare_for_update(new: &mut Pod, old: &mut Pod) {
    new.status.clone_from(&old.status);
    prepare_for_update_except_status(new, old);
}

/// `prepare_for_update` for a caller that drops the stored pod afterwards:
/// the stored status moves to the new pod instead of being copied, and the
/// stored pod is left with the status the client sent (which nothing
/// validates).
pub(crate) fn prepare_for_update_moving_status(new: &mut Pod, old: &mut Pod) {
    std::mem::swap(&mut new.status, &mut old.status);
    prepare_for_update_except_status(new, old);
}

fn prepare_for_update_except_status(new: &mut Pod, old: &mut Pod) {
    let (nm, om) = (&mut new.metadata, &mut old.metadata);
    if om.namespace.is_empty() {
        "default".clone_into(&mut om.namespace);
    }
    if nm.namespace.is_empty() {
        nm.namespace.clone_from(&om.namespace);
    }
    if om.resource_version.is_empty() {
        "1".clone_into(&mut om.resource_version);
    }
    if nm.resource_version.is_empty() {
        nm.resource_version.clone_from(&om.resource_version);
    }
    nm.generation = om.generation;
    if nm.uid.is_empty() {
        nm.uid.clone_from(&om.uid);
    }
    if om.creation_timestamp.is_some() {
        nm.creation_timestamp.clone_from(&om.creation_timestamp);
    }
    if om.deletion_timestamp.is_some() {
        nm.deletion_timestamp.clone_from(&om.deletion_timestamp);
    }
    if om.deletion_grace_period_seconds.is_some() && nm.deletion_grace_period_seconds.is_none() {
        nm.deletion_grace_period_seconds = om.deletion_grace_period_seconds;
    }
    drop_disabled_fields(&mut new.spec, Some(&old.spec));
    if new.spec != old.spec {
        new.metadata.generation = new.metadata.generation.saturating_add(1);
    }
}

/// `dropDisabledFields` for the spec fields whose features are off by
/// default in v1.33: pod-level resources (PodLevelResources, alpha), resource
/// claims (DynamicResourceAllocation, beta but off) and container stop
/// signals (ContainerStopSignals, alpha). Volume fields are dropped by
/// `defaults::drop_disabled_volume_fields`.
fn drop_disabled_fields(spec: &mut PodSpec, old: Option<&PodSpec>) {
    crate::defaults::drop_disabled_volume_fields(spec, old);
    if old.is_none_or(|o| o.resources.is_none()) {
        spec.resources = None;
    }
    if old.is_none_or(|o| o.resource_claims.is_empty()) {
        spec.resource_claims.clear();
        for c in all_containers_mut(spec) {
            c.resources.claims.clear();
        }
    }
    let uses_stop_signal = |s: &PodSpec| {
        s.init_containers
            .iter()
            .chain(&s.containers)
            .chain(&s.ephemeral_containers)
            .any(|c| {
                c.lifecycle
                    .as_ref()
                    .is_some_and(|l| l.stop_signal.is_some())
            })
    };
    if !old.is_some_and(uses_stop_signal) {
        for c in all_containers_mut(spec) {
            if let Some(l) = &mut c.lifecycle {
                l.stop_signal = None;
            }
        }
    }
}

fn all_containers_mut(spec: &mut PodSpec) -> impl Iterator<Item = &mut Container> {
    spec.init_containers
        .iter_mut()
        .chain(spec.containers.iter_mut())
        .chain(spec.ephemeral_containers.iter_mut())
}

/// `ApparmorFieldForAnnotation`, keeping only a profile that passes the
/// field's validation.
fn apparmor_field_for_annotation(annotation: &str) -> Option<AppArmorProfile> {
    let profile = |t: &str, local: Option<String>| AppArmorProfile {
        type_: t.to_owned(),
        localhost_profile: local,
    };
    match annotation {
        "unconfined" => Some(profile("Unconfined", None)),
        "runtime/default" => Some(profile("RuntimeDefault", None)),
        _ => {
            let local = annotation.strip_prefix("localhost/")?;
            let usable = !local.is_empty() && local.trim() == local && local.len() <= 4095;
            usable.then(|| profile("Localhost", Some(local.to_owned())))
        }
    }
}

/// `applyAppArmorVersionSkew`: a container's deprecated AppArmor annotation
/// becomes its `appArmorProfile` field where the container has none (and the
/// pod-level profile differs), with a deprecation warning; an annotation no
/// profile can be made from only warns. Windows pods are left alone.
pub fn apply_apparmor_version_skew(pod: &mut Pod) -> Vec<String> {
    let mut warnings = Vec::new();
    if pod.spec.os.as_ref().is_some_and(|os| os.name == "windows") {
        return warnings;
    }
    let pod_profile = pod
        .spec
        .security_context
        .as_ref()
        .and_then(|s| s.app_armor_profile.clone());
    let annotations = &pod.metadata.annotations;
    for c in all_containers_mut(&mut pod.spec) {
        let Some((key, annotation)) = meta::container_annotation(
            annotations,
            meta::APPARMOR_CONTAINER_ANNOTATION_PREFIX,
            &c.name,
        ) else {
            continue;
        };
        if c.security_context
            .as_ref()
            .is_some_and(|s| s.app_armor_profile.is_some())
        {
            continue;
        }
        let field = apparmor_field_for_annotation(annotation);
        let mut warn = field.is_none();
        if let Some(field) = field {
            if pod_profile.as_ref() != Some(&field) {
                c.security_context
                    .get_or_insert_with(Default::default)
                    .app_armor_profile = Some(field);
                warn = true;
            }
        }
        if warn {
            warnings.push(format!(
                "metadata.annotations[{key}]: deprecated since v1.30; use the \"appArmorProfile\" field instead"
            ));
        }
    }
    warnings
}

// ---------------------------------------------------------------------------
// Create

/// `ValidatePodCreate`.
pub fn validate_pod_create(pod: &Pod, opts: &Opts, errs: &mut Errors) {
    validate_pod_metadata_and_spec(pod, opts, errs);
    let spec_path = Path::new("spec");
    if !pod.spec.ephemeral_containers.is_empty() {
        errs.push(FieldError::forbidden(
            spec_path.child("ephemeralContainers"),
            "cannot be set on create",
        ));
    }
    if !pod.spec.node_name.is_empty() && !pod.spec.scheduling_gates.is_empty() {
        errs.push(FieldError::forbidden(
            spec_path.child("nodeName"),
            "cannot be set until all schedulingGates have been cleared",
        ));
    }
    validate_seccomp_annotations_and_fields(&pod.metadata, &pod.spec, &spec_path, errs);
    validate_apparmor_annotations_and_fields_on_create(&pod.metadata, &pod.spec, &spec_path, errs);
}

/// `validatePodMetadataAndSpec`: the metadata, the pod-specific annotations,
/// the spec, and the checks that apply to pods but not to pod templates.
fn validate_pod_metadata_and_spec(pod: &Pod, opts: &Opts, errs: &mut Errors) {
    let meta_path = Path::new("metadata");
    let spec_path = Path::new("spec");
    meta::validate_pod_object_meta(&pod.metadata, &meta_path, errs);
    meta::validate_pod_specific_annotations(
        &pod.metadata.annotations,
        &pod.spec,
        &meta_path.child("annotations"),
        opts,
        errs,
    );
    super::spec::validate_pod_spec(&pod.spec, &pod.metadata, &spec_path, opts, errs);
    if pod.spec.service_account_name.is_empty() {
        let vols = spec_path.child("volumes");
        for (vi, v) in pod.spec.volumes.iter().enumerate() {
            let Some(projected) = &v.projected else {
                continue;
            };
            let vp = vols.index(vi);
            let pp = vp.child("projected");
            let sp = pp.child("sources");
            for (si, s) in projected.sources.iter().enumerate() {
                if s.service_account_token.is_some() {
                    let ip = sp.index(si);
                    errs.push(FieldError::forbidden(
                        ip.child("serviceAccountToken"),
                        "must not be specified when serviceAccountName is not set",
                    ));
                }
            }
        }
    }
}

/// Every container of the spec with its path, in Kubernetes' visiting order:
/// init containers, containers, ephemeral containers.
fn for_each_container(spec: &PodSpec, spec_path: &Path, mut f: impl FnMut(&Container, &Path)) {
    for (field, list) in [
        ("initContainers", &spec.init_containers),
        ("containers", &spec.containers),
        ("ephemeralContainers", &spec.ephemeral_containers),
    ] {
        let lp = spec_path.child(field);
        for (i, c) in list.iter().enumerate() {
            f(c, &lp.index(i));
        }
    }
}

/// `validateSeccompAnnotationsAndFields`: where both the deprecated
/// annotation and the field are set, they must agree.
pub fn validate_seccomp_annotations_and_fields(
    meta: &ObjectMeta,
    spec: &PodSpec,
    spec_path: &Path,
    errs: &mut Errors,
) {
    if let Some(profile) = spec
        .security_context
        .as_ref()
        .and_then(|s| s.seccomp_profile.as_ref())
    {
        if let Some(annotation) = meta.annotations.get(meta::SECCOMP_POD_ANNOTATION) {
            let sc = spec_path.child("securityContext");
            seccomp_match(annotation, profile, &sc.child("seccompProfile"), errs);
        }
    }
    for_each_container(spec, spec_path, |c, cp| {
        let Some(profile) = c
            .security_context
            .as_ref()
            .and_then(|s| s.seccomp_profile.as_ref())
        else {
            return;
        };
        if let Some((_, annotation)) = meta::container_annotation(
            &meta.annotations,
            meta::SECCOMP_CONTAINER_ANNOTATION_PREFIX,
            &c.name,
        ) {
            let sc = cp.child("securityContext");
            seccomp_match(annotation, profile, &sc.child("seccompProfile"), errs);
        }
    });
}

fn seccomp_match(annotation: &str, profile: &SeccompProfile, path: &Path, errs: &mut Errors) {
    const TYPE_MISMATCH: &str = "seccomp type in annotation and field must match";
    match profile.type_.as_str() {
        "Unconfined" if annotation != "unconfined" => {
            errs.push(FieldError::forbidden(path.child("type"), TYPE_MISMATCH));
        }
        "RuntimeDefault" if annotation != "runtime/default" && annotation != "docker/default" => {
            errs.push(FieldError::forbidden(path.child("type"), TYPE_MISMATCH));
        }
        "Localhost" => match annotation.strip_prefix("localhost/") {
            None => errs.push(FieldError::forbidden(path.child("type"), TYPE_MISMATCH)),
            Some(local) if profile.localhost_profile.as_deref() != Some(local) => {
                errs.push(FieldError::forbidden(
                    path.child("localhostProfile"),
                    "seccomp profile in annotation and field must match",
                ));
            }
            Some(_) => {}
        },
        _ => {}
    }
}

/// `validateAppArmorAnnotationsAndFieldsMatchOnCreate`: a container's
/// AppArmor annotation must agree with its effective profile field (its own,
/// or the pod's). Windows pods are not checked.
pub fn validate_apparmor_annotations_and_fields_on_create(
    meta: &ObjectMeta,
    spec: &PodSpec,
    spec_path: &Path,
    errs: &mut Errors,
) {
    if spec.os.as_ref().is_some_and(|os| os.name == "windows") {
        return;
    }
    let pod_profile = spec
        .security_context
        .as_ref()
        .and_then(|s| s.app_armor_profile.as_ref());
    for_each_container(spec, spec_path, |c, cp| {
        let Some(profile) = c
            .security_context
            .as_ref()
            .and_then(|s| s.app_armor_profile.as_ref())
            .or(pod_profile)
        else {
            return;
        };
        if let Some((_, annotation)) = meta::container_annotation(
            &meta.annotations,
            meta::APPARMOR_CONTAINER_ANNOTATION_PREFIX,
            &c.name,
        ) {
            let sc = cp.child("securityContext");
            apparmor_match(annotation, profile, &sc.child("appArmorProfile"), errs);
        }
    });
}

fn apparmor_match(annotation: &str, profile: &AppArmorProfile, path: &Path, errs: &mut Errors) {
    const TYPE_MISMATCH: &str = "apparmor type in annotation and field must match";
    match profile.type_.as_str() {
        "Unconfined" if annotation != "unconfined" => {
            errs.push(FieldError::forbidden(path.child("type"), TYPE_MISMATCH));
        }
        "RuntimeDefault" if annotation != "runtime/default" => {
            errs.push(FieldError::forbidden(path.child("type"), TYPE_MISMATCH));
        }
        "Localhost" => match annotation.strip_prefix("localhost/") {
            None => errs.push(FieldError::forbidden(path.child("type"), TYPE_MISMATCH)),
            Some(local) if profile.localhost_profile.as_deref() != Some(local) => {
                errs.push(FieldError::forbidden(
                    path.child("localhostProfile"),
                    "apparmor profile in annotation and field must match",
                ));
            }
            Some(_) => {}
        },
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// Update

/// `ValidatePodUpdate`: `new` is the pod as sent (after the registry's
/// preparation), `old` the stored one.
pub fn validate_pod_update(new: &Pod, old: &Pod, opts: &Opts, errs: &mut Errors) {
    let meta_path = Path::new("metadata");
    meta::validate_object_meta_update(&new.metadata, &old.metadata, &meta_path, errs);
    validate_pod_metadata_and_spec(new, opts, errs);
    meta::validate_pod_specific_annotation_updates(
        &new.metadata.annotations,
        &new.spec,
        &old.metadata.annotations,
        &meta_path.child("annotations"),
        opts,
        errs,
    );
    let spec_path = Path::new("spec");
    let (ns, os) = (&new.spec, &old.spec);

    if validate_container_updates(
        &ns.containers,
        &os.containers,
        &spec_path.child("containers"),
        errs,
    ) || validate_container_updates(
        &ns.init_containers,
        &os.init_containers,
        &spec_path.child("initContainers"),
        errs,
    ) {
        return;
    }

    // Two changes of activeDeadlineSeconds are allowed: setting it where it
    // was unset, and lowering it. Kubernetes stops at the first violation.
    let deadline_path = spec_path.child("activeDeadlineSeconds");
    match (ns.active_deadline_seconds, os.active_deadline_seconds) {
        (Some(n), _) if !(0..=MAX_INT32).contains(&n) => {
            errs.push(FieldError::invalid(
                deadline_path,
                n,
                names::inclusive_range_error(0, MAX_INT32),
            ));
            return;
        }
        (Some(n), Some(o)) if o < n => {
            errs.push(FieldError::invalid(
                deadline_path,
                n,
                "must be less than or equal to previous value",
            ));
            return;
        }
        (None, Some(_)) => errs.push(FieldError::invalid(
            deadline_path,
            Value::Null,
            "must not update from a positive integer to nil value",
        )),
        _ => {}
    }

    validate_only_added_tolerations(
        &ns.tolerations,
        &os.tolerations,
        &spec_path.child("tolerations"),
        errs,
    );
    validate_only_deleted_scheduling_gates(
        &ns.scheduling_gates,
        &os.scheduling_gates,
        &spec_path.child("schedulingGates"),
        errs,
    );

    if ns == os {
        return;
    }
    // The common accepted update changes only updatable fields: compare in
    // place rather than building the copy with those fields reset. Gated
    // pods, whose node constraints may also grow, take the general path.
    if os.scheduling_gates.is_empty() && equal_but_updatable_fields(ns, os) {
        return;
    }
    let mut munged = ns.clone();
    for (m, o) in munged.containers.iter_mut().zip(&os.containers) {
        m.image.clone_from(&o.image);
    }
    for (m, o) in munged.init_containers.iter_mut().zip(&os.init_containers) {
        m.image.clone_from(&o.image);
    }
    munged.active_deadline_seconds = os.active_deadline_seconds;
    munged.scheduling_gates.clone_from(&os.scheduling_gates);
    munged.tolerations.clone_from(&os.tolerations);
    if os.termination_grace_period_seconds.is_some_and(|g| g < 0)
        && munged.termination_grace_period_seconds == Some(1)
    {
        munged.termination_grace_period_seconds = os.termination_grace_period_seconds;
    }

    // A pod still held by scheduling gates may gain node constraints, so
    // that whoever removes the gates can also say where the pod goes.
    if !os.scheduling_gates.is_empty() {
        if munged.node_selector != os.node_selector {
            validate_node_selector_mutation(
                &spec_path.child("nodeSelector"),
                &munged.node_selector,
                &os.node_selector,
                errs,
            );
            munged.node_selector.clone_from(&os.node_selector);
        }
        let old_na = os.affinity.as_ref().and_then(|a| a.node_affinity.as_ref());
        let new_na = munged
            .affinity
            .as_ref()
            .and_then(|a| a.node_affinity.as_ref());
        if old_na != new_na {
            let ap = spec_path.child("affinity");
            validate_node_affinity_mutation(&ap.child("nodeAffinity"), new_na, old_na, errs);
            let old_na = old_na.cloned();
            match &mut munged.affinity {
                None if old_na.is_none() => {}
                None => {
                    munged.affinity = Some(crate::model::Affinity {
                        node_affinity: old_na,
                        ..Default::default()
                    });
                }
                Some(a)
                    if os.affinity.is_none()
                        && a.pod_affinity.is_none()
                        && a.pod_anti_affinity.is_none() =>
                {
                    munged.affinity = None;
                }
                Some(a) => a.node_affinity = old_na,
            }
        }
    }

    if munged != *os {
        errs.push(FieldError::forbidden(
            spec_path,
            format!(
                "pod updates may not change fields other than {}\n{}",
                UPDATABLE_POD_SPEC_FIELDS.join(","),
                spec_diff(os, &munged)
            ),
        ));
    }
}

/// Whether `new` equals `old` once the fields an update may change are
/// reset to the stored values (images, `activeDeadlineSeconds`, scheduling
/// gates, tolerations, the negative-to-1 grace period fix): the comparison
/// `validate_pod_update` makes for a pod without scheduling gates, made in
/// place. Every field is named so that a field added to the model cannot be
/// left out.
fn equal_but_updatable_fields(new: &PodSpec, old: &PodSpec) -> bool {
    let PodSpec {
        volumes,
        init_containers,
        containers,
        ephemeral_containers,
        restart_policy,
        termination_grace_period_seconds,
        active_deadline_seconds: _,
        dns_policy,
        node_selector,
        service_account_name,
        service_account,
        automount_service_account_token,
        node_name,
        host_network,
        host_pid,
        host_ipc,
        share_process_namespace,
        security_context,
        image_pull_secrets,
        hostname,
        subdomain,
        affinity,
        scheduler_name,
        tolerations: _,
        host_aliases,
        priority_class_name,
        priority,
        dns_config,
        readiness_gates,
        runtime_class_name,
        enable_service_links,
        preemption_policy,
        overhead,
        topology_spread_constraints,
        set_hostname_as_fqdn,
        os,
        host_users,
        scheduling_gates: _,
        resource_claims,
        resources,
    } = new;
    let grace_ok = *termination_grace_period_seconds == old.termination_grace_period_seconds
        || (old.termination_grace_period_seconds.is_some_and(|g| g < 0)
            && *termination_grace_period_seconds == Some(1));
    grace_ok
        && containers_equal_but_images(containers, &old.containers)
        && containers_equal_but_images(init_containers, &old.init_containers)
        && *volumes == old.volumes
        && *ephemeral_containers == old.ephemeral_containers
        && *restart_policy == old.restart_policy
        && *dns_policy == old.dns_policy
        && *node_selector == old.node_selector
        && *service_account_name == old.service_account_name
        && *service_account == old.service_account
        && *automount_service_account_token == old.automount_service_account_token
        && *node_name == old.node_name
        && *host_network == old.host_network
        && *host_pid == old.host_pid
        && *host_ipc == old.host_ipc
        && *share_process_namespace == old.share_process_namespace
        && *security_context == old.security_context
        && *image_pull_secrets == old.image_pull_secrets
        && *hostname == old.hostname
        && *subdomain == old.subdomain
        && *affinity == old.affinity
        && *scheduler_name == old.scheduler_name
        && *host_aliases == old.host_aliases
        && *priority_class_name == old.priority_class_name
        && *priority == old.priority
        && *dns_config == old.dns_config
        && *readiness_gates == old.readiness_gates
        && *runtime_class_name == old.runtime_class_name
        && *enable_service_links == old.enable_service_links
        && *preemption_policy == old.preemption_policy
        && *overhead == old.overhead
        && *topology_spread_constraints == old.topology_spread_constraints
        && *set_hostname_as_fqdn == old.set_hostname_as_fqdn
        && *os == old.os
        && *host_users == old.host_users
        && *resource_claims == old.resource_claims
        && *resources == old.resources
}

/// Two container lists equal but for their images.
fn containers_equal_but_images(new: &[Container], old: &[Container]) -> bool {
    new.len() == old.len()
        && new.iter().zip(old).all(|(n, o)| {
            let Container {
                name,
                image: _,
                command,
                args,
                working_dir,
                ports,
                env_from,
                env,
                resources,
                resize_policy,
                restart_policy,
                volume_mounts,
                volume_devices,
                liveness_probe,
                readiness_probe,
                startup_probe,
                lifecycle,
                termination_message_path,
                termination_message_policy,
                image_pull_policy,
                security_context,
                stdin,
                stdin_once,
                tty,
                target_container_name,
            } = n;
            *name == o.name
                && *command == o.command
                && *args == o.args
                && *working_dir == o.working_dir
                && *ports == o.ports
                && *env_from == o.env_from
                && *env == o.env
                && *resources == o.resources
                && *resize_policy == o.resize_policy
                && *restart_policy == o.restart_policy
                && *volume_mounts == o.volume_mounts
                && *volume_devices == o.volume_devices
                && *liveness_probe == o.liveness_probe
                && *readiness_probe == o.readiness_probe
                && *startup_probe == o.startup_probe
                && *lifecycle == o.lifecycle
                && *termination_message_path == o.termination_message_path
                && *termination_message_policy == o.termination_message_policy
                && *image_pull_policy == o.image_pull_policy
                && *security_context == o.security_context
                && *stdin == o.stdin
                && *stdin_once == o.stdin_once
                && *tty == o.tty
                && *target_container_name == o.target_container_name
        })
}

/// `ValidateContainerUpdates`: containers can be neither added nor removed,
/// and every image stays set and trimmed. Returns true when the container
/// lists differ in length, after which Kubernetes checks nothing further.
fn validate_container_updates(
    new: &[Container],
    old: &[Container],
    path: &Path,
    errs: &mut Errors,
) -> bool {
    if new.len() != old.len() {
        errs.push(FieldError::forbidden(
            path,
            "pod updates may not add or remove containers",
        ));
        return true;
    }
    for (i, c) in new.iter().enumerate() {
        let ip = path.index(i);
        if c.image.is_empty() {
            errs.push(FieldError::required(ip.child("image"), ""));
        }
        if c.image.trim() != c.image {
            errs.push(FieldError::invalid(
                ip.child("image"),
                c.image.as_str(),
                "must not have leading or trailing whitespace",
            ));
        }
    }
    false
}

/// `validateOnlyAddedTolerations`: every stored toleration is still there,
/// unchanged but for its `tolerationSeconds`; then the new list is validated.
fn validate_only_added_tolerations(
    new: &[Toleration],
    old: &[Toleration],
    path: &Path,
    errs: &mut Errors,
) {
    let same_but_seconds = |o: &Toleration, n: &Toleration| {
        o.key == n.key && o.operator == n.operator && o.value == n.value && o.effect == n.effect
    };
    if !old
        .iter()
        .all(|o| new.iter().any(|n| same_but_seconds(o, n)))
    {
        errs.push(FieldError::forbidden(
            path,
            "existing toleration can not be modified except its tolerationSeconds",
        ));
        return;
    }
    super::spec::validate_tolerations(new, path, errs);
}

/// `validateOnlyDeletedSchedulingGates`: gates can only be removed. Each new
/// gate is reported at the index where it appears last.
fn validate_only_deleted_scheduling_gates(
    new: &[PodSchedulingGate],
    old: &[PodSchedulingGate],
    path: &Path,
    errs: &mut Errors,
) {
    let mut added: Vec<(&str, usize)> = Vec::new();
    for (i, g) in new.iter().enumerate() {
        if old.iter().any(|o| o.name == g.name) {
            continue;
        }
        match added.iter_mut().find(|(name, _)| *name == g.name) {
            Some(entry) => entry.1 = i,
            None => added.push((&g.name, i)),
        }
    }
    for (name, i) in added {
        let ip = path.index(i);
        errs.push(FieldError::forbidden(
            ip.child("name"),
            format!("only deletion is allowed, but found new scheduling gate '{name}'"),
        ));
    }
}

/// `validateNodeSelectorMutation`: a gated pod's node selector may only grow.
fn validate_node_selector_mutation(
    path: &Path,
    new: &StringMap,
    old: &StringMap,
    errs: &mut Errors,
) {
    if old.iter().any(|(k, v)| new.get(k) != Some(v)) {
        errs.push(FieldError::invalid(
            path,
            serde_json::to_value(new).unwrap_or(Value::Null),
            "only additions to spec.nodeSelector are allowed (no mutations or deletions)",
        ));
    }
}

/// `validateNodeAffinityMutation`: once a gated pod has required node
/// selector terms, their number is fixed and each term may only gain
/// expressions and fields.
fn validate_node_affinity_mutation(
    path: &Path,
    new: Option<&NodeAffinity>,
    old: Option<&NodeAffinity>,
    errs: &mut Errors,
) {
    let Some(old_req) = old.and_then(|a| {
        a.required_during_scheduling_ignored_during_execution
            .as_ref()
    }) else {
        return;
    };
    let old_terms = &old_req.node_selector_terms;
    let new_terms: &[NodeSelectorTerm] = new
        .and_then(|a| {
            a.required_during_scheduling_ignored_during_execution
                .as_ref()
        })
        .map_or(&[], |r| &r.node_selector_terms);
    let rp = path.child("requiredDuringSchedulingIgnoredDuringExecution");
    let tp = rp.child("nodeSelectorTerms");
    if !old_terms.is_empty() && old_terms.len() != new_terms.len() {
        errs.push(FieldError::invalid(
            tp,
            serde_json::to_value(new_terms).unwrap_or(Value::Null),
            "no additions/deletions to non-empty NodeSelectorTerms list are allowed",
        ));
        return;
    }
    for (i, (o, n)) in old_terms.iter().zip(new_terms).enumerate() {
        let only_additions = n.match_expressions.starts_with(&o.match_expressions)
            && n.match_fields.starts_with(&o.match_fields);
        if !only_additions {
            errs.push(FieldError::invalid(
                tp.index(i),
                serde_json::to_value(n).unwrap_or(Value::Null),
                "only additions are allowed (no mutations or deletions)",
            ));
        }
    }
}

/// The difference between the stored spec and the updated one, appended to
/// the "may not change" error so the user sees what changed. Kubernetes
/// prints a go-cmp diff of its internal Go types, whose exact text is
/// deliberately unstable; this prints the same kind of report, one `-`/`+`
/// line pair per changed JSON field.
fn spec_diff(old: &PodSpec, new: &PodSpec) -> String {
    let mut d = FieldDiffs::default();
    let PodSpec {
        volumes,
        init_containers,
        containers,
        ephemeral_containers,
        restart_policy,
        termination_grace_period_seconds,
        active_deadline_seconds,
        dns_policy,
        node_selector,
        service_account_name,
        service_account,
        automount_service_account_token,
        node_name,
        host_network,
        host_pid,
        host_ipc,
        share_process_namespace,
        security_context,
        image_pull_secrets,
        hostname,
        subdomain,
        affinity,
        scheduler_name,
        tolerations,
        host_aliases,
        priority_class_name,
        priority,
        dns_config,
        readiness_gates,
        runtime_class_name,
        enable_service_links,
        preemption_policy,
        overhead,
        topology_spread_constraints,
        set_hostname_as_fqdn,
        os,
        host_users,
        scheduling_gates,
        resource_claims,
        resources,
    } = old;
    d.list("volumes", volumes, &new.volumes);
    d.containers("initContainers", init_containers, &new.init_containers);
    d.containers("containers", containers, &new.containers);
    d.containers(
        "ephemeralContainers",
        ephemeral_containers,
        &new.ephemeral_containers,
    );
    d.field("restartPolicy", restart_policy, &new.restart_policy);
    d.field(
        "terminationGracePeriodSeconds",
        termination_grace_period_seconds,
        &new.termination_grace_period_seconds,
    );
    d.field(
        "activeDeadlineSeconds",
        active_deadline_seconds,
        &new.active_deadline_seconds,
    );
    d.field("dnsPolicy", dns_policy, &new.dns_policy);
    d.field("nodeSelector", node_selector, &new.node_selector);
    d.field(
        "serviceAccountName",
        service_account_name,
        &new.service_account_name,
    );
    d.field("serviceAccount", service_account, &new.service_account);
    d.field(
        "automountServiceAccountToken",
        automount_service_account_token,
        &new.automount_service_account_token,
    );
    d.field("nodeName", node_name, &new.node_name);
    d.field("hostNetwork", host_network, &new.host_network);
    d.field("hostPID", host_pid, &new.host_pid);
    d.field("hostIPC", host_ipc, &new.host_ipc);
    d.field(
        "shareProcessNamespace",
        share_process_namespace,
        &new.share_process_namespace,
    );
    d.field("securityContext", security_context, &new.security_context);
    d.list(
        "imagePullSecrets",
        image_pull_secrets,
        &new.image_pull_secrets,
    );
    d.field("hostname", hostname, &new.hostname);
    d.field("subdomain", subdomain, &new.subdomain);
    d.field("affinity", affinity, &new.affinity);
    d.field("schedulerName", scheduler_name, &new.scheduler_name);
    d.list("tolerations", tolerations, &new.tolerations);
    d.list("hostAliases", host_aliases, &new.host_aliases);
    d.field(
        "priorityClassName",
        priority_class_name,
        &new.priority_class_name,
    );
    d.field("priority", priority, &new.priority);
    d.field("dnsConfig", dns_config, &new.dns_config);
    d.list("readinessGates", readiness_gates, &new.readiness_gates);
    d.field(
        "runtimeClassName",
        runtime_class_name,
        &new.runtime_class_name,
    );
    d.field(
        "enableServiceLinks",
        enable_service_links,
        &new.enable_service_links,
    );
    d.field(
        "preemptionPolicy",
        preemption_policy,
        &new.preemption_policy,
    );
    d.field("overhead", overhead, &new.overhead);
    d.list(
        "topologySpreadConstraints",
        topology_spread_constraints,
        &new.topology_spread_constraints,
    );
    d.field(
        "setHostnameAsFQDN",
        set_hostname_as_fqdn,
        &new.set_hostname_as_fqdn,
    );
    d.field("os", os, &new.os);
    d.field("hostUsers", host_users, &new.host_users);
    d.list("schedulingGates", scheduling_gates, &new.scheduling_gates);
    d.list("resourceClaims", resource_claims, &new.resource_claims);
    d.field("resources", resources, &new.resources);
    let mut out = String::from("  core.PodSpec{\n");
    write_change(&mut String::new(), &Change::Fields(d.changed), &mut out);
    out.push_str("  }\n");
    out
}

/// The changed fields of two containers (see `spec_diff`).
fn container_diff(old: &Container, new: &Container) -> Change {
    let mut d = FieldDiffs::default();
    let Container {
        name,
        image,
        command,
        args,
        working_dir,
        ports,
        env_from,
        env,
        resources,
        resize_policy,
        restart_policy,
        volume_mounts,
        volume_devices,
        liveness_probe,
        readiness_probe,
        startup_probe,
        lifecycle,
        termination_message_path,
        termination_message_policy,
        image_pull_policy,
        security_context,
        stdin,
        stdin_once,
        tty,
        target_container_name,
    } = old;
    d.field("name", name, &new.name);
    d.field("image", image, &new.image);
    d.list("command", command, &new.command);
    d.list("args", args, &new.args);
    d.field("workingDir", working_dir, &new.working_dir);
    d.list("ports", ports, &new.ports);
    d.list("envFrom", env_from, &new.env_from);
    d.list("env", env, &new.env);
    d.field("resources", resources, &new.resources);
    d.list("resizePolicy", resize_policy, &new.resize_policy);
    d.field("restartPolicy", restart_policy, &new.restart_policy);
    d.list("volumeMounts", volume_mounts, &new.volume_mounts);
    d.list("volumeDevices", volume_devices, &new.volume_devices);
    d.field("livenessProbe", liveness_probe, &new.liveness_probe);
    d.field("readinessProbe", readiness_probe, &new.readiness_probe);
    d.field("startupProbe", startup_probe, &new.startup_probe);
    d.field("lifecycle", lifecycle, &new.lifecycle);
    d.field(
        "terminationMessagePath",
        termination_message_path,
        &new.termination_message_path,
    );
    d.field(
        "terminationMessagePolicy",
        termination_message_policy,
        &new.termination_message_policy,
    );
    d.field("imagePullPolicy", image_pull_policy, &new.image_pull_policy);
    d.field("securityContext", security_context, &new.security_context);
    d.field("stdin", stdin, &new.stdin);
    d.field("stdinOnce", stdin_once, &new.stdin_once);
    d.field("tty", tty, &new.tty);
    d.field(
        "targetContainerName",
        target_container_name,
        &new.target_container_name,
    );
    Change::Fields(d.changed)
}

/// The changed fields of two specs as JSON values, collected field by field
/// so that only what changed is turned into values: the report is the one a
/// diff of the two whole specs as JSON objects gives.
#[derive(Default)]
struct FieldDiffs {
    changed: Vec<(&'static str, Change)>,
    old_json: Vec<u8>,
    new_json: Vec<u8>,
}

enum Change {
    /// The field as a whole; `None` where it is left out of the JSON.
    Whole(Option<Value>, Option<Value>),
    /// The changed elements of two lists of the same length.
    Elements(Vec<(usize, Change)>),
    /// The changed fields of two objects, by JSON name.
    Fields(Vec<(&'static str, Change)>),
}

fn json_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

impl FieldDiffs {
    /// Whether two values print as the same JSON (the diff compares JSON,
    /// which can differ where the typed values are equal, e.g. `1Ki` and
    /// `1024`).
    fn same_json<T: serde::Serialize>(&mut self, old: &T, new: &T) -> bool {
        self.old_json.clear();
        self.new_json.clear();
        serde_json::to_writer(&mut self.old_json, old).is_ok()
            && serde_json::to_writer(&mut self.new_json, new).is_ok()
            && self.old_json == self.new_json
    }

    fn field<T: serde::Serialize + Omit>(&mut self, name: &'static str, old: &T, new: &T) {
        let old = (!old.omit()).then_some(old);
        let new = (!new.omit()).then_some(new);
        match (old, new) {
            (None, None) => return,
            (Some(o), Some(n)) if self.same_json(o, n) => return,
            _ => {}
        }
        self.changed.push((
            name,
            Change::Whole(old.map(json_value), new.map(json_value)),
        ));
    }

    fn list<T: serde::Serialize>(&mut self, name: &'static str, old: &Vec<T>, new: &Vec<T>) {
        self.list_with(name, old, new, |o, n| {
            Change::Whole(Some(json_value(o)), Some(json_value(n)))
        });
    }

    fn containers(&mut self, name: &'static str, old: &Vec<Container>, new: &Vec<Container>) {
        self.list_with(name, old, new, container_diff);
    }

    /// A list field: element by element when both lists have the same
    /// length, `element` describing each element that changed.
    fn list_with<T: serde::Serialize>(
        &mut self,
        name: &'static str,
        old: &Vec<T>,
        new: &Vec<T>,
        element: impl Fn(&T, &T) -> Change,
    ) {
        if old.is_empty() || old.len() != new.len() {
            self.field(name, old, new);
            return;
        }
        let mut items = Vec::new();
        for (i, (o, n)) in old.iter().zip(new).enumerate() {
            if !self.same_json(o, n) {
                items.push((i, element(o, n)));
            }
        }
        if !items.is_empty() {
            self.changed.push((name, Change::Elements(items)));
        }
    }
}

/// Prints a change under `path` as `diff_values` prints the whole values:
/// object fields in the order of their JSON names, list elements by index.
fn write_change(path: &mut String, change: &Change, out: &mut String) {
    match change {
        Change::Whole(o, n) => diff_values(path, o.as_ref(), n.as_ref(), out),
        Change::Elements(items) => {
            for (i, c) in items {
                let len = path.len();
                let _ = write!(path, "[{i}]");
                write_change(path, c, out);
                path.truncate(len);
            }
        }
        Change::Fields(fields) => {
            let mut sorted: Vec<&(&str, Change)> = fields.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(b.0));
            for (name, c) in sorted {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(name);
                write_change(path, c, out);
                path.truncate(len);
            }
        }
    }
}

fn diff_values(path: &mut String, old: Option<&Value>, new: Option<&Value>, out: &mut String) {
    if old == new {
        return;
    }
    match (old, new) {
        (Some(Value::Object(o)), Some(Value::Object(n))) => {
            let mut keys: Vec<&String> = o.keys().chain(n.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                diff_values(path, o.get(k.as_str()), n.get(k.as_str()), out);
                path.truncate(len);
            }
        }
        (Some(Value::Array(o)), Some(Value::Array(n))) if o.len() == n.len() => {
            for (i, (a, b)) in o.iter().zip(n).enumerate() {
                let len = path.len();
                let _ = write!(path, "[{i}]");
                diff_values(path, Some(a), Some(b), out);
                path.truncate(len);
            }
        }
        _ => {
            if let Some(o) = old {
                let _ = writeln!(out, "- \t{path}: {o},");
            }
            if let Some(n) = new {
                let _ = writeln!(out, "+ \t{path}: {n},");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Container, Toleration};

    fn running_pod() -> Pod {
        let mut pod = Pod::default();
        pod.metadata.name = "web".into();
        pod.metadata.namespace = "default".into();
        pod.metadata.resource_version = "1".into();
        pod.spec.containers = vec![Container {
            name: "app".into(),
            image: "nginx:1.25".into(),
            ..Container::default()
        }];
        crate::defaults::pod(&mut pod);
        pod
    }

    fn update_errors(new: &Pod, old: &Pod) -> Vec<(String, &'static str)> {
        let mut errs = Errors::new();
        validate_pod_update(new, old, &validation_options(new, Some(old)), &mut errs);
        errs.iter()
            .map(|e| (e.field.clone(), e.kind.name()))
            .collect()
    }

    #[test]
    fn image_change_is_allowed() {
        let old = running_pod();
        let mut new = old.clone();
        new.spec.containers[0].image = "nginx:1.26".into();
        assert!(update_errors(&new, &old).is_empty());
    }

    #[test]
    fn raising_the_deadline_is_invalid() {
        let mut old = running_pod();
        old.spec.active_deadline_seconds = Some(10);
        let mut new = old.clone();
        new.spec.active_deadline_seconds = Some(11);
        let mut errs = Errors::new();
        validate_pod_update(&new, &old, &Opts::default(), &mut errs);
        assert_eq!(
            errs[0].to_string(),
            "spec.activeDeadlineSeconds: Invalid value: 11: must be less than or equal to previous value"
        );
    }

    #[test]
    fn changing_restart_policy_is_forbidden_at_spec() {
        let old = running_pod();
        let mut new = old.clone();
        new.spec.restart_policy = "Never".into();
        assert_eq!(
            update_errors(&new, &old),
            vec![("spec".to_owned(), "FieldValueForbidden")]
        );
    }

    #[test]
    fn only_toleration_seconds_of_existing_tolerations_may_change() {
        let tol = |secs: Option<i64>| Toleration {
            key: "k".into(),
            operator: "Exists".into(),
            effect: "NoExecute".into(),
            toleration_seconds: secs,
            ..Toleration::default()
        };
        let mut old = running_pod();
        old.spec.tolerations = vec![tol(Some(10))];
        let mut new = old.clone();
        new.spec.tolerations = vec![tol(Some(5))];
        assert!(update_errors(&new, &old).is_empty());
        new.spec.tolerations = vec![];
        assert_eq!(
            update_errors(&new, &old),
            vec![("spec.tolerations".to_owned(), "FieldValueForbidden")]
        );
    }

    /// The report as a diff of the two whole specs as JSON objects.
    fn whole_spec_diff(old: &PodSpec, new: &PodSpec) -> String {
        let old = serde_json::to_value(old).unwrap();
        let new = serde_json::to_value(new).unwrap();
        let mut out = String::from("  core.PodSpec{\n");
        diff_values(&mut String::new(), Some(&old), Some(&new), &mut out);
        out.push_str("  }\n");
        out
    }

    /// A spec with every field set: `a` and `b` give specs that differ in
    /// every field (and in a memory limit only in its notation).
    fn every_field_spec(v: &str) -> serde_json::Value {
        let (n, b, q) = if v == "a" {
            ("1", "true", "1Ki")
        } else {
            ("2", "false", "1024")
        };
        let text = r#"{
            "volumes": [{"name": "$V", "emptyDir": {}}],
            "initContainers": [{"name": "$V", "image": "$V"}],
            "containers": [{"name": "c", "image": "$V", "ports": [{"containerPort": 80}],
                            "resources": {"limits": {"memory": "$Q"}}},
                           {"name": "d", "image": "same"},
                           {"name": "$V", "image": "$V", "command": ["$V"], "args": ["$V"],
                            "workingDir": "$V", "ports": [{"containerPort": $N}],
                            "envFrom": [{"prefix": "$V"}], "env": [{"name": "$V"}],
                            "resources": {"requests": {"cpu": "$N"}},
                            "resizePolicy": [{"resourceName": "$V"}], "restartPolicy": "$V",
                            "volumeMounts": [{"name": "$V"}], "volumeDevices": [{"name": "$V"}],
                            "livenessProbe": {"periodSeconds": $N},
                            "readinessProbe": {"periodSeconds": $N},
                            "startupProbe": {"periodSeconds": $N},
                            "lifecycle": {"stopSignal": "$V"},
                            "terminationMessagePath": "$V", "terminationMessagePolicy": "$V",
                            "imagePullPolicy": "$V", "securityContext": {"runAsUser": $N},
                            "stdin": $B, "stdinOnce": $B, "tty": $B,
                            "targetContainerName": "$V"}],
            "ephemeralContainers": [{"name": "$V", "image": "$V"}],
            "restartPolicy": "$V",
            "terminationGracePeriodSeconds": $N,
            "activeDeadlineSeconds": $N,
            "dnsPolicy": "$V",
            "nodeSelector": {"k": "$V"},
            "serviceAccountName": "$V",
            "serviceAccount": "$V",
            "automountServiceAccountToken": $B,
            "nodeName": "$V",
            "hostNetwork": $B,
            "hostPID": $B,
            "hostIPC": $B,
            "shareProcessNamespace": $B,
            "securityContext": {"runAsUser": $N},
            "imagePullSecrets": [{"name": "$V"}],
            "hostname": "$V",
            "subdomain": "$V",
            "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
                {"nodeSelectorTerms": [{"matchFields": [{"key": "$V", "operator": "In"}]}]}}},
            "schedulerName": "$V",
            "tolerations": [{"key": "$V"}],
            "hostAliases": [{"ip": "$V"}],
            "priorityClassName": "$V",
            "priority": $N,
            "dnsConfig": {"searches": ["$V"]},
            "readinessGates": [{"conditionType": "$V"}],
            "runtimeClassName": "$V",
            "enableServiceLinks": $B,
            "preemptionPolicy": "$V",
            "overhead": {"cpu": "$N"},
            "topologySpreadConstraints": [{"topologyKey": "$V"}],
            "setHostnameAsFQDN": $B,
            "os": {"name": "$V"},
            "hostUsers": $B,
            "schedulingGates": [{"name": "$V"}],
            "resourceClaims": [{"name": "$V"}],
            "resources": {"limits": {"cpu": "$N"}}
        }"#
        .replace("$V", v)
        .replace("$N", n)
        .replace("$B", b)
        .replace("$Q", q);
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn the_spec_diff_reports_every_changed_field_as_a_whole_spec_diff_does() {
        let old: PodSpec = serde_json::from_value(every_field_spec("a")).unwrap();
        let new: PodSpec = serde_json::from_value(every_field_spec("b")).unwrap();
        // Every field of the model is set, so none is missed.
        let keys = serde_json::to_value(&old).unwrap();
        assert_eq!(keys.as_object().unwrap().len(), 40);
        assert_eq!(keys["containers"][2].as_object().unwrap().len(), 25);
        for (o, n) in [
            (&old, &new),
            (&new, &old),
            (&old, &PodSpec::default()),
            (&PodSpec::default(), &new),
        ] {
            assert_eq!(spec_diff(o, n), whole_spec_diff(o, n));
        }
        // Lists of different lengths, and one element changed in place.
        let mut longer = old.clone();
        longer.containers.push(Container::default());
        assert_eq!(spec_diff(&old, &longer), whole_spec_diff(&old, &longer));
        let mut port = old.clone();
        port.containers[0].ports[0].container_port = 81;
        let report = spec_diff(&old, &port);
        assert_eq!(report, whole_spec_diff(&old, &port));
        assert_eq!(
            report,
            "  core.PodSpec{\n- \tcontainers[0].ports[0].containerPort: 80,\n+ \tcontainers[0].ports[0].containerPort: 81,\n  }\n"
        );
    }

    #[test]
    fn only_updatable_fields_changed_is_decided_as_with_the_reset_copy() {
        let old: PodSpec = serde_json::from_value(every_field_spec("a")).unwrap();
        let mut new = old.clone();
        new.containers[0].image = "other".into();
        new.init_containers[0].image = "other".into();
        new.active_deadline_seconds = Some(0);
        new.tolerations.push(Toleration::default());
        assert!(equal_but_updatable_fields(&new, &old));
        let mut grace = old.clone();
        grace.termination_grace_period_seconds = Some(-5);
        let mut fixed = grace.clone();
        fixed.termination_grace_period_seconds = Some(1);
        assert!(equal_but_updatable_fields(&fixed, &grace));
        fixed.termination_grace_period_seconds = Some(2);
        assert!(!equal_but_updatable_fields(&fixed, &grace));
        let changed: PodSpec = serde_json::from_value(every_field_spec("b")).unwrap();
        let fields = serde_json::to_value(&changed).unwrap();
        for key in fields.as_object().unwrap().keys() {
            let mut one = serde_json::to_value(&old).unwrap();
            one[key.as_str()] = fields[key.as_str()].clone();
            let one: PodSpec = serde_json::from_value(one).unwrap();
            let updatable = ["activeDeadlineSeconds", "tolerations", "schedulingGates"];
            assert_eq!(
                equal_but_updatable_fields(&one, &old),
                updatable.contains(&key.as_str()),
                "{key}"
            );
        }
        // An image and the notation of an equal memory limit.
        let mut image = old.clone();
        image.containers[0].clone_from(&changed.containers[0]);
        assert!(equal_but_updatable_fields(&image, &old));
        let mut port = old.clone();
        port.containers[1]
            .ports
            .push(crate::model::ContainerPort::default());
        assert!(!equal_but_updatable_fields(&port, &old));
    }

    #[test]
    fn sysctl_namespaces_follow_the_kernel() {
        assert_eq!(sysctl_namespace("net.ipv4.ip_forward"), Some("net"));
        assert_eq!(sysctl_namespace("net/ipv4/ip_forward"), Some("net"));
        assert_eq!(sysctl_namespace("kernel.shm_rmid_forced"), Some("ipc"));
        assert_eq!(sysctl_namespace("kernel.sem"), Some("ipc"));
        assert_eq!(sysctl_namespace("vm.swappiness"), None);
    }
}
