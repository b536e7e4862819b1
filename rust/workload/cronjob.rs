//! batch/v1 CronJob: its type, API defaults (pkg/apis/batch/v1/defaults.go)
//! and the apiserver's validation (pkg/apis/batch/validation).
//!
//! The job template gets only the pod template's defaults, as the generated
//! defaulters give it: a Job's own defaults (completions, parallelism,
//! backoffLimit, …) are applied when the controller creates the Job.

use super::common::{json, nonnegative, template_opts, validate_object_meta};
use super::cron;
use super::types::JobSpec;
use crate::errors::FieldError;
use crate::model::serde_util::api_struct;
use crate::model::ObjectMeta;
use crate::validate::names::name_is_dns_subdomain;
use crate::validate::{meta, Errors, Opts, Path};
use serde_json::Value;

/// The controller names its Jobs `<cronjob>-<minutes since the epoch>`
/// (up to 11 more characters), and Job names are DNS-1035-label long at most.
const MAX_CRON_JOB_NAME_LENGTH: usize = 63 - 11;

const CONCURRENCY_POLICIES: &[&str] = &["Allow", "Forbid", "Replace"];

api_struct! {
    pub struct CronJob {
        pub api_version: String,
        pub kind: String,
        pub metadata: ObjectMeta,
        pub spec: CronJobSpec,
        pub status: Value,
    }
}

api_struct! {
    pub struct CronJobSpec {
        pub schedule: super::types::Always<String>,
        pub time_zone: Option<String>,
        pub starting_deadline_seconds: Option<i64>,
        pub concurrency_policy: String,
        pub suspend: Option<bool>,
        pub job_template: JobTemplateSpec,
        pub successful_jobs_history_limit: Option<i32>,
        pub failed_jobs_history_limit: Option<i32>,
    }
}

api_struct! {
    pub struct JobTemplateSpec {
        pub metadata: ObjectMeta,
        pub spec: JobSpec,
    }
}

/// `SetDefaults_CronJob`, and the pod defaults of the job template.
pub fn default_cron_job(cj: &mut CronJob) {
    let s = &mut cj.spec;
    if s.concurrency_policy.is_empty() {
        "Allow".clone_into(&mut s.concurrency_policy);
    }
    s.suspend.get_or_insert(false);
    s.successful_jobs_history_limit.get_or_insert(3);
    s.failed_jobs_history_limit.get_or_insert(1);
    crate::defaults::pod_spec(&mut s.job_template.spec.template.spec);
}

/// `ValidateCronJobCreate`.
pub fn validate_cron_job(cj: &CronJob) -> Errors {
    let mut errs = Errors::new();
    let mp = Path::new("metadata");
    validate_object_meta(&cj.metadata, true, name_is_dns_subdomain, &mp, &mut errs);
    let opts = template_opts(&cj.spec.job_template.spec.template, None);
    validate_spec(&cj.spec, None, &opts, &mut errs);
    if cj.metadata.name.len() > MAX_CRON_JOB_NAME_LENGTH {
        errs.push(FieldError::invalid(
            mp.child("name"),
            cj.metadata.name.as_str(),
            format!("must be no more than {MAX_CRON_JOB_NAME_LENGTH} characters"),
        ));
    }
    errs
}

/// `ValidateCronJobUpdate`: no name length limit, so that CronJobs created
/// before it can still be changed and deleted.
pub fn validate_cron_job_update(new: &CronJob, old: &CronJob) -> Errors {
    let mut errs = meta::object_meta_update_errors(&new.metadata, &old.metadata);
    let opts = template_opts(
        &new.spec.job_template.spec.template,
        Some(&old.spec.job_template.spec.template),
    );
    validate_spec(&new.spec, Some(&old.spec), &opts, &mut errs);
    errs
}

