//! batch/v1 Job: its API defaults (pkg/apis/batch/v1/defaults.go), the
//! selector and labels the job strategy generates on create, and the
//! apiserver's validation (pkg/apis/batch/validation).

use super::common::{
    as_selector, immutable, json, nonnegative, selector_mismatch, template_opts,
    validate_object_meta, validate_pod_template_spec,
};
use super::types::{Job, JobSpec, OnExitCodes, OnPodConditionsPattern, PodFailurePolicyRule};
use crate::errors::{ErrorType, FieldError};
use crate::model::{Affinity, LabelSelector, PodTemplateSpec};
use crate::validate::names::{self, name_is_dns_subdomain};
use crate::validate::{meta, spec, Errors, Opts, Path};
use serde_json::Value;
use std::collections::BTreeSet;

pub const LEGACY_CONTROLLER_UID_LABEL: &str = "controller-uid";
pub const CONTROLLER_UID_LABEL: &str = "batch.kubernetes.io/controller-uid";
pub const LEGACY_JOB_NAME_LABEL: &str = "job-name";
pub const JOB_NAME_LABEL: &str = "batch.kubernetes.io/job-name";

const MAX_PARALLELISM_FOR_INDEXED_JOB: i32 = 100_000;
const MAX_FAILED_INDEXES_FOR_INDEXED_JOB: i32 = 100_000;
const COMPLETIONS_SOFT_LIMIT: i32 = 100_000;
const PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS: i32 = 10_000;
const MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS: i32 = 10_000;
const MAX_POD_FAILURE_POLICY_RULES: usize = 20;
const MAX_ON_EXIT_CODES_VALUES: usize = 255;
const MAX_ON_POD_CONDITIONS_PATTERNS: usize = 20;
const MAX_MANAGED_BY_LENGTH: usize = 63;
const MAX_SUCCEEDED_INDEXES_LENGTH: usize = 64 * 1024;
const MAX_SUCCESS_POLICY_RULES: usize = 20;

/// Sorted, as Kubernetes lists its sets.
const ACTIONS: &[&str] = &["Count", "FailIndex", "FailJob", "Ignore"];
const EXIT_CODE_OPERATORS: &[&str] = &["In", "NotIn"];
const CONDITION_STATUSES: &[&str] = &["False", "True", "Unknown"];
const REPLACEMENT_POLICIES: &[&str] = &["Failed", "TerminatingOrFailed"];

/// Go's `%q` of a string slice: `["a" "b"]`.
fn quoted_list(values: &[&str]) -> String {
    let q: Vec<String> = values.iter().map(|v| crate::errors::go_quote(v)).collect();
    format!("[{}]", q.join(" "))
}

// ---------------------------------------------------------------------------
// Defaults and the generated selector

pub fn default_job(job: &mut Job) {
    let s = &mut job.spec;
    if s.completions.is_none() && s.parallelism.is_none() {
        s.completions = Some(1);
        s.parallelism = Some(1);
    }
    if s.parallelism.is_none() {
        s.parallelism = Some(1);
    }
    if s.backoff_limit.is_none() {
        s.backoff_limit = Some(if s.backoff_limit_per_index.is_some() {
            i32::MAX
        } else {
            6
        });
    }
    if !s.template.metadata.labels.is_empty() && job.metadata.labels.is_empty() {
        job.metadata.labels.clone_from(&s.template.metadata.labels);
    }
    if s.completion_mode.is_none() {
        s.completion_mode = Some("NonIndexed".to_owned());
    }
    if s.suspend.is_none() {
        s.suspend = Some(false);
    }
    if let Some(pfp) = &mut s.pod_failure_policy {
        for pattern in pfp
            .rules
            .iter_mut()
            .flat_map(|r| r.on_pod_conditions.iter_mut())
        {
            if pattern.status.is_empty() {
                "True".clone_into(&mut pattern.status);
            }
        }
    }
    if s.pod_replacement_policy.is_none() {
        let policy = if s.pod_failure_policy.is_some() {
            "Failed"
        } else {
            "TerminatingOrFailed"
        };
        s.pod_replacement_policy = Some(policy.to_owned());
    }
    crate::defaults::pod_spec(&mut s.template.spec);
}

/// The job strategy's selector generation: unless `manualSelector` is true,
/// the template gets the job-name and controller-uid labels (both spellings)
/// where absent, and the selector selects the prefixed controller-uid. Labels
/// a client set are kept; validation rejects them if they disagree.
pub fn generate_selector(job: &mut Job, uid: &str) {
    if job.spec.manual_selector == Some(true) {
        return;
    }
    let labels = &mut job.spec.template.metadata.labels;
    for key in [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL] {
        labels
            .entry(key.to_owned())
            .or_insert_with(|| job.metadata.name.clone());
    }
    for key in [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL] {
        labels
            .entry(key.to_owned())
            .or_insert_with(|| uid.to_owned());
    }
    let sel = job.spec.selector.get_or_insert_with(LabelSelector::default);
    sel.match_labels
        .entry(CONTROLLER_UID_LABEL.to_owned())
        .or_insert_with(|| uid.to_owned());
}

// ---------------------------------------------------------------------------
// Validation

/// The job strategy's `JobValidationOptions` under v1.33 default gates.
struct JobOpts {
    pod: Opts,
    require_prefixed_labels: bool,
    allow_mutable_scheduling_directives: bool,
}

fn job_opts(new: &Job, old: Option<&Job>) -> JobOpts {
    let mut opts = JobOpts {
        pod: template_opts(&new.spec.template, old.map(|o| &o.spec.template)),
        require_prefixed_labels: true,
        allow_mutable_scheduling_directives: false,
    };
    if let Some(old) = old {
        opts.pod.allow_invalid_label_value_in_selector |=
            super::apps::selector_has_invalid_value(old.spec.selector.as_ref());
        let suspended = old.spec.suspend == Some(true);
        let not_started = old
            .status
            .get("startTime")
            .is_none_or(serde_json::Value::is_null);
        opts.allow_mutable_scheduling_directives = suspended && not_started;
        let labels = &old.spec.template.metadata.labels;
        opts.require_prefixed_labels =
            labels.contains_key(JOB_NAME_LABEL) && labels.contains_key(CONTROLLER_UID_LABEL);
    }
    opts
}

/// `ValidateHasLabel`.
fn has_label(t: &PodTemplateSpec, meta_path: &Path, key: &str, expected: &str, errs: &mut Errors) {
    let lp = meta_path.child("labels");
    let kp = lp.key(key);
    match t.metadata.labels.get(key) {
        None => errs.push(FieldError::required(kp, format!("must be '{expected}'"))),
        Some(v) if v != expected => errs.push(FieldError::invalid(
            kp,
            json(&t.metadata.labels),
            format!("must be '{expected}'"),
        )),
        Some(_) => {}
    }
}

/// `validateGeneratedSelector`.
fn validate_generated_selector(job: &Job, validate_batch_labels: bool, errs: &mut Errors) {
    if job.spec.manual_selector == Some(true) {
        return;
    }
    let Some(sel) = &job.spec.selector else {
        return;
    };
    let uid = job.metadata.uid.as_str();
    let name = job.metadata.name.as_str();
    if uid.is_empty() {
        let mp = Path::new("metadata");
        errs.push(FieldError::required(mp.child("uid"), ""));
    }
    let sp = Path::new("spec");
    let tp = sp.child("template");
    let mp = tp.child("metadata");
    let t = &job.spec.template;
    has_label(t, &mp, LEGACY_CONTROLLER_UID_LABEL, uid, errs);
    has_label(t, &mp, LEGACY_JOB_NAME_LABEL, name, errs);
    let mut expected = crate::model::StringMap::new();
    if validate_batch_labels {
        has_label(t, &mp, CONTROLLER_UID_LABEL, uid, errs);
        has_label(t, &mp, JOB_NAME_LABEL, name, errs);
        expected.insert(CONTROLLER_UID_LABEL.to_owned(), uid.to_owned());
        expected.insert(JOB_NAME_LABEL.to_owned(), name.to_owned());
    }
    expected.insert(LEGACY_CONTROLLER_UID_LABEL.to_owned(), uid.to_owned());
    expected.insert(LEGACY_JOB_NAME_LABEL.to_owned(), name.to_owned());
    if let Some(selector) = as_selector(Some(sel)) {
        if !selector.matches(&expected) {
            errs.push(FieldError::invalid(
                sp.child("selector"),
                json(sel),
                "`selector` not auto-generated",
            ));
        }
    }
}

/// `ValidateJob`.
fn validate_job_with(job: &Job, opts: &JobOpts, errs: &mut Errors) {
    let mp = Path::new("metadata");
    validate_object_meta(&job.metadata, true, name_is_dns_subdomain, &mp, errs);
    validate_generated_selector(job, opts.require_prefixed_labels, errs);
    validate_job_spec(&job.spec, &opts.pod, errs);
    let s = &job.spec;
    if s.completion_mode.as_deref() == Some("Indexed") {
        if let Some(c) = s.completions.filter(|c| *c > 0) {
            let hostname = format!("{}-{}", job.metadata.name, c - 1);
            if !names::is_dns1123_label(&hostname).is_empty() {
                errs.push(FieldError::invalid(
                    mp.child("name"),
                    job.metadata.name.as_str(),
                    format!("will not able to create pod with invalid DNS label: {hostname}"),
                ));
            }
        }
    }
}

