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
    new.status.clone_from(&old.status);
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
    let old = serde_json::to_value(old).unwrap_or(Value::Null);
    let new = serde_json::to_value(new).unwrap_or(Value::Null);
    let mut out = String::from("  core.PodSpec{\n");
    let mut path = String::new();
    diff_values(&mut path, Some(&old), Some(&new), &mut out);
    out.push_str("  }\n");
    out
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

    #[test]
    fn sysctl_namespaces_follow_the_kernel() {
        assert_eq!(sysctl_namespace("net.ipv4.ip_forward"), Some("net"));
        assert_eq!(sysctl_namespace("net/ipv4/ip_forward"), Some("net"));
        assert_eq!(sysctl_namespace("kernel.shm_rmid_forced"), Some("ipc"));
        assert_eq!(sysctl_namespace("kernel.sem"), Some("ipc"));
        assert_eq!(sysctl_namespace("vm.swappiness"), None);
    }
}