/// `validateCronJobSpec`.
fn validate_spec(s: &CronJobSpec, old: Option<&CronJobSpec>, opts: &Opts, errs: &mut Errors) {
    let path = Path::new("spec");
    let sp = path.child("schedule");
    let schedule = s.schedule.0.as_str();
    if schedule.is_empty() {
        errs.push(FieldError::required(sp, ""));
    } else {
        let allow_tz = old.is_some_and(|o| o.schedule.0.contains("TZ"));
        if let Err(msg) = cron::parse_standard(schedule) {
            errs.push(FieldError::invalid(sp, schedule, msg));
        }
        let has_tz = schedule.contains("TZ");
        if allow_tz && has_tz && s.time_zone.is_some() {
            errs.push(FieldError::invalid(
                sp,
                schedule,
                "cannot use both timeZone field and TZ or CRON_TZ in schedule",
            ));
        } else if !allow_tz && has_tz {
            errs.push(FieldError::invalid(
                sp,
                schedule,
                "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
            ));
        }
    }
    if let Some(d) = s.starting_deadline_seconds {
        nonnegative(d, &path.child("startingDeadlineSeconds"), errs);
    }
    if old.is_none_or(|o| o.time_zone != s.time_zone) {
        validate_time_zone(s.time_zone.as_deref(), &path.child("timeZone"), errs);
    }
    let cp = path.child("concurrencyPolicy");
    match s.concurrency_policy.as_str() {
        "" => errs.push(FieldError::required(cp, "")),
        p if CONCURRENCY_POLICIES.contains(&p) => {}
        p => errs.push(FieldError::not_supported(cp, p, CONCURRENCY_POLICIES)),
    }
    validate_job_template_spec(&s.job_template, &path.child("jobTemplate"), opts, errs);
    if let Some(limit) = s.successful_jobs_history_limit {
        nonnegative(limit, &path.child("successfulJobsHistoryLimit"), errs);
    }
    if let Some(limit) = s.failed_jobs_history_limit {
        nonnegative(limit, &path.child("failedJobsHistoryLimit"), errs);
    }
}

/// IANA names: components of letters, digits, `.`, `-`, `_` and `+`, at
/// most 14 long, not `.`/`..`, not starting with `-`.
fn tz_component_ok(part: &str) -> bool {
    (1..=14).contains(&part.len())
        && part != "."
        && part != ".."
        && !part.starts_with('-')
        && part
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-+".contains(&b))
}

/// `validateTimeZone`.
fn validate_time_zone(tz: Option<&str>, path: &Path, errs: &mut Errors) {
    let Some(tz) = tz else {
        return;
    };
    if tz.is_empty() {
        errs.push(FieldError::invalid(
            path,
            tz,
            "timeZone must be nil or non-empty string",
        ));
        return;
    }
    if !tz.split('/').all(tz_component_ok) {
        errs.push(FieldError::invalid(
            path,
            tz,
            format!("unknown time zone {tz}"),
        ));
        return;
    }
    if tz.eq_ignore_ascii_case("Local") {
        errs.push(FieldError::invalid(
            path,
            tz,
            "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
        ));
    }
    if let Err(msg) = cron::load_location(tz) {
        errs.push(FieldError::invalid(path, tz, msg));
    }
}

