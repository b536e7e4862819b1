//! The object store behind a simulated cluster: what kube-apiserver and etcd
//! do for podcore's kinds.
//!
//! - One resourceVersion counter for everything (etcd's revision); every
//!   change is an event in a bounded log that watches replay.
//! - Objects are immutable snapshots (`Arc<Object>`); a change stores a new
//!   one. Tables keep keys in etcd's order; labels, owners and nodes are
//!   indexed.
//! - Writes run the registry's steps: defaults, the strategy's prepare step,
//!   validation, generation and deletion bookkeeping. A failed call changes
//!   nothing; `transaction` makes several calls one.
//!
//! Thread safety: one `RwLock` around the state; readers take snapshots and
//! let go. Waiting watchers sleep on a condition variable.

mod gc;
pub mod index;
pub mod jobs;
pub mod kind;
pub mod object;
pub mod pods;
pub mod time;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::{Map, Value};

use crate::errors::{Error, FieldError};
use crate::model::{ObjectMeta, OwnerReference, Pod, PodStatus};
use crate::selector::Selector;
use crate::validate;
use index::{Multimap, Slot, Table};
pub use kind::Kind;
pub use object::{Body, Deletion, Meta, Object, Uid};

/// Namespaces every cluster starts with, as kube-apiserver creates them.
pub const SYSTEM_NAMESPACES: [&str; 4] =
    ["default", "kube-system", "kube-public", "kube-node-lease"];

/// Namespaces the apiserver refuses to delete.
const UNDELETABLE_NAMESPACES: [&str; 3] = ["default", "kube-system", "kube-public"];

/// The characters of generated name suffixes (apimachinery's `utilrand`:
/// no vowels, no look-alikes).
const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
/// generateName is cut to this many bytes before the 5-character suffix.
const MAX_GENERATED_PREFIX: usize = 58;
/// Attempts at a free generated name before giving up, as the apiserver retries.
const GENERATE_NAME_ATTEMPTS: usize = 8;

/// Events kept for watches that resume from a resourceVersion.
pub const DEFAULT_WINDOW: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn name(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change: the object as it is after it (for DELETED, as it was when
/// removed, at the deletion's resourceVersion) and, when its labels changed,
/// as it was before.
#[derive(Debug, Clone)]
pub struct Event {
    pub rv: u64,
    pub kind: EventType,
    pub object: Arc<Object>,
    pub previous: Option<Arc<Object>>,
}

/// A change as controllers' informers see it: which object changed how.
#[derive(Debug, Clone)]
pub struct Note {
    pub rv: u64,
    pub kind: EventType,
    pub object_kind: Kind,
    pub namespace: Arc<str>,
    pub name: Box<str>,
    pub uid: Uid,
    /// The uid of the object's controller (its controller ownerReference).
    pub controller: Option<Box<str>>,
}

impl Note {
    fn of(rv: u64, kind: EventType, o: &Object) -> Note {
        Note {
            rv,
            kind,
            object_kind: o.kind,
            namespace: Arc::clone(&o.meta.namespace),
            name: o.meta.name.clone(),
            uid: o.meta.uid.clone(),
            controller: o
                .meta
                .owner_references
                .iter()
                .find(|r| r.controller == Some(true))
                .map(|r| r.uid.as_str().into()),
        }
    }
}

/// Events as a watcher sees them: resourceVersion, type, object.
pub type Seen = Vec<(u64, EventType, Arc<Object>)>;

/// What a watch or list selects.
#[derive(Debug, Clone)]
pub struct Filter {
    pub kind: Option<Kind>,
    pub namespace: Option<String>,
    pub selector: Selector,
}

impl Filter {
    pub fn matches(&self, obj: &Object) -> bool {
        self.kind.is_none_or(|k| k == obj.kind)
            && self
                .namespace
                .as_deref()
                .is_none_or(|ns| ns == &*obj.meta.namespace)
            && self.selector.matches(&obj.meta.labels)
    }

    /// The event as a watcher with this filter sees it: an object that starts
    /// matching is ADDED, one that stops matching is DELETED.
    pub fn view(&self, e: &Event) -> Option<(EventType, Arc<Object>)> {
        let now = self.matches(&e.object);
        // Without a previous version the labels did not change.
        let before = match e.previous.as_deref() {
            Some(p) => self.matches(p),
            None => now,
        };
        match (e.kind, before, now) {
            (EventType::Deleted, _, true) => Some((EventType::Deleted, Arc::clone(&e.object))),
            (EventType::Added, _, true) | (EventType::Modified, false, true) => {
                Some((EventType::Added, Arc::clone(&e.object)))
            }
            (EventType::Modified, true, true) => Some((EventType::Modified, Arc::clone(&e.object))),
            (EventType::Modified, true, false) => {
                let mut gone = (**e.previous.as_ref()?).clone();
                gone.meta.resource_version = e.rv;
                Some((EventType::Deleted, Arc::new(gone)))
            }
            _ => None,
        }
    }
}

/// `DeleteOptions.propagationPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Propagation {
    Background,
    Foreground,
    Orphan,
}

impl Propagation {
    pub fn parse(s: &str) -> Option<Propagation> {
        match s {
            "Background" => Some(Propagation::Background),
            "Foreground" => Some(Propagation::Foreground),
            "Orphan" => Some(Propagation::Orphan),
            _ => None,
        }
    }
}

pub const FOREGROUND_FINALIZER: &str = "foregroundDeletion";
pub const ORPHAN_FINALIZER: &str = "orphan";

/// `DeleteOptions`.
#[derive(Debug, Clone)]
pub struct DeleteOptions {
    pub propagation: Propagation,
    pub grace_period_seconds: Option<i64>,
    pub resource_version: Option<String>,
    pub uid: Option<String>,
}

impl Default for DeleteOptions {
    fn default() -> Self {
        DeleteOptions {
            propagation: Propagation::Background,
            grace_period_seconds: None,
            resource_version: None,
            uid: None,
        }
    }
}

/// The patch formats of `Cluster.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    Json,
    Merge,
    Strategic,
}

/// The store.
pub struct Store {
    inner: RwLock<Inner>,
    /// The latest resourceVersion, for watchers waiting for news.
    latest: Mutex<u64>,
    news: Condvar,
    /// What the StatefulSet controller read of each pod, by set (`pods.rs`).
    stateful: Mutex<pods::StatefulFacts>,
    /// The Jobs' selectors, parsed (`jobs.rs`).
    job_selectors: Mutex<jobs::JobSelectors>,
}

struct Inner {
    rv: u64,
    now: i64,
    rng: u64,
    slots: Vec<Option<Arc<Object>>>,
    free: Vec<Slot>,
    tables: Vec<Table>,
    owners: Multimap,
    nodes: Multimap,
    namespaces: HashMap<Box<str>, Arc<str>>,
    log: VecDeque<Event>,
    window: usize,
    /// Events at or before this resourceVersion are no longer kept.
    compacted: u64,
    /// Owners removed whose dependents the garbage collector must look at.
    orphaned_owners: Vec<(Box<str>, Arc<str>)>,
    /// Pods waiting for a node: not bound, not being deleted, not finished.
    unscheduled: std::collections::HashSet<Slot>,
    /// Registered readers (controllers, kubelets) and the resourceVersion
    /// each has read up to, and the notes of changes not all have read.
    readers: HashMap<Box<str>, u64>,
    notes: VecDeque<Note>,
    /// Templates lately made into pods, validated: a controller making pods
    /// from one template call after call validates it once.
    templates: VecDeque<(Value, String, Object)>,
    /// Templates kept under their owner's key between batches
    /// (`PodBatch::keep_template_as`), with the pod each was made into.
    kept_templates: HashMap<Box<str>, (Value, String, Object)>,
    /// Objects being deleted that the garbage collector must finish.
    finalizing: std::collections::BTreeSet<(Kind, Box<str>)>,
    undo: Option<Undo>,
}

/// What a transaction must restore if it fails.
struct Undo {
    touched: HashMap<(Kind, Box<str>), Option<Arc<Object>>>,
    rv: u64,
    rng: u64,
    log_len: usize,
    notes_len: usize,
    orphaned_len: usize,
}

/// A template and the pods to make from it (`Store::create_pods`).
pub struct PodBatch<'a> {
    pub namespace: &'a str,
    /// A PodTemplateSpec: `metadata` (labels, annotations, finalizers) and `spec`.
    pub template: &'a Value,
    /// Names to give the pods, or None to generate them from `generate_name`.
    pub names: Option<Vec<String>>,
    pub generate_name: &'a str,
    pub count: usize,
    pub owner: Option<OwnerReference>,
    /// Per-pod JSON merge patches over the template's pod (for a StatefulSet's
    /// identity, an indexed Job's index, a DaemonSet's node affinity). Pods
    /// whose patch leaves the spec alone still share the template's.
    pub overlays: Option<Vec<Value>>,
    /// Instead of overlays: the node each pod is pinned to, as a DaemonSet
    /// pins its pods (`node_name_affinity`); the overlay is made only for a
    /// pod that cannot be a copy of the first one with another node.
    pub pin_nodes: Option<Vec<String>>,
    /// Keeps the template's validated pod under this key until the next
    /// batch of the same key (or `Store::forget_template`): a Job makes its
    /// pods a few at a time, batch after batch, and thousands of Jobs
    /// running at once would push each other's templates out of the cache
    /// of recent ones.
    pub keep_template_as: Option<&'a str>,
}

fn lock_err<T>(e: PoisonError<T>) -> T {
    e.into_inner()
}