/// `ValidateJobSpec`: the spec rules, then the selector and its match with
/// the template's labels.
fn validate_job_spec(s: &JobSpec, opts: &Opts, errs: &mut Errors) {
    let path = Path::new("spec");
    validate_job_spec_fields(s, &path, opts, errs);
    let sp = path.child("selector");
    match &s.selector {
        None => errs.push(FieldError::required(sp, "")),
        Some(sel) => spec::validate_label_selector(
            sel,
            opts.allow_invalid_label_value_in_selector,
            &sp,
            errs,
        ),
    }
    if let Some(selector) = as_selector(s.selector.as_ref()) {
        if !selector.matches(&s.template.metadata.labels) {
            errs.push(selector_mismatch(&s.template, &path.child("template")));
        }
    }
}

fn opt_nonnegative(v: Option<i64>, path: &Path, errs: &mut Errors) {
    if let Some(v) = v {
        nonnegative(v, path, errs);
    }
}

/// `validateJobSpec`.
pub(super) fn validate_job_spec_fields(s: &JobSpec, path: &Path, opts: &Opts, errs: &mut Errors) {
    let wide = |v: Option<i32>| v.map(i64::from);
    opt_nonnegative(wide(s.parallelism), &path.child("parallelism"), errs);
    opt_nonnegative(wide(s.completions), &path.child("completions"), errs);
    opt_nonnegative(
        s.active_deadline_seconds,
        &path.child("activeDeadlineSeconds"),
        errs,
    );
    opt_nonnegative(wide(s.backoff_limit), &path.child("backoffLimit"), errs);
    opt_nonnegative(
        wide(s.ttl_seconds_after_finished),
        &path.child("ttlSecondsAfterFinished"),
        errs,
    );
    let blpi = path.child("backoffLimitPerIndex");
    let mfi = path.child("maxFailedIndexes");
    opt_nonnegative(wide(s.backoff_limit_per_index), &blpi, errs);
    if let Some(m) = s.max_failed_indexes {
        nonnegative(m, &mfi, errs);
        if s.backoff_limit_per_index.is_none() {
            errs.push(FieldError::required(
                blpi,
                "when maxFailedIndexes is specified",
            ));
        }
    }
    if let Some(mb) = &s.managed_by {
        let mbp = path.child("managedBy");
        domain_prefixed_path(mb, &mbp, errs);
        if mb.len() > MAX_MANAGED_BY_LENGTH {
            errs.push(FieldError::too_long(mbp, MAX_MANAGED_BY_LENGTH));
        }
    }
    let indexed = s.completion_mode.as_deref() == Some("Indexed");
    if let Some(mode) = &s.completion_mode {
        if mode != "NonIndexed" && mode != "Indexed" {
            errs.push(FieldError::not_supported(
                path.child("completionMode"),
                mode.as_str(),
                &["NonIndexed", "Indexed"],
            ));
        }
        if indexed {
            validate_indexed_limits(s, path, errs);
        }
    }
    if s.completion_mode
        .as_deref()
        .is_none_or(|m| m == "NonIndexed")
    {
        if let Some(b) = s.backoff_limit_per_index {
            errs.push(FieldError::invalid(
                blpi,
                b,
                "requires indexed completion mode",
            ));
        }
        if let Some(m) = s.max_failed_indexes {
            errs.push(FieldError::invalid(
                mfi,
                m,
                "requires indexed completion mode",
            ));
        }
    }
    if s.pod_failure_policy.is_some() {
        validate_pod_failure_policy(s, &path.child("podFailurePolicy"), errs);
    }
    if let Some(sp) = &s.success_policy {
        let spp = path.child("successPolicy");
        if indexed {
            validate_success_policy(s, &spp, errs);
        } else {
            errs.push(FieldError::invalid(
                spp,
                json(sp),
                "requires indexed completion mode",
            ));
        }
    }
    if let Some(policy) = &s.pod_replacement_policy {
        let pp = path.child("podReplacementPolicy");
        if s.pod_failure_policy.is_some() {
            if policy != "Failed" {
                errs.push(FieldError::not_supported(pp, policy.as_str(), &["Failed"]));
            }
        } else if !REPLACEMENT_POLICIES.contains(&policy.as_str()) {
            errs.push(FieldError::not_supported(
                pp,
                policy.as_str(),
                REPLACEMENT_POLICIES,
            ));
        }
    }
    let tp = path.child("template");
    validate_pod_template_spec(&s.template, &tp, opts, errs);
    let tsp = tp.child("spec");
    let rp = tsp.child("restartPolicy");
    match s.template.spec.restart_policy.as_str() {
        "" | "Always" => errs.push(FieldError::required(
            rp,
            "valid values: \"OnFailure\", \"Never\"",
        )),
        "OnFailure" if s.pod_failure_policy.is_some() => errs.push(FieldError::invalid(
            rp,
            "OnFailure",
            "only \"Never\" is supported when podFailurePolicy is specified",
        )),
        "OnFailure" | "Never" => {}
        other => errs.push(FieldError::not_supported(
            rp,
            other,
            &["OnFailure", "Never"],
        )),
    }
}

/// The limits of Indexed jobs: completions required, and caps on
/// parallelism and failed indexes.
fn validate_indexed_limits(s: &JobSpec, path: &Path, errs: &mut Errors) {
    let pp = path.child("parallelism");
    let mfi = path.child("maxFailedIndexes");
    if s.completions.is_none() {
        errs.push(FieldError::required(
            path.child("completions"),
            "when completion mode is Indexed",
        ));
    }
    if let Some(p) = s
        .parallelism
        .filter(|p| *p > MAX_PARALLELISM_FOR_INDEXED_JOB)
    {
        errs.push(FieldError::invalid(
            pp,
            p,
            format!(
                "must be less than or equal to {MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed"
            ),
        ));
    }
    if let (Some(c), Some(m)) = (s.completions, s.max_failed_indexes) {
        if m > c {
            errs.push(FieldError::invalid(
                mfi,
                m,
                "must be less than or equal to completions",
            ));
        }
    }
    if let Some(m) = s
        .max_failed_indexes
        .filter(|m| *m > MAX_FAILED_INDEXES_FOR_INDEXED_JOB)
    {
        errs.push(FieldError::invalid(
            mfi,
            m,
            format!("must be less than or equal to {MAX_FAILED_INDEXES_FOR_INDEXED_JOB}"),
        ));
    }
    let high = s.completions.is_some_and(|c| c > COMPLETIONS_SOFT_LIMIT);
    if high && s.backoff_limit_per_index.is_some() {
        if s.max_failed_indexes.is_none() {
            errs.push(FieldError::required(
                mfi,
                format!("must be specified when completions is above {COMPLETIONS_SOFT_LIMIT}"),
            ));
        }
        if let Some(p) = s
            .parallelism
            .filter(|p| *p > PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS)
        {
            errs.push(FieldError::invalid(
                pp,
                p,
                format!("must be less than or equal to {PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS} when completions are above {COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index"),
            ));
        }
        if let Some(m) = s
            .max_failed_indexes
            .filter(|m| *m > MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS)
        {
            errs.push(FieldError::invalid(
                mfi,
                m,
                format!("must be less than or equal to {MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS} when completions are above {COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index"),
            ));
        }
    }
}

/// `IsDomainPrefixedPath`.
fn domain_prefixed_path(value: &str, path: &Path, errs: &mut Errors) {
    if value.is_empty() {
        errs.push(FieldError::required(path, ""));
        return;
    }
    let Some((host, rest)) = value
        .split_once('/')
        .filter(|(h, r)| !h.is_empty() && !r.is_empty())
    else {
        errs.push(FieldError::invalid(
            path,
            value,
            "must be a domain-prefixed path (such as \"acme.io/foo\")",
        ));
        return;
    };
    for msg in names::is_dns1123_subdomain(host) {
        errs.push(FieldError::invalid(path, host, msg));
    }
    let ok = rest
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/-._~%!$&'()*+,;=:".contains(&b));
    if !ok {
        errs.push(FieldError::invalid(
            path,
            rest,
            names::regex_error("Invalid path", r"[A-Za-z0-9/\-._~%!$&'()*+,;=:]+", &[]),
        ));
    }
}

fn validate_pod_failure_policy(s: &JobSpec, path: &Path, errs: &mut Errors) {
    let Some(pfp) = &s.pod_failure_policy else {
        return;
    };
    let rules = path.child("rules");
    if pfp.rules.len() > MAX_POD_FAILURE_POLICY_RULES {
        errs.push(FieldError::too_many(
            rules,
            Some(pfp.rules.len()),
            MAX_POD_FAILURE_POLICY_RULES,
        ));
    }
    let containers: BTreeSet<&str> = s
        .template
        .spec
        .containers
        .iter()
        .chain(&s.template.spec.init_containers)
        .map(|c| c.name.as_str())
        .collect();
    for (i, rule) in pfp.rules.iter().enumerate() {
        validate_pod_failure_policy_rule(s, rule, &rules.index(i), &containers, errs);
    }
}

