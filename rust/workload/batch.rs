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
}