impl Store {
    /// A store holding the system namespaces; `seed` fixes uids and generated
    /// names, `window` how many events watches can replay.
    pub fn new(seed: u64, window: usize) -> Store {
        let mut inner = Inner {
            rv: 0,
            now: time::EPOCH,
            rng: seed ^ 0x9e37_79b9_7f4a_7c15,
            slots: Vec::new(),
            free: Vec::new(),
            tables: Kind::ALL.iter().map(|_| Table::default()).collect(),
            owners: Multimap::default(),
            nodes: Multimap::default(),
            namespaces: HashMap::new(),
            log: VecDeque::new(),
            window: window.max(1),
            compacted: 0,
            orphaned_owners: Vec::new(),
            finalizing: std::collections::BTreeSet::new(),
            unscheduled: std::collections::HashSet::new(),
            templates: VecDeque::new(),
            kept_templates: HashMap::new(),
            readers: HashMap::new(),
            notes: VecDeque::new(),
            undo: None,
        };
        for ns in SYSTEM_NAMESPACES {
            let obj = serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
            // The system namespaces are valid by construction.
            let _ = inner.create(&obj, "");
        }
        let rv = inner.rv;
        Store {
            inner: RwLock::new(inner),
            latest: Mutex::new(rv),
            news: Condvar::new(),
            stateful: Mutex::default(),
            job_selectors: Mutex::default(),
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(lock_err)
    }

    /// Runs a write, trimming the log and waking watchers afterwards.
    fn write<T>(&self, f: impl FnOnce(&mut Inner) -> Result<T, Error>) -> Result<T, Error> {
        let mut inner: RwLockWriteGuard<'_, Inner> = self.inner.write().unwrap_or_else(lock_err);
        let before = inner.rv;
        let out = f(&mut inner);
        inner.trim_log();
        let rv = inner.rv;
        drop(inner);
        if rv != before {
            *self.latest.lock().unwrap_or_else(lock_err) = rv;
            self.news.notify_all();
        }
        out
    }

    /// Runs several writes as one: if `f` fails, every change it made is undone
    /// (no watcher can have seen them: the lock is held throughout).
    pub fn transaction<T>(
        &self,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.write(|inner| {
            inner.begin();
            let out = f(&mut Tx { inner });
            match out {
                Ok(v) => {
                    inner.undo = None;
                    Ok(v)
                }
                Err(e) => {
                    inner.rollback();
                    Err(e)
                }
            }
        })
    }

    /// Runs several writes under one lock hold, without the undo of a
    /// transaction: each write stands on its own (batch work of the
    /// scheduler, kubelet and controllers).
    pub fn batch<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> T) -> T {
        self.write(|inner| Ok(f(&mut Tx { inner })))
            .unwrap_or_else(|_: Error| unreachable!("batch closures return no store error"))
    }

    pub fn now(&self) -> i64 {
        self.read().now
    }

    /// Sets the clock (Unix seconds) that timestamps new objects and deletions.
    pub fn set_now(&self, unix: i64) {
        self.inner.write().unwrap_or_else(lock_err).now = unix;
    }

    pub fn resource_version(&self) -> u64 {
        self.read().rv
    }

    pub fn create(&self, obj: &Value, namespace: &str) -> Result<Arc<Object>, Error> {
        self.write(|s| s.create(obj, namespace))
    }

    pub fn get(&self, kind: Kind, namespace: &str, name: &str) -> Result<Arc<Object>, Error> {
        self.read().get(kind, namespace, name)
    }

    /// Objects of `kind` (in `namespace`, if given) matching `selector`, in
    /// key order, with the resourceVersion of the list.
    pub fn list(
        &self,
        kind: Kind,
        namespace: Option<&str>,
        selector: &Selector,
    ) -> (Vec<Arc<Object>>, u64) {
        let s = self.read();
        (s.list(kind, namespace, selector), s.rv)
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.read().tables[kind.index()].len()
    }

    pub fn replace(&self, obj: &Value, namespace: &str) -> Result<Arc<Object>, Error> {
        self.write(|s| s.replace(obj, namespace))
    }

    /// Writes an object's status (the `status` subresource): nothing else of
    /// the object changes.
    pub fn replace_status(&self, obj: &Value, namespace: &str) -> Result<Arc<Object>, Error> {
        self.write(|s| s.replace_status(obj, namespace))
    }

    pub fn patch(
        &self,
        kind: Kind,
        namespace: &str,
        name: &str,
        patch: &Value,
        ptype: PatchType,
    ) -> Result<Arc<Object>, Error> {
        self.write(|s| s.patch(kind, namespace, name, patch, ptype))
    }

    /// Deletes an object; returns it if it stays (being deleted gracefully or
    /// held by finalizers).
    pub fn delete(
        &self,
        kind: Kind,
        namespace: &str,
        name: &str,
        opts: &DeleteOptions,
    ) -> Result<Option<Arc<Object>>, Error> {
        self.write(|s| s.delete(kind, namespace, name, opts))
    }

    pub fn create_pods(&self, batch: &PodBatch<'_>) -> Result<Vec<Arc<Object>>, Error> {
        self.write(|s| s.create_pods(batch))
    }

    /// Drops the template kept under `key` (`PodBatch::keep_template_as`).
    pub fn forget_template(&self, key: &str) {
        let mut s = self.inner.write().unwrap_or_else(lock_err);
        s.kept_templates.remove(key);
    }

    /// Deletes many objects of one kind; each is reported as the object that
    /// stays, None when it is gone, or the error that call gave.
    pub fn delete_many(
        &self,
        kind: Kind,
        keys: &[(String, String)],
        opts: &DeleteOptions,
    ) -> Vec<Result<Option<Arc<Object>>, Error>> {
        self.write(|s| {
            Ok(keys
                .iter()
                .map(|(ns, name)| s.delete(kind, ns, name, opts))
                .collect())
        })
        .unwrap_or_default()
    }

    /// One pass of the garbage collector and the namespace controller; returns
    /// how many objects it changed or removed.
    pub fn collect_garbage(&self) -> usize {
        self.write(|s| Ok(s.collect_garbage())).unwrap_or(0)
    }

    /// Objects whose ownerReferences name `uid`.
    pub fn dependents(&self, uid: &str) -> Vec<Arc<Object>> {
        let s = self.read();
        let mut out: Vec<Arc<Object>> = s.owners.get(uid).filter_map(|slot| s.at(slot)).collect();
        out.sort_by_key(|a| (a.kind, a.key()));
        out
    }

    /// Pods bound to `node`.
    pub fn pods_on_node(&self, node: &str) -> Vec<Arc<Object>> {
        let s = self.read();
        let mut out: Vec<Arc<Object>> = s.nodes.get(node).filter_map(|slot| s.at(slot)).collect();
        out.sort_by_key(|o| o.key());
        out
    }

    /// The events after `rv` that `filter` lets through, at most `max`, and
    /// the resourceVersion to continue from. Gone if `rv` is older than the
    /// log keeps.
    pub fn events_since(&self, rv: u64, filter: &Filter, max: usize) -> Result<(Seen, u64), Error> {
        let s = self.read();
        s.events_since(rv, filter, max)
    }

    /// The changes after `rv` to objects of `kinds` (all kinds if empty), as
    /// `(event, object)` pairs without any filtering by labels: what
    /// controllers' informers feed their work queues with. Gone if `rv` is
    /// older than the log keeps.
    pub fn changes(&self, rv: u64, kinds: &[Kind]) -> Result<(Vec<Note>, u64), Error> {
        self.changes_for(rv, kinds, None, usize::MAX)
    }

    /// `changes`, for a registered reader: as kube-controller-manager's
    /// informers receive every event of their watch, a reader never falls
    /// behind the log. The store keeps a light note of each change (not the
    /// object's version) until every reader has read it; a reader reads the
    /// objects as they are now.
    ///
    /// At most `limit` notes come back; the resourceVersion returned is then
    /// that of the last one, to continue from.
    pub fn changes_for(
        &self,
        rv: u64,
        kinds: &[Kind],
        reader: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Note>, u64), Error> {
        let wanted = |k: Kind| kinds.is_empty() || kinds.contains(&k);
        if let Some(name) = reader {
            let mut s = self.inner.write().unwrap_or_else(lock_err);
            let known = s.readers.contains_key(name);
            s.readers.insert(name.into(), rv);
            let oldest = s.notes.front().map_or(s.rv, |n| n.rv.saturating_sub(1));
            if known && rv >= oldest {
                let start = s.notes.partition_point(|n| n.rv <= rv);
                let mut out = Vec::new();
                for n in s.notes.range(start..) {
                    if out.len() >= limit {
                        let last = out.last().map_or(rv, |l: &Note| l.rv);
                        return Ok((out, last));
                    }
                    if wanted(n.object_kind) {
                        out.push(n.clone());
                    }
                }
                return Ok((out, s.rv));
            }
        }
        let s = self.read();
        if rv < s.compacted {
            return Err(Error::Gone(format!(
                "too old resource version: {rv} ({})",
                s.compacted
            )));
        }
        let start = s.log.partition_point(|e| e.rv <= rv);
        let out = s
            .log
            .range(start..)
            .filter(|e| wanted(e.object.kind))
            .map(|e| Note::of(e.rv, e.kind, &e.object))
            .collect();
        Ok((out, s.rv))
    }

    /// Waits (up to `timeout`) until the store's resourceVersion passes `rv`.
    pub fn wait_past(&self, rv: u64, timeout: std::time::Duration) -> bool {
        let latest = self.latest.lock().unwrap_or_else(lock_err);
        let (latest, _) = self
            .news
            .wait_timeout_while(latest, timeout, |l| *l <= rv)
            .unwrap_or_else(lock_err);
        *latest > rv
    }
}

/// Writes inside `Store::transaction`.
pub struct Tx<'a> {
    inner: &'a mut Inner,
}