fn validate_pod_failure_policy_rule(
    s: &JobSpec,
    rule: &PodFailurePolicyRule,
    path: &Path,
    containers: &BTreeSet<&str>,
    errs: &mut Errors,
) {
    let ap = path.child("action");
    match rule.action.as_str() {
        "" => errs.push(FieldError::required(
            ap,
            format!("valid values: {}", quoted_list(ACTIONS)),
        )),
        "FailIndex" => {
            if s.backoff_limit_per_index.is_none() {
                errs.push(FieldError::invalid(
                    ap,
                    "FailIndex",
                    "requires the backoffLimitPerIndex to be set",
                ));
            }
        }
        a if ACTIONS.contains(&a) => {}
        other => errs.push(FieldError::not_supported(ap, other, ACTIONS)),
    }
    if let Some(oec) = &rule.on_exit_codes {
        validate_on_exit_codes(oec, &path.child("onExitCodes"), containers, errs);
    }
    if !rule.on_pod_conditions.is_empty() {
        validate_on_pod_conditions(
            &rule.on_pod_conditions,
            &path.child("onPodConditions"),
            errs,
        );
    }
    match (
        rule.on_exit_codes.is_some(),
        rule.on_pod_conditions.is_empty(),
    ) {
        (true, false) => errs.push(FieldError::new(
            ErrorType::Invalid,
            path,
            None,
            "specifying both OnExitCodes and OnPodConditions is not supported",
        )),
        (false, true) => errs.push(FieldError::new(
            ErrorType::Invalid,
            path,
            None,
            "specifying one of OnExitCodes and OnPodConditions is required",
        )),
        _ => {}
    }
}

fn validate_on_pod_conditions(patterns: &[OnPodConditionsPattern], path: &Path, errs: &mut Errors) {
    if patterns.len() > MAX_ON_POD_CONDITIONS_PATTERNS {
        errs.push(FieldError::too_many(
            path,
            Some(patterns.len()),
            MAX_ON_POD_CONDITIONS_PATTERNS,
        ));
    }
    for (j, p) in patterns.iter().enumerate() {
        let pp = path.index(j);
        let tp = pp.child("type");
        for msg in names::is_qualified_name(&p.type_) {
            errs.push(FieldError::invalid(tp, p.type_.as_str(), msg));
        }
        let sp = pp.child("status");
        match p.status.as_str() {
            "" => errs.push(FieldError::required(
                sp,
                format!("valid values: {}", quoted_list(CONDITION_STATUSES)),
            )),
            st if CONDITION_STATUSES.contains(&st) => {}
            other => errs.push(FieldError::not_supported(sp, other, CONDITION_STATUSES)),
        }
    }
}

fn validate_on_exit_codes(
    oec: &OnExitCodes,
    path: &Path,
    containers: &BTreeSet<&str>,
    errs: &mut Errors,
) {
    let op = path.child("operator");
    match oec.operator.as_str() {
        "" => errs.push(FieldError::required(
            op,
            format!("valid values: {}", quoted_list(EXIT_CODE_OPERATORS)),
        )),
        o if EXIT_CODE_OPERATORS.contains(&o) => {}
        other => errs.push(FieldError::not_supported(op, other, EXIT_CODE_OPERATORS)),
    }
    if let Some(name) = &oec.container_name {
        if !containers.contains(name.as_str()) {
            errs.push(FieldError::invalid(
                path.child("containerName"),
                name.as_str(),
                "must be one of the container or initContainer names in the pod template",
            ));
        }
    }
    let vp = path.child("values");
    if oec.values.is_empty() {
        errs.push(FieldError::invalid(
            vp,
            json(&oec.values),
            "at least one value is required",
        ));
    } else if oec.values.len() > MAX_ON_EXIT_CODES_VALUES {
        errs.push(FieldError::too_many(
            vp,
            Some(oec.values.len()),
            MAX_ON_EXIT_CODES_VALUES,
        ));
    }
    let mut seen = BTreeSet::new();
    let mut ordered = true;
    for (j, v) in oec.values.iter().enumerate() {
        let ip = vp.index(j);
        if oec.operator == "In" && *v == 0 {
            errs.push(FieldError::invalid(
                ip,
                *v,
                "must not be 0 for the In operator",
            ));
        }
        if !seen.insert(*v) {
            errs.push(FieldError::duplicate(ip, *v));
        }
        if j > 0 && oec.values.get(j - 1).is_some_and(|prev| prev > v) {
            ordered = false;
        }
    }
    if !ordered {
        errs.push(FieldError::invalid(
            vp,
            json(&oec.values),
            "must be ordered",
        ));
    }
}

fn validate_success_policy(s: &JobSpec, path: &Path, errs: &mut Errors) {
    let Some(sp) = &s.success_policy else {
        return;
    };
    let rules = path.child("rules");
    if sp.rules.is_empty() {
        errs.push(FieldError::required(
            rules,
            "at least one rules must be specified when the successPolicy is specified",
        ));
    }
    if sp.rules.len() > MAX_SUCCESS_POLICY_RULES {
        errs.push(FieldError::too_many(
            rules,
            Some(sp.rules.len()),
            MAX_SUCCESS_POLICY_RULES,
        ));
    }
    // Without completions (already reported) the rules cannot be checked.
    let Some(completions) = s.completions else {
        return;
    };
    for (i, rule) in sp.rules.iter().enumerate() {
        let rp = rules.index(i);
        if rule.succeeded_count.is_none() && rule.succeeded_indexes.is_none() {
            errs.push(FieldError::required(
                rp,
                "at least one of succeededCount or succeededIndexes must be specified",
            ));
        }
        let mut total = 0i64;
        if let Some(indexes) = &rule.succeeded_indexes {
            let ip = rp.child("succeededIndexes");
            if indexes.len() > MAX_SUCCEEDED_INDEXES_LENGTH {
                errs.push(FieldError::too_long(ip, MAX_SUCCEEDED_INDEXES_LENGTH));
            }
            match indexes_total(indexes, completions) {
                Ok(t) => total = t,
                Err(e) => errs.push(FieldError::invalid(
                    ip,
                    indexes.as_str(),
                    format!("error parsing succeededIndexes: {e}"),
                )),
            }
        }
        if let Some(count) = rule.succeeded_count {
            let cp = rp.child("succeededCount");
            nonnegative(count, &cp, errs);
            if count > completions {
                errs.push(FieldError::invalid(
                    cp,
                    count,
                    format!("must be less than or equal to {completions} (the number of specified completions)"),
                ));
            }
            if rule.succeeded_indexes.is_some() && i64::from(count) > total {
                errs.push(FieldError::invalid(
                    cp,
                    count,
                    format!("must be less than or equal to {total} (the number of indexes in the specified succeededIndexes field)"),
                ));
            }
        }
    }
}

/// `validateIndexesFormat`: `1,3-5,7`, increasing, each index below
/// `completions`; returns how many indexes the list names.
fn indexes_total(indexes: &str, completions: i32) -> Result<i64, String> {
    if indexes.is_empty() {
        return Ok(0);
    }
    let parse = |s: &str| {
        s.parse::<i64>().map_err(|_| {
            format!(
                "cannot convert string to integer for index: {}",
                crate::errors::go_quote(s)
            )
        })
    };
    let mut last: Option<i64> = None;
    let mut total = 0i64;
    for interval in indexes.split(',') {
        let parts: Vec<&str> = interval.split('-').collect();
        if parts.len() > 2 {
            return Err(format!(
                "the fragment {} violates the requirement that an index interval can have at most two parts separated by '-'",
                crate::errors::go_quote(interval)
            ));
        }
        for (k, part) in parts.iter().enumerate() {
            let x = parse(part)?;
            if x >= i64::from(completions) {
                return Err(format!(
                    "too large index: {}",
                    crate::errors::go_quote(part)
                ));
            }
            if let Some(prev) = last.filter(|prev| *prev >= x) {
                return Err(format!(
                    "non-increasing order, previous: {prev}, current: {x}"
                ));
            }
            total += if k == 0 { 1 } else { x - last.unwrap_or(x) };
            last = Some(x);
        }
    }
    Ok(total)
}

pub fn validate_job(job: &Job) -> Errors {
    let opts = job_opts(job, None);
    let mut errs = Errors::new();
    validate_job_with(job, &opts, &mut errs);
    errs
}

/// The job strategy's update check: the whole `ValidateJob` again, then
/// `ValidateJobUpdate` (which re-runs the spec rules, so a spec error is
/// reported twice, as Kubernetes does).
pub fn validate_job_update(new: &Job, old: &Job) -> Errors {
    let opts = job_opts(new, Some(old));
    let mut errs = Errors::new();
    validate_job_with(new, &opts, &mut errs);
    meta::validate_object_meta_update(
        &new.metadata,
        &old.metadata,
        &Path::new("metadata"),
        &mut errs,
    );
    let (n, o) = (&new.spec, &old.spec);
    validate_job_spec(n, &opts.pod, &mut errs);
    let path = Path::new("spec");
    validate_completions_update(n, o, &path.child("completions"), &mut errs);
    immutable(&n.selector, &o.selector, &path.child("selector"), &mut errs);
    validate_template_update(n, o, &path, &opts, &mut errs);
    immutable(
        &n.completion_mode,
        &o.completion_mode,
        &path.child("completionMode"),
        &mut errs,
    );
    immutable(
        &n.pod_failure_policy,
        &o.pod_failure_policy,
        &path.child("podFailurePolicy"),
        &mut errs,
    );
    immutable(
        &n.backoff_limit_per_index,
        &o.backoff_limit_per_index,
        &path.child("backoffLimitPerIndex"),
        &mut errs,
    );
    immutable(
        &n.managed_by,
        &o.managed_by,
        &path.child("managedBy"),
        &mut errs,
    );
    immutable(
        &n.success_policy,
        &o.success_policy,
        &path.child("successPolicy"),
        &mut errs,
    );
    errs
}

