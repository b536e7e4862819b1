//! apps/v1: Deployment, ReplicaSet, StatefulSet, DaemonSet and
//! ControllerRevision — their API defaults (pkg/apis/apps/v1/defaults.go)
//! and the apiserver's validation of them (pkg/apis/apps/validation).

use super::common::{
    as_selector, immutable, int_or_percent_value, json, nonnegative, not_more_than_100_percent,
    positive_int_or_percent, selector_mismatch, template_opts, validate_object_meta,
    validate_pod_template_spec,
};
use super::types::{
    ControllerRevision, DaemonSet, DaemonSetSpec, Deployment, DeploymentSpec, ReplicaSet,
    ReplicaSetSpec, RetentionPolicy, RollingUpdate, RollingUpdateStatefulSet, StatefulSet,
    StatefulSetSpec,
};
use crate::errors::FieldError;
use crate::model::{IntOrString, LabelSelector, PodTemplateSpec};
use crate::validate::names::{name_is_dns_label, name_is_dns_subdomain};
use crate::validate::{meta, spec, Errors, Opts, Path};

const ALWAYS: &[&str] = &["Always"];

// ---------------------------------------------------------------------------
// Defaults

fn default_template(t: &mut PodTemplateSpec) {
    crate::defaults::pod_spec(&mut t.spec);
}

fn default_i32(v: &mut Option<i32>, value: i32) {
    if v.is_none() {
        *v = Some(value);
    }
}

fn default_int_or_string(v: &mut Option<IntOrString>, value: IntOrString) {
    if v.is_none() {
        *v = Some(value);
    }
}

pub fn default_deployment(d: &mut Deployment) {
    let s = &mut d.spec;
    default_i32(&mut s.replicas, 1);
    if s.strategy.type_.is_empty() {
        "RollingUpdate".clone_into(&mut s.strategy.type_);
    }
    if s.strategy.type_ == "RollingUpdate" {
        let ru = s
            .strategy
            .rolling_update
            .get_or_insert_with(RollingUpdate::default);
        default_int_or_string(&mut ru.max_unavailable, IntOrString::String("25%".into()));
        default_int_or_string(&mut ru.max_surge, IntOrString::String("25%".into()));
    }
    default_i32(&mut s.revision_history_limit, 10);
    default_i32(&mut s.progress_deadline_seconds, 600);
    default_template(&mut s.template);
}

pub fn default_replica_set(rs: &mut ReplicaSet) {
    default_i32(&mut rs.spec.replicas, 1);
    default_template(&mut rs.spec.template);
}

pub fn default_stateful_set(ss: &mut StatefulSet) {
    let s = &mut ss.spec;
    if s.pod_management_policy.is_empty() {
        "OrderedReady".clone_into(&mut s.pod_management_policy);
    }
    if s.update_strategy.type_.is_empty() {
        "RollingUpdate".clone_into(&mut s.update_strategy.type_);
        if s.update_strategy.rolling_update.is_none() {
            s.update_strategy.rolling_update = Some(RollingUpdateStatefulSet::default());
        }
    }
    if s.update_strategy.type_ == "RollingUpdate" {
        // maxUnavailable gets no default: MaxUnavailableStatefulSet is off
        // by default in v1.33.
        if let Some(ru) = &mut s.update_strategy.rolling_update {
            default_i32(&mut ru.partition, 0);
        }
    }
    let policy = s
        .persistent_volume_claim_retention_policy
        .get_or_insert_with(RetentionPolicy::default);
    for p in [&mut policy.when_deleted, &mut policy.when_scaled] {
        if p.is_empty() {
            "Retain".clone_into(p);
        }
    }
    default_i32(&mut s.replicas, 1);
    default_i32(&mut s.revision_history_limit, 10);
    for pvc in &mut s.volume_claim_templates {
        super::core::default_pvc(pvc);
    }
    default_template(&mut s.template);
}

pub fn default_daemon_set(ds: &mut DaemonSet) {
    let s = &mut ds.spec;
    if s.update_strategy.type_.is_empty() {
        "RollingUpdate".clone_into(&mut s.update_strategy.type_);
    }
    if s.update_strategy.type_ == "RollingUpdate" {
        let ru = s
            .update_strategy
            .rolling_update
            .get_or_insert_with(RollingUpdate::default);
        default_int_or_string(&mut ru.max_unavailable, IntOrString::Int(1));
        default_int_or_string(&mut ru.max_surge, IntOrString::Int(0));
    }
    default_i32(&mut s.revision_history_limit, 10);
    default_template(&mut s.template);
}

// ---------------------------------------------------------------------------
// Shared pieces