impl Tx<'_> {
    pub fn now(&self) -> i64 {
        self.inner.now
    }

    pub fn list(
        &self,
        kind: Kind,
        namespace: Option<&str>,
        selector: &Selector,
    ) -> Vec<Arc<Object>> {
        self.inner.list(kind, namespace, selector)
    }

    /// Pods waiting for a node, oldest first.
    pub fn unscheduled_pods(&self) -> Vec<Arc<Object>> {
        let mut out: Vec<Arc<Object>> = self
            .inner
            .unscheduled
            .iter()
            .filter_map(|&s| self.inner.at(s))
            .collect();
        out.sort_by(|a, b| {
            (a.meta.created, a.meta.resource_version)
                .cmp(&(b.meta.created, b.meta.resource_version))
        });
        out
    }

    /// The latest resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.inner.rv
    }

    /// How many pods are stored.
    pub fn pod_count(&self) -> usize {
        self.inner.tables[Kind::Pod.index()].len()
    }

    /// The nodes that the pods changed after resourceVersion `rv` are bound
    /// to (a deleted pod's last node included), once each; None when the
    /// log no longer reaches back to `rv` or more than `limit` pod changes
    /// followed it.
    pub fn nodes_of_pods_changed_since(&self, rv: u64, limit: usize) -> Option<Vec<Box<str>>> {
        if rv < self.inner.compacted || rv > self.inner.rv {
            return None;
        }
        let start = self.inner.log.partition_point(|e| e.rv <= rv);
        let mut changes = 0;
        let mut nodes: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for e in self.inner.log.range(start..) {
            if e.object.kind != Kind::Pod {
                continue;
            }
            changes += 1;
            if changes > limit {
                return None;
            }
            if let Some(node) = e.object.node_name() {
                nodes.insert(node);
            }
        }
        Some(nodes.into_iter().map(Box::from).collect())
    }

    /// Pods bound to `node`, in no particular order.
    pub fn pods_on_node_unordered(&self, node: &str) -> Vec<Arc<Object>> {
        self.inner
            .nodes
            .get(node)
            .filter_map(|s| self.inner.at(s))
            .collect()
    }

    /// Pods bound to `node`.
    pub fn pods_on_node(&self, node: &str) -> Vec<Arc<Object>> {
        let mut out: Vec<Arc<Object>> = self
            .inner
            .nodes
            .get(node)
            .filter_map(|s| self.inner.at(s))
            .collect();
        out.sort_by_key(|o| o.key());
        out
    }

    pub fn delete(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        opts: &DeleteOptions,
    ) -> Result<Option<Arc<Object>>, Error> {
        self.inner.delete(kind, namespace, name, opts)
    }

    /// Points each named pod's controller reference at `owner` (adoption: only
    /// pods without a controller), or, with None, removes the references to
    /// `release_uid` (release). Returns how many pods changed.
    pub fn set_controller(
        &mut self,
        namespace: &str,
        names: &[String],
        owner: Option<&OwnerReference>,
        release_uid: &str,
    ) -> usize {
        let mut changed = 0;
        for name in names {
            let Ok(old) = self.inner.get(Kind::Pod, namespace, name) else {
                continue;
            };
            let refs = &old.meta.owner_references;
            let new_refs: Vec<OwnerReference> = match owner {
                Some(o) => {
                    if old.deleting() || refs.iter().any(|r| r.controller == Some(true)) {
                        continue;
                    }
                    refs.iter()
                        .cloned()
                        .chain(std::iter::once(o.clone()))
                        .collect()
                }
                None => refs
                    .iter()
                    .filter(|r| r.uid != release_uid)
                    .cloned()
                    .collect(),
            };
            if new_refs.len() == refs.len() && owner.is_none() {
                continue;
            }
            let mut new = (*old).clone();
            new.meta.owner_references = Arc::new(new_refs);
            self.inner.finish_update(new, old);
            changed += 1;
        }
        changed
    }

    /// Adds (`present`) or removes a finalizer of an object, as a metadata
    /// update that changes nothing else (a controller's own finalizer, such
    /// as the Job controller's tracking finalizer on its pods). An object
    /// being deleted goes once its last finalizer is gone. Returns whether
    /// the object changed; false when it does not exist.
    pub fn set_finalizer(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        finalizer: &str,
        present: bool,
    ) -> bool {
        let Ok(old) = self.inner.get(kind, namespace, name) else {
            return false;
        };
        let has = old.meta.finalizers.iter().any(|f| f == finalizer);
        if has == present {
            return false;
        }
        let mut new = (*old).clone();
        if present {
            new.meta.finalizers.push(finalizer.to_owned());
        } else {
            new.meta.finalizers.retain(|f| f != finalizer);
        }
        self.inner.finish_update(new, old);
        true
    }

    /// Binds a pod to a node, as the `pods/binding` subresource does: sets
    /// `spec.nodeName` and the PodScheduled condition.
    pub fn bind(
        &mut self,
        namespace: &str,
        name: &str,
        target: &str,
    ) -> Result<Arc<Object>, Error> {
        let old = self.inner.get(Kind::Pod, namespace, name)?;
        if let Some(current) = old.node_name() {
            return Err(conflict(
                Kind::Pod,
                name,
                format!("pod {name} is already assigned to node \"{current}\""),
            ));
        }
        if old.deleting() {
            return Err(conflict(
                Kind::Pod,
                name,
                format!("pod {name} is being deleted, cannot be assigned to a host"),
            ));
        }
        let mut new = (*old).clone();
        let stamp = time::format(self.inner.now);
        if let Body::Pod { node, status, .. } = &mut new.body {
            *node = Some(Arc::from(target));
            let mut st = (**status).clone();
            set_condition(&mut st, "PodScheduled", "True", "", "", &stamp);
            *status = Arc::new(st);
        }
        Ok(self.inner.finish_update(new, old))
    }

    /// Changes a pod's status in place (as the kubelet's status manager
    /// writes it); nothing happens if `f` leaves it unchanged.
    pub fn update_pod_status(
        &mut self,
        namespace: &str,
        name: &str,
        f: impl FnOnce(&mut PodStatus),
    ) -> Result<Arc<Object>, Error> {
        self.rewrite_pod_status(namespace, name, |old| {
            let mut st = old.clone();
            f(&mut st);
            st
        })
    }

    /// Writes a pod's status as `f` makes it from the stored one (for
    /// writers that rebuild most of it rather than edit a copy); an equal
    /// status writes nothing.
    pub fn rewrite_pod_status(
        &mut self,
        namespace: &str,
        name: &str,
        f: impl FnOnce(&PodStatus) -> PodStatus,
    ) -> Result<Arc<Object>, Error> {
        let old = self.inner.get(Kind::Pod, namespace, name)?;
        let Body::Pod { status: stored, .. } = &old.body else {
            return Ok(old);
        };
        let st = f(stored);
        if st == **stored {
            return Ok(old);
        }
        let mut new = (*old).clone();
        if let Body::Pod { status, .. } = &mut new.body {
            *status = Arc::new(st);
        }
        Ok(self.inner.finish_update(new, old))
    }

    /// Writes a JSON-held object's status.
    pub fn replace_status(&mut self, obj: &Value, namespace: &str) -> Result<Arc<Object>, Error> {
        self.inner.replace_status(obj, namespace)
    }

    pub fn create(&mut self, obj: &Value, namespace: &str) -> Result<Arc<Object>, Error> {
        self.inner.create(obj, namespace)
    }

    pub fn get(&self, kind: Kind, namespace: &str, name: &str) -> Result<Arc<Object>, Error> {
        self.inner.get(kind, namespace, name)
    }

    pub fn replace(&mut self, obj: &Value, namespace: &str) -> Result<Arc<Object>, Error> {
        self.inner.replace(obj, namespace)
    }

    pub fn patch(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        patch: &Value,
        ptype: PatchType,
    ) -> Result<Arc<Object>, Error> {
        self.inner.patch(kind, namespace, name, patch, ptype)
    }
}

// ------------------------------------------------------------------ helpers

fn str_at<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    let mut cur = v;
    for p in path {
        match cur.get(p) {
            Some(next) => cur = next,
            None => return "",
        }
    }
    cur.as_str().unwrap_or("")
}

/// The kind an object names, or why it names none the store serves.
fn kind_of(obj: &Value) -> Result<Kind, Error> {
    if !obj.is_object() {
        return Err(Error::BadRequest(
            "an object must be a JSON object".to_owned(),
        ));
    }
    Kind::from_type_meta(str_at(obj, &["apiVersion"]), str_at(obj, &["kind"]))
        .map_err(Error::BadRequest)
}

fn key_of(kind: Kind, namespace: &str, name: &str) -> String {
    if kind.namespaced() {
        format!("{namespace}/{name}")
    } else {
        name.to_owned()
    }
}

fn invalid(kind: Kind, name: &str, errors: Vec<FieldError>) -> Error {
    Error::Invalid {
        kind: kind.name().to_owned(),
        name: name.to_owned(),
        errors,
    }
}

fn not_found(kind: Kind, name: &str) -> Error {
    Error::NotFound {
        resource: kind.resource(),
        name: name.to_owned(),
    }
}

fn conflict(kind: Kind, name: &str, message: String) -> Error {
    Error::Conflict {
        resource: kind.resource(),
        name: name.to_owned(),
        message,
    }
}

const MODIFIED_MESSAGE: &str =
    "the object has been modified; please apply your changes to the latest version and try again";

impl Inner {
    fn next_rv(&mut self) -> u64 {
        self.rv += 1;
        self.rv
    }

