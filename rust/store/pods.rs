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

/// The claim each named volume of the pod mounts (None when the pod has no
/// such volume or it is not a persistentVolumeClaim).
pub fn claim_names(pod: &Object, volume_names: &[String]) -> Vec<Option<String>> {
    let volumes = pod.pod_spec().map_or(&[][..], |s| s.volumes.as_slice());
    volume_names
        .iter()
        .map(|n| {
            volumes
                .iter()
                .find(|v| &v.name == n)
                .and_then(|v| v.persistent_volume_claim.as_ref())
                .map(|c| c.claim_name.clone())
        })
        .collect()
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
    /// How many pods name `owner_uid` in an ownerReference: what a listing
    /// of a controller's pods compares with to know whether some of them
    /// stopped matching, without reading each pod's status.
    pub fn owned_pod_total(&self, owner_uid: &str) -> usize {
        let s = self.read();
        s.owners
            .get(owner_uid)
            .filter(|&slot| s.at(slot).is_some_and(|o| o.kind == Kind::Pod))
            .count()
    }

    /// The pods of namespace `ns` that `selector` matches, in no particular
    /// order: for callers that group them their own way, without sorting
    /// thousands of pods by name.
    pub fn selected_pods(&self, ns: &str, selector: &Selector) -> Vec<Arc<Object>> {
        let s = self.read();
        if selector.is_nothing() {
            return Vec::new();
        }
        let table = &s.tables[Kind::Pod.index()];
        let Some(slots) = table.candidates(selector) else {
            return s.list(Kind::Pod, Some(ns), selector);
        };
        let exact = super::index::Table::answers_exactly(selector);
        slots
            .into_iter()
            .filter_map(|slot| s.at(slot))
            .filter(|o| &*o.meta.namespace == ns)
            .filter(|o| exact || selector.matches(&o.meta.labels))
            .collect()
    }

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

/// A StatefulSet pod's parent name and ordinal from its name
/// (`<parent>-<digits>`), as the controller parses it: None when the name
/// does not end in `-<digits>`; an ordinal of -1 when the digits are more
/// than ten or do not fit in an int32.
pub fn parent_and_ordinal(name: &str) -> Option<(&str, i64)> {
    let (parent, digits) = name.rsplit_once('-')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let ordinal = if digits.len() <= 10 {
        digits
            .parse::<i64>()
            .ok()
            .filter(|o| *o <= i64::from(i32::MAX))
            .unwrap_or(-1)
    } else {
        -1
    };
    Some((parent, ordinal))
}

/// What the StatefulSet controller reads of one of its pods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatefulPod {
    pub name: String,
    pub uid: String,
    pub ordinal: i64,
    pub phase: String,
    /// Running with Ready=True.
    pub ready: bool,
    /// None when the Ready condition is not True, else the seconds until the
    /// pod has been ready `min_ready_seconds` (0: available).
    pub available_in: Option<i64>,
    pub deleting: bool,
    /// Its `controller-revision-hash` label, "" when absent.
    pub revision: String,
    /// Its `statefulset.kubernetes.io/pod-name` label.
    pub name_label: Option<String>,
    /// The claimName of its persistentVolumeClaim volume named after each
    /// volumeClaimTemplate, None where there is none.
    pub claims: Vec<Option<String>>,
}

/// computeReplicaStatus's counts over a group of pods.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StatefulCounts {
    /// Pods created (with a phase).
    pub replicas: usize,
    pub ready: usize,
    /// Ready and available.
    pub available: usize,
    /// Created pods not being deleted, by revision label, in label order.
    pub revisions: Vec<(String, usize)>,
}

impl StatefulCounts {
    fn of<'a>(pods: impl Iterator<Item = &'a Member<'a>>) -> StatefulCounts {
        let mut out = StatefulCounts::default();
        // A set's pods carry a revision or two: a short list beats hashing.
        let mut by_revision: Vec<(&str, usize)> = Vec::new();
        for p in pods {
            if p.facts.created {
                out.replicas += 1;
                if !p.facts.deleting {
                    match by_revision.iter_mut().find(|(r, _)| *r == p.revision) {
                        Some((_, n)) => *n += 1,
                        None => by_revision.push((p.revision, 1)),
                    }
                }
            }
            if p.ready {
                out.ready += 1;
                if p.available_in == Some(0) {
                    out.available += 1;
                }
            }
        }
        out.revisions = by_revision
            .into_iter()
            .map(|(r, n)| (r.to_string(), n))
            .collect();
        out.revisions.sort();
        out
    }
}

/// What the StatefulSet controller reads of one pod matching a set's
/// selector: kept between calls while the pod's stored version is the same
/// (the store replaces an object's `Arc` on every write), so a sync reads
/// only the pods that changed since the last one.
#[derive(Debug, Clone)]
enum Role {
    /// In another namespace, not matching, another controller's, or
    /// without a status.
    Other,
    /// No controller, not being deleted, named after the set.
    Adopt,
    /// No controller, but being deleted or not named after the set.
    Orphan,
    /// Controlled by the set but not named after it.
    Release,
    /// Controlled by the set but no longer matching its selector.
    Unmatched,
    Member(Facts),
}

#[derive(Debug, Clone)]
struct Facts {
    ordinal: i64,
    /// It has a phase.
    created: bool,
    running: bool,
    ready_since: Option<i64>,
    deleting: bool,
    /// Its name is `<set>-<ordinal>` and its pod-name label says so.
    identity: bool,
    revision: Box<str>,
}