/// The strict selector check of Deployments, ReplicaSets and StatefulSets:
/// required, valid, and not empty.
fn validate_required_selector(
    sel: Option<&LabelSelector>,
    kind: &str,
    path: &Path,
    errs: &mut Errors,
) {
    let sp = path.child("selector");
    match sel {
        None => errs.push(FieldError::required(sp, "")),
        Some(sel) => {
            spec::validate_label_selector(sel, false, &sp, errs);
            if sel.match_labels.is_empty() && sel.match_expressions.is_empty() {
                errs.push(FieldError::invalid(
                    sp,
                    json(sel),
                    format!("empty selector is invalid for {kind}"),
                ));
            }
        }
    }
}

/// `ValidatePodTemplateSpecForReplicaSet`, used by Deployments too.
fn validate_template_for_replica_set(
    template: &PodTemplateSpec,
    sel: Option<&LabelSelector>,
    kind: &str,
    path: &Path,
    opts: &Opts,
    errs: &mut Errors,
) {
    let tp = path.child("template");
    match as_selector(sel) {
        None => errs.push(FieldError::invalid(
            path.child("selector"),
            json(&sel),
            "invalid label selector",
        )),
        Some(selector) => {
            if !selector.is_empty() && !selector.matches(&template.metadata.labels) {
                errs.push(selector_mismatch(template, &tp));
            }
            validate_pod_template_spec(template, &tp, opts, errs);
            let sp = tp.child("spec");
            if template.spec.restart_policy != "Always" {
                errs.push(FieldError::not_supported(
                    sp.child("restartPolicy"),
                    template.spec.restart_policy.as_str(),
                    ALWAYS,
                ));
            }
            if template.spec.active_deadline_seconds.is_some() {
                errs.push(FieldError::forbidden(
                    sp.child("activeDeadlineSeconds"),
                    format!("activeDeadlineSeconds in {kind} is not Supported"),
                ));
            }
        }
    }
}

fn optional_nonnegative(v: Option<i32>, path: &Path, errs: &mut Errors) {
    if let Some(v) = v {
        nonnegative(v, path, errs);
    }
}

// ---------------------------------------------------------------------------
// Deployment

fn validate_deployment_spec(s: &DeploymentSpec, opts: &Opts, errs: &mut Errors) {
    let path = Path::new("spec");
    nonnegative(s.replicas.unwrap_or(0), &path.child("replicas"), errs);
    validate_required_selector(s.selector.as_ref(), "deployment", &path, errs);
    validate_template_for_replica_set(
        &s.template,
        s.selector.as_ref(),
        "ReplicaSet",
        &path,
        opts,
        errs,
    );
    let strategy = path.child("strategy");
    match s.strategy.type_.as_str() {
        "Recreate" => {
            if s.strategy.rolling_update.is_some() {
                errs.push(FieldError::forbidden(
                    strategy.child("rollingUpdate"),
                    "may not be specified when strategy `type` is 'Recreate'",
                ));
            }
        }
        "RollingUpdate" => {
            let rp = strategy.child("rollingUpdate");
            match &s.strategy.rolling_update {
                None => errs.push(FieldError::required(
                    rp,
                    "this should be defaulted and never be nil",
                )),
                Some(ru) => validate_rolling_update_deployment(ru, &rp, errs),
            }
        }
        _ => errs.push(FieldError::not_supported(
            strategy,
            json(&s.strategy),
            &["Recreate", "RollingUpdate"],
        )),
    }
    nonnegative(s.min_ready_seconds, &path.child("minReadySeconds"), errs);
    optional_nonnegative(
        s.revision_history_limit,
        &path.child("revisionHistoryLimit"),
        errs,
    );
    if let Some(pds) = s.progress_deadline_seconds {
        let p = path.child("progressDeadlineSeconds");
        nonnegative(pds, &p, errs);
        if pds <= s.min_ready_seconds {
            errs.push(FieldError::invalid(
                p,
                pds,
                "must be greater than minReadySeconds",
            ));
        }
    }
}

/// `ValidateRollingUpdateDeployment`. The internal type holds both values
/// (defaulting fills them), so an absent one counts as 0.
fn validate_rolling_update_deployment(ru: &RollingUpdate, path: &Path, errs: &mut Errors) {
    let zero = IntOrString::Int(0);
    let unavailable = ru.max_unavailable.as_ref().unwrap_or(&zero);
    let surge = ru.max_surge.as_ref().unwrap_or(&zero);
    let up = path.child("maxUnavailable");
    positive_int_or_percent(unavailable, &up, errs);
    positive_int_or_percent(surge, &path.child("maxSurge"), errs);
    if int_or_percent_value(unavailable) == 0 && int_or_percent_value(surge) == 0 {
        errs.push(FieldError::invalid(
            up,
            json(unavailable),
            "may not be 0 when `maxSurge` is 0",
        ));
    }
    not_more_than_100_percent(unavailable, &up, errs);
}