/// Elastic Indexed Jobs (on by default): an Indexed job may change
/// completions together with parallelism; other jobs may not change it.
fn validate_completions_update(n: &JobSpec, o: &JobSpec, path: &Path, errs: &mut Errors) {
    if n.completion_mode.as_deref() != Some("Indexed") {
        immutable(&n.completions, &o.completions, path, errs);
        return;
    }
    if n.completions == o.completions {
        return;
    }
    if let Some(c) = n.completions {
        if Some(c) != n.parallelism {
            errs.push(FieldError::invalid(
                path,
                c,
                "can only be modified in tandem with spec.parallelism",
            ));
        }
    }
}

/// The template is immutable, except that a suspended job that never
/// started may change its scheduling directives: node affinity, node
/// selector, tolerations, labels, annotations and scheduling gates.
fn validate_template_update(
    n: &JobSpec,
    o: &JobSpec,
    path: &Path,
    opts: &JobOpts,
    errs: &mut Errors,
) {
    let tp = path.child("template");
    if !opts.allow_mutable_scheduling_directives {
        immutable(&n.template, &o.template, &tp, errs);
        return;
    }
    let t = &n.template;
    let mut old = o.template.clone();
    match (&t.spec.affinity, &mut old.spec.affinity) {
        (None, Some(a)) => {
            a.node_affinity = None;
            if *a == Affinity::default() {
                old.spec.affinity = None;
            }
        }
        (Some(na), None) => {
            old.spec.affinity = Some(Affinity {
                node_affinity: na.node_affinity.clone(),
                ..Affinity::default()
            });
        }
        (Some(na), Some(a)) => a.node_affinity.clone_from(&na.node_affinity),
        (None, None) => {}
    }
    old.spec.node_selector.clone_from(&t.spec.node_selector);
    old.spec.tolerations.clone_from(&t.spec.tolerations);
    old.metadata.annotations.clone_from(&t.metadata.annotations);
    old.metadata.labels.clone_from(&t.metadata.labels);
    old.spec
        .scheduling_gates
        .clone_from(&t.spec.scheduling_gates);
    immutable(t, &old, &tp, errs);
}

// ---------------------------------------------------------------- the Job controller's sync

/// The finalizer that keeps a Job's finished pod until the Job counted it.
pub const TRACKING_FINALIZER: &str = "batch.kubernetes.io/job-tracking";
/// Pods counted per sync (MaxUncountedPods) and created or deleted per sync.
const MAX_UNCOUNTED_PODS: usize = 500;
const MAX_POD_CREATE_DELETE_PER_SYNC: usize = 500;
/// Pod-failure back-off: 10 s doubling per consecutive failure, at most 10 minutes.
const BACKOFF_INITIAL: i64 = 10;
const BACKOFF_MAX: i64 = 600;

/// One of a Job's pods, as its sync reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobPodRow {
    pub name: String,
    pub uid: String,
    pub phase: String,
    /// Being deleted (has a deletionTimestamp).
    pub deleting: bool,
    /// Carries the tracking finalizer.
    pub tracked: bool,
    pub ready: bool,
    /// Bound to a node.
    pub scheduled: bool,
    /// The sum of its containers' restart counts.
    pub restarts: i64,
    /// When it finished, as the controller estimates it (Unix seconds).
    pub finished_at: i64,
    /// Unix seconds.
    pub created: i64,
}

impl JobPodRow {
    fn terminal(&self) -> bool {
        self.phase == "Succeeded" || self.phase == "Failed"
    }

    /// FilterActivePods: not finished and not being deleted.
    fn active(&self) -> bool {
        !self.deleting && !self.terminal()
    }

    /// isPodFailed for a Job that replaces terminating pods: Failed, or
    /// being deleted without having succeeded.
    fn failed(&self) -> bool {
        self.phase == "Failed" || (self.deleting && self.phase != "Succeeded")
    }

    /// controller.ActivePods: unscheduled, then pending, not ready, most
    /// restarted and newest pods go first.
    fn removal_order(&self) -> (bool, u8, bool, i64, i64) {
        let rank = match self.phase.as_str() {
            "Pending" => 0,
            "Running" => 2,
            _ => 1,
        };
        (
            self.scheduled,
            rank,
            self.ready,
            -self.restarts,
            -self.created,
        )
    }
}

/// Consecutive pod failures since the last success, and when the last of
/// them happened (the controller's backoffStore entry for a Job).
pub type Backoff = (i64, Option<i64>);

/// Why a Job cannot be synced by [`JobSync`]: the sync is then left to the
/// controller's general path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobSyncStart {
    /// Another controller manages the Job, or its completion mode is
    /// unknown: nothing to do.
    NotOurs,
    /// It is finished (Complete or Failed): nothing to do.
    Finished,
    /// Indexed, a pod failure policy, replacement of failed pods only,
    /// suspension, an active deadline or deletion: the general path.
    General,
}

/// Whether `status` has a Complete or Failed condition that is True.
pub fn job_finished(status: Option<&Value>) -> bool {
    status
        .and_then(|s| s.get("conditions"))
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter().any(|c| {
                matches!(
                    c.get("type").and_then(Value::as_str),
                    Some("Complete" | "Failed")
                ) && c.get("status").and_then(Value::as_str) == Some("True")
            })
        })
}

/// Whether the TTL-after-finished controller has anything to do with a Job
/// (its informer handlers' filter): not being deleted, a
/// `ttlSecondsAfterFinished`, and finished.
pub fn job_needs_cleanup(spec: Option<&Value>, status: Option<&Value>, deleting: bool) -> bool {
    !deleting
        && spec
            .and_then(|s| s.get("ttlSecondsAfterFinished"))
            .is_some_and(|t| !t.is_null())
        && job_finished(status)
}

/// Seconds left before a replacement pod may be created after `failures`
/// consecutive failures, the last at `last`.
pub fn backoff_remaining(failures: i64, last: Option<i64>, now: i64) -> i64 {
    let Some(last) = last else { return 0 };
    if failures <= 0 {
        return 0;
    }
    let mut delay = BACKOFF_INITIAL;
    for _ in 1..failures {
        delay = delay.saturating_mul(2);
        if delay >= BACKOFF_MAX {
            delay = BACKOFF_MAX;
            break;
        }
    }
    let elapsed = now.saturating_sub(last);
    if delay < elapsed {
        0
    } else {
        delay - elapsed
    }
}

/// The back-off record after the newly finished pods: a success resets it
/// to the failures that came after the last success.
fn new_backoff(old: Backoff, succeeded: &[&JobPodRow], failed: &[&JobPodRow]) -> Backoff {
    let mut fails: Vec<i64> = failed.iter().map(|p| p.finished_at).collect();
    fails.sort_unstable();
    let Some(last_success) = succeeded.iter().map(|p| p.finished_at).max() else {
        return match fails.last() {
            None => old,
            Some(&t) => (
                old.0 + i64::try_from(fails.len()).unwrap_or(i64::MAX),
                Some(t),
            ),
        };
    };
    let mut count = 0;
    let mut last = None;
    for &t in fails.iter().rev() {
        if t <= last_success {
            break;
        }
        last.get_or_insert(t);
        count += 1;
    }
    (count, last)
}

fn str_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn int_at(v: Option<&Value>, key: &str) -> Option<i64> {
    v.and_then(|v| v.get(key)).and_then(Value::as_i64)
}

fn set_of(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|u| u.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A condition as the controller writes it.
fn condition(ctype: &str, status: &str, reason: &str, message: &str, stamp: &str) -> Value {
    let mut c = serde_json::Map::new();
    c.insert("type".into(), ctype.into());
    c.insert("status".into(), status.into());
    c.insert("lastProbeTime".into(), stamp.into());
    c.insert("lastTransitionTime".into(), stamp.into());
    if !reason.is_empty() {
        c.insert("reason".into(), reason.into());
    }
    if !message.is_empty() {
        c.insert("message".into(), message.into());
    }
    Value::Object(c)
}

fn find_condition<'a>(conditions: &'a [Value], ctype: &str) -> Option<&'a Value> {
    conditions
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(ctype))
}

/// ensureJobConditionStatus: updates the condition of that type when its
/// status, reason or message differ; appends it unless it would be False.
/// Returns whether the conditions changed.
fn ensure_condition(
    conditions: &mut Vec<Value>,
    ctype: &str,
    status: &str,
    reason: &str,
    message: &str,
    stamp: &str,
) -> bool {
    let at = conditions
        .iter()
        .position(|c| c.get("type").and_then(Value::as_str) == Some(ctype));
    match at.and_then(|i| conditions.get_mut(i)) {
        Some(old) => {
            if str_at(old, "status") != status
                || str_at(old, "reason") != reason
                || str_at(old, "message") != message
            {
                *old = condition(ctype, status, reason, message, stamp);
                return true;
            }
            false
        }
        None if status != "False" => {
            conditions.push(condition(ctype, status, reason, message, stamp));
            true
        }
        None => false,
    }
}