/// `ValidateJobTemplateSpec`: the Job spec's own rules; the selector is
/// always generated for the Jobs, so none may be given.
fn validate_job_template_spec(t: &JobTemplateSpec, path: &Path, opts: &Opts, errs: &mut Errors) {
    let sp = path.child("spec");
    super::batch::validate_job_spec_fields(&t.spec, &sp, opts, errs);
    if let Some(sel) = &t.spec.selector {
        errs.push(FieldError::invalid(
            sp.child("selector"),
            json(sel),
            "`selector` will be auto-generated",
        ));
    }
    if t.spec.manual_selector == Some(true) {
        errs.push(FieldError::not_supported(
            sp.child("manualSelector"),
            true,
            &["nil", "false"],
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::workload::{normalize, prepare_for_create, validate_create, validate_update, Kind};
    use serde_json::{json, Value};

    fn cron_job(name: &str, spec: &Value) -> Value {
        json!({"metadata": {"name": name, "namespace": "default", "uid": "u-1"}, "spec": spec})
    }

    fn valid_spec() -> Value {
        json!({
            "schedule": "*/5 * * * *",
            "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "OnFailure",
                "containers": [{"name": "c", "image": "busybox"}]
            }}}}
        })
    }

    fn created(name: &str, spec: &Value) -> Value {
        let mut obj = normalize(Kind::CronJob, &cron_job(name, spec), "u-1").unwrap();
        prepare_for_create(Kind::CronJob, &mut obj);
        // As stored, so that the update tests start from it.
        obj["metadata"]["resourceVersion"] = json!("1");
        obj
    }

    fn errors(errs: &[crate::errors::FieldError]) -> Vec<(String, &'static str, String)> {
        errs.iter()
            .map(|e| (e.field.clone(), e.kind.name(), e.detail.clone()))
            .collect()
    }

    #[test]
    fn a_cron_job_gets_kubernetes_defaults_but_its_job_template_only_pod_defaults() {
        let out = created("hello", &valid_spec());
        let s = &out["spec"];
        assert_eq!(s["concurrencyPolicy"], "Allow");
        assert_eq!(s["suspend"], false);
        assert_eq!(s["successfulJobsHistoryLimit"], 3);
        assert_eq!(s["failedJobsHistoryLimit"], 1);
        let job = &s["jobTemplate"]["spec"];
        assert!(job.get("completions").is_none() && job.get("backoffLimit").is_none());
        assert_eq!(job["template"]["spec"]["dnsPolicy"], "ClusterFirst");
        assert_eq!(out["status"], json!({}));
        assert_eq!(validate_create(Kind::CronJob, &out), vec![]);
    }

    #[test]
    fn invalid_cron_jobs_report_kubernetes_fields_and_messages() {
        let mut spec = valid_spec();
        spec["schedule"] = json!("61 * * * *");
        spec["startingDeadlineSeconds"] = json!(-1);
        spec["successfulJobsHistoryLimit"] = json!(-1);
        spec["failedJobsHistoryLimit"] = json!(-2);
        spec["concurrencyPolicy"] = json!("Sometimes");
        spec["jobTemplate"]["spec"]["selector"] = json!({"matchLabels": {"a": "b"}});
        spec["jobTemplate"]["spec"]["manualSelector"] = json!(true);
        spec["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] = json!("Always");
        let got = errors(&validate_create(
            Kind::CronJob,
            &created(&"x".repeat(53), &spec),
        ));
        let fields: Vec<(&str, &str)> = got.iter().map(|(f, t, _)| (f.as_str(), *t)).collect();
        assert_eq!(
            fields,
            vec![
                ("spec.schedule", "FieldValueInvalid"),
                ("spec.startingDeadlineSeconds", "FieldValueInvalid"),
                ("spec.concurrencyPolicy", "FieldValueNotSupported"),
                (
                    "spec.jobTemplate.spec.template.spec.restartPolicy",
                    "FieldValueRequired"
                ),
                ("spec.jobTemplate.spec.selector", "FieldValueInvalid"),
                (
                    "spec.jobTemplate.spec.manualSelector",
                    "FieldValueNotSupported"
                ),
                ("spec.successfulJobsHistoryLimit", "FieldValueInvalid"),
                ("spec.failedJobsHistoryLimit", "FieldValueInvalid"),
                ("metadata.name", "FieldValueInvalid"),
            ]
        );
        assert_eq!(got[0].2, "end of range (61) above maximum (59): 61");
        assert_eq!(got[8].2, "must be no more than 52 characters");
    }

    #[test]
    fn time_zones_are_checked_as_the_apiserver_checks_them() {
        let check = |tz: Value, schedule: &str| {
            let mut spec = valid_spec();
            spec["timeZone"] = tz;
            spec["schedule"] = json!(schedule);
            errors(&validate_create(Kind::CronJob, &created("c", &spec)))
                .into_iter()
                .map(|(f, _, d)| format!("{f}: {d}"))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            check(json!("Europe/Paris"), "0 3 * * *"),
            Vec::<String>::new()
        );
        assert_eq!(check(json!("Etc/GMT+5"), "0 3 * * *"), Vec::<String>::new());
        assert_eq!(
            check(json!(""), "0 3 * * *"),
            vec!["spec.timeZone: timeZone must be nil or non-empty string"]
        );
        assert_eq!(
            check(json!("Europe/Pariss"), "0 3 * * *"),
            vec!["spec.timeZone: unknown time zone Europe/Pariss"]
        );
        assert_eq!(
            check(json!("../../etc/passwd"), "0 3 * * *"),
            vec!["spec.timeZone: unknown time zone ../../etc/passwd"]
        );
        assert_eq!(
            check(json!("Local"), "0 3 * * *"),
            vec!["spec.timeZone: timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"]
        );
        assert_eq!(
            check(Value::Null, "CRON_TZ=UTC 0 3 * * *"),
            vec!["spec.schedule: cannot use TZ or CRON_TZ in schedule, use timeZone field instead"]
        );
    }

    #[test]
    fn an_update_keeps_a_schedule_tz_it_already_had_but_never_with_a_time_zone() {
        let mut old = created("c", &valid_spec());
        old["spec"]["schedule"] = json!("TZ=UTC 0 3 * * *");
        let mut new = old.clone();
        new["spec"]["schedule"] = json!("TZ=UTC 0 4 * * *");
        assert_eq!(validate_update(Kind::CronJob, &old, &new), vec![]);
        new["spec"]["timeZone"] = json!("UTC");
        let got = errors(&validate_update(Kind::CronJob, &old, &new));
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].2,
            "cannot use both timeZone field and TZ or CRON_TZ in schedule"
        );
    }

    #[test]
    fn a_long_name_is_only_refused_on_create() {
        let old = created(&"x".repeat(60), &valid_spec());
        let mut new = old.clone();
        new["spec"]["suspend"] = json!(true);
        assert_eq!(validate_update(Kind::CronJob, &old, &new), vec![]);
    }
}