fn role_of(pod: &Object, q: &StatefulQuery<'_>) -> Role {
    if pod.kind != Kind::Pod || &*pod.meta.namespace != q.namespace {
        return Role::Other;
    }
    if !q.selector.matches(&pod.meta.labels) {
        return if controlled_pod(pod, q.namespace, q.owner_uid) {
            Role::Unmatched
        } else {
            Role::Other
        };
    }
    let name: &str = &pod.meta.name;
    let parsed = parent_and_ordinal(name).filter(|(p, _)| *p == q.set_name);
    match controller_of(pod) {
        None if !pod.deleting() && parsed.is_some() => return Role::Adopt,
        None => return Role::Orphan,
        Some(r) if r.uid == q.owner_uid => {}
        Some(_) => return Role::Other,
    }
    let Some(status) = pod.pod_status() else {
        return Role::Other;
    };
    let Some((_, ordinal)) = parsed else {
        return Role::Release;
    };
    // A member's name is `<set>-<digits>` with the digits' value as its
    // ordinal: the name is the pod's own when there is no leading zero.
    let digits = name.get(q.set_name.len() + 1..).unwrap_or("");
    let label = pod.meta.labels.get("statefulset.kubernetes.io/pod-name");
    Role::Member(Facts {
        ordinal,
        created: !status.phase.is_empty(),
        running: status.phase == "Running",
        ready_since: ready_since(status),
        deleting: pod.deleting(),
        identity: (digits.len() == 1 || !digits.starts_with('0'))
            && label.is_some_and(|l| l == name),
        revision: pod
            .meta
            .labels
            .get("controller-revision-hash")
            .map_or("", String::as_str)
            .into(),
    })
}

/// The facts read for one set's pods (`Store::stateful_view`).
#[derive(Default)]
pub struct StatefulFacts {
    /// By the set's uid.
    sets: HashMap<String, SetFacts>,
}

/// Sets whose pods' facts are kept at most (then all are forgotten).
const SETS_KEPT: usize = 64;

#[derive(Default)]
struct SetFacts {
    /// The namespace, selector and set name the roles were read for.
    shape: Option<(String, Selector, String)>,
    /// By name: every pod of the namespace that matches the selector or that
    /// the set controls, as it was read, and its role.
    pods: HashMap<Box<str>, (Arc<Object>, Role)>,
    /// The resourceVersion `pods` were read at: a later call reads only the
    /// pods changed since, from the store's log.
    rv: Option<u64>,
    /// The last view and what it was asked, while none of `pods` changed: a
    /// sync that follows only the set's own status write sees the same pods.
    last: Option<(ViewKey, StatefulView)>,
    /// What a view needs of `pods`, updated pod by pod as they change.
    kept: Kept,
}

/// Ordinals from this one on are not given a cell: a set with a member
/// there has its view computed over all its pods.
const FAR: i64 = 1 << 16;

/// A view's counts, revisions and ordinals kept up to date with the pods
/// they come from, so that a view asked without `minReadySeconds` (when a
/// pod's availability does not depend on the clock) and without claim
/// templates costs what changed and the walk over compact cells, not a
/// pass over every pod.
#[derive(Default)]
struct Kept {
    adopt: std::collections::BTreeSet<Box<str>>,
    release: std::collections::BTreeSet<Box<str>>,
    members: Tally,
    /// Over the members with a valid ordinal.
    valid: Tally,
    /// Every member's revision label, with how many carry it.
    labels: HashMap<Box<str>, usize>,
    /// By ordinal, up to the highest held below [`FAR`].
    cells: Vec<Cell>,
    /// Ordinals held by more than one member.
    dups: std::collections::BTreeSet<usize>,
    /// Members with an ordinal from [`FAR`] on.
    far: usize,
}

/// The members holding one ordinal and what the walk needs of the one that
/// counts (the last by name).
#[derive(Default)]
struct Cell {
    names: Vec<Box<str>>,
    /// Running, Ready, not being deleted and in its identity: settled when
    /// `minReadySeconds` is 0 and there are no claims to check.
    settled: bool,
    revision: Box<str>,
}

/// [`StatefulCounts`] kept with `minReadySeconds` 0: a ready pod is
/// available.
#[derive(Default, Clone)]
struct Tally {
    replicas: usize,
    ready: usize,
    by_revision: HashMap<Box<str>, usize>,
}

fn count(n: &mut usize, add: bool) {
    *n = if add { *n + 1 } else { n.saturating_sub(1) };
}

fn count_key(map: &mut HashMap<Box<str>, usize>, key: &str, add: bool) {
    if add {
        *map.entry(key.into()).or_insert(0) += 1;
    } else if let Some(n) = map.get_mut(key) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            map.remove(key);
        }
    }
}

impl Tally {
    fn apply(&mut self, f: &Facts, add: bool) {
        if f.created {
            count(&mut self.replicas, add);
            if !f.deleting {
                count_key(&mut self.by_revision, &f.revision, add);
            }
        }
        if f.running && f.ready_since.is_some() {
            count(&mut self.ready, add);
        }
    }

    fn counts(&self) -> StatefulCounts {
        let mut revisions: Vec<(String, usize)> = self
            .by_revision
            .iter()
            .map(|(r, n)| (r.to_string(), *n))
            .collect();
        revisions.sort();
        StatefulCounts {
            replicas: self.replicas,
            ready: self.ready,
            available: self.ready,
            revisions,
        }
    }
}

impl Kept {
    /// Adds (or takes away) one pod's role.
    fn apply(&mut self, name: &str, role: &Role, add: bool) {
        let names = match role {
            Role::Other | Role::Orphan => return,
            Role::Adopt => &mut self.adopt,
            Role::Release | Role::Unmatched => &mut self.release,
            Role::Member(f) => {
                self.member(name, f, add);
                return;
            }
        };
        if add {
            names.insert(name.into());
        } else {
            names.remove(name);
        }
    }