    fn random(&mut self) -> u64 {
        // splitmix64: small, fast and reproducible for a seed.
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn new_uid(&mut self) -> Uid {
        let hi = u128::from(self.random());
        let lo = u128::from(self.random());
        Uid::from_random((hi << 64) | lo)
    }

    fn name_suffix(&mut self) -> String {
        (0..5)
            .map(|_| {
                let r = usize::try_from(self.random() % NAME_ALPHABET.len() as u64).unwrap_or(0);
                char::from(NAME_ALPHABET[r])
            })
            .collect()
    }

    /// A free name from `generateName`, as the apiserver makes one.
    fn generate_name(&mut self, kind: Kind, namespace: &str, base: &str) -> Result<String, Error> {
        let mut cut = base.len().min(MAX_GENERATED_PREFIX);
        while !base.is_char_boundary(cut) {
            cut -= 1;
        }
        let prefix = &base[..cut];
        let mut name = String::new();
        for _ in 0..GENERATE_NAME_ATTEMPTS {
            name = format!("{prefix}{}", self.name_suffix());
            if !self.tables[kind.index()]
                .keys
                .contains_key(key_of(kind, namespace, &name).as_str())
            {
                return Ok(name);
            }
        }
        Err(Error::AlreadyExists {
            resource: kind.resource(),
            name,
        })
    }

    fn intern_namespace(&mut self, ns: &str) -> Arc<str> {
        if let Some(a) = self.namespaces.get(ns) {
            return Arc::clone(a);
        }
        let a: Arc<str> = Arc::from(ns);
        self.namespaces.insert(ns.into(), Arc::clone(&a));
        a
    }

    fn at(&self, slot: Slot) -> Option<Arc<Object>> {
        self.slots.get(slot as usize).and_then(Clone::clone)
    }

    fn get(&self, kind: Kind, namespace: &str, name: &str) -> Result<Arc<Object>, Error> {
        let key = key_of(kind, namespace, name);
        self.tables[kind.index()]
            .keys
            .get(key.as_str())
            .and_then(|&slot| self.at(slot))
            .ok_or_else(|| not_found(kind, name))
    }

    fn list(&self, kind: Kind, namespace: Option<&str>, selector: &Selector) -> Vec<Arc<Object>> {
        let table = &self.tables[kind.index()];
        let namespace = namespace.filter(|_| kind.namespaced());
        if selector.is_nothing() {
            return Vec::new();
        }
        if let Some(slots) = table.candidates(selector) {
            let exact = Table::answers_exactly(selector);
            // An exact answer needs no second look at each object's labels,
            // whose map and strings are scattered over a large store's
            // memory: in a store of 100,000 pods that look cost more than
            // the rest of a small listing.
            let mut out: Vec<Arc<Object>> = slots
                .into_iter()
                .filter_map(|slot| self.at(slot))
                .filter(|o| namespace.is_none_or(|ns| ns == &*o.meta.namespace))
                .filter(|o| exact || selector.matches(&o.meta.labels))
                .collect();
            // In key order (`namespace/name`, as etcd orders them), compared
            // without building the keys.
            out.sort_unstable_by(|a, b| key_order(a, b));
            return out;
        }
        table
            .range(namespace)
            .filter_map(|(_, &slot)| self.at(slot))
            .filter(|o| selector.matches(&o.meta.labels))
            .collect()
    }

    fn events_since(&self, rv: u64, filter: &Filter, max: usize) -> Result<(Seen, u64), Error> {
        if rv < self.compacted {
            return Err(Error::Gone(format!(
                "too old resource version: {rv} ({})",
                self.compacted
            )));
        }
        // The log is in resourceVersion order: find the first event after rv.
        let start = self.log.partition_point(|e| e.rv <= rv);
        let mut out = Vec::new();
        let mut last = rv;
        for e in self.log.range(start..) {
            if out.len() >= max {
                break;
            }
            last = e.rv;
            if let Some((t, o)) = filter.view(e) {
                out.push((e.rv, t, o));
            }
        }
        if out.len() < max {
            last = last.max(self.rv);
        }
        Ok((out, last))
    }

    // ------------------------------------------------------------ writes

    /// Stores `new` under `key` (or removes the key), keeping the indexes and
    /// the transaction's undo record. Returns what was there.
    fn put(&mut self, kind: Kind, key: &str, new: Option<Arc<Object>>) -> Option<Arc<Object>> {
        if let Some(undo) = &mut self.undo {
            if let std::collections::hash_map::Entry::Vacant(entry) =
                undo.touched.entry((kind, key.into()))
            {
                let table = &self.tables[kind.index()];
                let before = table
                    .keys
                    .get(key)
                    .and_then(|&s| self.slots.get(s as usize).cloned().flatten());
                entry.insert(before);
            }
        }
        let existing = self.tables[kind.index()].keys.get(key).copied();
        let old =
            existing.and_then(|slot| self.slots.get_mut(slot as usize).and_then(Option::take));
        let slot = match (existing, &new) {
            (Some(slot), _) => slot,
            (None, Some(_)) => match self.free.pop() {
                Some(slot) => slot,
                None => {
                    self.slots.push(None);
                    Slot::try_from(self.slots.len() - 1).unwrap_or(Slot::MAX)
                }
            },
            (None, None) => return None,
        };
        if let Some(o) = &old {
            self.unindex(slot, o, new.as_deref());
        }
        self.track_finalizing(kind, key, new.as_deref());
        match new {
            Some(n) => {
                self.index(slot, &n, old.as_deref());
                if existing.is_none() {
                    self.tables[kind.index()].keys.insert(key.into(), slot);
                }
                if let Some(cell) = self.slots.get_mut(slot as usize) {
                    *cell = Some(n);
                }
            }
            None => {
                self.tables[kind.index()].keys.remove(key);
                self.free.push(slot);
            }
        }
        old
    }

    fn index(&mut self, slot: Slot, obj: &Object, old: Option<&Object>) {
        let table = &mut self.tables[obj.kind.index()];
        if old.is_none_or(|o| !Arc::ptr_eq(&o.meta.labels, &obj.meta.labels)) {
            table.index_labels(slot, &obj.meta.labels);
        }
        if old.is_none_or(|o| !Arc::ptr_eq(&o.meta.owner_references, &obj.meta.owner_references)) {
            for r in obj.meta.owner_references.iter() {
                self.owners.insert(&r.uid, slot);
            }
        }
        if let Some(node) = obj.node_name() {
            if old.and_then(Object::node_name) != Some(node) {
                self.nodes.insert(node, slot);
            }
        }
        if awaits_node(obj) {
            self.unscheduled.insert(slot);
        }
    }

    fn unindex(&mut self, slot: Slot, obj: &Object, new: Option<&Object>) {
        let table = &mut self.tables[obj.kind.index()];
        if new.is_none_or(|n| !Arc::ptr_eq(&n.meta.labels, &obj.meta.labels)) {
            table.unindex_labels(slot, &obj.meta.labels);
        }
        if new.is_none_or(|n| !Arc::ptr_eq(&n.meta.owner_references, &obj.meta.owner_references)) {
            for r in obj.meta.owner_references.iter() {
                self.owners.remove(&r.uid, slot);
            }
        }
        if let Some(node) = obj.node_name() {
            if new.and_then(Object::node_name) != Some(node) {
                self.nodes.remove(node, slot);
            }
        }
        self.unscheduled.remove(&slot);
    }

    fn record(&mut self, kind: EventType, object: Arc<Object>, previous: Option<Arc<Object>>) {
        // Watches need the previous version only to see an object enter or
        // leave a label selector; keeping it for other changes would keep
        // every superseded version alive for as long as the window.
        let previous = previous.filter(|p| {
            kind == EventType::Modified
                && !Arc::ptr_eq(&p.meta.labels, &object.meta.labels)
                && p.meta.labels != object.meta.labels
        });
        if !self.readers.is_empty() {
            self.notes
                .push_back(Note::of(object.meta.resource_version, kind, &object));
        }
        self.log.push_back(Event {
            rv: object.meta.resource_version,
            kind,
            object,
            previous,
        });
    }

    fn trim_log(&mut self) {
        while self.log.len() > self.window {
            if let Some(e) = self.log.pop_front() {
                self.compacted = e.rv;
            }
        }
        let unread = self.readers.values().copied().min().unwrap_or(u64::MAX);
        while self.notes.front().is_some_and(|n| n.rv <= unread) {
            self.notes.pop_front();
        }
    }

    fn begin(&mut self) {
        self.undo = Some(Undo {
            touched: HashMap::new(),
            rv: self.rv,
            rng: self.rng,
            log_len: self.log.len(),
            notes_len: self.notes.len(),
            orphaned_len: self.orphaned_owners.len(),
        });
    }

    fn rollback(&mut self) {
        let Some(undo) = self.undo.take() else {
            return;
        };
        for ((kind, key), before) in undo.touched {
            self.put(kind, &key, before);
        }
        self.rv = undo.rv;
        self.rng = undo.rng;
        self.log.truncate(undo.log_len);
        self.notes.truncate(undo.notes_len);
        self.orphaned_owners.truncate(undo.orphaned_len);
    }

    /// Stores a new object under a fresh resourceVersion and logs the event.
    fn commit(&mut self, mut obj: Object, previous: Option<Arc<Object>>) -> Arc<Object> {
        obj.meta.resource_version = self.next_rv();
        let key = key_of(obj.kind, &obj.meta.namespace, &obj.meta.name);
        let kind = obj.kind;
        let obj = Arc::new(obj);
        if previous.is_none() {
            for r in obj.meta.owner_references.iter() {
                if !self.owner_exists(r, &obj.meta.namespace) {
                    self.orphaned_owners
                        .push((r.uid.as_str().into(), Arc::clone(&obj.meta.namespace)));
                }
            }
        }
        self.put(kind, &key, Some(Arc::clone(&obj)));
        let event = if previous.is_some() {
            EventType::Modified
        } else {
            EventType::Added
        };
        self.record(event, Arc::clone(&obj), previous);
        obj
    }

    /// Removes an object for good, logging DELETED with a fresh resourceVersion.
    fn remove(&mut self, obj: &Arc<Object>) {
        let key = key_of(obj.kind, &obj.meta.namespace, &obj.meta.name);
        self.put(obj.kind, &key, None);
        let mut gone = (**obj).clone();
        gone.meta.resource_version = self.next_rv();
        self.record(EventType::Deleted, Arc::new(gone), Some(Arc::clone(obj)));
        self.orphaned_owners.push((
            obj.meta.uid.to_string().into(),
            Arc::clone(&obj.meta.namespace),
        ));
    }

    fn owner_exists(&self, r: &OwnerReference, namespace: &str) -> bool {
        let Ok(kind) = Kind::from_type_meta(&r.api_version, &r.kind) else {
            return false;
        };
        let ns = if kind.namespaced() { namespace } else { "" };
        self.get(kind, ns, &r.name)
            .is_ok_and(|o| o.meta.uid.to_string() == r.uid)
    }

    /// The namespace a namespaced object goes into: the object's own, else
    /// the request's; it must exist and not be terminating.
    fn target_namespace(
        &self,
        kind: Kind,
        obj: &Value,
        request_ns: &str,
        name: &str,
    ) -> Result<String, Error> {
        if !kind.namespaced() {
            return Ok(String::new());
        }
        let own = str_at(obj, &["metadata", "namespace"]);
        let ns = if own.is_empty() { request_ns } else { own };
        let ns = if ns.is_empty() { "default" } else { ns };
        if !request_ns.is_empty() && !own.is_empty() && own != request_ns {
            return Err(Error::BadRequest(
                "the namespace of the provided object does not match the namespace sent on the request".to_owned(),
            ));
        }
        match self.get(Kind::Namespace, "", ns) {
            Err(_) => Err(Error::NotFound {
                resource: "namespaces".to_owned(),
                name: ns.to_owned(),
            }),
            Ok(n) if n.deleting() => Err(Error::Forbidden {
                resource: kind.resource(),
                name: name.to_owned(),
                message: format!(
                    "unable to create new content in namespace {ns} because it is being terminated"
                ),
            }),
            Ok(_) => Ok(ns.to_owned()),
        }
    }

    fn create(&mut self, obj: &Value, request_ns: &str) -> Result<Arc<Object>, Error> {
        let kind = kind_of(obj)?;
        let name = str_at(obj, &["metadata", "name"]).to_owned();
        let ns = self.target_namespace(kind, obj, request_ns, &name)?;
        let generate = str_at(obj, &["metadata", "generateName"]).to_owned();
        let name = if name.is_empty() && !generate.is_empty() {
            self.generate_name(kind, &ns, &generate)?
        } else {
            name
        };
        let uid = self.new_uid();
        let object = match kind {
            Kind::Pod => self.prepare_pod(obj, &ns, &name, uid)?,
            _ => self.prepare_json(kind, obj, &ns, &name, uid)?,
        };
        if self.tables[kind.index()]
            .keys
            .contains_key(key_of(kind, &ns, &name).as_str())
        {
            return Err(Error::AlreadyExists {
                resource: kind.resource(),
                name,
            });
        }
        Ok(self.commit(object, None))
    }

    /// A pod through the registry's create steps: decoded, defaulted,
    /// prepared and validated.
    fn prepare_pod(
        &mut self,
        obj: &Value,
        ns: &str,
        name: &str,
        uid: Uid,
    ) -> Result<Object, Error> {
        let mut pod = crate::input::pod_from_value(obj.clone())?;
        name.clone_into(&mut pod.metadata.name);
        ns.clone_into(&mut pod.metadata.namespace);
        crate::defaults::pod(&mut pod);
        add_default_tolerations(&mut pod.spec);
        validate::update::prepare_for_create(&mut pod);
        let errs = validate::validate_pod_create(&pod);
        if !errs.is_empty() {
            return Err(invalid(Kind::Pod, name, errs));
        }
        let Pod {
            metadata,
            mut spec,
            status,
            ..
        } = pod;
        let meta = self.meta_from(metadata, uid, 1, None);
        let node = object::take_node(&mut spec);
        Ok(Object {
            kind: Kind::Pod,
            meta,
            body: Body::Pod {
                spec: Arc::new(spec),
                node,
                status: Arc::new(status),
            },
        })
    }

    /// An object of a JSON-held kind through the registry's create steps.
    fn prepare_json(
        &mut self,
        kind: Kind,
        obj: &Value,
        ns: &str,
        name: &str,
        uid: Uid,
    ) -> Result<Object, Error> {
        let wk = kind
            .workload()
            .ok_or_else(|| Error::BadRequest(format!("{} is not held as JSON", kind.name())))?;
        let mut input = obj.clone();
        if let Some(m) = input.as_object_mut() {
            let meta = m
                .entry("metadata")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(meta) = meta.as_object_mut() {
                meta.insert("name".to_owned(), Value::String(name.to_owned()));
                if kind.namespaced() {
                    meta.insert("namespace".to_owned(), Value::String(ns.to_owned()));
                } else {
                    meta.remove("namespace");
                }
                meta.insert("uid".to_owned(), Value::String(uid.to_string()));
            }
        }
        let mut normalized = crate::workload::normalize(wk, &input, &uid.to_string())?;
        crate::workload::prepare_for_create(wk, &mut normalized);
        let errs = crate::workload::validate_create(wk, &normalized);
        if !errs.is_empty() {
            return Err(invalid(kind, name, errs));
        }
        let generation = i64::from(kind.has_generation());
        let (metadata, body) = split_json(normalized)?;
        let meta = self.meta_from(metadata, uid, generation, None);
        Ok(Object {
            kind,
            meta,
            body: Body::Json(Arc::new(body.into())),
        })
    }

    /// The store's metadata for a validated ObjectMeta. Labels, annotations
    /// and owner references are shared with `like` where equal.
    fn meta_from(&mut self, m: ObjectMeta, uid: Uid, generation: i64, like: Option<&Meta>) -> Meta {
        let namespace = self.intern_namespace(&m.namespace);
        Meta {
            name: m.name.into(),
            namespace,
            generate_name: (!m.generate_name.is_empty()).then(|| m.generate_name.into()),
            uid,
            resource_version: 0,
            generation,
            created: like.map_or(self.now, |l| l.created),
            deletion: like.and_then(|l| l.deletion),
            labels: object::shared_map(m.labels, like.map(|l| &l.labels)),
            annotations: object::shared_map(m.annotations, like.map(|l| &l.annotations)),
            owner_references: match like {
                Some(l) if *l.owner_references == m.owner_references => {
                    Arc::clone(&l.owner_references)
                }
                _ => Arc::new(m.owner_references),
            },
            finalizers: m.finalizers,
        }
    }

    fn create_pods(&mut self, batch: &PodBatch<'_>) -> Result<Vec<Arc<Object>>, Error> {
        let ns = self.target_namespace(
            Kind::Pod,
            &Value::Null,
            batch.namespace,
            batch.generate_name,
        )?;
        let mut base = Map::new();
        base.insert("apiVersion".to_owned(), "v1".into());
        base.insert("kind".to_owned(), "Pod".into());
        let mut meta = batch
            .template
            .get("metadata")
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new()));
        if let Some(m) = meta.as_object_mut() {
            m.remove("name");
            m.insert("generateName".to_owned(), batch.generate_name.into());
            m.insert("namespace".to_owned(), ns.as_str().into());
            if let Some(owner) = &batch.owner {
                m.insert(
                    "ownerReferences".to_owned(),
                    serde_json::to_value([owner]).unwrap_or_default(),
                );
            }
        }
        base.insert("metadata".to_owned(), meta);
        base.insert(
            "spec".to_owned(),
            batch.template.get("spec").cloned().unwrap_or_default(),
        );
        let base = Value::Object(base);
        let count = batch.names.as_ref().map_or(batch.count, Vec::len);