pub fn validate_deployment(d: &Deployment) -> Errors {
    let mut errs = Errors::new();
    let opts = template_opts(&d.spec.template, None);
    validate_object_meta(
        &d.metadata,
        true,
        name_is_dns_subdomain,
        &Path::new("metadata"),
        &mut errs,
    );
    validate_deployment_spec(&d.spec, &opts, &mut errs);
    errs
}

/// Deployments may change anything in their spec; the selector is
/// immutable in apps/v1 (the strategy adds that to the spec rules).
pub fn validate_deployment_update(new: &Deployment, old: &Deployment) -> Errors {
    let opts = template_opts(&new.spec.template, Some(&old.spec.template));
    let mut errs = meta::object_meta_update_errors(&new.metadata, &old.metadata);
    validate_deployment_spec(&new.spec, &opts, &mut errs);
    immutable(
        &new.spec.selector,
        &old.spec.selector,
        &Path::new("spec").child("selector"),
        &mut errs,
    );
    errs
}

/// `LabelSelectorHasInvalidLabelValue`.
pub fn selector_has_invalid_value(sel: Option<&LabelSelector>) -> bool {
    sel.is_some_and(|s| {
        s.match_expressions.iter().any(|r| {
            r.values
                .iter()
                .any(|v| !crate::validate::names::is_valid_label_value(v).is_empty())
        })
    })
}

// ---------------------------------------------------------------------------
// ReplicaSet

fn validate_replica_set_spec(s: &ReplicaSetSpec, opts: &Opts, errs: &mut Errors) {
    let path = Path::new("spec");
    nonnegative(s.replicas.unwrap_or(0), &path.child("replicas"), errs);
    nonnegative(s.min_ready_seconds, &path.child("minReadySeconds"), errs);
    // Kubernetes names deployments in the ReplicaSet's empty-selector message.
    validate_required_selector(s.selector.as_ref(), "deployment", &path, errs);
    validate_template_for_replica_set(
        &s.template,
        s.selector.as_ref(),
        "ReplicaSet",
        &path,
        opts,
        errs,
    );
}

pub fn validate_replica_set(rs: &ReplicaSet) -> Errors {
    let mut errs = Errors::new();
    let opts = template_opts(&rs.spec.template, None);
    validate_object_meta(
        &rs.metadata,
        true,
        name_is_dns_subdomain,
        &Path::new("metadata"),
        &mut errs,
    );
    validate_replica_set_spec(&rs.spec, &opts, &mut errs);
    errs
}

pub fn validate_replica_set_update(new: &ReplicaSet, old: &ReplicaSet) -> Errors {
    let opts = template_opts(&new.spec.template, Some(&old.spec.template));
    let mut errs = meta::object_meta_update_errors(&new.metadata, &old.metadata);
    validate_replica_set_spec(&new.spec, &opts, &mut errs);
    immutable(
        &new.spec.selector,
        &old.spec.selector,
        &Path::new("spec").child("selector"),
        &mut errs,
    );
    errs
}

// ---------------------------------------------------------------------------
// StatefulSet

fn validate_retention_policy(policy: &RetentionPolicy, path: &Path, errs: &mut Errors) {
    for (value, field) in [
        (&policy.when_deleted, "whenDeleted"),
        (&policy.when_scaled, "whenScaled"),
    ] {
        if value != "Retain" && value != "Delete" {
            errs.push(FieldError::not_supported(
                path.child(field),
                value.as_str(),
                &["Retain", "Delete"],
            ));
        }
    }
}

fn validate_rolling_update_stateful_set(
    ru: &RollingUpdateStatefulSet,
    path: &Path,
    errs: &mut Errors,
) {
    nonnegative(ru.partition.unwrap_or(0), &path.child("partition"), errs);
    if let Some(mu) = &ru.max_unavailable {
        let mp = path.child("maxUnavailable");
        positive_int_or_percent(mu, &mp, errs);
        if int_or_percent_value(mu) == 0 {
            errs.push(FieldError::invalid(mp, json(mu), "cannot be 0"));
        }
        not_more_than_100_percent(mu, &mp, errs);
    }
}