    fn member(&mut self, name: &str, f: &Facts, add: bool) {
        self.members.apply(f, add);
        count_key(&mut self.labels, &f.revision, add);
        if f.ordinal < 0 {
            return;
        }
        self.valid.apply(f, add);
        let Some(o) = cell_of_ordinal(f.ordinal) else {
            count(&mut self.far, add);
            return;
        };
        if add {
            if self.cells.len() <= o {
                self.cells.resize_with(o + 1, Cell::default);
            }
        } else if o >= self.cells.len() {
            return;
        }
        let Some(cell) = self.cells.get_mut(o) else {
            return;
        };
        if add {
            cell.names.push(name.into());
        } else {
            cell.names.retain(|n| &**n != name);
        }
        if cell.names.len() > 1 {
            self.dups.insert(o);
        } else {
            self.dups.remove(&o);
        }
    }

    /// Reads again which member holds ordinal `o` (and drops empty cells
    /// at the end).
    fn refresh(&mut self, o: usize, pods: &HashMap<Box<str>, (Arc<Object>, Role)>) {
        let Some(cell) = self.cells.get_mut(o) else {
            return;
        };
        let facts = cell
            .names
            .iter()
            .max()
            .and_then(|n| pods.get(n))
            .and_then(|(_, role)| match role {
                Role::Member(f) => Some(f),
                _ => None,
            });
        match facts {
            Some(f) => {
                cell.settled = f.running && f.ready_since.is_some() && !f.deleting && f.identity;
                if cell.revision != f.revision {
                    cell.revision = f.revision.clone();
                }
            }
            None => {
                cell.settled = false;
                cell.revision = Box::default();
            }
        }
        while self.cells.last().is_some_and(|c| c.names.is_empty()) {
            self.cells.pop();
        }
    }
}

/// The cell of a member with a valid ordinal below [`FAR`].
fn cell_of(role: &Role) -> Option<usize> {
    match role {
        Role::Member(f) => cell_of_ordinal(f.ordinal),
        _ => None,
    }
}

fn cell_of_ordinal(ordinal: i64) -> Option<usize> {
    if ordinal < FAR {
        usize::try_from(ordinal).ok()
    } else {
        None
    }
}

/// What a view depends on beyond the set's pods and the fields of `shape`:
/// the range, the policy, the claim templates, and the clock when
/// `minReadySeconds` makes availability depend on it.
#[derive(PartialEq, Eq)]
struct ViewKey {
    start: i64,
    replicas: i64,
    min_ready_seconds: i64,
    volume_names: Vec<String>,
    ordered: bool,
    now: i64,
}

impl SetFacts {
    /// Reads every pod the set's selector or controller reference reaches,
    /// keeping the roles of the pods unchanged since the last read.
    fn read_all(&mut self, s: &super::Inner, q: &StatefulQuery<'_>) {
        let table = &s.tables[Kind::Pod.index()];
        let candidates: Vec<super::index::Slot> = if q.selector.is_nothing() {
            Vec::new()
        } else {
            match table.candidates(q.selector) {
                Some(slots) => slots,
                None => table.range(Some(q.namespace)).map(|(_, &sl)| sl).collect(),
            }
        };
        self.last = None;
        let mut old = std::mem::take(&mut self.pods);
        for slot in candidates.into_iter().chain(s.owners.get(q.owner_uid)) {
            let Some(pod) = s.slots.get(slot as usize).and_then(Option::as_ref) else {
                continue;
            };
            if self.pods.contains_key(&pod.meta.name) {
                continue;
            }
            let role = match old.remove(&pod.meta.name) {
                Some((read, role)) if Arc::ptr_eq(&read, pod) => role,
                _ => role_of(pod, q),
            };
            if !matches!(role, Role::Other) {
                self.pods
                    .insert(pod.meta.name.clone(), (Arc::clone(pod), role));
            }
        }
        self.rv = Some(s.rv);
        self.kept = Kept::default();
        for (name, (_, role)) in &self.pods {
            self.kept.apply(name, role, true);
        }
        for o in (0..self.kept.cells.len()).rev() {
            self.kept.refresh(o, &self.pods);
        }
    }

    /// Forgets a pod read before; true if there was one.
    fn forget(&mut self, name: &str) -> bool {
        let Some((_, role)) = self.pods.remove(name) else {
            return false;
        };
        self.kept.apply(name, &role, false);
        if let Some(o) = cell_of(&role) {
            self.kept.refresh(o, &self.pods);
        }
        true
    }

    /// Keeps a pod as read now, in place of what was read of it before.
    fn keep(&mut self, name: &str, pod: Arc<Object>, role: Role) {
        let before = self.pods.remove(name).and_then(|(_, old)| {
            self.kept.apply(name, &old, false);
            cell_of(&old)
        });
        self.kept.apply(name, &role, true);
        let now = cell_of(&role);
        self.pods.insert(name.into(), (pod, role));
        if let Some(o) = now {
            self.kept.refresh(o, &self.pods);
        }
        if let Some(o) = before.filter(|&o| Some(o) != now) {
            self.kept.refresh(o, &self.pods);
        }
    }

    /// Reads the pods of the namespace changed since the last read, from the
    /// store's log; false (nothing read) when the log no longer reaches back
    /// that far or holds more pod changes than reading every pod would cost.
    fn read_changes(&mut self, s: &super::Inner, q: &StatefulQuery<'_>) -> bool {
        let Some(rv) = self.rv else {
            return false;
        };
        if rv < s.compacted || rv > s.rv {
            return false;
        }
        let limit = 64 + self.pods.len() / 4;
        let start = s.log.partition_point(|e| e.rv <= rv);
        let mut changed: Vec<&str> = Vec::new();
        for e in s.log.range(start..) {
            if e.object.kind != Kind::Pod || &*e.object.meta.namespace != q.namespace {
                continue;
            }
            if changed.len() >= limit {
                return false;
            }
            changed.push(&e.object.meta.name);
        }
        for name in changed {
            let Ok(pod) = s.get(Kind::Pod, q.namespace, name) else {
                if self.forget(name) {
                    self.last = None;
                }
                continue;
            };
            if self
                .pods
                .get(name)
                .is_some_and(|(read, _)| Arc::ptr_eq(read, &pod))
            {
                continue;
            }
            let role = role_of(&pod, q);
            if matches!(role, Role::Other) {
                if self.forget(name) {
                    self.last = None;
                }
            } else {
                self.keep(name, pod, role);
                self.last = None;
            }
        }
        self.rv = Some(s.rv);
        true
    }
}