        // The template's pod, validated once with a representative name; pods
        // that differ from it only by name share its spec and status.
        let probe_name = match batch.names.as_ref().and_then(|n| n.first()) {
            Some(first) => first.clone(),
            None => format!("{}{}", batch.generate_name, "x7k2q"),
        };
        // With per-pod overlays the template alone need not be a valid pod
        // (a StatefulSet's claim volumes come with each pod's overlay): the
        // first pod made stands for it.
        let mut template: Option<Object> = None;
        if batch.overlays.is_none() && batch.pin_nodes.is_none() {
            template = Some(match batch.keep_template_as {
                Some(key) => self.kept_template_pod(key, &base, &ns, &probe_name)?,
                None => self.template_pod(&base, &ns, &probe_name)?,
            });
        }
        // The template's own pod, for pods whose overlays only give them
        // their identity; None inside when the template alone is invalid.
        let mut bare_template: Option<Option<Object>> = None;
        let mut made = Vec::with_capacity(count);
        let mut pending: Vec<Object> = Vec::with_capacity(count);
        let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
        for i in 0..count {
            let name = match &batch.names {
                Some(names) => names.get(i).cloned().unwrap_or_default(),
                None => loop {
                    let n = self.generate_name(Kind::Pod, &ns, batch.generate_name)?;
                    if !taken.contains(&n) {
                        break n;
                    }
                },
            };
            let uid = self.new_uid();
            let listed = batch.overlays.as_ref().and_then(|o| o.get(i));
            let pin = batch.pin_nodes.as_ref().and_then(|p| p.get(i));
            // A pod that differs from the first one made only by the node
            // it is pinned to (a DaemonSet's pods) is that pod with the
            // other node: nothing else in the pod depends on it.
            let pinned_to = pin
                .map(String::as_str)
                .or_else(|| listed.and_then(pinned_node));
            let repinned = match (pinned_to, &template) {
                (Some(node), Some(t))
                    if pinned_term(t).is_some()
                        && validate::names::is_dns1123_subdomain(node).is_empty()
                        && (batch.names.is_none() || name_errors(&name).is_empty()) =>
                {
                    let mut o = t.clone();
                    o.meta.uid = uid.clone();
                    o.meta.name = name.as_str().into();
                    if let Body::Pod { spec, .. } = &mut o.body {
                        if let Some(term) = pinned_term_mut(Arc::make_mut(spec)) {
                            term.values = vec![node.to_owned()];
                        }
                    }
                    Some(o)
                }
                _ => None,
            };
            // A pod whose overlay only gives it its identity (a StatefulSet's
            // pod: labels, hostname, subdomain) is the template's pod with
            // those fields set, when the template alone is a valid pod and
            // the fields are valid (else the full path reports the errors).
            // Nothing else in the pod depends on them.
            let repinned = match (repinned, listed.and_then(identity_overlay)) {
                (Some(o), _) => Some(o),
                (None, Some(id))
                    if batch.names.is_some() && id.is_valid() && name_errors(&name).is_empty() =>
                {
                    let bare = bare_template.get_or_insert_with(|| {
                        self.template_pod(&base, &ns, IDENTITY_PROBE_NAME).ok()
                    });
                    bare.as_ref().map(|t| {
                        let mut o = t.clone();
                        o.meta.uid = uid.clone();
                        o.meta.name = name.as_str().into();
                        o.meta.generate_name = None;
                        id.apply(&mut o);
                        o
                    })
                }
                (None, _) => None,
            };
            // A pinned pod that is not a copy goes through its overlay.
            let pin_overlay = match (&repinned, pin) {
                (None, Some(node)) => Some(node_name_affinity(node)),
                _ => None,
            };
            let overlay = listed.or(pin_overlay.as_ref());
            let mut obj = match (repinned, overlay) {
                (Some(o), _) => o,
                (None, Some(patch)) => {
                    let mut pod = crate::patch::apply_merge_patch(&base, patch);
                    if let Some(m) = pod.pointer_mut("/metadata").and_then(Value::as_object_mut) {
                        m.insert("name".to_owned(), name.as_str().into());
                    }
                    let mut o = self.prepare_pod(&pod, &ns, &name, uid)?;
                    match &template {
                        Some(t) => share_pod_parts(&mut o, t),
                        None => template = Some(o.clone()),
                    }
                    o
                }
                (None, None) => {
                    let mut o = match &template {
                        Some(t) => t.clone(),
                        None => {
                            let t =
                                self.prepare_pod(&base, &ns, &name, Uid::Text(Arc::from("")))?;
                            template = Some(t.clone());
                            t
                        }
                    };
                    o.meta.uid = uid;
                    o.meta.name = name.as_str().into();
                    if batch.names.is_some() {
                        o.meta.generate_name = None;
                        let errs = name_errors(&name);
                        if !errs.is_empty() {
                            return Err(invalid(Kind::Pod, &name, errs));
                        }
                    }
                    o
                }
            };
            obj.meta.created = self.now;
            if self.tables[0]
                .keys
                .contains_key(key_of(Kind::Pod, &ns, &name).as_str())
                || !taken.insert(name.clone())
            {
                return Err(Error::AlreadyExists {
                    resource: Kind::Pod.resource(),
                    name,
                });
            }
            pending.push(obj);
        }
        for obj in pending {
            made.push(self.commit(obj, None));
        }
        Ok(made)
    }

    /// `template_pod`, from and into the templates kept under `key`.
    fn kept_template_pod(
        &mut self,
        key: &str,
        base: &Value,
        ns: &str,
        probe_name: &str,
    ) -> Result<Object, Error> {
        if let Some((b, n, obj)) = self.kept_templates.get(key) {
            if n == probe_name && b == base {
                return Ok(obj.clone());
            }
        }
        let obj = self.prepare_pod(base, ns, probe_name, Uid::Text(Arc::from("")))?;
        self.kept_templates.insert(
            key.into(),
            (base.clone(), probe_name.to_owned(), obj.clone()),
        );
        Ok(obj)
    }

    /// The pod `base` makes, prepared and validated, from the cache of
    /// recently used templates when it is there. Validation depends on the
    /// pod alone (and its namespace, part of `base`), so a cached verdict
    /// holds; the store's state is checked anew by the caller.
    fn template_pod(&mut self, base: &Value, ns: &str, probe_name: &str) -> Result<Object, Error> {
        const KEPT: usize = 64;
        if let Some((_, _, obj)) = self
            .templates
            .iter()
            .find(|(b, n, _)| n == probe_name && b == base)
        {
            return Ok(obj.clone());
        }
        let obj = self.prepare_pod(base, ns, probe_name, Uid::Text(Arc::from("")))?;
        if self.templates.len() >= KEPT {
            self.templates.pop_front();
        }
        self.templates
            .push_back((base.clone(), probe_name.to_owned(), obj.clone()));
        Ok(obj)
    }

    fn precondition(old: &Object, obj: &Value) -> Result<(), Error> {
        let rv = str_at(obj, &["metadata", "resourceVersion"]);
        if !rv.is_empty() && rv != old.meta.resource_version.to_string() {
            return Err(conflict(
                old.kind,
                &old.meta.name,
                MODIFIED_MESSAGE.to_owned(),
            ));
        }
        let uid = str_at(obj, &["metadata", "uid"]);
        let own = old.meta.uid.to_string();
        if !uid.is_empty() && uid != own {
            return Err(conflict(
                old.kind,
                &old.meta.name,
                format!(
                    "Precondition failed: UID in precondition: {uid}, UID in object meta: {own}"
                ),
            ));
        }
        Ok(())
    }

    fn lookup_for_update(&self, obj: &Value, request_ns: &str) -> Result<Arc<Object>, Error> {
        let kind = kind_of(obj)?;
        let name = str_at(obj, &["metadata", "name"]);
        if name.is_empty() {
            return Err(Error::BadRequest(
                "resource name may not be empty".to_owned(),
            ));
        }
        let ns = if kind.namespaced() {
            let own = str_at(obj, &["metadata", "namespace"]);
            match (own, request_ns) {
                ("", "") => "default",
                ("", r) => r,
                (o, "") => o,
                (o, r) if o == r => o,
                _ => {
                    return Err(Error::BadRequest(
                        "the namespace of the provided object does not match the namespace sent on the request"
                            .to_owned(),
                    ))
                }
            }
        } else {
            ""
        };
        let old = self.get(kind, ns, name)?;
        Self::precondition(&old, obj)?;
        Ok(old)
    }

    fn replace(&mut self, obj: &Value, request_ns: &str) -> Result<Arc<Object>, Error> {
        let old = self.lookup_for_update(obj, request_ns)?;
        let new = match old.kind {
            Kind::Pod => self.update_pod(&old, obj)?,
            _ => self.update_json(&old, obj)?,
        };
        Ok(self.finish_update(new, old))
    }

    /// Stores an updated object, unless nothing changed (then, as etcd's
    /// guaranteed update, no new resourceVersion and no event); an object
    /// being deleted whose last finalizer went, with no grace period left, goes.
    fn finish_update(&mut self, new: Object, old: Arc<Object>) -> Arc<Object> {
        if same_content(&new, &old) {
            return old;
        }
        // A namespace waits for the namespace controller (its spec finalizer).
        let done = new.meta.deletion.is_some_and(|d| d.grace_seconds == 0)
            && new.meta.finalizers.is_empty()
            && new.kind != Kind::Namespace;
        let stored = self.commit(new, Some(Arc::clone(&old)));
        if done {
            self.remove(&stored);
        }
        stored
    }

    fn update_pod(&mut self, old: &Arc<Object>, obj: &Value) -> Result<Object, Error> {
        let mut new = crate::input::pod_from_value(obj.clone())?;
        let mut prev = old
            .to_pod()
            .ok_or_else(|| Error::BadRequest("not a pod".to_owned()))?;
        crate::defaults::pod(&mut new);
        if new.metadata.namespace.is_empty() {
            new.metadata.namespace = old.meta.namespace.to_string();
        }
        validate::update::prepare_for_update(&mut new, &mut prev);
        let errs = validate::validate_pod_update(&new, &prev);
        if !errs.is_empty() {
            return Err(invalid(Kind::Pod, &old.meta.name, errs));
        }
        let Pod {
            metadata, mut spec, ..
        } = new;
        let node = object::take_node(&mut spec);
        let generation = metadata.generation;
        let mut meta = self.meta_from(metadata, old.meta.uid.clone(), generation, Some(&old.meta));
        meta.generate_name.clone_from(&old.meta.generate_name);
        let Body::Pod {
            status,
            spec: spec_arc,
            ..
        } = &old.body
        else {
            return Err(Error::BadRequest("not a pod".to_owned()));
        };
        let spec = if **spec_arc == spec {
            Arc::clone(spec_arc)
        } else {
            Arc::new(spec)
        };
        Ok(Object {
            kind: Kind::Pod,
            meta,
            body: Body::Pod {
                spec,
                node,
                status: Arc::clone(status),
            },
        })
    }

    fn update_json(&mut self, old: &Arc<Object>, obj: &Value) -> Result<Object, Error> {
        let kind = old.kind;
        let wk = kind
            .workload()
            .ok_or_else(|| Error::BadRequest(format!("{} is not held as JSON", kind.name())))?;
        let uid = old.meta.uid.to_string();
        let mut input = obj.clone();
        let old_value = old.to_value();
        if let Some(m) = input.as_object_mut() {
            // What a client cannot change through the main resource comes
            // from the stored object.
            let meta = m
                .entry("metadata")
                .or_insert_with(|| Value::Object(Map::new()));
            if let (Some(meta), Some(old_meta)) = (meta.as_object_mut(), old_value.get("metadata"))
            {
                for f in [
                    "uid",
                    "creationTimestamp",
                    "deletionTimestamp",
                    "deletionGracePeriodSeconds",
                    "generation",
                    "resourceVersion",
                    "generateName",
                ] {
                    match old_meta.get(f) {
                        Some(v) => meta.insert(f.to_owned(), v.clone()),
                        None => meta.remove(f),
                    };
                }
                if kind.namespaced() && !meta.contains_key("namespace") {
                    meta.insert(
                        "namespace".to_owned(),
                        Value::String(old.meta.namespace.to_string()),
                    );
                }
            }
        }
        let mut normalized = crate::workload::normalize(wk, &input, &uid)?;
        crate::workload::prepare_for_update(wk, &mut normalized, &old_value);
        let errs = crate::workload::validate_update(wk, &old_value, &normalized);
        if !errs.is_empty() {
            return Err(invalid(kind, &old.meta.name, errs));
        }
        let (metadata, body) = split_json(normalized)?;
        let mut generation = old.meta.generation;
        if kind.has_generation() && body.get("spec") != old.spec_value() {
            generation += 1;
        }
        let mut meta = self.meta_from(metadata, old.meta.uid.clone(), generation, Some(&old.meta));
        meta.generate_name.clone_from(&old.meta.generate_name);
        Ok(Object {
            kind,
            meta,
            body: Body::Json(Arc::new(body.into())),
        })
    }

    fn replace_status(&mut self, obj: &Value, request_ns: &str) -> Result<Arc<Object>, Error> {
        let old = self.lookup_for_update(obj, request_ns)?;
        let mut new = (*old).clone();
        match &mut new.body {
            Body::Pod { status, .. } => {
                let raw = obj
                    .get("status")
                    .cloned()
                    .unwrap_or_else(|| Value::Object(Map::new()));
                let mut wrapper = Map::new();
                wrapper.insert("status".to_owned(), raw);
                let pod: Pod = crate::input::from_value(Value::Object(wrapper))?;
                if **status != pod.status {
                    *status = Arc::new(pod.status);
                }
            }
            Body::Json(fields) => {
                let status = obj.get("status");
                if fields.get("status") == status {
                    // Nothing else can change here: no write, as etcd's
                    // guaranteed update.
                    return Ok(old);
                }
                // The other fields (the spec with its pod template) stay
                // shared with the stored object.
                let mut f = (**fields).clone();
                f.set("status", status.cloned());
                *fields = Arc::new(f);
            }
        }
        Ok(self.finish_update(new, old))
    }

    fn patch(
        &mut self,
        kind: Kind,
        ns: &str,
        name: &str,
        patch: &Value,
        ptype: PatchType,
    ) -> Result<Arc<Object>, Error> {
        let ns = if kind.namespaced() { ns } else { "" };
        let old = self.get(kind, ns, name)?;
        let current = old.to_value();
        let patched = match ptype {
            PatchType::Json => crate::patch::apply_json_patch(&current, patch),
            PatchType::Merge => {
                if !patch.is_object() {
                    return Err(Error::BadRequest(
                        "a merge patch must be a JSON object".to_owned(),
                    ));
                }
                Ok(crate::patch::apply_merge_patch(&current, patch))
            }
            PatchType::Strategic => {
                if !patch.is_object() {
                    return Err(Error::BadRequest(
                        "a strategic merge patch must be a JSON object".to_owned(),
                    ));
                }
                crate::patch::apply_strategic_merge_patch(&current, patch, kind.name())
            }
        }
        .map_err(|e| Error::BadRequest(e.message))?;
        if str_at(&patched, &["metadata", "name"]) != name {
            return Err(Error::BadRequest(format!(
                "the name of the object ({}) does not match the name on the URL ({name})",
                str_at(&patched, &["metadata", "name"])
            )));
        }
        if str_at(&patched, &["kind"]) != kind.name()
            || str_at(&patched, &["apiVersion"]) != kind.api_version()
        {
            return Err(Error::BadRequest(
                "a patch may not change an object's apiVersion or kind".to_owned(),
            ));
        }
        self.replace(&patched, ns)
    }

    fn delete(
        &mut self,
        kind: Kind,
        ns: &str,
        name: &str,
        opts: &DeleteOptions,
    ) -> Result<Option<Arc<Object>>, Error> {
        let ns = if kind.namespaced() { ns } else { "" };
        let old = self.get(kind, ns, name)?;
        if let Some(rv) = &opts.resource_version {
            if *rv != old.meta.resource_version.to_string() {
                return Err(conflict(
                    kind,
                    name,
                    format!(
                        "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {}",
                        old.meta.resource_version
                    ),
                ));
            }
        }
        if let Some(uid) = &opts.uid {
            let own = old.meta.uid.to_string();
            if *uid != own {
                return Err(conflict(
                    kind,
                    name,
                    format!("Precondition failed: UID in precondition: {uid}, UID in object meta: {own}"),
                ));
            }
        }
        if kind == Kind::Namespace && UNDELETABLE_NAMESPACES.contains(&name) {
            return Err(Error::Forbidden {
                resource: kind.resource(),
                name: name.to_owned(),
                message: "this namespace may not be deleted".to_owned(),
            });
        }
        if let Some(g) = opts.grace_period_seconds {
            if g < 0 {
                return Err(invalid(
                    kind,
                    name,
                    vec![FieldError::invalid(
                        "gracePeriodSeconds",
                        g,
                        "must be greater than or equal to 0",
                    )],
                ));
            }
        }
        let grace = Self::grace_period(&old, opts);
        let mut new = (*old).clone();
        // The propagation policy becomes a finalizer the garbage collector honours.
        let wanted = match opts.propagation {
            Propagation::Foreground => Some(FOREGROUND_FINALIZER),
            Propagation::Orphan => Some(ORPHAN_FINALIZER),
            Propagation::Background => None,
        };
        new.meta.finalizers.retain(|f| {
            !(matches!(f.as_str(), FOREGROUND_FINALIZER | ORPHAN_FINALIZER)
                && Some(f.as_str()) != wanted)
        });
        if let Some(f) = wanted {
            if !new.meta.finalizers.iter().any(|x| x == f) {
                new.meta.finalizers.push(f.to_owned());
            }
        }
        if let Some(d) = old.meta.deletion {
            // Already being deleted: a shorter grace period may bring the end forward.
            let at = (self.now + grace).min(d.at);
            new.meta.deletion = Some(Deletion {
                at,
                grace_seconds: grace.min(d.grace_seconds),
            });
        } else {
            new.meta.deletion = Some(Deletion {
                at: self.now + grace,
                grace_seconds: grace,
            });
            if kind.has_generation() && new.meta.generation > 0 {
                new.meta.generation += 1;
            }
        }
        if kind == Kind::Namespace {
            set_namespace_phase(&mut new, "Terminating");
        }
        let immediate = grace == 0 && new.meta.finalizers.is_empty() && kind != Kind::Namespace;
        if immediate {
            self.remove(&old);
            return Ok(None);
        }
        Ok(Some(self.finish_update(new, old)))
    }

    /// The grace period a deletion gets: pods their
    /// terminationGracePeriodSeconds (or the request's), except pods no kubelet
    /// runs (unscheduled or finished), which go at once; other kinds none.
    fn grace_period(obj: &Object, opts: &DeleteOptions) -> i64 {
        let (Some(spec), Some(status)) = (obj.pod_spec(), obj.pod_status()) else {
            return 0;
        };
        if obj.node_name().is_none() || matches!(status.phase.as_str(), "Succeeded" | "Failed") {
            return 0;
        }
        opts.grace_period_seconds
            .or(spec.termination_grace_period_seconds)
            .unwrap_or(30)
            .max(0)
    }
}