/// `ValidateStatefulSetSpec`. Kubernetes does not run the pod spec
/// validation on a StatefulSet's template (only its labels and
/// annotations), so neither does this.
fn validate_stateful_set_spec(s: &StatefulSetSpec, opts: &Opts, errs: &mut Errors) {
    let path = Path::new("spec");
    let pmp = path.child("podManagementPolicy");
    match s.pod_management_policy.as_str() {
        "" => errs.push(FieldError::required(pmp, "")),
        "OrderedReady" | "Parallel" => {}
        other => errs.push(FieldError::invalid(
            pmp,
            other,
            "must be 'OrderedReady' or 'Parallel'",
        )),
    }
    let usp = path.child("updateStrategy");
    match s.update_strategy.type_.as_str() {
        "" => errs.push(FieldError::required(usp, "")),
        "OnDelete" => {
            if let Some(ru) = &s.update_strategy.rolling_update {
                errs.push(FieldError::invalid(
                    usp.child("rollingUpdate"),
                    json(ru),
                    "only allowed for updateStrategy 'RollingUpdate'",
                ));
            }
        }
        "RollingUpdate" => {
            if let Some(ru) = &s.update_strategy.rolling_update {
                validate_rolling_update_stateful_set(ru, &usp.child("rollingUpdate"), errs);
            }
        }
        _ => errs.push(FieldError::invalid(
            usp,
            json(&s.update_strategy),
            "must be 'RollingUpdate' or 'OnDelete'",
        )),
    }
    if let Some(policy) = &s.persistent_volume_claim_retention_policy {
        validate_retention_policy(
            policy,
            &path.child("persistentVolumeClaimRetentionPolicy"),
            errs,
        );
    }
    nonnegative(s.replicas.unwrap_or(0), &path.child("replicas"), errs);
    nonnegative(s.min_ready_seconds, &path.child("minReadySeconds"), errs);
    if let Some(o) = &s.ordinals {
        // Kubernetes names this path as one segment.
        nonnegative(o.start, &path.child("ordinals.start"), errs);
    }
    validate_required_selector(s.selector.as_ref(), "statefulset", &path, errs);
    let tp = path.child("template");
    match as_selector(s.selector.as_ref()) {
        None => errs.push(FieldError::invalid(
            path.child("selector"),
            json(&s.selector),
            "",
        )),
        Some(selector) => {
            let t = &s.template;
            if !selector.is_empty() && !selector.matches(&t.metadata.labels) {
                errs.push(selector_mismatch(t, &tp));
            }
            spec::validate_labels(&t.metadata.labels, &tp.child("labels"), errs);
            let ann = tp.child("annotations");
            meta::validate_annotations(&t.metadata.annotations, &ann, errs);
            meta::validate_pod_specific_annotations(
                &t.metadata.annotations,
                &t.spec,
                &ann,
                opts,
                errs,
            );
        }
    }
    let sp = tp.child("spec");
    if s.template.spec.restart_policy != "Always" {
        errs.push(FieldError::not_supported(
            sp.child("restartPolicy"),
            s.template.spec.restart_policy.as_str(),
            ALWAYS,
        ));
    }
    if s.template.spec.active_deadline_seconds.is_some() {
        errs.push(FieldError::forbidden(
            sp.child("activeDeadlineSeconds"),
            "activeDeadlineSeconds in StatefulSet is not Supported",
        ));
    }
}

pub fn validate_stateful_set(ss: &StatefulSet) -> Errors {
    let mut errs = Errors::new();
    let opts = template_opts(&ss.spec.template, None);
    validate_object_meta(
        &ss.metadata,
        true,
        name_is_dns_label,
        &Path::new("metadata"),
        &mut errs,
    );
    validate_stateful_set_spec(&ss.spec, &opts, &mut errs);
    errs
}

