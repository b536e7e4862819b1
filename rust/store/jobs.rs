//! The Job controller's sync of a plain Job in one call: its pods read,
//! the pods it deletes or creates, the finalizers it removes and the status
//! it writes, without a dict per pod or per Job crossing into Python. The
//! rules are in `workload::batch::JobSync`; this module reads the store for
//! them and makes their writes in the controller's order.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::{time, Body, DeleteOptions, Kind, Object, PodBatch, Store, Uid};
use crate::model::{LabelSelector, OwnerReference, PodStatus};
use crate::selector::Selector;
use crate::workload::batch::{
    job_needs_cleanup, Backoff, JobPodRow, JobSync, JobSyncStart, TRACKING_FINALIZER,
};

/// What `Store::sync_job` did.
#[derive(Debug)]
pub enum JobSyncOutcome {
    /// The Job does not exist.
    Gone,
    /// Another controller manages it, or its completion mode is unknown.
    NotOurs,
    /// It is finished: nothing to do.
    Finished,
    /// Not a plain Job (see `JobSync::applies`), or it has pods to adopt or
    /// release: nothing was done, the controller's general sync applies.
    General,
    /// Synced.
    Synced(JobSynced),
}

/// The result of a sync `Store::sync_job` made.
#[derive(Debug, Default)]
pub struct JobSynced {
    /// The Job's new back-off record, when pods finished.
    pub backoff: Option<Backoff>,
    /// Seconds of pod-failure back-off before the missing pods can be
    /// created (0: none): the Job is to be synced again then.
    pub wait: i64,
    /// The status write failed (the Job changed meanwhile): sync again.
    pub retry: bool,
    /// The Job as it was read, and as its status write left it.
    pub written: Option<(Arc<Object>, Arc<Object>)>,
    /// The status written finishes the Job.
    pub finished: bool,
}

/// When a Job's pod finished, as the Job controller estimates it (for its
/// pod-failure back-off): the last container exit if every container has
/// exited, else when Ready turned False, else the deletion request (the
/// deletion deadline less the grace period), else its creation.
pub fn job_pod_finished_at(p: &Object, status: &PodStatus) -> i64 {
    let mut latest: Option<i64> = None;
    let mut all_exited = !status.container_statuses.is_empty();
    for c in &status.container_statuses {
        match c
            .state
            .terminated
            .as_ref()
            .and_then(|t| t.finished_at.as_deref())
            .and_then(time::parse)
        {
            Some(t) => latest = Some(latest.map_or(t, |l| l.max(t))),
            None => all_exited = false,
        }
    }
    if let (true, Some(t)) = (all_exited, latest) {
        return t;
    }
    let not_ready = status
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .filter(|c| c.status == "False")
        .and_then(|c| c.last_transition_time.as_deref())
        .and_then(time::parse);
    if let Some(t) = not_ready {
        return t;
    }
    if let Some(d) = p.meta.deletion {
        return d.at - d.grace_seconds;
    }
    p.meta.created
}

/// A Job's pods as its sync reads them: the pods `selector` matches in `ns`
/// that `owner_uid` controls (in name order), the matching pods without a
/// controller that are not being deleted (orphans to adopt), and the pods
/// it controls that no longer match (strays to release).
pub struct JobPods {
    pub pods: Vec<JobPodRow>,
    pub orphans: Vec<String>,
    pub strays: Vec<String>,
}

impl Store {
    /// The pods of a Job (see [`JobPods`]).
    pub fn job_pod_rows(&self, ns: &str, selector: &Selector, owner_uid: &str) -> JobPods {
        let (listed, _) = self.list(Kind::Pod, Some(ns), selector);
        let mut pods = Vec::new();
        let mut orphans = Vec::new();
        for p in &listed {
            let Some(status) = p.pod_status() else {
                continue;
            };
            match super::pods::controller_of(p) {
                None => {
                    if !p.deleting() {
                        orphans.push(p.meta.name.to_string());
                    }
                    continue;
                }
                Some(r) if r.uid != owner_uid => continue,
                Some(_) => {}
            }
            pods.push(JobPodRow {
                name: p.meta.name.to_string(),
                uid: uid_text(&p.meta.uid),
                phase: status.phase.clone(),
                deleting: p.deleting(),
                tracked: p.meta.finalizers.iter().any(|f| f == TRACKING_FINALIZER),
                ready: super::pod_ready(status),
                scheduled: p.node_name().is_some(),
                restarts: status
                    .init_container_statuses
                    .iter()
                    .chain(&status.container_statuses)
                    .map(|c| i64::from(c.restart_count))
                    .sum(),
                finished_at: job_pod_finished_at(p, status),
                created: p.meta.created,
            });
        }
        // Strays are rare: look for them only when more pods name the owner
        // than the selector found. The listing holds every pod of the
        // namespace the selector matches, so a pod it controls is a stray
        // exactly when the selector does not match it.
        let strays = if self.owned_pod_total(owner_uid) <= pods.len() {
            Vec::new()
        } else {
            self.dependents(owner_uid)
                .iter()
                .filter(|o| {
                    super::pods::controlled_pod(o, ns, owner_uid)
                        && !selector.matches(&o.meta.labels)
                })
                .map(|o| o.meta.name.to_string())
                .collect()
        };
        JobPods {
            pods,
            orphans,
            strays,
        }
    }