/// Sets a pod condition the way the kubelet's and scheduler's helpers do:
/// the transition time moves only when the status does.
pub fn set_condition(
    status: &mut PodStatus,
    kind: &str,
    value: &str,
    reason: &str,
    message: &str,
    now: &str,
) {
    if let Some(c) = status.conditions.iter_mut().find(|c| c.type_ == kind) {
        if c.status != value {
            value.clone_into(&mut c.status);
            c.last_transition_time = Some(now.to_owned());
        }
        reason.clone_into(&mut c.reason);
        message.clone_into(&mut c.message);
        return;
    }
    status.conditions.push(crate::model::PodCondition {
        type_: kind.to_owned(),
        status: value.to_owned(),
        last_transition_time: Some(now.to_owned()),
        reason: reason.to_owned(),
        message: message.to_owned(),
        ..Default::default()
    });
}

/// Two objects of one kind in key order (`namespace/name`, as etcd orders
/// them), compared without building the keys. Within one namespace that is
/// the names' order; across namespaces the separator takes part.
fn key_order(a: &Object, b: &Object) -> std::cmp::Ordering {
    let (na, nb) = (&*a.meta.namespace, &*b.meta.namespace);
    if na == nb {
        return a.meta.name.cmp(&b.meta.name);
    }
    key_bytes(a).cmp(key_bytes(b))
}