/// `ValidateStatefulSetUpdate`: the name is not re-checked, and only
/// replicas, ordinals, template, updateStrategy, the claim retention policy
/// and minReadySeconds may change.
pub fn validate_stateful_set_update(new: &StatefulSet, old: &StatefulSet) -> Errors {
    let opts = template_opts(&new.spec.template, Some(&old.spec.template));
    let mut errs = meta::object_meta_update_errors(&new.metadata, &old.metadata);
    validate_stateful_set_spec(&new.spec, &opts, &mut errs);
    let (n, o) = (&new.spec, &old.spec);
    let unchanged = n.selector == o.selector
        && n.volume_claim_templates == o.volume_claim_templates
        && n.service_name == o.service_name
        && n.pod_management_policy == o.pod_management_policy
        && n.revision_history_limit == o.revision_history_limit;
    if !unchanged {
        errs.push(FieldError::forbidden(
            Path::new("spec"),
            "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ));
    }
    errs
}

// ---------------------------------------------------------------------------
// DaemonSet

fn validate_daemon_set_spec(s: &DaemonSetSpec, opts: &Opts, errs: &mut Errors) {
    let path = Path::new("spec");
    let sp = path.child("selector");
    if let Some(sel) = &s.selector {
        spec::validate_label_selector(sel, opts.allow_invalid_label_value_in_selector, &sp, errs);
    }
    let tp = path.child("template");
    if let Some(selector) = as_selector(s.selector.as_ref()) {
        if !selector.matches(&s.template.metadata.labels) {
            errs.push(selector_mismatch(&s.template, &tp));
        }
    }
    if let Some(sel) = &s.selector {
        if sel.match_labels.is_empty() && sel.match_expressions.is_empty() {
            errs.push(FieldError::invalid(
                sp,
                json(sel),
                "empty selector is invalid for daemonset",
            ));
        }
    }
    validate_pod_template_spec(&s.template, &tp, opts, errs);
    let tsp = tp.child("spec");
    if s.template.spec.restart_policy != "Always" {
        errs.push(FieldError::not_supported(
            tsp.child("restartPolicy"),
            s.template.spec.restart_policy.as_str(),
            ALWAYS,
        ));
    }
    if s.template.spec.active_deadline_seconds.is_some() {
        errs.push(FieldError::forbidden(
            tsp.child("activeDeadlineSeconds"),
            "activeDeadlineSeconds in DaemonSet is not Supported",
        ));
    }
    nonnegative(s.min_ready_seconds, &path.child("minReadySeconds"), errs);
    // templateGeneration exists only in the internal type; apps/v1 leaves it 0.
    let usp = path.child("updateStrategy");
    match s.update_strategy.type_.as_str() {
        "OnDelete" => {}
        "RollingUpdate" => match &s.update_strategy.rolling_update {
            None => errs.push(FieldError::required(usp.child("rollingUpdate"), "")),
            Some(ru) => validate_rolling_update_daemon_set(ru, &usp.child("rollingUpdate"), errs),
        },
        _ => errs.push(FieldError::not_supported(
            usp,
            json(&s.update_strategy),
            &["RollingUpdate", "OnDelete"],
        )),
    }
    optional_nonnegative(
        s.revision_history_limit,
        &path.child("revisionHistoryLimit"),
        errs,
    );
}

/// `ValidateRollingUpdateDaemonSet`: exactly one of maxUnavailable and
/// maxSurge is non-zero.
fn validate_rolling_update_daemon_set(ru: &RollingUpdate, path: &Path, errs: &mut Errors) {
    let zero = IntOrString::Int(0);
    let unavailable = ru.max_unavailable.as_ref().unwrap_or(&zero);
    let surge = ru.max_surge.as_ref().unwrap_or(&zero);
    let up = path.child("maxUnavailable");
    let sp = path.child("maxSurge");
    positive_int_or_percent(unavailable, &up, errs);
    positive_int_or_percent(surge, &sp, errs);
    not_more_than_100_percent(unavailable, &up, errs);
    not_more_than_100_percent(surge, &sp, errs);
    let has_unavailable = int_or_percent_value(unavailable) != 0;
    let has_surge = int_or_percent_value(surge) != 0;
    if has_unavailable && has_surge {
        errs.push(FieldError::invalid(
            sp,
            json(surge),
            "may not be set when maxUnavailable is non-zero",
        ));
    } else if !has_unavailable && !has_surge {
        errs.push(FieldError::required(up, "cannot be 0 when maxSurge is 0"));
    }
}

pub fn validate_daemon_set(ds: &DaemonSet) -> Errors {
    let mut errs = Errors::new();
    let opts = template_opts(&ds.spec.template, None);
    validate_object_meta(
        &ds.metadata,
        true,
        name_is_dns_subdomain,
        &Path::new("metadata"),
        &mut errs,
    );
    validate_daemon_set_spec(&ds.spec, &opts, &mut errs);
    errs
}

pub fn validate_daemon_set_update(new: &DaemonSet, old: &DaemonSet) -> Errors {
    let mut opts = template_opts(&new.spec.template, Some(&old.spec.template));
    opts.allow_invalid_label_value_in_selector |=
        selector_has_invalid_value(old.spec.selector.as_ref());
    let mut errs = meta::object_meta_update_errors(&new.metadata, &old.metadata);
    validate_daemon_set_spec(&new.spec, &opts, &mut errs);
    immutable(
        &new.spec.selector,
        &old.spec.selector,
        &Path::new("spec").child("selector"),
        &mut errs,
    );
    errs
}

// ---------------------------------------------------------------------------
// ControllerRevision

pub fn validate_controller_revision(cr: &ControllerRevision) -> Errors {
    let mut errs = Errors::new();
    validate_object_meta(
        &cr.metadata,
        true,
        name_is_dns_subdomain,
        &Path::new("metadata"),
        &mut errs,
    );
    if cr.data.is_null() {
        errs.push(FieldError::required(Path::new("data"), "data is mandatory"));
    }
    nonnegative(cr.revision.0, &Path::new("revision"), &mut errs);
    errs
}

pub fn validate_controller_revision_update(
    new: &ControllerRevision,
    old: &ControllerRevision,
) -> Errors {
    let mut errs = meta::object_meta_update_errors(&new.metadata, &old.metadata);
    errs.extend(validate_controller_revision(new));
    immutable(&new.data, &old.data, &Path::new("data"), &mut errs);
    errs
}

#[cfg(test)]
mod tests {
    use crate::workload::{normalize, prepare_for_create, validate_create, validate_update, Kind};
    use serde_json::{json, Value};
    use std::collections::BTreeSet;

    fn template(labels: &Value) -> Value {
        json!({
            "metadata": {"labels": labels},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}
        })
    }

    fn object(kind: Kind, spec: &Value) -> Value {
        json!({
            "kind": kind.name(),
            "metadata": {"name": "abc", "namespace": "default"},
            "spec": spec
        })
    }

    fn valid_spec(kind: Kind) -> Value {
        let labels = json!({"a": "b"});
        let mut spec = json!({"selector": {"matchLabels": labels}, "template": template(&labels)});
        if kind == Kind::StatefulSet {
            spec["serviceName"] = json!("svc");
        }
        spec
    }

    fn create(kind: Kind, spec: &Value) -> Vec<(String, &'static str)> {
        let mut obj = normalize(kind, &object(kind, spec), "").unwrap();
        prepare_for_create(kind, &mut obj);
        validate_create(kind, &obj)
            .iter()
            .map(|e| (e.field.clone(), e.kind.name()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    fn with(kind: Kind, f: impl FnOnce(&mut Value)) -> Value {
        let mut spec = valid_spec(kind);
        f(&mut spec);
        spec
    }

    #[test]
    fn minimal_workloads_validate_clean() {
        for kind in [
            Kind::Deployment,
            Kind::ReplicaSet,
            Kind::StatefulSet,
            Kind::DaemonSet,
        ] {
            assert_eq!(create(kind, &valid_spec(kind)), vec![], "{kind:?}");
        }
    }

    #[test]
    fn deployment_defaults_match_kubernetes() {
        let out = normalize(
            Kind::Deployment,
            &object(Kind::Deployment, &valid_spec(Kind::Deployment)),
            "",
        )
        .unwrap();
        let s = &out["spec"];
        assert_eq!(s["replicas"], 1);
        assert_eq!(
            s["strategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})
        );
        assert_eq!(s["revisionHistoryLimit"], 10);
        assert_eq!(s["progressDeadlineSeconds"], 600);
        let pod = &s["template"]["spec"];
        assert_eq!(pod["restartPolicy"], "Always");
        assert_eq!(pod["dnsPolicy"], "ClusterFirst");
        assert_eq!(pod["containers"][0]["imagePullPolicy"], "Always");
    }

    #[test]
    fn statefulset_and_daemonset_defaults_match_kubernetes() {
        let mut spec = valid_spec(Kind::StatefulSet);
        spec["volumeClaimTemplates"] = json!([{"metadata": {"name": "d"}, "spec": {}}]);
        let out = normalize(Kind::StatefulSet, &object(Kind::StatefulSet, &spec), "").unwrap();
        let s = &out["spec"];
        assert_eq!(s["podManagementPolicy"], "OrderedReady");
        assert_eq!(
            s["updateStrategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
        );
        assert_eq!(
            s["persistentVolumeClaimRetentionPolicy"],
            json!({"whenDeleted": "Retain", "whenScaled": "Retain"})
        );
        assert_eq!(
            s["volumeClaimTemplates"][0]["spec"]["volumeMode"],
            "Filesystem"
        );
        assert_eq!(s["volumeClaimTemplates"][0]["status"]["phase"], "Pending");
        let out = normalize(
            Kind::DaemonSet,
            &object(Kind::DaemonSet, &valid_spec(Kind::DaemonSet)),
            "",
        )
        .unwrap();
        assert_eq!(
            out["spec"]["updateStrategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})
        );
        assert_eq!(out["spec"]["revisionHistoryLimit"], 10);
    }

    type Case = (Kind, Value, Vec<(&'static str, &'static str)>);

    #[test]
    fn invalid_workload_specs_report_kubernetes_fields_and_types() {
        let cases: Vec<Case> = vec![
            (
                Kind::Deployment,
                with(Kind::Deployment, |s| s["replicas"] = json!(-1)),
                vec![("spec.replicas", "FieldValueInvalid")],
            ),
            (
                Kind::Deployment,
                with(Kind::Deployment, |s| {
                    s["selector"] = json!({"matchLabels": {"a": "c"}});
                }),
                vec![("spec.template.metadata.labels", "FieldValueInvalid")],
            ),
            (
                Kind::Deployment,
                with(Kind::Deployment, |s| s["selector"] = json!({})),
                vec![("spec.selector", "FieldValueInvalid")],
            ),
            (
                Kind::Deployment,
                with(Kind::Deployment, |s| {
                    s["strategy"] = json!({"rollingUpdate": {"maxUnavailable": 0, "maxSurge": 0}});
                }),
                vec![(
                    "spec.strategy.rollingUpdate.maxUnavailable",
                    "FieldValueInvalid",
                )],
            ),
            (
                Kind::Deployment,
                with(Kind::Deployment, |s| {
                    s["strategy"] =
                        json!({"rollingUpdate": {"maxUnavailable": "110%", "maxSurge": "x"}});
                }),
                vec![
                    ("spec.strategy.rollingUpdate.maxSurge", "FieldValueInvalid"),
                    (
                        "spec.strategy.rollingUpdate.maxUnavailable",
                        "FieldValueInvalid",
                    ),
                ],
            ),
            (
                Kind::Deployment,
                with(Kind::Deployment, |s| {
                    s["strategy"] = json!({"type": "Recreate", "rollingUpdate": {}});
                }),
                vec![("spec.strategy.rollingUpdate", "FieldValueForbidden")],
            ),
            (
                Kind::Deployment,
                with(Kind::Deployment, |s| {
                    s["strategy"] = json!({"type": "Sometimes"});
                }),
                vec![("spec.strategy", "FieldValueNotSupported")],
            ),
            (
                Kind::Deployment,
                with(Kind::Deployment, |s| {
                    s["minReadySeconds"] = json!(700);
                }),
                vec![("spec.progressDeadlineSeconds", "FieldValueInvalid")],
            ),
            (
                Kind::ReplicaSet,
                with(Kind::ReplicaSet, |s| {
                    s["template"]["spec"]["restartPolicy"] = json!("OnFailure");
                    s["template"]["spec"]["activeDeadlineSeconds"] = json!(5);
                }),
                vec![
                    (
                        "spec.template.spec.activeDeadlineSeconds",
                        "FieldValueForbidden",
                    ),
                    ("spec.template.spec.restartPolicy", "FieldValueNotSupported"),
                ],
            ),
            (
                Kind::ReplicaSet,
                with(Kind::ReplicaSet, |s| {
                    s["template"]["spec"]["containers"][0]["image"] = json!("");
                }),
                vec![(
                    "spec.template.spec.containers[0].image",
                    "FieldValueRequired",
                )],
            ),
            (
                Kind::ReplicaSet,
                with(Kind::ReplicaSet, |s| {
                    s.as_object_mut().unwrap().remove("selector");
                }),
                vec![
                    ("spec.selector", "FieldValueRequired"),
                    ("spec.template.metadata.labels", "FieldValueInvalid"),
                ],
            ),
            (
                Kind::ReplicaSet,
                with(Kind::ReplicaSet, |s| {
                    s["selector"] = json!({"matchExpressions": [{"key": "a", "operator": "Near"}]});
                }),
                vec![
                    ("spec.selector", "FieldValueInvalid"),
                    (
                        "spec.selector.matchExpressions[0].operator",
                        "FieldValueInvalid",
                    ),
                ],
            ),
            (
                Kind::StatefulSet,
                with(Kind::StatefulSet, |s| {
                    s["podManagementPolicy"] = json!("Sometimes");
                    s["updateStrategy"] = json!({"type": "OnDelete", "rollingUpdate": {}});
                    s["persistentVolumeClaimRetentionPolicy"] = json!({"whenDeleted": "Keep"});
                    s["ordinals"] = json!({"start": -1});
                }),
                vec![
                    ("spec.ordinals.start", "FieldValueInvalid"),
                    (
                        "spec.persistentVolumeClaimRetentionPolicy.whenDeleted",
                        "FieldValueNotSupported",
                    ),
                    ("spec.podManagementPolicy", "FieldValueInvalid"),
                    ("spec.updateStrategy.rollingUpdate", "FieldValueInvalid"),
                ],
            ),
            (
                Kind::StatefulSet,
                // maxUnavailable is dropped before validation while
                // MaxUnavailableStatefulSet is off (v1.33's default).
                with(Kind::StatefulSet, |s| {
                    s["updateStrategy"] =
                        json!({"rollingUpdate": {"partition": -1, "maxUnavailable": 0}});
                }),
                vec![(
                    "spec.updateStrategy.rollingUpdate.partition",
                    "FieldValueInvalid",
                )],
            ),
            (
                Kind::DaemonSet,
                with(Kind::DaemonSet, |s| {
                    s["updateStrategy"] =
                        json!({"rollingUpdate": {"maxUnavailable": 1, "maxSurge": 1}});
                }),
                vec![(
                    "spec.updateStrategy.rollingUpdate.maxSurge",
                    "FieldValueInvalid",
                )],
            ),
            (
                Kind::DaemonSet,
                with(Kind::DaemonSet, |s| {
                    s["updateStrategy"] =
                        json!({"rollingUpdate": {"maxUnavailable": 0, "maxSurge": 0}});
                }),
                vec![(
                    "spec.updateStrategy.rollingUpdate.maxUnavailable",
                    "FieldValueRequired",
                )],
            ),
            (
                Kind::DaemonSet,
                with(Kind::DaemonSet, |s| {
                    s["template"]["spec"]["activeDeadlineSeconds"] = json!(1);
                }),
                vec![(
                    "spec.template.spec.activeDeadlineSeconds",
                    "FieldValueForbidden",
                )],
            ),
        ];
        for (kind, spec, want) in cases {
            let want: Vec<(String, &str)> =
                want.into_iter().map(|(f, t)| (f.to_owned(), t)).collect();
            assert_eq!(create(kind, &spec), want, "{kind:?} {spec}");
        }
    }

    #[test]
    fn statefulset_names_must_be_dns_labels() {
        let mut obj = object(Kind::StatefulSet, &valid_spec(Kind::StatefulSet));
        obj["metadata"]["name"] = json!("a.b");
        let obj = normalize(Kind::StatefulSet, &obj, "").unwrap();
        let errs = validate_create(Kind::StatefulSet, &obj);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "metadata.name");
    }

    #[test]
    fn error_details_read_as_kubernetes_writes_them() {
        let spec = with(Kind::Deployment, |s| {
            s["selector"] = json!({"matchLabels": {"a": "c"}});
        });
        let obj = normalize(Kind::Deployment, &object(Kind::Deployment, &spec), "").unwrap();
        let errs = validate_create(Kind::Deployment, &obj);
        assert_eq!(
            errs[0].detail,
            "`selector` does not match template `labels`"
        );
        let spec = with(Kind::ReplicaSet, |s| {
            s["template"]["spec"]["activeDeadlineSeconds"] = json!(5);
        });
        let obj = normalize(Kind::ReplicaSet, &object(Kind::ReplicaSet, &spec), "").unwrap();
        let errs = validate_create(Kind::ReplicaSet, &obj);
        assert_eq!(
            errs[0].to_string(),
            "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported"
        );
    }

    fn stored(kind: Kind, spec: &Value) -> Value {
        let mut obj = normalize(kind, &object(kind, spec), "").unwrap();
        obj["metadata"]["resourceVersion"] = json!("1");
        obj
    }

    fn update(kind: Kind, old: &Value, new_spec: &Value) -> Vec<(String, &'static str)> {
        let new = stored(kind, new_spec);
        validate_update(kind, old, &new)
            .iter()
            .map(|e| (e.field.clone(), e.kind.name()))
            .collect()
    }

    #[test]
    fn selectors_are_immutable_and_other_spec_changes_follow_each_kind() {
        for kind in [Kind::Deployment, Kind::ReplicaSet, Kind::DaemonSet] {
            let old = stored(kind, &valid_spec(kind));
            let changed = with(kind, |s| {
                s["selector"] = json!({"matchLabels": {"a": "b", "x": "y"}});
                s["template"]["metadata"]["labels"]["x"] = json!("y");
            });
            assert_eq!(
                update(kind, &old, &changed),
                vec![("spec.selector".to_owned(), "FieldValueInvalid")],
                "{kind:?}"
            );
            let image = with(kind, |s| {
                s["template"]["spec"]["containers"][0]["image"] = json!("nginx:2");
            });
            assert_eq!(update(kind, &old, &image), vec![], "{kind:?}");
        }
        let kind = Kind::StatefulSet;
        let old = stored(kind, &valid_spec(kind));
        let scaled = with(kind, |s| {
            s["replicas"] = json!(5);
            s["minReadySeconds"] = json!(3);
            s["template"]["spec"]["containers"][0]["image"] = json!("nginx:2");
        });
        assert_eq!(update(kind, &old, &scaled), vec![]);
        let renamed = with(kind, |s| s["serviceName"] = json!("other"));
        assert_eq!(
            update(kind, &old, &renamed),
            vec![("spec".to_owned(), "FieldValueForbidden")]
        );
    }

    #[test]
    fn controller_revisions_need_data_and_keep_it() {
        let cr = json!({"metadata": {"name": "r", "namespace": "d"}, "revision": 1});
        let obj = normalize(Kind::ControllerRevision, &cr, "").unwrap();
        assert_eq!(obj["revision"], 1);
        let errs = validate_create(Kind::ControllerRevision, &obj);
        assert_eq!(errs.len(), 1);
        assert_eq!(
            errs[0].to_string(),
            "data: Required value: data is mandatory"
        );
        let mut old = cr.clone();
        old["data"] = json!({"a": 1});
        old["metadata"]["resourceVersion"] = json!("1");
        let mut new = old.clone();
        new["data"] = json!({"a": 2});
        let errs = validate_update(Kind::ControllerRevision, &old, &new);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "data");
    }
}
