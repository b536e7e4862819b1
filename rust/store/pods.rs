//! Pod queries for the workload controllers: what a controller asks of "its"
//! pods, answered in one call without building a dict per pod.
//!
//! The rules are kube-controller-manager's (pkg/controller/controller_utils.go
//! and the ReplicaSet controller): which pods count as active, ready and
//! available, which a controller adopts or releases, and which go first when
//! it scales down.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use super::{time, Kind, Object, Store};
use crate::model::{OwnerReference, PodStatus};
use crate::selector::Selector;

/// The pod-deletion-cost annotation (ReplicaSet scale-down preference).
const DELETION_COST: &str = "controller.kubernetes.io/pod-deletion-cost";

/// A controller's view of the pods it selects.
#[derive(Debug, Default, Clone)]
pub struct OwnedPods {
    /// Active pods it owns (not finished, not being deleted).
    pub active: Vec<Arc<Object>>,
    /// Owned pods that are being deleted.
    pub terminating: usize,
    /// Owned pods that finished (Succeeded or Failed).
    pub finished: Vec<Arc<Object>>,
    /// Pods matching the selector that no controller owns: to adopt.
    pub orphans: Vec<Arc<Object>>,
    /// Owned pods that no longer match the selector: to release.
    pub strays: Vec<Arc<Object>>,
}

/// `IsPodActive`: not finished and not being deleted.
pub fn is_active(pod: &Object) -> bool {
    !pod.deleting()
        && pod
            .pod_status()
            .is_some_and(|s| !matches!(s.phase.as_str(), "Succeeded" | "Failed"))
}

/// Whether the pod's Ready condition is True.
pub fn is_ready(status: &PodStatus) -> bool {
    status
        .conditions
        .iter()
        .any(|c| c.type_ == "Ready" && c.status == "True")
}

/// When the pod's Ready condition last became True (Unix seconds), if it is True.
pub fn ready_since(status: &PodStatus) -> Option<i64> {
    status
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready" && c.status == "True")
        .map(|c| {
            c.last_transition_time
                .as_deref()
                .and_then(time::parse)
                .unwrap_or(0)
        })
}

/// `IsPodAvailable`: ready for at least `min_ready_seconds` at `now`.
pub fn is_available(pod: &Object, min_ready_seconds: i64, now: i64) -> bool {
    pod.pod_status()
        .and_then(ready_since)
        .is_some_and(|t| min_ready_seconds == 0 || t + min_ready_seconds <= now)
}

/// Whether `obj` is a pod of namespace `ns` whose controller is `owner_uid`.
pub fn controlled_pod(obj: &Object, ns: &str, owner_uid: &str) -> bool {
    obj.kind == Kind::Pod
        && &*obj.meta.namespace == ns
        && controller_of(obj).is_some_and(|r| r.uid == owner_uid)
}

/// The pod's controller ownerReference, if any.
pub fn controller_of(pod: &Object) -> Option<&OwnerReference> {
    pod.meta
        .owner_references
        .iter()
        .find(|r| r.controller == Some(true))
}

impl Store {
    /// The pods of namespace `ns` a controller with uid `owner_uid` and
    /// `selector` deals with: its own (active, terminating, finished), the
    /// orphans it may adopt and the owned ones that stopped matching.
    pub fn owned_pods(&self, ns: &str, selector: &Selector, owner_uid: &str) -> OwnedPods {
        let s = self.read();
        let mut out = OwnedPods::default();
        for pod in s.list(Kind::Pod, Some(ns), selector) {
            match controller_of(&pod) {
                Some(r) if r.uid == owner_uid => {
                    if pod.deleting() {
                        out.terminating += 1;
                    } else if is_active(&pod) {
                        out.active.push(pod);
                    } else {
                        out.finished.push(pod);
                    }
                }
                Some(_) => {}
                None => {
                    if !pod.deleting() {
                        out.orphans.push(pod);
                    }
                }
            }
        }
        for slot in s.owners.get(owner_uid) {
            let Some(pod) = s.at(slot) else { continue };
            // The listing above holds exactly the pods of `ns` the selector
            // matches, so an owned pod is left out of it when it stopped
            // matching.
            if controlled_pod(&pod, ns, owner_uid) && !selector.matches(&pod.meta.labels) {
                out.strays.push(pod);
            }
        }
        out
    }
}