/// The bytes of an object's key (`namespace/name`), without building it.
fn key_bytes(o: &Object) -> impl Iterator<Item = u8> + '_ {
    let ns = o.meta.namespace.as_bytes();
    let sep: &'static [u8] = if ns.is_empty() { b"" } else { b"/" };
    ns.iter()
        .chain(sep.iter())
        .chain(o.meta.name.as_bytes().iter())
        .copied()
}

/// A pod the scheduler should place.
fn awaits_node(obj: &Object) -> bool {
    obj.kind == Kind::Pod
        && obj.node_name().is_none()
        && !obj.deleting()
        && obj
            .pod_status()
            .is_some_and(|s| !matches!(s.phase.as_str(), "Succeeded" | "Failed"))
}

/// The tolerations the DefaultTolerationSeconds admission plugin gives every
/// pod that has none for the key: it rides out a node being not-ready or
/// unreachable for 300 seconds before it is evicted.
fn add_default_tolerations(spec: &mut crate::model::PodSpec) {
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        let covered = spec.tolerations.iter().any(|t| {
            (t.key == key || (t.key.is_empty() && t.operator == "Exists"))
                && (t.effect.is_empty() || t.effect == "NoExecute")
        });
        if !covered {
            spec.tolerations.push(crate::model::Toleration {
                key: key.to_owned(),
                operator: "Exists".to_owned(),
                effect: "NoExecute".to_owned(),
                toleration_seconds: Some(300),
                ..Default::default()
            });
        }
    }
}