/// The condition a Job is headed for: (type, reason, message).
type Target = (&'static str, String, String);

/// One sync of a NonIndexed Job without pod failure policy, suspension,
/// active deadline or deletion, that replaces terminating pods as well as
/// failed ones (syncJob of pkg/controller/job): first [`JobSync::manage`]
/// says which pods to delete or create, then, once that is done,
/// [`JobSync::finish`] says which finalizers come off and the status to
/// write. Every tracked pod that finished is counted in the same sync (its
/// finalizer removal cannot fail), so `uncountedTerminatedPods` only holds
/// pods beyond the per-sync limit.
#[derive(Debug)]
pub struct JobSync<'a> {
    spec: &'a Value,
    status: Option<&'a Value>,
    pods: &'a [JobPodRow],
    now: i64,
    stamp: String,
    backoff: Backoff,
    new_backoff: Option<Backoff>,
    conditions: Vec<Value>,
    unc_succeeded: Vec<String>,
    unc_failed: Vec<String>,
    succeeded: i64,
    active: usize,
    ready: usize,
    terminating: usize,
    target: Option<Target>,
    /// Pods whose finalizer came off with their deletion (surplus pods).
    untracked: Vec<&'a str>,
    managed: bool,
    create: usize,
    wait: i64,
}

/// What [`JobSync::manage`] asks for.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct JobManage {
    /// Pods to delete keeping their finalizer (they are counted as they go:
    /// the Job is finishing).
    pub delete_counted: Vec<String>,
    /// Pods to delete after removing their finalizer (surplus: not counted).
    pub delete_uncounted: Vec<String>,
    /// How many pods to create.
    pub create: usize,
    /// Seconds of pod-failure back-off before the pods can be created
    /// (0: none); the Job should be synced again then.
    pub wait: i64,
}

/// What [`JobSync::finish`] asks for.
#[derive(Debug, PartialEq)]
pub struct JobFinish {
    /// Pods whose tracking finalizer comes off.
    pub remove_finalizers: Vec<String>,
    /// The new status, as Go serializes JobStatus.
    pub status: Value,
    /// Whether it differs from the stored status.
    pub changed: bool,
    /// The Job's new back-off record, when pods finished.
    pub backoff: Option<Backoff>,
    /// The Job is complete or failed with this status.
    pub finished: bool,
}

impl<'a> JobSync<'a> {
    /// Whether the simple sync applies to a Job with this `spec`, `status`
    /// and deletion state; `Ok` when it does.
    pub fn applies(
        spec: &Value,
        status: Option<&Value>,
        deleting: bool,
    ) -> Result<(), JobSyncStart> {
        match spec.get("managedBy") {
            None => {}
            Some(Value::String(m)) if m == "kubernetes.io/job-controller" => {}
            Some(_) => return Err(JobSyncStart::NotOurs),
        }
        if job_finished(status) {
            return Err(JobSyncStart::Finished);
        }
        match spec.get("completionMode") {
            None => {}
            Some(Value::String(m)) if m == "NonIndexed" => {}
            Some(Value::String(m)) if m == "Indexed" => return Err(JobSyncStart::General),
            Some(_) => return Err(JobSyncStart::NotOurs),
        }
        let set = |k: &str| spec.get(k).is_some_and(|v| !v.is_null());
        if deleting
            || set("podFailurePolicy")
            || set("activeDeadlineSeconds")
            || spec.get("suspend").and_then(Value::as_bool) == Some(true)
            || spec.get("podReplacementPolicy").and_then(Value::as_str) == Some("Failed")
        {
            return Err(JobSyncStart::General);
        }
        Ok(())
    }