    /// Whether the TTL-after-finished controller has anything to do with the
    /// Job `ns/name`: it exists, is not being deleted, has a
    /// `ttlSecondsAfterFinished` and is finished.
    pub fn job_needs_cleanup(&self, ns: &str, name: &str) -> bool {
        let Ok(job) = self.get(Kind::Job, ns, name) else {
            return false;
        };
        let Body::Json(fields) = &job.body else {
            return false;
        };
        job_needs_cleanup(fields.get("spec"), fields.get("status"), job.deleting())
    }

    /// The Job controller's sync of the Job `ns/name` when it is a plain
    /// Job (`JobSync::applies`) with no pod to adopt or release: deletes or
    /// creates its pods, removes the tracking finalizer of the pods it
    /// counts and writes its status when that changed. `backoff` is the
    /// Job's back-off record.
    pub fn sync_job(&self, ns: &str, name: &str, backoff: Backoff) -> JobSyncOutcome {
        let key = format!("{ns}/{name}");
        let outcome = self.sync_plain_job(ns, name, &key, backoff);
        let done = match &outcome {
            JobSyncOutcome::Gone | JobSyncOutcome::NotOurs | JobSyncOutcome::Finished => true,
            JobSyncOutcome::General => false,
            JobSyncOutcome::Synced(s) => s.finished,
        };
        if done {
            self.forget_job(&key);
        }
        outcome
    }

    fn sync_plain_job(&self, ns: &str, name: &str, key: &str, backoff: Backoff) -> JobSyncOutcome {
        let Ok(job) = self.get(Kind::Job, ns, name) else {
            return JobSyncOutcome::Gone;
        };
        let Body::Json(fields) = &job.body else {
            return JobSyncOutcome::General;
        };
        let Some(spec) = fields.get("spec") else {
            return JobSyncOutcome::General;
        };
        let status = fields.get("status");
        match JobSync::applies(spec, status, job.deleting()) {
            Ok(()) => {}
            Err(JobSyncStart::NotOurs) => return JobSyncOutcome::NotOurs,
            Err(JobSyncStart::Finished) => return JobSyncOutcome::Finished,
            Err(JobSyncStart::General) => return JobSyncOutcome::General,
        }
        let Some(selector) = self.job_selector(key, spec) else {
            return JobSyncOutcome::General;
        };
        let uid = uid_text(&job.meta.uid);
        let view = self.job_pod_rows(ns, &selector, &uid);
        if !view.orphans.is_empty() || !view.strays.is_empty() {
            return JobSyncOutcome::General;
        }
        let mut sync = JobSync::new(spec, status, &view.pods, backoff, self.now());
        let plan = sync.manage();
        let mut out = JobSynced {
            wait: plan.wait,
            ..JobSynced::default()
        };
        let keys = |names: &[String]| -> Vec<(String, String)> {
            names.iter().map(|n| (ns.to_owned(), n.clone())).collect()
        };
        let opts = DeleteOptions::default();
        if !plan.delete_counted.is_empty() {
            self.delete_many(Kind::Pod, &keys(&plan.delete_counted), &opts);
        }
        if !plan.delete_uncounted.is_empty() {
            self.remove_pod_finalizers(ns, &plan.delete_uncounted);
            self.delete_many(Kind::Pod, &keys(&plan.delete_uncounted), &opts);
        }
        let mut created = 0;
        if plan.create > 0 {
            let template = job_pod_template(spec);
            let batch = PodBatch {
                namespace: ns,
                template: &template,
                names: None,
                generate_name: &format!("{name}-"),
                count: plan.create,
                owner: Some(OwnerReference {
                    api_version: "batch/v1".to_owned(),
                    kind: "Job".to_owned(),
                    name: name.to_owned(),
                    uid: uid.clone(),
                    controller: Some(true),
                    block_owner_deletion: Some(true),
                }),
                overlays: None,
                pin_nodes: None,
                keep_template_as: Some(key),
            };
            created = self.create_pods(&batch).map_or(0, |made| made.len());
        }
        let done = sync.finish(created);
        out.backoff = done.backoff;
        out.finished = done.finished;
        if !done.remove_finalizers.is_empty() {
            self.remove_pod_finalizers(ns, &done.remove_finalizers);
        }
        if done.changed {
            // The status subresource reads only the identity, the
            // preconditions and the status.
            let mut meta = Map::new();
            meta.insert("name".into(), name.into());
            meta.insert("namespace".into(), ns.into());
            meta.insert("uid".into(), uid.into());
            meta.insert(
                "resourceVersion".into(),
                job.meta.resource_version.to_string().into(),
            );
            let mut obj = Map::new();
            obj.insert("apiVersion".into(), "batch/v1".into());
            obj.insert("kind".into(), "Job".into());
            obj.insert("metadata".into(), Value::Object(meta));
            obj.insert("status".into(), done.status);
            match self.replace_status(&Value::Object(obj), ns) {
                Ok(new) => out.written = Some((Arc::clone(&job), new)),
                Err(_) => out.retry = true,
            }
        }
        JobSyncOutcome::Synced(out)
    }