/// The order in which a ReplicaSet deletes pods when it scales down
/// (`ActivePodsWithRanks`, with v1.33's logarithmic scale-down): the pod that
/// sorts first goes first. `rank` is the number of active pods of the
/// related controllers on the pod's node (doubled-up pods go first).
pub fn deletion_order(pods: &mut [Arc<Object>], related: &[Arc<Object>], now: i64) {
    let mut per_node: HashMap<&str, usize> = HashMap::new();
    for p in related {
        if let Some(n) = p.node_name() {
            if is_active(p) {
                *per_node.entry(n).or_default() += 1;
            }
        }
    }
    let rank = |p: &Object| {
        p.node_name()
            .map_or(0, |n| per_node.get(n).copied().unwrap_or(0))
    };
    let ranked: Vec<(usize, Arc<Object>)> = pods.iter().map(|p| (rank(p), Arc::clone(p))).collect();
    let mut ranked = ranked;
    ranked.sort_by(|(ra, a), (rb, b)| compare_for_deletion(a, *ra, b, *rb, now));
    for (slot, (_, p)) in pods.iter_mut().zip(ranked) {
        *slot = p;
    }
}

fn phase_rank(phase: &str) -> u8 {
    match phase {
        "Pending" => 0,
        "Running" => 2,
        _ => 1,
    }
}

fn deletion_cost(p: &Object) -> i32 {
    p.meta
        .annotations
        .get(DELETION_COST)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn max_restarts(s: &PodStatus) -> i32 {
    s.container_statuses
        .iter()
        .map(|c| c.restart_count)
        .max()
        .unwrap_or(0)
}

/// Durations compared by their power-of-two bucket (LogarithmicScaleDown):
/// pods of similar age are treated alike, so other criteria decide.
fn log_bucket(since: i64, now: i64) -> i64 {
    let d = (now - since).max(0);
    if d == 0 {
        0
    } else {
        i64::from(64 - (d as u64).leading_zeros())
    }
}

fn compare_for_deletion(a: &Object, ra: usize, b: &Object, rb: usize, now: i64) -> Ordering {
    let (sa, sb) = (a.pod_status(), b.pod_status());
    let (Some(sa), Some(sb)) = (sa, sb) else {
        return Ordering::Equal;
    };
    // Unscheduled before scheduled.
    let assigned = |p: &Object| p.node_name().is_some();
    if assigned(a) != assigned(b) {
        return assigned(a).cmp(&assigned(b));
    }
    // Pending before Unknown before Running.
    let (pa, pb) = (phase_rank(&sa.phase), phase_rank(&sb.phase));
    if pa != pb {
        return pa.cmp(&pb);
    }
    // Not ready before ready.
    let (ya, yb) = (ready_since(sa), ready_since(sb));
    if ya.is_some() != yb.is_some() {
        return ya.is_some().cmp(&yb.is_some());
    }
    // Lower deletion cost first.
    let (ca, cb) = (deletion_cost(a), deletion_cost(b));
    if ca != cb {
        return ca.cmp(&cb);
    }
    // Doubled-up pods (more related pods on the node) first.
    if ra != rb {
        return rb.cmp(&ra);
    }
    // Ready for a shorter time first.
    if let (Some(ta), Some(tb)) = (ya, yb) {
        let (ba, bb) = (log_bucket(ta, now), log_bucket(tb, now));
        if ba != bb {
            return ba.cmp(&bb);
        }
    }
    // More restarts first.
    let (xa, xb) = (max_restarts(sa), max_restarts(sb));
    if xa != xb {
        return xb.cmp(&xa);
    }
    // Newer first.
    let (ba, bb) = (
        log_bucket(a.meta.created, now),
        log_bucket(b.meta.created, now),
    );
    if ba != bb {
        return ba.cmp(&bb);
    }
    Ordering::Equal
}