    /// Reads the Job's state; `pods` are its pods in name order, `backoff`
    /// its back-off record, `now` the clock (Unix seconds).
    pub fn new(
        spec: &'a Value,
        status: Option<&'a Value>,
        pods: &'a [JobPodRow],
        backoff: Backoff,
        now: i64,
    ) -> Self {
        let conditions: Vec<Value> = status
            .and_then(|s| s.get("conditions"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let uncounted = status.and_then(|s| s.get("uncountedTerminatedPods"));
        let unc_succeeded = set_of(uncounted.and_then(|u| u.get("succeeded")));
        let unc_failed = set_of(uncounted.and_then(|u| u.get("failed")));
        let new_succeeded: Vec<&JobPodRow> = pods
            .iter()
            .filter(|p| p.tracked && p.phase == "Succeeded" && !unc_succeeded.contains(&p.uid))
            .collect();
        let new_failed: Vec<&JobPodRow> = pods
            .iter()
            .filter(|p| p.tracked && p.failed() && !unc_failed.contains(&p.uid))
            .collect();
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let succeeded = int_at(status, "succeeded").unwrap_or(0)
            + count(new_succeeded.len())
            + count(dedup_len(&unc_succeeded));
        let failed = int_at(status, "failed").unwrap_or(0)
            + count(new_failed.len())
            + count(dedup_len(&unc_failed));
        let new_backoff = (!new_succeeded.is_empty() || !new_failed.is_empty())
            .then(|| new_backoff(backoff, &new_succeeded, &new_failed));
        let active_pods = pods.iter().filter(|p| p.active());
        let mut sync = JobSync {
            spec,
            status,
            pods,
            now,
            stamp: crate::store::time::format(now),
            backoff: new_backoff.unwrap_or(backoff),
            new_backoff,
            conditions,
            unc_succeeded,
            unc_failed,
            succeeded,
            active: active_pods.clone().count(),
            ready: active_pods.filter(|p| p.ready).count(),
            terminating: pods.iter().filter(|p| p.deleting && !p.terminal()).count(),
            target: None,
            untracked: Vec::new(),
            managed: false,
            create: 0,
            wait: 0,
        };
        sync.target = sync.target_of(failed);
        sync
    }

    /// The condition the Job is headed for, in the controller's order.
    fn target_of(&self, failed: i64) -> Option<Target> {
        let owned = |c: &Value, t: &'static str| -> Target {
            (
                t,
                str_at(c, "reason").to_owned(),
                str_at(c, "message").to_owned(),
            )
        };
        let is_true = |c: &&Value| str_at(c, "status") == "True";
        if let Some(c) = find_condition(&self.conditions, "SuccessCriteriaMet").filter(is_true) {
            return Some(owned(c, "SuccessCriteriaMet"));
        }
        if let Some(c) = find_condition(&self.conditions, "FailureTarget").filter(is_true) {
            return Some(owned(c, "Failed"));
        }
        let limit = int_at(Some(self.spec), "backoffLimit").unwrap_or(6);
        if failed > limit || self.past_backoff_on_failure(limit) {
            return Some((
                "FailureTarget",
                "BackoffLimitExceeded".into(),
                "Job has reached the specified backoff limit".into(),
            ));
        }
        None
    }

    /// pastBackoffLimitOnFailure: with restartPolicy OnFailure, container
    /// restarts of the running and pending pods count toward the limit.
    fn past_backoff_on_failure(&self, limit: i64) -> bool {
        let policy = self
            .spec
            .pointer("/template/spec/restartPolicy")
            .and_then(Value::as_str);
        if policy != Some("OnFailure") {
            return false;
        }
        let restarts: i64 = self
            .pods
            .iter()
            .filter(|p| p.phase == "Running" || p.phase == "Pending")
            .map(|p| p.restarts)
            .sum();
        if limit == 0 {
            restarts > 0
        } else {
            restarts >= limit
        }
    }

    /// manageJob (or, for a finishing Job, deleteActivePods): the pods to
    /// delete or create.
    pub fn manage(&mut self) -> JobManage {
        let mut out = JobManage::default();
        let active: Vec<&JobPodRow> = self.pods.iter().filter(|p| p.active()).collect();
        if self.target.is_some() {
            out.delete_counted = active.iter().map(|p| p.name.clone()).collect();
            self.active -= active.len();
            self.terminating += active.len();
            self.ready -= active.iter().filter(|p| p.ready).count();
            return out;
        }
        self.managed = true;
        let parallelism = int_at(Some(self.spec), "parallelism").unwrap_or(1);
        let have = i64::try_from(self.active).unwrap_or(i64::MAX);
        let want = match int_at(Some(self.spec), "completions") {
            None if self.succeeded > 0 => have,
            None => parallelism,
            Some(c) => (c - self.succeeded).min(parallelism).max(0),
        };
        if have > want {
            let mut order = active.clone();
            order.sort_by_key(|p| p.removal_order());
            let surplus = usize::try_from(have - want)
                .unwrap_or(0)
                .min(MAX_POD_CREATE_DELETE_PER_SYNC);
            for p in order.iter().take(surplus) {
                out.delete_uncounted.push(p.name.clone());
                self.untracked.push(&p.name);
                if p.ready {
                    self.ready -= 1;
                }
            }
            self.active -= out.delete_uncounted.len();
            self.terminating += out.delete_uncounted.len();
            return out;
        }
        let diff = usize::try_from(want - have).unwrap_or(0);
        if diff == 0 {
            return out;
        }
        let (failures, last) = self.backoff;
        let wait = backoff_remaining(failures, last, self.now);
        if wait > 0 {
            self.wait = wait;
            out.wait = wait;
            // manageJob reports no active pods while it waits.
            self.active = 0;
            return out;
        }
        self.create = diff.min(MAX_POD_CREATE_DELETE_PER_SYNC);
        out.create = self.create;
        out
    }

    /// trackJobStatusAndRemoveFinalizers and the status, after the pods
    /// [`JobSync::manage`] asked for were deleted and `created` of those it
    /// asked to create were made.
    pub fn finish(mut self, created: usize) -> JobFinish {
        if self.managed && self.wait == 0 {
            self.active += created.min(self.create);
        }
        let mut new_start = None;
        if self.target.is_none() && self.managed {
            let completions = int_at(Some(self.spec), "completions");
            let complete = self.active == 0
                && match completions {
                    None => self.succeeded > 0,
                    Some(c) => self.succeeded >= c,
                };
            if complete {
                self.target = Some((
                    "SuccessCriteriaMet",
                    "CompletionsReached".into(),
                    "Reached expected number of succeeded pods".into(),
                ));
            } else if ensure_condition(
                &mut self.conditions,
                "Suspended",
                "False",
                "JobResumed",
                "Job resumed",
                &self.stamp,
            ) {
                // A resumed Job's active deadline counts from now.
                new_start = Some(self.stamp.clone());
            }
        }
        let failing = self
            .target
            .as_ref()
            .is_some_and(|t| t.0 != "SuccessCriteriaMet");
        let finishing = self.target.is_some();
        let mut remove: Vec<String> = Vec::new();
        let mut reached_max = false;
        for p in self.pods {
            if !p.tracked || self.untracked.contains(&p.name.as_str()) {
                continue;
            }
            let failed = p.failed();
            if !(finishing || failed || p.phase == "Succeeded") {
                continue;
            }
            remove.push(p.name.clone());
            if p.phase == "Succeeded" && !self.unc_failed.contains(&p.uid) {
                if !self.unc_succeeded.contains(&p.uid) {
                    self.unc_succeeded.push(p.uid.clone());
                }
            } else if (failed || failing) && !self.unc_failed.contains(&p.uid) {
                self.unc_failed.push(p.uid.clone());
            }
            if self.unc_succeeded.len() + self.unc_failed.len() >= MAX_UNCOUNTED_PODS {
                reached_max = true;
                break;
            }
        }
        if let Some(t) = self.target.take() {
            let t = match t.0 {
                "FailureTarget" => {
                    self.conditions.push(condition(
                        "FailureTarget",
                        "True",
                        &t.1,
                        &t.2,
                        &self.stamp,
                    ));
                    ("Failed", t.1, t.2)
                }
                "SuccessCriteriaMet" => {
                    let met = find_condition(&self.conditions, "SuccessCriteriaMet")
                        .is_some_and(|c| str_at(c, "status") == "True");
                    if !met {
                        self.conditions.push(condition(
                            "SuccessCriteriaMet",
                            "True",
                            &t.1,
                            &t.2,
                            &self.stamp,
                        ));
                    }
                    ("Complete", t.1, t.2)
                }
                _ => t,
            };
            self.target = Some(t);
        }
        // Every finalizer came off: the uncounted pods are counted now.
        let still: Vec<&str> = self
            .pods
            .iter()
            .filter(|p| {
                p.tracked && !self.untracked.contains(&p.name.as_str()) && !remove.contains(&p.name)
            })
            .map(|p| p.uid.as_str())
            .collect();
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let counted = |u: &String| !still.contains(&u.as_str());
        let succeeded = int_at(self.status, "succeeded").unwrap_or(0)
            + count(self.unc_succeeded.iter().filter(|u| counted(u)).count());
        let failed = int_at(self.status, "failed").unwrap_or(0)
            + count(self.unc_failed.iter().filter(|u| counted(u)).count());
        self.unc_succeeded.retain(|u| !counted(u));
        self.unc_failed.retain(|u| !counted(u));
        let mut completion_time = self
            .status
            .and_then(|s| s.get("completionTime"))
            .filter(|v| is_truthy(v))
            .cloned();
        let mut finished = false;
        if let Some((ctype, reason, message)) = &self.target {
            if !reached_max
                && self.unc_succeeded.is_empty()
                && self.unc_failed.is_empty()
                && self.terminating == 0
            {
                ensure_condition(
                    &mut self.conditions,
                    ctype,
                    "True",
                    reason,
                    message,
                    &self.stamp,
                );
                if *ctype == "Complete" {
                    completion_time = Some(self.stamp.clone().into());
                }
                finished = true;
            }
        }
        let start = new_start
            .map(Value::from)
            .or_else(|| {
                self.status
                    .and_then(|s| s.get("startTime"))
                    .filter(|v| !v.is_null())
                    .cloned()
            })
            .unwrap_or_else(|| self.stamp.clone().into());
        let status = self.go_status(start, completion_time, succeeded, failed);
        let changed = self.status != Some(&status);
        JobFinish {
            remove_finalizers: remove,
            status,
            changed,
            backoff: self.new_backoff,
            finished,
        }
    }

    /// The status as Go serializes JobStatus: fields in declaration order,
    /// zero counts and empty strings omitted, the pointer fields kept.
    fn go_status(
        &mut self,
        start: Value,
        completion_time: Option<Value>,
        succeeded: i64,
        failed: i64,
    ) -> Value {
        let mut out = serde_json::Map::new();
        if !self.conditions.is_empty() {
            out.insert(
                "conditions".into(),
                Value::Array(std::mem::take(&mut self.conditions)),
            );
        }
        if is_truthy(&start) {
            out.insert("startTime".into(), start);
        }
        if let Some(t) = completion_time {
            out.insert("completionTime".into(), t);
        }
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        for (key, n) in [
            ("active", count(self.active)),
            ("succeeded", succeeded),
            ("failed", failed),
        ] {
            if n != 0 {
                out.insert(key.into(), n.into());
            }
        }
        out.insert("terminating".into(), count(self.terminating).into());
        let old = |k: &str| self.status.and_then(|s| s.get(k));
        if let Some(v) = old("completedIndexes").filter(|v| is_truthy(v)) {
            out.insert("completedIndexes".into(), v.clone());
        }
        if let Some(v) = old("failedIndexes").filter(|v| !v.is_null()) {
            out.insert("failedIndexes".into(), v.clone());
        }
        let mut unc = serde_json::Map::new();
        if !self.unc_succeeded.is_empty() {
            unc.insert(
                "succeeded".into(),
                std::mem::take(&mut self.unc_succeeded).into(),
            );
        }
        if !self.unc_failed.is_empty() {
            unc.insert("failed".into(), std::mem::take(&mut self.unc_failed).into());
        }
        out.insert("uncountedTerminatedPods".into(), Value::Object(unc));
        out.insert("ready".into(), count(self.ready).into());
        Value::Object(out)
    }
}

/// How many distinct values `v` holds.
fn dedup_len(v: &[String]) -> usize {
    v.iter()
        .enumerate()
        .filter(|(i, u)| !v.iter().take(*i).any(|x| x == *u))
        .count()
}

/// Python's truth of a JSON value, as the status fields are tested.
fn is_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use crate::workload::{normalize, prepare_for_create, validate_create, validate_update, Kind};
    use serde_json::{json, Value};

    const UID: &str = "1a2b3c";

    fn job(spec: &Value) -> Value {
        json!({"metadata": {"name": "pi", "namespace": "default"}, "spec": spec})
    }