/// A member of a set while its view is computed.
struct Member<'a> {
    pod: &'a Object,
    facts: &'a Facts,
    ordinal: i64,
    ready: bool,
    available_in: Option<i64>,
    revision: &'a str,
}

impl Member<'_> {
    /// Running, Ready, available and not being deleted: OrderedReady may go
    /// past it.
    fn healthy_and_available(&self) -> bool {
        self.ready && self.available_in == Some(0) && !self.facts.deleting
    }

    fn to_pod(&self, volume_names: &[String]) -> StatefulPod {
        StatefulPod {
            name: self.pod.meta.name.to_string(),
            uid: self.pod.meta.uid.to_string(),
            ordinal: self.ordinal,
            phase: self
                .pod
                .pod_status()
                .map(|st| st.phase.clone())
                .unwrap_or_default(),
            ready: self.ready,
            available_in: self.available_in,
            deleting: self.facts.deleting,
            revision: self.revision.to_string(),
            name_label: self
                .pod
                .meta
                .labels
                .get("statefulset.kubernetes.io/pod-name")
                .cloned(),
            claims: claim_names(self.pod, volume_names),
        }
    }
}

/// A stretch of a StatefulSet's ordinals in range, as the controller walks
/// them (indexes count from the start ordinal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatefulSlot {
    /// A pod that needs the controller's attention: not Running, Ready and
    /// available, being deleted, or with its identity or claims to check.
    Pod(usize, StatefulPod),
    /// Indexes `lo..=hi` without a pod.
    Missing(usize, usize),
    /// Indexes `lo..=hi` whose pods are Running, Ready, available, not being
    /// deleted, carry their identity and `revision`, and have no claims to
    /// check: the controller has nothing to do with them.
    Settled(usize, usize, String),
}

/// What the StatefulSet controller asks of the pods of a set.
#[derive(Debug, Clone)]
pub struct StatefulQuery<'a> {
    pub namespace: &'a str,
    pub selector: &'a Selector,
    pub owner_uid: &'a str,
    pub set_name: &'a str,
    pub start: i64,
    pub replicas: i64,
    pub min_ready_seconds: i64,
    /// The names of the volumeClaimTemplates: with any, every pod has its
    /// claims checked, so none is settled.
    pub volume_names: &'a [String],
    /// OrderedReady: the walk stops at the first pod that is missing or not
    /// healthy and available, so nothing after it is reported.
    pub ordered: bool,
}

/// The StatefulSet controller's view of a set's pods (`Store::stateful_view`).
#[derive(Debug, Clone, Default)]
pub struct StatefulView {
    /// Pods the selector matches without a controller, not being deleted,
    /// named after the set: to adopt. In name order.
    pub adopt: Vec<String>,
    /// Pods the set controls that no longer match its selector or are not
    /// named after it: to release. In name order.
    pub release: Vec<String>,
    /// Counts over every member (controlled, matching, named after the set).
    pub members: StatefulCounts,
    /// Counts over the members with a valid ordinal, where two pods claim one
    /// ordinal in range counting the one that sorts last by name.
    pub slotted: StatefulCounts,
    /// Every revision label the members carry ("" for none), in order.
    pub revisions: Vec<String>,
    /// The least positive `available_in` of members not being deleted.
    pub next_available: Option<i64>,
    /// The ordinals in range, in order (up to the first blocking one when
    /// `ordered`).
    pub slots: Vec<StatefulSlot>,
    /// Members whose ordinal is out of range, highest ordinal first.
    pub condemned: Vec<StatefulPod>,
}

impl Store {
    /// The StatefulSet controller's view of its pods in one pass, without
    /// sorting the pods or copying the healthy ones: what a sync needs
    /// whatever the number of healthy pods (counts, the revisions in use,
    /// and the ordinals in range as stretches, healthy pods collapsed).
    pub fn stateful_view(&self, q: &StatefulQuery<'_>) -> StatefulView {
        let s = self.read();
        let now = s.now;
        let mut cache = self
            .stateful
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if cache.sets.len() >= SETS_KEPT && !cache.sets.contains_key(q.owner_uid) {
            cache.sets.clear();
        }
        let set = cache.sets.entry(q.owner_uid.to_string()).or_default();
        let shape = (
            q.namespace.to_string(),
            q.selector.clone(),
            q.set_name.to_string(),
        );
        if set.shape.as_ref() != Some(&shape) {
            set.pods.clear();
            set.rv = None;
            set.shape = Some(shape);
        }
        if !set.read_changes(&s, q) {
            set.read_all(&s, q);
        }
        let key = ViewKey {
            start: q.start,
            replicas: q.replicas,
            min_ready_seconds: q.min_ready_seconds,
            volume_names: q.volume_names.to_vec(),
            ordered: q.ordered,
            now: if q.min_ready_seconds == 0 { 0 } else { now },
        };
        if let Some((asked, view)) = &set.last {
            if *asked == key {
                return view.clone();
            }
        }
        let out = if q.min_ready_seconds == 0
            && q.volume_names.is_empty()
            && q.start >= 0
            && set.kept.far == 0
        {
            set.kept_view(q)
        } else {
            set.full_view(q, now)
        };
        set.last = Some((key, out.clone()));
        out
    }
}