/// Splits a normalized JSON object into its metadata and the rest.
fn split_json(v: Value) -> Result<(ObjectMeta, Map<String, Value>), Error> {
    let Value::Object(mut m) = v else {
        return Err(Error::BadRequest(
            "an object must be a JSON object".to_owned(),
        ));
    };
    let meta = m
        .remove("metadata")
        .unwrap_or_else(|| Value::Object(Map::new()));
    m.remove("apiVersion");
    m.remove("kind");
    let meta: ObjectMeta = crate::input::from_value(meta)?;
    Ok((meta, m))
}

/// Whether two versions of an object are the same but for the resourceVersion.
fn same_content(a: &Object, b: &Object) -> bool {
    let (x, y) = (&a.meta, &b.meta);
    let meta_same = x.name == y.name
        && x.namespace == y.namespace
        && x.uid == y.uid
        && x.generation == y.generation
        && x.created == y.created
        && x.deletion == y.deletion
        && x.labels == y.labels
        && x.annotations == y.annotations
        && x.owner_references == y.owner_references
        && x.finalizers == y.finalizers;
    meta_same
        && match (&a.body, &b.body) {
            (
                Body::Pod {
                    spec: s1,
                    node: n1,
                    status: t1,
                },
                Body::Pod {
                    spec: s2,
                    node: n2,
                    status: t2,
                },
            ) => n1 == n2 && (Arc::ptr_eq(s1, s2) || s1 == s2) && (Arc::ptr_eq(t1, t2) || t1 == t2),
            (Body::Json(f1), Body::Json(f2)) => f1 == f2,
            _ => false,
        }
}

/// A pod made from a template with a per-pod patch shares the template's
/// spec, status and metadata maps wherever it ended up equal to them.
/// ReplaceDaemonSetPodNodeNameNodeAffinity as a merge patch: the pod's
/// required node affinity becomes one `metadata.name In [node]` term, the
/// rest of its affinity stays.
pub fn node_name_affinity(node: &str) -> Value {
    serde_json::json!({"spec": {"affinity": {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}
        ]}
    }}}})
}

/// The name the template's own pod is validated under when each pod's
/// identity comes with its overlay (the pods' names are checked apart).
const IDENTITY_PROBE_NAME: &str = "pod-template";

/// What an overlay that only gives a pod its identity sets: labels, and
/// `spec.hostname` and `spec.subdomain` (a StatefulSet's pods).
struct Identity<'a> {
    labels: Vec<(&'a str, &'a str)>,
    hostname: Option<&'a str>,
    subdomain: Option<&'a str>,
}

impl Identity<'_> {
    /// Whether the fields pass the pod's validation of them.
    fn is_valid(&self) -> bool {
        let label = |v: Option<&str>| {
            v.is_none_or(|v| v.is_empty() || validate::names::is_dns1123_label(v).is_empty())
        };
        validate::names::validate_labels(self.labels.iter().copied()).is_empty()
            && label(self.hostname)
            && label(self.subdomain)
    }

    /// Sets the fields on a copy of the template's pod, as the merge patch
    /// would.
    fn apply(&self, pod: &mut Object) {
        if !self.labels.is_empty() {
            let labels = Arc::make_mut(&mut pod.meta.labels);
            for (k, v) in &self.labels {
                labels.insert((*k).to_owned(), (*v).to_owned());
            }
        }
        if let Body::Pod { spec, .. } = &mut pod.body {
            if self.hostname.is_some() || self.subdomain.is_some() {
                let spec = Arc::make_mut(spec);
                if let Some(h) = self.hostname {
                    h.clone_into(&mut spec.hostname);
                }
                if let Some(d) = self.subdomain {
                    d.clone_into(&mut spec.subdomain);
                }
            }
        }
    }
}

/// The identity an overlay gives a pod, when that is all it does: only
/// `metadata.labels` (string values) and `spec.hostname` / `spec.subdomain`
/// (strings).
fn identity_overlay(overlay: &Value) -> Option<Identity<'_>> {
    let mut id = Identity {
        labels: Vec::new(),
        hostname: None,
        subdomain: None,
    };
    for (key, value) in overlay.as_object()? {
        match key.as_str() {
            "metadata" => {
                for (field, labels) in value.as_object()? {
                    if field != "labels" {
                        return None;
                    }
                    for (k, v) in labels.as_object()? {
                        id.labels.push((k, v.as_str()?));
                    }
                }
            }
            "spec" => {
                for (field, v) in value.as_object()? {
                    match field.as_str() {
                        "hostname" => id.hostname = Some(v.as_str()?),
                        "subdomain" => id.subdomain = Some(v.as_str()?),
                        _ => return None,
                    }
                }
            }
            _ => return None,
        }
    }
    Some(id)
}

/// The node an overlay pins a pod to, when that is all the overlay does:
/// required node affinity of one term, `metadata.name In [node]`, as the
/// DaemonSet controller makes it.
fn pinned_node(overlay: &Value) -> Option<&str> {
    fn only<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
        let m = v.as_object()?;
        (m.len() == 1).then(|| m.get(key)).flatten()
    }
    fn single(v: &Value) -> Option<&Value> {
        match v.as_array()?.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }
    let selector = only(overlay, "spec")
        .and_then(|v| only(v, "affinity"))
        .and_then(|v| only(v, "nodeAffinity"))
        .and_then(|v| only(v, "requiredDuringSchedulingIgnoredDuringExecution"))
        .and_then(|v| only(v, "nodeSelectorTerms"))?;
    let rq = single(single(selector).and_then(|t| only(t, "matchFields"))?)?.as_object()?;
    if rq.len() != 3
        || rq.get("key").and_then(Value::as_str) != Some("metadata.name")
        || rq.get("operator").and_then(Value::as_str) != Some("In")
    {
        return None;
    }
    single(rq.get("values")?)?.as_str()
}

/// The pod's `metadata.name In [node]` requirement, when its required node
/// affinity is that one term and nothing else.
fn pinned_term(pod: &Object) -> Option<&crate::model::NodeSelectorRequirement> {
    let Body::Pod { spec, .. } = &pod.body else {
        return None;
    };
    let terms = spec.required_node_terms();
    match terms {
        [t] if t.match_expressions.is_empty() => match t.match_fields.as_slice() {
            [rq] if rq.key == "metadata.name" && rq.operator == "In" && rq.values.len() == 1 => {
                Some(rq)
            }
            _ => None,
        },
        _ => None,
    }
}

fn pinned_term_mut(
    spec: &mut crate::model::PodSpec,
) -> Option<&mut crate::model::NodeSelectorRequirement> {
    let terms = &mut spec
        .affinity
        .as_mut()?
        .node_affinity
        .as_mut()?
        .required_during_scheduling_ignored_during_execution
        .as_mut()?
        .node_selector_terms;
    terms.first_mut()?.match_fields.first_mut()
}

fn share_pod_parts(obj: &mut Object, template: &Object) {
    if let (
        Body::Pod { spec, status, .. },
        Body::Pod {
            spec: ts,
            status: tst,
            ..
        },
    ) = (&mut obj.body, &template.body)
    {
        if **spec == **ts {
            *spec = Arc::clone(ts);
        }
        if **status == **tst {
            *status = Arc::clone(tst);
        }
    }
    let (m, t) = (&mut obj.meta, &template.meta);
    if *m.labels == *t.labels {
        m.labels = Arc::clone(&t.labels);
    }
    if *m.annotations == *t.annotations {
        m.annotations = Arc::clone(&t.annotations);
    }
    if *m.owner_references == *t.owner_references {
        m.owner_references = Arc::clone(&t.owner_references);
    }
}

fn name_errors(name: &str) -> Vec<FieldError> {
    validate::names::is_dns1123_subdomain(name)
        .into_iter()
        .map(|msg| FieldError::invalid("metadata.name", name, msg))
        .collect()
}

fn set_namespace_phase(obj: &mut Object, phase: &str) {
    if let Body::Json(fields) = &mut obj.body {
        let mut status = fields
            .get("status")
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new()));
        if let Some(s) = status.as_object_mut() {
            s.insert("phase".to_owned(), Value::String(phase.to_owned()));
        }
        let mut f = (**fields).clone();
        f.set("status", Some(status));
        *fields = Arc::new(f);
    }
}

/// Summary counts of a set of pods, for controllers.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PodCounts {
    pub total: usize,
    pub pending: usize,
    pub running: usize,
    pub succeeded: usize,
    pub failed: usize,
    pub ready: usize,
    pub deleting: usize,
    pub scheduled: usize,
}

impl PodCounts {
    pub fn add(&mut self, pod: &Object) {
        let Some(status) = pod.pod_status() else {
            return;
        };
        self.total += 1;
        match status.phase.as_str() {
            "Running" => self.running += 1,
            "Succeeded" => self.succeeded += 1,
            "Failed" => self.failed += 1,
            _ => self.pending += 1,
        }
        if pod_ready(status) {
            self.ready += 1;
        }
        if pod.deleting() {
            self.deleting += 1;
        }
        if pod.node_name().is_some() {
            self.scheduled += 1;
        }
    }
}

/// The pod's Ready condition is True.
pub fn pod_ready(status: &PodStatus) -> bool {
    status
        .conditions
        .iter()
        .any(|c| c.type_ == "Ready" && c.status == "True")
}

impl Store {
    /// Counts of the pods whose ownerReferences name `uid`.
    pub fn owned_pod_counts(&self, uid: &str) -> PodCounts {
        let s = self.read();
        let mut counts = PodCounts::default();
        for slot in s.owners.get(uid) {
            if let Some(o) = s.at(slot) {
                if o.kind == Kind::Pod {
                    counts.add(&o);
                }
            }
        }
        counts
    }

    /// How many objects the store holds, of every kind.
    pub fn len(&self) -> usize {
        self.read().tables.iter().map(Table::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests;