    /// Removes the tracking finalizer from the named pods of `ns`.
    fn remove_pod_finalizers(&self, ns: &str, names: &[String]) {
        self.batch(|tx| {
            for name in names {
                tx.set_finalizer(Kind::Pod, ns, name, TRACKING_FINALIZER, false);
            }
        });
    }
}

/// A uid as text, as `Uid`'s `Display` writes it, without its two
/// formatting passes: a Job's sync reads the uid of each of its pods.
fn uid_text(uid: &Uid) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bits = match uid {
        Uid::Text(t) => return t.to_string(),
        Uid::Random(bits) => *bits,
    };
    let mut out = String::with_capacity(36);
    for i in 0..32 {
        if matches!(i, 8 | 12 | 16 | 20) {
            out.push('-');
        }
        let nibble = (bits >> (124 - 4 * i)) & 0xf;
        out.push(char::from(HEX[usize::try_from(nibble).unwrap_or(0)]));
    }
    out
}

/// The Jobs' selectors as parsed, by Job key, with the `spec.selector` each
/// was parsed from: a Job is synced after every change of it or its pods,
/// and decoding and validating its selector each time cost more than the
/// listing it serves.
#[derive(Default)]
pub struct JobSelectors(HashMap<Box<str>, (Value, Selector)>);

/// The Job's pod selector (`spec.selector`, everything when absent); None
/// when it is not a valid label selector.
fn parse_job_selector(selector: &Value) -> Option<Selector> {
    let ls: LabelSelector = match selector {
        Value::Null => LabelSelector::default(),
        v => crate::input::from_value(v.clone()).ok()?,
    };
    Selector::from_label_selector(&ls).ok()
}

impl Store {
    /// The selector of the Job `key` with this `spec`, parsed once per
    /// selector value.
    fn job_selector(&self, key: &str, spec: &Value) -> Option<Selector> {
        let value = spec.get("selector").unwrap_or(&Value::Null);
        let mut kept = self
            .job_selectors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((v, sel)) = kept.0.get(key) {
            if v == value {
                return Some(sel.clone());
            }
        }
        let sel = parse_job_selector(value)?;
        kept.0.insert(key.into(), (value.clone(), sel.clone()));
        Some(sel)
    }

    /// Forgets what is kept for the Job `key`: it makes no more pods.
    fn forget_job(&self, key: &str) {
        self.forget_template(key);
        self.job_selectors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .0
            .remove(key);
    }
}

/// The Job's pod template with the tracking finalizer added.
fn job_pod_template(spec: &Value) -> Value {
    let mut template = match spec.get("template") {
        Some(Value::Object(t)) => t.clone(),
        _ => Map::new(),
    };
    let mut meta = match template.remove("metadata") {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let mut finalizers = match meta.remove("finalizers") {
        Some(Value::Array(f)) => f,
        _ => Vec::new(),
    };
    if !finalizers.iter().any(|f| f == TRACKING_FINALIZER) {
        finalizers.push(TRACKING_FINALIZER.into());
    }
    meta.insert("finalizers".into(), Value::Array(finalizers));
    template.insert("metadata".into(), Value::Object(meta));
    Value::Object(template)
}

#[cfg(test)]
mod tests {
    use super::uid_text;
    use crate::store::Uid;

    #[test]
    fn a_uid_reads_as_its_display_writes_it() {
        for bits in [0, 1, u128::MAX, 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210] {
            let uid = Uid::from_random(bits);
            assert_eq!(uid_text(&uid), uid.to_string());
        }
        let text = Uid::Text("given-by-a-client".into());
        assert_eq!(uid_text(&text), "given-by-a-client");
    }
}