    fn valid_spec() -> Value {
        json!({"template": {"spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "c", "image": "perl"}]
        }}})
    }

    fn with(f: impl FnOnce(&mut Value)) -> Value {
        let mut s = valid_spec();
        f(&mut s);
        s
    }

    fn created(spec: &Value) -> Value {
        let mut obj = normalize(Kind::Job, &job(spec), UID).unwrap();
        obj["metadata"]["uid"] = json!(UID);
        prepare_for_create(Kind::Job, &mut obj);
        obj
    }

    fn create(spec: &Value) -> Vec<(String, &'static str)> {
        let mut v: Vec<_> = validate_create(Kind::Job, &created(spec))
            .iter()
            .map(|e| (e.field.clone(), e.kind.name()))
            .collect();
        v.sort();
        v.dedup();
        v
    }

    #[test]
    fn a_minimal_job_validates_clean() {
        assert_eq!(create(&valid_spec()), vec![]);
    }

    #[test]
    fn job_defaults_and_generated_selector_match_kubernetes() {
        let out = created(&valid_spec());
        let s = &out["spec"];
        assert_eq!(s["completions"], 1);
        assert_eq!(s["parallelism"], 1);
        assert_eq!(s["backoffLimit"], 6);
        assert_eq!(s["completionMode"], "NonIndexed");
        assert_eq!(s["suspend"], false);
        assert_eq!(s["podReplacementPolicy"], "TerminatingOrFailed");
        assert_eq!(
            s["selector"],
            json!({"matchLabels": {"batch.kubernetes.io/controller-uid": UID}})
        );
        let labels = &s["template"]["metadata"]["labels"];
        assert_eq!(labels["controller-uid"], UID);
        assert_eq!(labels["job-name"], "pi");
        assert_eq!(labels["batch.kubernetes.io/job-name"], "pi");
        assert_eq!(out["metadata"]["labels"], *labels);
        let out = created(&with(|s| s["backoffLimitPerIndex"] = json!(1)));
        assert_eq!(out["spec"]["backoffLimit"], i32::MAX);
        let out = created(&with(|s| {
            s["podFailurePolicy"] = json!({"rules": [{"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}]});
        }));
        assert_eq!(out["spec"]["podReplacementPolicy"], "Failed");
        assert_eq!(
            out["spec"]["podFailurePolicy"]["rules"][0]["onPodConditions"][0]["status"],
            "True"
        );
    }

    #[test]
    fn a_manual_selector_is_left_alone() {
        let spec = with(|s| {
            s["manualSelector"] = json!(true);
            s["selector"] = json!({"matchLabels": {"a": "b"}});
            s["template"]["metadata"] = json!({"labels": {"a": "b"}});
        });
        let out = created(&spec);
        assert_eq!(out["spec"]["selector"], json!({"matchLabels": {"a": "b"}}));
        assert_eq!(create(&spec), vec![]);
    }

    #[test]
    fn invalid_job_specs_report_kubernetes_fields_and_types() {
        let cases: Vec<(Value, Vec<(&str, &str)>)> = vec![
            (
                with(|s| {
                    s["parallelism"] = json!(-1);
                    s["completions"] = json!(-1);
                    s["activeDeadlineSeconds"] = json!(-1);
                    s["backoffLimit"] = json!(-1);
                    s["ttlSecondsAfterFinished"] = json!(-1);
                }),
                vec![
                    ("spec.activeDeadlineSeconds", "FieldValueInvalid"),
                    ("spec.backoffLimit", "FieldValueInvalid"),
                    ("spec.completions", "FieldValueInvalid"),
                    ("spec.parallelism", "FieldValueInvalid"),
                    ("spec.ttlSecondsAfterFinished", "FieldValueInvalid"),
                ],
            ),
            (
                with(|s| s["template"]["spec"]["restartPolicy"] = json!("Always")),
                vec![("spec.template.spec.restartPolicy", "FieldValueRequired")],
            ),
            (
                with(|s| s["template"]["spec"].as_object_mut().unwrap().clear()),
                vec![
                    ("spec.template.spec.containers", "FieldValueRequired"),
                    ("spec.template.spec.restartPolicy", "FieldValueRequired"),
                ],
            ),
            (
                with(|s| s["template"]["metadata"] = json!({"labels": {"job-name": "other"}})),
                vec![(
                    "spec.template.metadata.labels[job-name]",
                    "FieldValueInvalid",
                )],
            ),
            (
                with(|s| {
                    s["selector"] =
                        json!({"matchLabels": {"batch.kubernetes.io/controller-uid": "x"}});
                }),
                vec![
                    ("spec.selector", "FieldValueInvalid"),
                    ("spec.template.metadata.labels", "FieldValueInvalid"),
                ],
            ),
            (with(|s| s["completionMode"] = json!("Indexed")), vec![]),
            (
                with(|s| {
                    s["completionMode"] = json!("Indexed");
                    s.as_object_mut().unwrap().remove("completions");
                    s["parallelism"] = json!(100_001);
                }),
                vec![
                    ("spec.completions", "FieldValueRequired"),
                    ("spec.parallelism", "FieldValueInvalid"),
                ],
            ),
            (
                with(|s| {
                    s["backoffLimitPerIndex"] = json!(1);
                    s["maxFailedIndexes"] = json!(1);
                }),
                vec![
                    ("spec.backoffLimitPerIndex", "FieldValueInvalid"),
                    ("spec.maxFailedIndexes", "FieldValueInvalid"),
                ],
            ),
            (
                with(|s| {
                    s["completionMode"] = json!("Indexed");
                    s["completions"] = json!(2);
                    s["maxFailedIndexes"] = json!(3);
                }),
                vec![
                    ("spec.backoffLimitPerIndex", "FieldValueRequired"),
                    ("spec.maxFailedIndexes", "FieldValueInvalid"),
                ],
            ),
            (
                with(|s| {
                    s["podFailurePolicy"] = json!({"rules": [
                        {"action": "Bogus", "onExitCodes": {"operator": "In", "values": [0, 3, 2, 2]}},
                        {"action": "", "onPodConditions": [{"type": "a b", "status": "Maybe"}]},
                        {"action": "FailJob"},
                        {"action": "FailIndex", "onExitCodes": {"operator": "", "containerName": "nope", "values": []}}
                    ]});
                }),
                vec![
                    (
                        "spec.podFailurePolicy.rules[0].action",
                        "FieldValueNotSupported",
                    ),
                    (
                        "spec.podFailurePolicy.rules[0].onExitCodes.values",
                        "FieldValueInvalid",
                    ),
                    (
                        "spec.podFailurePolicy.rules[0].onExitCodes.values[0]",
                        "FieldValueInvalid",
                    ),
                    (
                        "spec.podFailurePolicy.rules[0].onExitCodes.values[3]",
                        "FieldValueDuplicate",
                    ),
                    (
                        "spec.podFailurePolicy.rules[1].action",
                        "FieldValueRequired",
                    ),
                    (
                        "spec.podFailurePolicy.rules[1].onPodConditions[0].status",
                        "FieldValueNotSupported",
                    ),
                    (
                        "spec.podFailurePolicy.rules[1].onPodConditions[0].type",
                        "FieldValueInvalid",
                    ),
                    ("spec.podFailurePolicy.rules[2]", "FieldValueInvalid"),
                    ("spec.podFailurePolicy.rules[3].action", "FieldValueInvalid"),
                    (
                        "spec.podFailurePolicy.rules[3].onExitCodes.containerName",
                        "FieldValueInvalid",
                    ),
                    (
                        "spec.podFailurePolicy.rules[3].onExitCodes.operator",
                        "FieldValueRequired",
                    ),
                    (
                        "spec.podFailurePolicy.rules[3].onExitCodes.values",
                        "FieldValueInvalid",
                    ),
                ],
            ),
            (
                with(|s| {
                    s["podFailurePolicy"] = json!({"rules": [{"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}]});
                    s["template"]["spec"]["restartPolicy"] = json!("OnFailure");
                    s["podReplacementPolicy"] = json!("TerminatingOrFailed");
                }),
                vec![
                    ("spec.podReplacementPolicy", "FieldValueNotSupported"),
                    ("spec.template.spec.restartPolicy", "FieldValueInvalid"),
                ],
            ),
            (
                with(|s| s["successPolicy"] = json!({"rules": [{"succeededCount": 1}]})),
                vec![("spec.successPolicy", "FieldValueInvalid")],
            ),
            (
                with(|s| {
                    s["completionMode"] = json!("Indexed");
                    s["completions"] = json!(5);
                    s["successPolicy"] = json!({"rules": [
                        {},
                        {"succeededIndexes": "0-2,1", "succeededCount": 6},
                        {"succeededIndexes": "0,2-3", "succeededCount": 4}
                    ]});
                }),
                vec![
                    ("spec.successPolicy.rules[0]", "FieldValueRequired"),
                    (
                        "spec.successPolicy.rules[1].succeededCount",
                        "FieldValueInvalid",
                    ),
                    (
                        "spec.successPolicy.rules[1].succeededIndexes",
                        "FieldValueInvalid",
                    ),
                    (
                        "spec.successPolicy.rules[2].succeededCount",
                        "FieldValueInvalid",
                    ),
                ],
            ),
            (
                with(|s| s["managedBy"] = json!("nodomain")),
                vec![("spec.managedBy", "FieldValueInvalid")],
            ),
        ];
        for (spec, want) in cases {
            let want: Vec<(String, &str)> =
                want.into_iter().map(|(f, t)| (f.to_owned(), t)).collect();
            assert_eq!(create(&spec), want, "{spec}");
        }
    }

    #[test]
    fn job_error_details_read_as_kubernetes_writes_them() {
        let spec = with(|s| {
            s["completionMode"] = json!("Indexed");
            s["completions"] = json!(5);
            s["successPolicy"] = json!({"rules": [{"succeededIndexes": "0-2,1"}]});
            s["podFailurePolicy"] = json!({"rules": [{"action": ""}]});
        });
        let text: Vec<String> = validate_create(Kind::Job, &created(&spec))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(text.contains(&"spec.successPolicy.rules[0].succeededIndexes: Invalid value: \"0-2,1\": error parsing succeededIndexes: non-increasing order, previous: 2, current: 1".to_owned()), "{text:#?}");
        assert!(text.contains(&"spec.podFailurePolicy.rules[0].action: Required value: valid values: [\"Count\" \"FailIndex\" \"FailJob\" \"Ignore\"]".to_owned()), "{text:#?}");
        assert!(text.contains(&"spec.podFailurePolicy.rules[0]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required".to_owned()), "{text:#?}");
    }

    #[test]
    fn indexed_job_names_leave_room_for_the_index_in_hostnames() {
        let mut obj = job(&with(|s| {
            s["completionMode"] = json!("Indexed");
            s["completions"] = json!(10);
        }));
        obj["metadata"]["name"] = json!("a".repeat(62));
        let mut obj = normalize(Kind::Job, &obj, UID).unwrap();
        obj["metadata"]["uid"] = json!(UID);
        let errs = validate_create(Kind::Job, &obj);
        assert!(errs.iter().any(|e| e.field == "metadata.name"
            && e.detail
                .starts_with("will not able to create pod with invalid DNS label: ")));
    }

    fn stored(spec: &Value) -> Value {
        let mut obj = created(spec);
        obj["metadata"]["resourceVersion"] = json!("1");
        obj
    }

    fn update(old: &Value, f: impl FnOnce(&mut Value)) -> Vec<(String, &'static str)> {
        let mut new = old.clone();
        f(&mut new);
        let mut v: Vec<_> = validate_update(Kind::Job, old, &new)
            .iter()
            .map(|e| (e.field.clone(), e.kind.name()))
            .collect();
        v.sort();
        v.dedup();
        v
    }

    #[test]
    fn job_templates_and_completions_are_immutable_with_kubernetes_exceptions() {
        let old = stored(&valid_spec());
        assert_eq!(
            update(&old, |j| j["spec"]["parallelism"] = json!(3)),
            vec![]
        );
        assert_eq!(
            update(&old, |j| j["spec"]["completions"] = json!(3)),
            vec![("spec.completions".to_owned(), "FieldValueInvalid")]
        );
        assert_eq!(
            update(&old, |j| j["spec"]["template"]["spec"]["nodeSelector"] =
                json!({"a": "b"})),
            vec![("spec.template".to_owned(), "FieldValueInvalid")]
        );
        // A suspended job that never started may move its pods elsewhere.
        let suspended = stored(&with(|s| s["suspend"] = json!(true)));
        assert_eq!(
            update(&suspended, |j| j["spec"]["template"]["spec"]
                ["nodeSelector"] = json!({"a": "b"})),
            vec![]
        );
        // Elastic Indexed Jobs scale completions together with parallelism.
        let indexed = stored(&with(|s| {
            s["completionMode"] = json!("Indexed");
            s["completions"] = json!(2);
            s["parallelism"] = json!(2);
        }));
        assert_eq!(
            update(&indexed, |j| {
                j["spec"]["completions"] = json!(4);
                j["spec"]["parallelism"] = json!(4);
            }),
            vec![]
        );
        assert_eq!(
            update(&indexed, |j| j["spec"]["completions"] = json!(4)),
            vec![("spec.completions".to_owned(), "FieldValueInvalid")]
        );
        assert_eq!(
            update(&indexed, |j| j["spec"]["completionMode"] =
                json!("NonIndexed")),
            vec![("spec.completionMode".to_owned(), "FieldValueInvalid")]
        );
    }

    mod sync {
        use crate::workload::batch::{
            backoff_remaining, job_needs_cleanup, JobManage, JobPodRow, JobSync, JobSyncStart,
        };
        use serde_json::{json, Value};

        const NOW: i64 = 1_735_689_700;
        const STAMP: &str = "2025-01-01T00:01:40Z";

        fn pod(name: &str, phase: &str) -> JobPodRow {
            JobPodRow {
                name: name.into(),
                uid: format!("uid-{name}"),
                phase: phase.into(),
                deleting: false,
                tracked: true,
                ready: phase == "Running",
                scheduled: true,
                restarts: 0,
                finished_at: NOW - 5,
                created: NOW - 60,
            }
        }

        fn spec() -> Value {
            json!({"completions": 4, "parallelism": 2, "backoffLimit": 6,
                   "template": {"spec": {"restartPolicy": "Never"}}})
        }

        /// A started Job's status with two active pods, both ready.
        fn two_active_ready() -> Value {
            json!({"startTime": STAMP, "active": 2, "terminating": 0,
                   "uncountedTerminatedPods": {}, "ready": 2})
        }

        #[test]
        fn a_new_job_creates_parallelism_pods_and_records_its_start() {
            let spec = spec();
            let mut sync = JobSync::new(&spec, None, &[], (0, None), NOW);
            let plan = sync.manage();
            assert_eq!(plan.create, 2);
            let done = sync.finish(2);
            assert!(done.changed);
            assert!(done.remove_finalizers.is_empty());
            assert_eq!(done.backoff, None);
            assert_eq!(
                done.status,
                json!({"startTime": STAMP, "active": 2, "terminating": 0,
                       "uncountedTerminatedPods": {}, "ready": 0})
            );
        }

        #[test]
        fn succeeded_pods_are_counted_at_once_and_replaced() {
            let spec = spec();
            let status = two_active_ready();
            let pods = [pod("a", "Succeeded"), pod("b", "Succeeded")];
            let mut sync = JobSync::new(&spec, Some(&status), &pods, (0, None), NOW);
            assert_eq!(sync.manage().create, 2);
            let done = sync.finish(2);
            assert_eq!(done.remove_finalizers, ["a", "b"]);
            assert_eq!(done.backoff, Some((0, None)));
            assert_eq!(done.status["succeeded"], json!(2));
            assert_eq!(done.status["active"], json!(2));
            assert_eq!(done.status["ready"], json!(0));
            assert_eq!(done.status["uncountedTerminatedPods"], json!({}));
        }

        #[test]
        fn a_failed_pod_is_replaced_only_after_its_back_off() {
            let spec = spec();
            let status = two_active_ready();
            let pods = [pod("a", "Failed"), pod("b", "Running")];
            let mut sync = JobSync::new(&spec, Some(&status), &pods, (0, None), NOW);
            let plan = sync.manage();
            assert_eq!((plan.create, plan.wait), (0, 5));
            let done = sync.finish(0);
            assert_eq!(done.backoff, Some((1, Some(NOW - 5))));
            assert_eq!(done.remove_finalizers, ["a"]);
            assert_eq!(done.status["failed"], json!(1));
            // manageJob reports no active pods while it waits.
            assert_eq!(done.status.get("active"), None);
        }

        #[test]
        fn the_last_success_completes_the_job_in_two_conditions() {
            let spec = json!({"completions": 1, "parallelism": 1});
            let status = json!({"startTime": STAMP, "active": 1, "terminating": 0,
                                "uncountedTerminatedPods": {}, "ready": 1});
            let pods = [pod("a", "Succeeded")];
            let mut sync = JobSync::new(&spec, Some(&status), &pods, (0, None), NOW);
            assert_eq!(sync.manage(), JobManage::default());
            let done = sync.finish(0);
            assert!(done.finished);
            let types: Vec<&str> = done.status["conditions"]
                .as_array()
                .map(|cs| cs.iter().filter_map(|c| c["type"].as_str()).collect())
                .unwrap_or_default();
            assert_eq!(types, ["SuccessCriteriaMet", "Complete"]);
            assert_eq!(done.status["completionTime"], json!(STAMP));
            assert_eq!(done.status["succeeded"], json!(1));
        }

        #[test]
        fn passing_the_backoff_limit_deletes_the_active_pods_and_counts_them_failed() {
            let spec = json!({"completions": 4, "parallelism": 2, "backoffLimit": 0});
            let status = two_active_ready();
            let pods = [pod("a", "Failed"), pod("b", "Running")];
            let mut sync = JobSync::new(&spec, Some(&status), &pods, (0, None), NOW);
            assert_eq!(sync.manage().delete_counted, ["b"]);
            let done = sync.finish(0);
            // The deleted pod is still terminating: Failed waits for it.
            assert!(!done.finished);
            assert_eq!(done.status["failed"], json!(2));
            assert_eq!(done.status["terminating"], json!(1));
            assert_eq!(done.status["conditions"][0]["type"], json!("FailureTarget"));
        }

        #[test]
        fn surplus_pods_go_least_advanced_first_without_being_counted() {
            let spec = json!({"completions": 4, "parallelism": 1});
            let mut pending = pod("a", "Pending");
            pending.ready = false;
            let pods = [pending, pod("b", "Running")];
            let mut sync = JobSync::new(&spec, None, &pods, (0, None), NOW);
            assert_eq!(sync.manage().delete_uncounted, ["a"]);
            let done = sync.finish(0);
            assert!(done.remove_finalizers.is_empty());
            assert_eq!(done.status["active"], json!(1));
            assert_eq!(done.status["terminating"], json!(1));
        }

        #[test]
        fn only_plain_jobs_of_this_controller_are_synced_in_one_call() {
            let plain = json!({"completions": 1});
            assert_eq!(JobSync::applies(&plain, None, false), Ok(()));
            assert_eq!(
                JobSync::applies(&plain, None, true),
                Err(JobSyncStart::General)
            );
            for (field, value, start) in [
                ("completionMode", json!("Indexed"), JobSyncStart::General),
                ("completionMode", json!("Other"), JobSyncStart::NotOurs),
                (
                    "managedBy",
                    json!("example.com/other"),
                    JobSyncStart::NotOurs,
                ),
                ("suspend", json!(true), JobSyncStart::General),
                ("activeDeadlineSeconds", json!(5), JobSyncStart::General),
                (
                    "podReplacementPolicy",
                    json!("Failed"),
                    JobSyncStart::General,
                ),
                (
                    "podFailurePolicy",
                    json!({"rules": []}),
                    JobSyncStart::General,
                ),
            ] {
                let mut spec = plain.clone();
                spec[field] = value;
                assert_eq!(JobSync::applies(&spec, None, false), Err(start), "{field}");
            }
            let done = json!({"conditions": [{"type": "Complete", "status": "True"}]});
            assert_eq!(
                JobSync::applies(&plain, Some(&done), false),
                Err(JobSyncStart::Finished)
            );
        }

        #[test]
        fn only_finished_jobs_with_a_ttl_need_cleaning_up() {
            let done = json!({"conditions": [{"type": "Failed", "status": "True"}]});
            let ttl = json!({"ttlSecondsAfterFinished": 0});
            assert!(job_needs_cleanup(Some(&ttl), Some(&done), false));
            assert!(!job_needs_cleanup(Some(&ttl), Some(&done), true));
            assert!(!job_needs_cleanup(Some(&ttl), None, false));
            assert!(!job_needs_cleanup(Some(&json!({})), Some(&done), false));
        }

        #[test]
        fn the_back_off_doubles_from_ten_seconds_up_to_ten_minutes() {
            assert_eq!(backoff_remaining(0, Some(NOW), NOW), 0);
            assert_eq!(backoff_remaining(1, None, NOW), 0);
            assert_eq!(backoff_remaining(1, Some(NOW), NOW), 10);
            assert_eq!(backoff_remaining(3, Some(NOW - 5), NOW), 35);
            assert_eq!(backoff_remaining(30, Some(NOW), NOW), 600);
            assert_eq!(backoff_remaining(2, Some(NOW - 20), NOW), 0);
        }
    }
}