impl SetFacts {
    /// The view from every pod read.
    fn full_view(&self, q: &StatefulQuery<'_>, now: i64) -> StatefulView {
        let mut out = StatefulView::default();
        let mut members: Vec<Member<'_>> = Vec::new();
        for (pod, role) in self.pods.values() {
            match role {
                Role::Other | Role::Orphan => {}
                Role::Adopt => out.adopt.push(pod.meta.name.to_string()),
                Role::Release | Role::Unmatched => out.release.push(pod.meta.name.to_string()),
                Role::Member(facts) => members.push(Member {
                    pod,
                    facts,
                    ordinal: facts.ordinal,
                    ready: facts.running && facts.ready_since.is_some(),
                    available_in: facts.ready_since.map(|t| {
                        if q.min_ready_seconds == 0 {
                            0
                        } else {
                            (t + q.min_ready_seconds - now).max(0)
                        }
                    }),
                    revision: &facts.revision,
                }),
            }
        }
        out.adopt.sort();
        out.release.sort();
        out.members = StatefulCounts::of(members.iter());
        // A revision or two among all the pods: collected without sorting
        // them all, unless the pods carry many.
        let mut revisions: Vec<&str> = Vec::new();
        for p in &members {
            if revisions.len() > 16 {
                revisions = members.iter().map(|p| p.revision).collect();
                break;
            }
            if !revisions.contains(&p.revision) {
                revisions.push(p.revision);
            }
        }
        revisions.sort_unstable();
        revisions.dedup();
        out.revisions = revisions.into_iter().map(str::to_string).collect();
        out.next_available = members
            .iter()
            .filter(|p| !p.facts.deleting)
            .filter_map(|p| p.available_in)
            .filter(|&t| t > 0)
            .min();
        let end = q.start.saturating_add(q.replicas.max(0));
        let (placed, condemned) = place(&members, q.start, end);
        out.slotted = StatefulCounts::of(
            placed
                .iter()
                .map(|&(_, i)| &members[i])
                .chain(condemned.iter().map(|&i| &members[i])),
        );
        out.condemned = condemned
            .iter()
            .map(|&i| members[i].to_pod(q.volume_names))
            .collect();
        out.slots = walk_slots(q, &members, &placed, end);
        out
    }

    /// The member that holds a cell, read as `full_view` reads it with
    /// `minReadySeconds` 0.
    fn member_at(&self, name: &str) -> Option<Member<'_>> {
        let (pod, Role::Member(facts)) = self.pods.get(name)? else {
            return None;
        };
        let ready = facts.running && facts.ready_since.is_some();
        Some(Member {
            pod,
            facts,
            ordinal: facts.ordinal,
            ready,
            available_in: facts.ready_since.map(|_| 0),
            revision: &facts.revision,
        })
    }

    /// The view from the kept counts and cells: what `full_view` gives when
    /// `minReadySeconds` is 0, there are no claim templates, the start
    /// ordinal is not negative and every member's ordinal has a cell.
    fn kept_view(&self, q: &StatefulQuery<'_>) -> StatefulView {
        let k = &self.kept;
        let mut out = StatefulView {
            adopt: k.adopt.iter().map(ToString::to_string).collect(),
            release: k.release.iter().map(ToString::to_string).collect(),
            members: k.members.counts(),
            ..StatefulView::default()
        };
        let mut labels: Vec<String> = k.labels.keys().map(ToString::to_string).collect();
        labels.sort_unstable();
        out.revisions = labels;
        let end = q.start.saturating_add(q.replicas.max(0));
        // Cells `lo..hi` are in range; every cell's ordinal is below FAR.
        let lo = usize::try_from(q.start.min(FAR)).unwrap_or(0);
        let hi = usize::try_from(end.min(FAR)).unwrap_or(0).max(lo);
        // Of two members with one ordinal in range, only the last by name
        // counts.
        let mut slotted = k.valid.clone();
        for &o in k.dups.range(lo..hi) {
            let Some(cell) = k.cells.get(o) else {
                continue;
            };
            let winner = cell.names.iter().max();
            for name in &cell.names {
                if Some(name) != winner {
                    if let Some(m) = self.member_at(name) {
                        slotted.apply(m.facts, false);
                    }
                }
            }
        }
        out.slotted = slotted.counts();
        let above = k.cells.get(hi..).unwrap_or_default().iter().rev();
        let below = k.cells.get(..lo.min(k.cells.len())).unwrap_or_default();
        for cell in above.chain(below.iter().rev()) {
            let mut names: Vec<&Box<str>> = cell.names.iter().collect();
            names.sort_unstable();
            out.condemned.extend(
                names
                    .into_iter()
                    .filter_map(|n| self.member_at(n))
                    .map(|m| m.to_pod(q.volume_names)),
            );
        }
        out.slots = self.walk_cells(q, lo, hi, end);
        out
    }

    /// `walk_slots` over the cells `lo..hi` (ordinals `q.start..end`).
    fn walk_cells(
        &self,
        q: &StatefulQuery<'_>,
        lo: usize,
        hi: usize,
        end: i64,
    ) -> Vec<StatefulSlot> {
        let mut slots: Vec<StatefulSlot> = Vec::new();
        // Indexes from the start ordinal, which is cell `lo`.
        let mut next = lo;
        let cells = self
            .kept
            .cells
            .get(lo..hi.min(self.kept.cells.len()))
            .unwrap_or_default();
        for (k, cell) in cells.iter().enumerate() {
            let o = lo + k;
            let Some(name) = cell.names.iter().max() else {
                continue;
            };
            if o > next {
                slots.push(StatefulSlot::Missing(next - lo, o - 1 - lo));
                if q.ordered {
                    return slots;
                }
            }
            next = o + 1;
            if cell.settled {
                let i = o - lo;
                if let Some(StatefulSlot::Settled(_, hi, rev)) = slots.last_mut() {
                    if *hi + 1 == i && **rev == *cell.revision {
                        *hi = i;
                        continue;
                    }
                }
                slots.push(StatefulSlot::Settled(i, i, cell.revision.to_string()));
                continue;
            }
            let Some(m) = self.member_at(name) else {
                continue;
            };
            slots.push(StatefulSlot::Pod(o - lo, m.to_pod(q.volume_names)));
            if q.ordered && !m.healthy_and_available() {
                return slots;
            }
        }
        let last = usize::try_from(end - q.start).unwrap_or(0);
        if next - lo < last {
            slots.push(StatefulSlot::Missing(next - lo, last - 1));
        }
        slots
    }
}

/// Log entries [`Store::changed_since`] reads at most before it answers
/// true: past that, reading the objects again costs less than the log.
const CHANGES_READ: usize = 1024;

impl Store {
    /// Whether an object of `kind` in `namespace` was written or deleted
    /// after resourceVersion `rv`; true as well when the log no longer
    /// reaches back to `rv`, `rv` is ahead of the store, or more than
    /// [`CHANGES_READ`] changes followed it. Lets the StatefulSet controller
    /// keep the ControllerRevisions it read while none of them changed.
    pub fn changed_since(&self, kind: Kind, namespace: &str, rv: u64) -> bool {
        let s = self.read();
        if rv < s.compacted || rv > s.rv {
            return true;
        }
        let start = s.log.partition_point(|e| e.rv <= rv);
        if s.log.len() - start > CHANGES_READ {
            return true;
        }
        s.log
            .range(start..)
            .any(|e| e.object.kind == kind && &*e.object.meta.namespace == namespace)
    }
}

/// The members in range as `(ordinal, member index)` in ordinal order (of
/// two pods with one ordinal, the one last by name), and the members out of
/// range with a valid ordinal, highest ordinal first (then by name).
fn place(members: &[Member<'_>], start: i64, end: i64) -> (Vec<(i64, usize)>, Vec<usize>) {
    let later = |a: usize, b: usize| members[a].pod.meta.name > members[b].pod.meta.name;
    let mut condemned: Vec<usize> = Vec::new();
    let mut in_range: Vec<(i64, usize)> = Vec::new();
    for (i, p) in members.iter().enumerate() {
        if start <= p.ordinal && p.ordinal < end {
            in_range.push((p.ordinal, i));
        } else if p.ordinal >= 0 {
            condemned.push(i);
        }
    }
    condemned.sort_by(|&a, &b| {
        members[b]
            .ordinal
            .cmp(&members[a].ordinal)
            .then_with(|| members[a].pod.meta.name.cmp(&members[b].pod.meta.name))
    });
    // A dense table when the range is not much larger than the pods in it
    // (the usual case, and no sort); a sort otherwise.
    let span = (end - start) as u64;
    let placed = if span <= (in_range.len() as u64).saturating_mul(4) + 1024 {
        let mut table: Vec<Option<usize>> = vec![None; span as usize];
        for (ordinal, i) in in_range {
            let cell = &mut table[(ordinal - start) as usize];
            if cell.is_none_or(|held| later(i, held)) {
                *cell = Some(i);
            }
        }
        table
            .into_iter()
            .enumerate()
            .filter_map(|(k, cell)| cell.map(|i| (start + k as i64, i)))
            .collect()
    } else {
        in_range.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| members[a.1].pod.meta.name.cmp(&members[b.1].pod.meta.name))
        });
        let mut placed: Vec<(i64, usize)> = Vec::with_capacity(in_range.len());
        for (ordinal, i) in in_range {
            match placed.last_mut() {
                Some(last) if last.0 == ordinal => last.1 = i,
                _ => placed.push((ordinal, i)),
            }
        }
        placed
    };
    (placed, condemned)
}

/// The ordinals `q.start..end` as stretches (`StatefulView::slots`).
fn walk_slots(
    q: &StatefulQuery<'_>,
    members: &[Member<'_>],
    placed: &[(i64, usize)],
    end: i64,
) -> Vec<StatefulSlot> {
    let index = |ordinal: i64| (ordinal - q.start) as usize;
    let mut slots: Vec<StatefulSlot> = Vec::new();
    let mut next = q.start;
    for &(ordinal, i) in placed {
        let p = &members[i];
        if ordinal > next {
            slots.push(StatefulSlot::Missing(index(next), index(ordinal - 1)));
            if q.ordered {
                return slots;
            }
        }
        next = ordinal + 1;
        let healthy = p.healthy_and_available();
        let identity = p.facts.identity;
        if healthy && identity && q.volume_names.is_empty() {
            let k = index(ordinal);
            if let Some(StatefulSlot::Settled(_, hi, rev)) = slots.last_mut() {
                if *hi + 1 == k && rev.as_str() == p.revision {
                    *hi = k;
                    continue;
                }
            }
            slots.push(StatefulSlot::Settled(k, k, p.revision.to_string()));
            continue;
        }
        slots.push(StatefulSlot::Pod(index(ordinal), p.to_pod(q.volume_names)));
        if q.ordered && !healthy {
            return slots;
        }
    }
    if next < end {
        slots.push(StatefulSlot::Missing(index(next), index(end - 1)));
    }
    slots
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn set_pod(s: &Store, name: &str, owner: &str, revision: &str, ready: bool) {
        let pod = s
            .create(
                &json!({
                    "apiVersion": "v1", "kind": "Pod",
                    "metadata": {
                        "name": name,
                        "labels": {
                            "app": "web",
                            "controller-revision-hash": revision,
                            "statefulset.kubernetes.io/pod-name": name,
                        },
                        "ownerReferences": [{
                            "apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web",
                            "uid": owner, "controller": true,
                        }],
                    },
                    "spec": {"containers": [{"name": "c", "image": "nginx"}]},
                }),
                "default",
            )
            .unwrap();
        if ready {
            let mut obj = serde_json::to_value(&*pod).unwrap();
            obj["status"] = json!({
                "phase": "Running",
                "conditions": [{"type": "Ready", "status": "True",
                                "lastTransitionTime": "2025-01-01T00:00:00Z"}],
            });
            s.replace_status(&obj, "default").unwrap();
        }
    }

    fn query<'a>(selector: &'a Selector, uid: &'a str, replicas: i64) -> StatefulQuery<'a> {
        StatefulQuery {
            namespace: "default",
            selector,
            owner_uid: uid,
            set_name: "web",
            start: 0,
            replicas,
            min_ready_seconds: 0,
            volume_names: &[],
            ordered: true,
        }
    }

    #[test]
    fn pod_names_give_their_parent_and_an_int32_ordinal() {
        assert_eq!(parent_and_ordinal("web-0"), Some(("web", 0)));
        assert_eq!(parent_and_ordinal("my-web-007"), Some(("my-web", 7)));
        assert_eq!(parent_and_ordinal("web-2147483648"), Some(("web", -1)));
        assert_eq!(parent_and_ordinal("web-00000000001"), Some(("web", -1)));
        assert_eq!(parent_and_ordinal("web-1a"), None);
        assert_eq!(parent_and_ordinal("web-"), None);
        assert_eq!(parent_and_ordinal("web"), None);
    }

    #[test]
    fn healthy_pods_collapse_into_stretches_of_one_revision() {
        let s = Store::new(0, 1000);
        let uid = "00000000-0000-4000-8000-000000000001";
        for i in 0..3 {
            set_pod(&s, &format!("web-{i}"), uid, "a", true);
        }
        set_pod(&s, "web-3", uid, "b", true);
        set_pod(&s, "web-4", uid, "b", false);
        let sel = Selector::parse("app=web").unwrap();
        let view = s.stateful_view(&query(&sel, uid, 8));
        assert_eq!(view.slots.len(), 3);
        assert_eq!(view.slots[0], StatefulSlot::Settled(0, 2, "a".into()));
        assert_eq!(view.slots[1], StatefulSlot::Settled(3, 3, "b".into()));
        // OrderedReady stops at the pod that is not ready.
        assert!(matches!(&view.slots[2], StatefulSlot::Pod(4, p) if p.name == "web-4"));
        assert_eq!(view.members.replicas, 5);
        assert_eq!(view.members.ready, 4);
        assert_eq!(
            view.members.revisions,
            vec![("a".to_string(), 3), ("b".to_string(), 2)]
        );
        let parallel = StatefulQuery {
            ordered: false,
            ..query(&sel, uid, 8)
        };
        let view = s.stateful_view(&parallel);
        assert_eq!(view.slots.last(), Some(&StatefulSlot::Missing(5, 7)));
    }

    #[test]
    fn pods_out_of_range_are_condemned_highest_ordinal_first() {
        let s = Store::new(0, 1000);
        let uid = "00000000-0000-4000-8000-000000000001";
        for name in ["web-0", "web-1", "web-2", "web-10"] {
            set_pod(&s, name, uid, "a", true);
        }
        let sel = Selector::parse("app=web").unwrap();
        let view = s.stateful_view(&query(&sel, uid, 1));
        let condemned: Vec<&str> = view.condemned.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(condemned, ["web-10", "web-2", "web-1"]);
        assert_eq!(view.slots, vec![StatefulSlot::Settled(0, 0, "a".into())]);
        assert_eq!(view.slotted.replicas, 4);
    }

    /// The view as a store that never saw the set would compute it.
    fn fresh_view(s: &Store, q: &StatefulQuery<'_>) -> String {
        let saved = std::mem::take(&mut *s.stateful.lock().unwrap());
        let view = format!("{:?}", s.stateful_view(q));
        *s.stateful.lock().unwrap() = saved;
        view
    }

    fn delete_pod(s: &Store, name: &str) {
        s.delete(
            Kind::Pod,
            "default",
            name,
            &super::super::DeleteOptions::default(),
        )
        .unwrap();
    }

    /// A pod of `default` the set selects and no controller owns.
    fn add_orphan(s: &Store, name: &str) {
        s.create(
            &json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            }),
            "default",
        )
        .unwrap();
    }

    /// Sets one label of a pod of `default`.
    fn set_label(s: &Store, name: &str, key: &str, value: &str) {
        let mut obj = serde_json::to_value(&*s.get(Kind::Pod, "default", name).unwrap()).unwrap();
        obj["metadata"]["labels"][key] = json!(value);
        s.replace(&obj, "default").unwrap();
    }

    fn relabel(s: &Store, name: &str, app: &str) {
        set_label(s, name, "app", app);
    }

    #[test]
    fn a_view_read_from_the_changes_since_the_last_equals_one_read_afresh() {
        let s = Store::new(0, 1000);
        let uid = "00000000-0000-4000-8000-000000000001";
        for i in 0..6 {
            set_pod(&s, &format!("web-{i}"), uid, "a", i != 5);
        }
        let sel = Selector::parse("app=web").unwrap();
        let q = query(&sel, uid, 8);
        assert_eq!(format!("{:?}", s.stateful_view(&q)), fresh_view(&s, &q));
        // A pod deleted, one relabelled out of the selector and one back into
        // it, an orphan to adopt, another set's pod, one in another
        // namespace, and a status change.
        delete_pod(&s, "web-1");
        relabel(&s, "web-2", "other");
        add_orphan(&s, "web-7");
        set_pod(
            &s,
            "web-8",
            "00000000-0000-4000-8000-000000000002",
            "a",
            true,
        );
        let mut elsewhere =
            serde_json::to_value(&*s.get(Kind::Pod, "default", "web-0").unwrap()).unwrap();
        elsewhere["metadata"]["namespace"] = json!("kube-system");
        elsewhere["metadata"]["resourceVersion"] = json!(null);
        elsewhere["metadata"]["uid"] = json!(null);
        s.create(&elsewhere, "kube-system").unwrap();
        let mut ready =
            serde_json::to_value(&*s.get(Kind::Pod, "default", "web-5").unwrap()).unwrap();
        ready["status"] = json!({
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True",
                            "lastTransitionTime": "2025-01-01T00:00:00Z"}],
        });
        s.replace_status(&ready, "default").unwrap();
        let view = s.stateful_view(&q);
        assert_eq!(format!("{view:?}"), fresh_view(&s, &q));
        assert_eq!(view.release, ["web-2"]);
        assert_eq!(view.adopt, ["web-7"]);
        assert_eq!(view.members.replicas, 4);
        relabel(&s, "web-2", "web");
        let view = s.stateful_view(&q);
        assert_eq!(format!("{view:?}"), fresh_view(&s, &q));
        assert!(view.release.is_empty());
        assert_eq!(view.members.replicas, 5);
    }

    #[test]
    fn a_view_after_the_log_moved_past_its_last_read_reads_every_pod() {
        let s = Store::new(0, 4);
        let uid = "00000000-0000-4000-8000-000000000001";
        set_pod(&s, "web-0", uid, "a", true);
        let sel = Selector::parse("app=web").unwrap();
        let q = query(&sel, uid, 8);
        assert_eq!(s.stateful_view(&q).members.replicas, 1);
        for i in 1..8 {
            set_pod(&s, &format!("web-{i}"), uid, "a", true);
        }
        let view = s.stateful_view(&q);
        assert_eq!(format!("{view:?}"), fresh_view(&s, &q));
        assert_eq!(view.members.ready, 8);
        assert_eq!(view.slots, vec![StatefulSlot::Settled(0, 7, "a".into())]);
    }

    #[test]
    fn a_view_of_unchanged_pods_follows_the_clock_and_the_range_asked() {
        let s = Store::new(0, 1000);
        let uid = "00000000-0000-4000-8000-000000000001";
        for i in 0..3 {
            set_pod(&s, &format!("web-{i}"), uid, "a", true);
        }
        let sel = Selector::parse("app=web").unwrap();
        let ready_at = 1_735_689_600;
        let slow = StatefulQuery {
            min_ready_seconds: 10,
            ..query(&sel, uid, 3)
        };
        s.set_now(ready_at + 4);
        let view = s.stateful_view(&slow);
        assert_eq!(view.members.available, 0);
        assert_eq!(view.next_available, Some(6));
        s.set_now(ready_at + 10);
        let view = s.stateful_view(&slow);
        assert_eq!(format!("{view:?}"), fresh_view(&s, &slow));
        assert_eq!(view.members.available, 3);
        assert_eq!(view.next_available, None);
        let fewer = query(&sel, uid, 1);
        let view = s.stateful_view(&fewer);
        assert_eq!(format!("{view:?}"), fresh_view(&s, &fewer));
        assert_eq!(view.condemned.len(), 2);
        assert_eq!(s.stateful_view(&query(&sel, uid, 3)).condemned.len(), 0);
    }

    /// Asserts, for several ranges and both policies, that the view kept
    /// pod by pod equals the one computed over every pod read.
    fn assert_kept_equals_full(s: &Store, sel: &Selector, uid: &str) {
        for (start, replicas) in [(0, 0), (0, 3), (0, 8), (0, 12), (2, 4), (70_000, 2)] {
            for ordered in [true, false] {
                let q = StatefulQuery {
                    start,
                    ordered,
                    ..query(sel, uid, replicas)
                };
                let kept = format!("{:?}", s.stateful_view(&q));
                let now = s.read().now;
                let cache = s.stateful.lock().unwrap();
                let full = format!("{:?}", cache.sets[uid].full_view(&q, now));
                assert_eq!(
                    kept, full,
                    "start {start}, replicas {replicas}, ordered {ordered}"
                );
                drop(cache);
                assert_eq!(kept, fresh_view(s, &q));
            }
        }
    }

    fn set_revision(s: &Store, name: &str, revision: &str) {
        set_label(s, name, "controller-revision-hash", revision);
    }

    #[test]
    fn a_view_kept_pod_by_pod_equals_one_computed_over_every_pod() {
        let s = Store::new(0, 1000);
        let uid = "00000000-0000-4000-8000-000000000001";
        let sel = Selector::parse("app=web").unwrap();
        assert_kept_equals_full(&s, &sel, uid);
        for i in 0..6 {
            set_pod(
                &s,
                &format!("web-{i}"),
                uid,
                if i < 3 { "a" } else { "b" },
                i != 4,
            );
        }
        assert_kept_equals_full(&s, &sel, uid);
        // Two pods for ordinal 1 (one named with a leading zero), one far out
        // of range, an orphan, a pod not ready, a revision changed.
        set_pod(&s, "web-01", uid, "b", true);
        set_pod(&s, "web-10", uid, "a", true);
        assert_kept_equals_full(&s, &sel, uid);
        add_orphan(&s, "web-7");
        set_revision(&s, "web-2", "b");
        assert_kept_equals_full(&s, &sel, uid);
        // Pods leaving: deleted, relabelled out of the selector; one back.
        delete_pod(&s, "web-01");
        relabel(&s, "web-3", "other");
        assert_kept_equals_full(&s, &sel, uid);
        relabel(&s, "web-3", "web");
        delete_pod(&s, "web-10");
        set_pod(&s, "web-1000", uid, "a", false);
        assert_kept_equals_full(&s, &sel, uid);
        delete_pod(&s, "web-1000");
        // A member past the cells: the view is computed over every pod.
        set_pod(&s, "web-70001", uid, "a", true);
        assert_kept_equals_full(&s, &sel, uid);
        delete_pod(&s, "web-70001");
        assert_kept_equals_full(&s, &sel, uid);
        assert_eq!(s.stateful.lock().unwrap().sets[uid].kept.far, 0);
    }
}
