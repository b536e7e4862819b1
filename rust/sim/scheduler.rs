//! kube-scheduler's placement for the simulated cluster: one pass binds every
//! pod waiting for a node, or records why none can take it.
//!
//! The pass follows kube-scheduler v1.33's default profile:
//!
//! - Filters, in the profile's order, the first failing one giving a node's
//!   reasons: NodeUnschedulable, TaintToleration (NoSchedule and NoExecute
//!   taints), NodeAffinity (`nodeSelector` and the required node affinity,
//!   with its PreFilter narrowing the nodes to `metadata.name` match fields)
//!   and NodeResourcesFit (the pod's effective requests as Kubernetes'
//!   `PodRequests` computes them, sidecars and in-place resizes included,
//!   against allocatable minus what the node's non-terminal pods request,
//!   and the pod count against allocatable `pods`).
//! - Scores with the default weights: NodeResourcesFit LeastAllocated (1),
//!   NodeResourcesBalancedAllocation (1, skipped for pods that request
//!   nothing), TaintToleration's PreferNoSchedule count (3), NodeAffinity's
//!   preferred terms (2) and PodTopologySpread's system defaults (2:
//!   hostname maxSkew 3 and zone maxSkew 5, ScheduleAnyway) over the pods of
//!   the same ReplicaSet, StatefulSet or ReplicationController.
//! - An unschedulable pod gets PodScheduled=False, reason Unschedulable, and
//!   FitError's message, with DefaultPreemption's verdict after it.
//!
//! Filtering stops, as kube-scheduler's does, once the default adaptive
//! `percentageOfNodesToScore` share of feasible nodes is found, each pod
//! starting where the last one stopped.
//!
//! Where the simulation differs from kube-scheduler: equal scores go to
//! the node first in name order instead of a random one, pods that could
//! preempt lower-priority pods do not evict them (their message then ends
//! where a successful preemption leaves it, without the preemption part),
//! and NodePorts, volume, inter-pod affinity and explicit topology spread
//! constraints are not evaluated. Default spreading selects the pods of the
//! same controller (owner uid) rather than by the controller's selector.
//!
//! Cost: node usage is computed once per pass, O(pods + nodes); each pending
//! pod is then checked against precomputed node data. Pods sharing a spec (a
//! template's pods) share their requests, compiled affinity and per-node
//! filter verdicts, and once one of them cannot be placed, the others fail
//! the same way until something is bound, so they reuse its message.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use crate::model::{
    Container, NodeSelectorTerm, PodSpec, PodStatus, ResourceList, StringMap, Toleration,
};
use crate::selector::{Operator, Requirement, Selector};
use crate::store::{set_condition, time, Body, Kind, Object, Tx};
use crate::validate::names::is_qualified_name;

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    pub bound: usize,
    pub unschedulable: usize,
}

const DEFAULT_SCHEDULER: &str = "default-scheduler";
const MAX_NODE_SCORE: i64 = 100;
/// The requests scoring assumes for a container that sets none
/// (`schedutil.DefaultMilliCPURequest`, `DefaultMemoryRequest`).
const DEFAULT_MILLI_CPU: i64 = 100;
const DEFAULT_MEMORY: i64 = 200 * 1024 * 1024;
const HOSTNAME_LABEL: &str = "kubernetes.io/hostname";
const ZONE_LABEL: &str = "topology.kubernetes.io/zone";
/// maxSkew of the default spreading constraints (hostname, zone).
const HOSTNAME_MAX_SKEW: f64 = 3.0;
const ZONE_MAX_SKEW: f64 = 5.0;
/// Plugin weights of the default profile.
const TAINT_WEIGHT: i64 = 3;
const AFFINITY_WEIGHT: i64 = 2;
const SPREAD_WEIGHT: i64 = 2;

/// One scheduling pass: every pod waiting for a node (`Tx::unscheduled_pods`,
/// oldest first; pods with scheduling gates or another scheduler's name are
/// left alone) is bound to a node (`Tx::bind`) or marked unschedulable.
pub fn schedule(tx: &mut Tx<'_>) -> Outcome {
    schedule_with(tx, &mut Memo::default())
}

/// Node usage kept from one pass to the next. A pass that follows few pod
/// changes recounts only the nodes those pods are on instead of every
/// bound pod in the cluster (a StatefulSet's pods come one per pass); after
/// many changes (a rollout's passes follow thousands) the pass counts every
/// pod as before and keeps nothing, so that it pays nothing for the memo.
#[derive(Default)]
pub struct Memo {
    /// The resourceVersion the last pass started at.
    last: Option<u64>,
    usage: Option<Usage>,
    /// The nodes as the last pass read them, kept while no node changed.
    nodes: Option<NodeTable>,
}

/// What a pass reads of the nodes (their names, labels, taints and
/// allocatable resources), for the nodes at the resourceVersions in
/// `versions` and the scalar resources known in `scalars_before`.
struct NodeTable {
    versions: Vec<(Box<str>, u64)>,
    scalars_before: Scalars,
    scalars_after: Scalars,
    nodes: PassNodes,
}

impl NodeTable {
    /// Whether the table is what reading `objects` with `scalars` gives.
    fn holds(&self, objects: &[Arc<Object>], scalars: &Scalars) -> bool {
        self.versions.len() == objects.len()
            && self
                .versions
                .iter()
                .zip(objects)
                .all(|((name, rv), o)| *rv == o.meta.resource_version && **name == *o.meta.name)
            && self.scalars_before == *scalars
    }
}

/// What the bound pods use, by node name, as of `Memo::last`.
struct Usage {
    /// The interned scalar resources the requests below refer to.
    scalars: Scalars,
    nodes: HashMap<Box<str>, NodeUsage>,
}

#[derive(Default)]
struct NodeUsage {
    pods: i64,
    used: Req,
    by_priority: Vec<(i32, i64, Req)>,
    /// Pods per spreading controller (uid), pods being deleted left out.
    owners: HashMap<Box<str>, u32>,
}

impl NodeUsage {
    /// The node's usage counted from its pods.
    fn of(pods: &[Arc<Object>], scalars: &mut Scalars) -> NodeUsage {
        let mut usage = NodeUsage::default();
        let mut reqs = HashMap::new();
        for pod in pods {
            account_pod(pod, scalars, &mut reqs, |req, priority, owner| {
                usage.add(req, priority, owner);
            });
        }
        usage
    }

    fn add(&mut self, req: &Req, priority: i32, owner: Option<&str>) {
        self.pods += 1;
        self.used.add(req);
        add_at_priority(&mut self.by_priority, req, priority);
        if let Some(uid) = owner {
            match self.owners.get_mut(uid) {
                Some(n) => *n += 1,
                None => {
                    self.owners.insert(uid.into(), 1);
                }
            }
        }
    }
}

/// Pod changes since the last pass up to which the memo is used: counting
/// the nodes they touch then costs at most what counting every pod does.
fn memo_limit(pods: usize) -> usize {
    (pods / 8).max(64)
}

/// The usage of every node as the memo has it, brought up to date: None
/// when too much changed since the last pass (the pass then counts every
/// pod itself).
fn current_usage<'m>(tx: &Tx<'_>, memo: &'m mut Memo) -> Option<&'m mut Usage> {
    let started = tx.resource_version();
    let dirty = memo
        .last
        .and_then(|rv| tx.nodes_of_pods_changed_since(rv, memo_limit(tx.pod_count())));
    memo.last = Some(started);
    let Some(dirty) = dirty else {
        memo.usage = None;
        return None;
    };
    match &mut memo.usage {
        Some(usage) => {
            for node in dirty {
                let pods = tx.pods_on_node_unordered(&node);
                let counted = NodeUsage::of(&pods, &mut usage.scalars);
                if counted.pods == 0 && counted.owners.is_empty() {
                    usage.nodes.remove(&node);
                } else {
                    usage.nodes.insert(node, counted);
                }
            }
        }
        None => {
            let mut scalars = Scalars::default();
            let mut nodes: HashMap<Box<str>, NodeUsage> = HashMap::new();
            let mut reqs = HashMap::new();
            for pod in tx.list(Kind::Pod, None, &Selector::everything()) {
                let Some(node) = pod.node_name() else {
                    continue;
                };
                account_pod(
                    &pod,
                    &mut scalars,
                    &mut reqs,
                    |req, priority, owner| match nodes.get_mut(node) {
                        Some(u) => u.add(req, priority, owner),
                        None => {
                            let mut u = NodeUsage::default();
                            u.add(req, priority, owner);
                            nodes.insert(node.into(), u);
                        }
                    },
                );
            }
            memo.usage = Some(Usage { scalars, nodes });
        }
    }
    memo.usage.as_mut()
}

/// Adds what a bound pod uses: its requests (the status's after an
/// in-place resize), its priority, and the controller it counts for in
/// default spreading; a finished pod uses nothing. `reqs` keeps the
/// requests of specs already seen (by address: the pods must outlive it).
fn account_pod(
    pod: &Object,
    scalars: &mut Scalars,
    reqs: &mut HashMap<usize, Req>,
    mut add: impl FnMut(&Req, i32, Option<&str>),
) {
    let (Some(spec), Some(status)) = (pod.pod_spec(), pod.pod_status()) else {
        return;
    };
    if matches!(status.phase.as_str(), "Succeeded" | "Failed") {
        return;
    }
    let priority = spec.priority.unwrap_or(0);
    let owner = if pod.deleting() {
        None
    } else {
        spread_owner(pod)
    };
    if status_differs(spec, status) {
        add(&pod_req(spec, Some(status), scalars), priority, owner);
    } else {
        let key = std::ptr::from_ref(spec) as usize;
        let req = reqs
            .entry(key)
            .or_insert_with(|| pod_req(spec, None, scalars));
        add(req, priority, owner);
    }
}

/// `schedule`, with node usage kept in `memo` between passes.
pub fn schedule_with(tx: &mut Tx<'_>, memo: &mut Memo) -> Outcome {
    let pending: Vec<Arc<Object>> = tx
        .unscheduled_pods()
        .into_iter()
        .filter(|p| {
            p.pod_spec().is_some_and(|s| {
                s.scheduling_gates.is_empty()
                    && (s.scheduler_name.is_empty() || s.scheduler_name == DEFAULT_SCHEDULER)
            })
        })
        .collect();
    let mut outcome = Outcome::default();
    if pending.is_empty() {
        return outcome;
    }
    let mut node_objects = tx.list(Kind::Node, None, &Selector::everything());
    if node_objects.is_empty() {
        let now = time::format(tx.now());
        for pod in &pending {
            mark_unschedulable(tx, pod, "no nodes available to schedule pods", &now);
            outcome.unschedulable += 1;
        }
        return outcome;
    }
    node_objects.sort_by(|a, b| a.meta.name.cmp(&b.meta.name));
    let mut pass = match current_usage(tx, memo) {
        Some(usage) => {
            // The pass goes on interning scalar names after the memo's.
            let mut scalars = std::mem::take(&mut usage.scalars);
            let nodes = PassNodes::read(&node_objects, &mut scalars, memo);
            let mut pass = Pass::new(nodes, &pending, scalars);
            if let Some(usage) = &memo.usage {
                pass.apply_usage(&usage.nodes);
            }
            pass
        }
        None => {
            let mut scalars = Scalars::default();
            let nodes = PassNodes::read(&node_objects, &mut scalars, memo);
            let mut pass = Pass::new(nodes, &pending, scalars);
            let pods = tx.list(Kind::Pod, None, &Selector::everything());
            pass.account_bound_pods(&pods);
            pass
        }
    };

    let now = time::format(tx.now());
    for pod in &pending {
        match pass.place(pod) {
            Placement::Node(n) => {
                let node = &pass.nodes[n];
                if tx
                    .bind(&pod.meta.namespace, &pod.meta.name, &node.name)
                    .is_ok()
                {
                    pass.record_binding(pod, n);
                    outcome.bound += 1;
                }
            }
            Placement::None(message) => {
                mark_unschedulable(tx, pod, &message, &now);
                outcome.unschedulable += 1;
            }
        }
    }
    if let Some(usage) = &mut memo.usage {
        usage.scalars = pass.scalars;
    }
    outcome
}

/// Writes PodScheduled=False unless the pod already says exactly that.
fn mark_unschedulable(tx: &mut Tx<'_>, pod: &Object, message: &str, now: &str) {
    let current = pod
        .pod_status()
        .and_then(|s| s.conditions.iter().find(|c| c.type_ == "PodScheduled"));
    if current
        .is_some_and(|c| c.status == "False" && c.reason == "Unschedulable" && c.message == message)
    {
        return;
    }
    // The pod was read under the same lock; a failure here would mean it is
    // gone, and then there is nothing to record.
    let _ = tx.update_pod_status(&pod.meta.namespace, &pod.meta.name, |st| {
        set_condition(st, "PodScheduled", "False", "Unschedulable", message, now);
    });
}

// ------------------------------------------------------------------ requests

/// A pod's (or container's) requests as the scheduler adds them up: cpu in
/// millicores, the rest in units, plus cpu and memory with scoring's
/// defaults for containers that request neither.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Req {
    cpu: i64,
    memory: i64,
    ephemeral: i64,
    /// Extended, hugepages and other scalar resources: (interned name, amount).
    scalars: Vec<(u32, i64)>,
    nonzero_cpu: i64,
    nonzero_memory: i64,
}

impl Req {
    fn add(&mut self, o: &Req) {
        self.cpu = self.cpu.saturating_add(o.cpu);
        self.memory = self.memory.saturating_add(o.memory);
        self.ephemeral = self.ephemeral.saturating_add(o.ephemeral);
        self.nonzero_cpu = self.nonzero_cpu.saturating_add(o.nonzero_cpu);
        self.nonzero_memory = self.nonzero_memory.saturating_add(o.nonzero_memory);
        for &(i, v) in &o.scalars {
            match self.scalars.iter_mut().find(|(j, _)| *j == i) {
                Some(e) => e.1 = e.1.saturating_add(v),
                None => self.scalars.push((i, v)),
            }
        }
    }

    fn max_with(&mut self, o: &Req) {
        self.cpu = self.cpu.max(o.cpu);
        self.memory = self.memory.max(o.memory);
        self.ephemeral = self.ephemeral.max(o.ephemeral);
        self.nonzero_cpu = self.nonzero_cpu.max(o.nonzero_cpu);
        self.nonzero_memory = self.nonzero_memory.max(o.nonzero_memory);
        for &(i, v) in &o.scalars {
            match self.scalars.iter_mut().find(|(j, _)| *j == i) {
                Some(e) => e.1 = e.1.max(v),
                None => self.scalars.push((i, v)),
            }
        }
    }

    fn scalar(&self, i: u32) -> i64 {
        self.scalars
            .iter()
            .find(|(j, _)| *j == i)
            .map_or(0, |&(_, v)| v)
    }
}

/// Names of scalar resources seen in this pass.
#[derive(Default, Clone, PartialEq, Eq)]
struct Scalars {
    names: Vec<String>,
    index: HashMap<String, Option<u32>>,
}

impl Scalars {
    /// The resource's index, or None for a name the scheduler does not count.
    fn lookup(&mut self, name: &str) -> Option<u32> {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = is_scalar_resource(name).then(|| {
            self.names.push(name.to_owned());
            (self.names.len() - 1) as u32
        });
        self.index.insert(name.to_owned(), i);
        i
    }
}

/// `schedutil.IsScalarResourceName`: extended resources, hugepages,
/// `kubernetes.io/`-prefixed native resources and attachable volumes.
fn is_scalar_resource(name: &str) -> bool {
    if name.starts_with("hugepages-")
        || name.starts_with("attachable-volumes-")
        || name.contains("kubernetes.io/")
    {
        return true;
    }
    name.contains('/')
        && !name.starts_with("requests.")
        && is_qualified_name(&format!("requests.{name}")).is_empty()
}

/// One resource list as requests; `container` applies scoring's defaults to
/// cpu and memory when the list leaves them out.
fn list_req(list: &ResourceList, scalars: &mut Scalars, container: bool) -> Req {
    let mut r = Req::default();
    let (mut has_cpu, mut has_memory) = (false, false);
    for (name, q) in list {
        let amount = |milli: bool| {
            q.parsed()
                .map_or(0, |p| if milli { p.milli_value() } else { p.value() })
        };
        match name.as_str() {
            "cpu" => {
                r.cpu = amount(true);
                has_cpu = true;
            }
            "memory" => {
                r.memory = amount(false);
                has_memory = true;
            }
            "ephemeral-storage" => r.ephemeral = amount(false),
            _ => {
                if let Some(i) = scalars.lookup(name) {
                    r.scalars.push((i, amount(false)));
                }
            }
        }
    }
    r.nonzero_cpu = if has_cpu || !container {
        r.cpu
    } else {
        DEFAULT_MILLI_CPU
    };
    r.nonzero_memory = if has_memory || !container {
        r.memory
    } else {
        DEFAULT_MEMORY
    };
    r
}

fn is_sidecar(c: &Container) -> bool {
    c.restart_policy.as_deref() == Some("Always")
}

/// Sets `list` to the larger of the two for every resource in `other`.
fn max_list(list: &mut ResourceList, other: &ResourceList) {
    for (k, q) in other {
        if list.get(k).is_none_or(|v| q > v) {
            list.insert(k.clone(), q.clone());
        }
    }
}

/// A resize the kubelet found infeasible: the status, not the spec, holds.
fn resize_infeasible(status: &PodStatus) -> bool {
    status
        .conditions
        .iter()
        .find(|c| c.type_ == "PodResizePending")
        .is_some_and(|c| c.reason == "Infeasible")
}

fn status_resources<'s>(
    status: &'s PodStatus,
    name: &str,
) -> Option<(&'s ResourceList, &'s ResourceList)> {
    let cs = status
        .init_container_statuses
        .iter()
        .chain(&status.container_statuses)
        .find(|cs| cs.name == name)?;
    let res = cs.resources.as_ref()?;
    Some((&res.requests, &cs.allocated_resources))
}

/// Whether the container statuses report requests other than the spec's
/// (an in-place resize), so the pod's requests must be worked out from them.
fn status_differs(spec: &PodSpec, status: &PodStatus) -> bool {
    let counted = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().filter(|c| is_sidecar(c)));
    counted.into_iter().any(|c| {
        status_resources(status, &c.name).is_some_and(|(reported, allocated)| {
            *reported != c.resources.requests
                || (!allocated.is_empty() && *allocated != c.resources.requests)
        })
    })
}

/// A container's requests, raised to what its status reports after an
/// in-place resize (or replaced by it when the resize is infeasible).
fn effective_requests<'c>(
    c: &'c Container,
    status: Option<&PodStatus>,
    infeasible: bool,
) -> Cow<'c, ResourceList> {
    let Some((reported, allocated)) = status.and_then(|s| status_resources(s, &c.name)) else {
        return Cow::Borrowed(&c.resources.requests);
    };
    let mut out = if infeasible {
        reported.clone()
    } else {
        let mut out = c.resources.requests.clone();
        max_list(&mut out, reported);
        out
    };
    max_list(&mut out, allocated);
    Cow::Owned(out)
}

/// Kubernetes' `PodRequests` with the status resources of in-place resizes:
/// regular containers and sidecars add up, each init container needs its
/// own requests plus the sidecars started before it, the pod needs the
/// larger of the two, plus its overhead.
fn pod_req(spec: &PodSpec, status: Option<&PodStatus>, scalars: &mut Scalars) -> Req {
    let infeasible = status.is_some_and(resize_infeasible);
    let effective = |c| effective_requests(c, status, infeasible);
    let mut total = Req::default();
    for c in &spec.containers {
        total.add(&list_req(&effective(c), scalars, true));
    }
    let mut sidecars = Req::default();
    let mut init_max = Req::default();
    for c in &spec.init_containers {
        if is_sidecar(c) {
            let r = list_req(&effective(c), scalars, true);
            total.add(&r);
            sidecars.add(&r);
            init_max.max_with(&sidecars);
        } else {
            let mut r = list_req(&c.resources.requests, scalars, true);
            r.add(&sidecars);
            init_max.max_with(&r);
        }
    }
    total.max_with(&init_max);
    total.add(&list_req(&spec.overhead, scalars, false));
    total
}

// ------------------------------------------------------------------ nodes

#[derive(Clone)]
struct Taint {
    key: String,
    value: String,
    effect: String,
    /// Index of "node(s) had untolerated taint {key: value}" in `Pass::taint_texts`.
    text: u32,
}

/// What a node has and what its pods use, kept up to date through the pass.
#[derive(Clone)]
struct NodeInfo {
    name: Box<str>,
    labels: Arc<StringMap>,
    unschedulable: bool,
    taints: Vec<Taint>,
    alloc_cpu: i64,
    alloc_memory: i64,
    alloc_ephemeral: i64,
    alloc_pods: i64,
    alloc_scalars: Vec<i64>,
    pods: i64,
    used: Req,
    /// Pods and requests per priority, for preemption's dry run.
    by_priority: Vec<(i32, i64, Req)>,
    has_hostname: bool,
    /// The zone label's value (interned; nodes without it share the empty
    /// value's domain, as the spreading plugin's topology pairs do).
    zone: u32,
    has_zone: bool,
}

impl NodeInfo {
    fn alloc_scalar(&self, i: u32) -> i64 {
        self.alloc_scalars.get(i as usize).copied().unwrap_or(0)
    }

    fn add_pod(&mut self, req: &Req, priority: i32) {
        self.pods += 1;
        self.used.add(req);
        add_at_priority(&mut self.by_priority, req, priority);
    }
}

/// Counts a pod's requests under its priority, for preemption's dry run.
fn add_at_priority(by_priority: &mut Vec<(i32, i64, Req)>, req: &Req, priority: i32) {
    match by_priority.iter_mut().find(|(p, _, _)| *p == priority) {
        Some(e) => {
            e.1 += 1;
            e.2.add(req);
        }
        None => by_priority.push((priority, 1, req.clone())),
    }
}

fn quantity_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

// ------------------------------------------------------------------ pods

/// A term of a node selector, compiled once per spec.
struct Term {
    labels: Vec<Requirement>,
    /// (field, equal?, value): `In` and `NotIn` on node fields.
    fields: Vec<(String, bool, String)>,
    /// A term with a requirement Kubernetes cannot parse matches no node.
    valid: bool,
}

impl Term {
    /// None for an empty term, which selects nothing and is dropped.
    fn compile(t: &NodeSelectorTerm) -> Option<Term> {
        if t.match_expressions.is_empty() && t.match_fields.is_empty() {
            return None;
        }
        let mut term = Term {
            labels: Vec::new(),
            fields: Vec::new(),
            valid: true,
        };
        for e in &t.match_expressions {
            let op = match e.operator.as_str() {
                "In" => Operator::In,
                "NotIn" => Operator::NotIn,
                "Exists" => Operator::Exists,
                "DoesNotExist" => Operator::DoesNotExist,
                "Gt" => Operator::GreaterThan,
                "Lt" => Operator::LessThan,
                _ => {
                    term.valid = false;
                    continue;
                }
            };
            match Requirement::new(&e.key, op, e.values.clone()) {
                Ok(r) => term.labels.push(r),
                Err(_) => term.valid = false,
            }
        }
        for f in &t.match_fields {
            match (f.operator.as_str(), f.values.as_slice()) {
                ("In", [v]) => term.fields.push((f.key.clone(), true, v.clone())),
                ("NotIn", [v]) => term.fields.push((f.key.clone(), false, v.clone())),
                _ => term.valid = false,
            }
        }
        Some(term)
    }

    fn matches(&self, node: &NodeInfo) -> bool {
        if !self.valid || !self.labels.iter().all(|r| r.matches(&node.labels)) {
            return false;
        }
        self.fields.iter().all(|(key, equal, value)| {
            let have = if key == "metadata.name" {
                &*node.name
            } else {
                ""
            };
            (have == value) == *equal
        })
    }
}

/// Which nodes NodeAffinity's PreFilter leaves to the filters.
enum Candidates {
    All,
    /// Node indices, in name order.
    Only(Vec<usize>),
    /// Every term names nodes, and no node is named by all of a term's fields.
    Conflict,
}

/// What the scheduler derives from a pending pod's spec, once per spec.
struct Plan {
    req: Req,
    priority: i32,
    never_preempts: bool,
    /// Nothing requested: BalancedAllocation skips the pod.
    best_effort: bool,
    /// `nodeSelector` entries that must all be node labels.
    node_selector: Vec<(String, String)>,
    /// None: no required node affinity; Some: terms ORed (none matches nothing).
    required: Option<Vec<Term>>,
    candidates: Candidates,
    tolerates_unschedulable: bool,
    preferred: Vec<(i64, Term)>,
}

impl Plan {
    fn new(spec: &PodSpec, by_name: &HashMap<Box<str>, usize>, scalars: &mut Scalars) -> Plan {
        let req = pod_req(spec, None, scalars);
        let node_affinity = spec
            .affinity
            .as_ref()
            .and_then(|a| a.node_affinity.as_ref());
        let required_terms = node_affinity
            .and_then(|na| {
                na.required_during_scheduling_ignored_during_execution
                    .as_ref()
            })
            .map(|ns| &ns.node_selector_terms);
        let preferred = node_affinity
            .map(|na| {
                na.preferred_during_scheduling_ignored_during_execution
                    .iter()
                    .filter(|p| p.weight != 0)
                    .filter_map(|p| Term::compile(&p.preference).map(|t| (i64::from(p.weight), t)))
                    .filter(|(_, t)| t.valid)
                    .collect()
            })
            .unwrap_or_default();
        let unschedulable_taint = ("node.kubernetes.io/unschedulable", "", "NoSchedule");
        Plan {
            best_effort: req.cpu == 0 && req.memory == 0,
            req,
            priority: spec.priority.unwrap_or(0),
            never_preempts: spec.preemption_policy.as_deref() == Some("Never"),
            node_selector: spec
                .node_selector
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            required: required_terms.map(|terms| terms.iter().filter_map(Term::compile).collect()),
            candidates: required_terms.map_or(Candidates::All, |t| named_nodes(t, by_name)),
            tolerates_unschedulable: spec.tolerations.iter().any(|t| {
                tolerates(
                    t,
                    unschedulable_taint.0,
                    unschedulable_taint.1,
                    unschedulable_taint.2,
                )
            }),
            preferred,
        }
    }

    /// NodeAffinity's Filter: the node selector and the required terms.
    fn affinity_matches(&self, node: &NodeInfo) -> bool {
        self.node_selector
            .iter()
            .all(|(k, v)| node.labels.get(k) == Some(v))
            && self
                .required
                .as_ref()
                .is_none_or(|terms| terms.iter().any(|t| t.matches(node)))
    }
}

/// NodeAffinity's PreFilter: when every term pins `metadata.name`, only the
/// nodes so named are candidates.
fn named_nodes(terms: &[NodeSelectorTerm], by_name: &HashMap<Box<str>, usize>) -> Candidates {
    if terms.is_empty() {
        return Candidates::All;
    }
    let mut union: Vec<&str> = Vec::new();
    for t in terms {
        let mut names: Option<Vec<&str>> = None;
        for r in &t.match_fields {
            if r.key != "metadata.name" || r.operator != "In" {
                continue;
            }
            names = Some(match names {
                None => r.values.iter().map(String::as_str).collect(),
                Some(prev) => prev
                    .into_iter()
                    .filter(|n| r.values.iter().any(|v| v == n))
                    .collect(),
            });
        }
        let Some(names) = names else {
            return Candidates::All;
        };
        union.extend(names);
    }
    if union.is_empty() {
        return Candidates::Conflict;
    }
    let mut only: Vec<usize> = union
        .iter()
        .filter_map(|n| by_name.get(*n).copied())
        .collect();
    only.sort_unstable();
    only.dedup();
    Candidates::Only(only)
}

/// `Toleration.ToleratesTaint`.
fn tolerates(t: &Toleration, key: &str, value: &str, effect: &str) -> bool {
    if !t.effect.is_empty() && t.effect != effect {
        return false;
    }
    if !t.key.is_empty() && t.key != key {
        return false;
    }
    match t.operator.as_str() {
        "" | "Equal" => t.value == value,
        "Exists" => true,
        _ => false,
    }
}

/// The controller whose pods the default spreading constraints count:
/// kube-scheduler's default selector comes from ReplicaSets, StatefulSets
/// and ReplicationControllers (and Services, which the simulation has not).
fn spread_owner(pod: &Object) -> Option<&str> {
    pod.meta
        .owner_references
        .iter()
        .find(|r| r.controller == Some(true))
        .filter(|r| {
            matches!(
                r.kind.as_str(),
                "ReplicaSet" | "StatefulSet" | "ReplicationController"
            )
        })
        .map(|r| r.uid.as_str())
}

// ------------------------------------------------------------------ reasons

/// Why a node was not feasible (a FitError reason, or a preemption one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    Unschedulable,
    Taint(u32),
    Affinity,
    NotCandidate,
    TooManyPods,
    Cpu,
    Memory,
    Ephemeral,
    Scalar(u32),
    NoVictims,
    NotHelpful,
}

/// The first filter a node fails that does not depend on what runs there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Pass,
    NotCandidate,
    Unschedulable,
    Taint(u32),
    Affinity,
}

/// Reason counts, as FitError's histogram.
#[derive(Default)]
struct Histogram(Vec<(Reason, usize)>);

impl Histogram {
    fn add(&mut self, r: Reason, n: usize) {
        if n == 0 {
            return;
        }
        match self.0.iter_mut().find(|(k, _)| *k == r) {
            Some(e) => e.1 += n,
            None => self.0.push((r, n)),
        }
    }
}

/// Per-node data for the spec the pass is placing now.
struct Prepared {
    plan: usize,
    /// Some when NodeAffinity's PreFilter named the candidates: only these
    /// nodes were prepared, and every other node is `NotCandidate` and fails
    /// the affinity, so the filters, scores and diagnosis need look at
    /// these alone (a DaemonSet's pod names its one node).
    only: Option<Vec<usize>>,
    stage: Vec<Stage>,
    /// Matches the node selector and required affinity (spreading counts
    /// only such nodes' pods).
    affinity_ok: Vec<bool>,
    /// PreferNoSchedule taints the pod does not tolerate.
    taint_count: Vec<i64>,
    /// Sum of matching preferred terms' weights.
    preference: Vec<i64>,
}

enum Placement {
    Node(usize),
    None(String),
}

/// A feasible node and its scores so far.
struct Scored {
    node: usize,
    score: i64,
    taint_count: i64,
    preference: i64,
    spread: i64,
}

/// One scheduling pass's view of the cluster.
struct Pass {
    nodes: Vec<NodeInfo>,
    by_name: HashMap<Box<str>, usize>,
    scalars: Scalars,
    taint_texts: Vec<String>,
    any_zone: bool,
    zone_count: usize,
    plans: Vec<Plan>,
    plan_of: HashMap<usize, usize>,
    prepared: Option<Prepared>,
    /// Controllers of pending pods, and how many of their pods each node runs.
    owners: HashMap<String, usize>,
    owner_nodes: Vec<HashMap<usize, u32>>,
    /// The loaded owner's counts by node (zero elsewhere).
    owner_dense: Vec<u32>,
    loaded_owner: Option<usize>,
    /// Bindings so far: a failure memo holds until the next one.
    epoch: u64,
    failures: HashMap<usize, (u64, String)>,
    scored: Vec<Scored>,
    /// Where the next pod's search over the nodes starts (kube-scheduler's
    /// nextStartNodeIndex): the search stops once it has found enough
    /// feasible nodes, so successive pods look at different nodes first.
    next_start: usize,
}

/// How many feasible nodes kube-scheduler looks for before it stops
/// filtering (`numFeasibleNodesToFind` with the default, adaptive
/// percentageOfNodesToScore): all of them below 100 nodes, else 50% minus
/// one point per 125 nodes, at least 5% and at least 100 nodes.
fn feasible_nodes_to_find(all: usize) -> usize {
    const MIN_FEASIBLE: usize = 100;
    if all < MIN_FEASIBLE {
        return all;
    }
    let percentage = 50usize.saturating_sub(all / 125).max(5);
    (all * percentage / 100).max(MIN_FEASIBLE)
}

/// The nodes' part of a pass: each node with nothing counted on it yet.
#[derive(Clone)]
struct PassNodes {
    nodes: Vec<NodeInfo>,
    taint_texts: Vec<String>,
    any_zone: bool,
    zone_count: usize,
}

impl PassNodes {
    /// The nodes as a pass reads them, from the memo's table while no node
    /// changed (read again, and kept, otherwise).
    fn read(node_objects: &[Arc<Object>], scalars: &mut Scalars, memo: &mut Memo) -> PassNodes {
        if let Some(table) = &memo.nodes {
            if table.holds(node_objects, scalars) {
                scalars.clone_from(&table.scalars_after);
                return table.nodes.clone();
            }
        }
        let scalars_before = scalars.clone();
        let nodes = PassNodes::of(node_objects, scalars);
        memo.nodes = Some(NodeTable {
            versions: node_objects
                .iter()
                .map(|o| (o.meta.name.clone(), o.meta.resource_version))
                .collect(),
            scalars_before,
            scalars_after: scalars.clone(),
            nodes: nodes.clone(),
        });
        nodes
    }

    fn of(node_objects: &[Arc<Object>], scalars: &mut Scalars) -> PassNodes {
        let mut taint_texts: Vec<String> = Vec::new();
        let mut zones: HashMap<String, u32> = HashMap::new();
        let mut nodes = Vec::with_capacity(node_objects.len());
        let mut any_zone = false;
        for obj in node_objects {
            let spec = obj.spec_value();
            let status = match &obj.body {
                Body::Json(fields) => fields.get("status"),
                Body::Pod { .. } => None,
            };
            let text =
                |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
            let taints = spec
                .and_then(|s| s.get("taints"))
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .map(|t| {
                            let (key, value) = (text(t, "key"), text(t, "value"));
                            let shown = format!("node(s) had untolerated taint {{{key}: {value}}}");
                            let idx = match taint_texts.iter().position(|s| *s == shown) {
                                Some(i) => i,
                                None => {
                                    taint_texts.push(shown);
                                    taint_texts.len() - 1
                                }
                            };
                            Taint {
                                key,
                                value,
                                effect: text(t, "effect"),
                                text: idx as u32,
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut node = NodeInfo {
                name: obj.meta.name.clone(),
                labels: Arc::clone(&obj.meta.labels),
                unschedulable: spec
                    .and_then(|s| s.get("unschedulable"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                taints,
                alloc_cpu: 0,
                alloc_memory: 0,
                alloc_ephemeral: 0,
                alloc_pods: 0,
                alloc_scalars: Vec::new(),
                pods: 0,
                used: Req::default(),
                by_priority: Vec::new(),
                has_hostname: obj.meta.labels.contains_key(HOSTNAME_LABEL),
                zone: 0,
                has_zone: false,
            };
            let zone = obj.meta.labels.get(ZONE_LABEL);
            node.has_zone = zone.is_some();
            any_zone |= node.has_zone;
            let zone = zone.map_or("", String::as_str);
            let next = zones.len() as u32;
            node.zone = *zones.entry(zone.to_owned()).or_insert(next);
            let allocatable = status
                .and_then(|s| s.get("allocatable"))
                .and_then(Value::as_object);
            for (name, v) in allocatable.into_iter().flatten() {
                let Some(q) = quantity_text(v).map(crate::model::Quantity::new) else {
                    continue;
                };
                let Ok(q) = q.parsed() else { continue };
                match name.as_str() {
                    "cpu" => node.alloc_cpu = q.milli_value(),
                    "memory" => node.alloc_memory = q.value(),
                    "ephemeral-storage" => node.alloc_ephemeral = q.value(),
                    "pods" => node.alloc_pods = q.value(),
                    _ => {
                        if let Some(i) = scalars.lookup(name) {
                            let i = i as usize;
                            if node.alloc_scalars.len() <= i {
                                node.alloc_scalars.resize(i + 1, 0);
                            }
                            node.alloc_scalars[i] = q.value();
                        }
                    }
                }
            }
            nodes.push(node);
        }
        PassNodes {
            nodes,
            taint_texts,
            any_zone,
            zone_count: zones.len(),
        }
    }
}

impl Pass {
    fn new(nodes: PassNodes, pending: &[Arc<Object>], scalars: Scalars) -> Pass {
        let PassNodes {
            nodes,
            taint_texts,
            any_zone,
            zone_count,
        } = nodes;
        let by_name = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.clone(), i))
            .collect();
        let mut owners = HashMap::new();
        for pod in pending {
            if let Some(uid) = spread_owner(pod) {
                let next = owners.len();
                owners.entry(uid.to_owned()).or_insert(next);
            }
        }
        let node_count = nodes.len();
        Pass {
            nodes,
            by_name,
            scalars,
            taint_texts,
            any_zone,
            zone_count,
            plans: Vec::new(),
            plan_of: HashMap::new(),
            prepared: None,
            owner_nodes: vec![HashMap::new(); owners.len()],
            owners,
            owner_dense: vec![0; node_count],
            loaded_owner: None,
            epoch: 0,
            failures: HashMap::new(),
            scored: Vec::with_capacity(node_count),
            next_start: 0,
        }
    }

    /// Adds every non-terminal pod bound to an existing node to that node.
    fn account_bound_pods(&mut self, pods: &[Arc<Object>]) {
        let mut reqs = HashMap::new();
        for pod in pods {
            let Some(node) = pod.node_name().and_then(|n| self.by_name.get(n).copied()) else {
                continue;
            };
            let (nodes, owners, owner_nodes) =
                (&mut self.nodes, &self.owners, &mut self.owner_nodes);
            account_pod(pod, &mut self.scalars, &mut reqs, |req, priority, owner| {
                nodes[node].add_pod(req, priority);
                if let Some(&o) = owner.and_then(|uid| owners.get(uid)) {
                    *owner_nodes[o].entry(node).or_insert(0) += 1;
                }
            });
        }
    }

    /// Takes the nodes' usage from the memo (what `account_bound_pods`
    /// would count).
    fn apply_usage(&mut self, usage: &HashMap<Box<str>, NodeUsage>) {
        for (i, node) in self.nodes.iter_mut().enumerate() {
            let Some(u) = usage.get(&node.name) else {
                continue;
            };
            node.pods = u.pods;
            node.used.clone_from(&u.used);
            node.by_priority.clone_from(&u.by_priority);
            if self.owners.len() <= u.owners.len() {
                for (uid, &o) in &self.owners {
                    if let Some(&count) = u.owners.get(uid.as_str()) {
                        self.owner_nodes[o].insert(i, count);
                    }
                }
            } else {
                for (uid, &count) in &u.owners {
                    if let Some(&o) = self.owners.get(&**uid) {
                        self.owner_nodes[o].insert(i, count);
                    }
                }
            }
        }
    }

    fn plan_index(&mut self, spec: &PodSpec) -> usize {
        let key = std::ptr::from_ref(spec) as usize;
        if let Some(&i) = self.plan_of.get(&key) {
            return i;
        }
        let plan = Plan::new(spec, &self.by_name, &mut self.scalars);
        self.plans.push(plan);
        let i = self.plans.len() - 1;
        self.plan_of.insert(key, i);
        i
    }

    /// Works out the spec-dependent, usage-independent verdicts per node.
    fn prepare(&mut self, plan_idx: usize, spec: &PodSpec) {
        if self.prepared.as_ref().is_some_and(|p| p.plan == plan_idx) {
            return;
        }
        let plan = &self.plans[plan_idx];
        let n = self.nodes.len();
        let mut p = self.prepared.take().unwrap_or(Prepared {
            plan: plan_idx,
            only: None,
            stage: Vec::new(),
            affinity_ok: Vec::new(),
            taint_count: Vec::new(),
            preference: Vec::new(),
        });
        let only = match &plan.candidates {
            Candidates::Only(only) => Some(only.clone()),
            Candidates::All | Candidates::Conflict => None,
        };
        match (&p.only, &only) {
            // Everything but the previous candidates is at rest already.
            (Some(previous), Some(_)) if p.stage.len() == n => {
                for &i in previous {
                    p.stage[i] = Stage::NotCandidate;
                    p.affinity_ok[i] = false;
                    p.taint_count[i] = 0;
                    p.preference[i] = 0;
                }
            }
            _ => {
                p.stage.clear();
                p.stage.resize(n, Stage::NotCandidate);
                p.affinity_ok.clear();
                p.affinity_ok.resize(n, false);
                p.taint_count.clear();
                p.taint_count.resize(n, 0);
                p.preference.clear();
                p.preference.resize(n, 0);
            }
        }
        p.plan = plan_idx;
        let mut verdicts = |i: usize| {
            let node = &self.nodes[i];
            let affinity_ok = plan.affinity_matches(node);
            p.affinity_ok[i] = affinity_ok;
            let prefer_no_schedule = node
                .taints
                .iter()
                .filter(|t| t.effect == "PreferNoSchedule")
                .filter(|t| {
                    !spec.tolerations.iter().any(|tol| {
                        (tol.effect.is_empty() || tol.effect == "PreferNoSchedule")
                            && tolerates(tol, &t.key, &t.value, &t.effect)
                    })
                })
                .count();
            p.taint_count[i] = prefer_no_schedule as i64;
            p.preference[i] = plan
                .preferred
                .iter()
                .filter(|(_, t)| t.matches(node))
                .map(|(w, _)| *w)
                .sum();
            p.stage[i] = if node.unschedulable && !plan.tolerates_unschedulable {
                Stage::Unschedulable
            } else if let Some(t) = node.taints.iter().find(|t| {
                matches!(t.effect.as_str(), "NoSchedule" | "NoExecute")
                    && !spec
                        .tolerations
                        .iter()
                        .any(|tol| tolerates(tol, &t.key, &t.value, &t.effect))
            }) {
                Stage::Taint(t.text)
            } else if !affinity_ok {
                Stage::Affinity
            } else {
                Stage::Pass
            };
        };
        match &only {
            Some(only) => only.iter().for_each(|&i| verdicts(i)),
            None => (0..n).for_each(verdicts),
        }
        p.only = only;
        self.prepared = Some(p);
    }

    /// Makes `owner_dense` hold `owner`'s pod counts.
    fn load_owner(&mut self, owner: usize) {
        if self.loaded_owner == Some(owner) {
            return;
        }
        if let Some(old) = self.loaded_owner.take() {
            for &n in self.owner_nodes[old].keys() {
                self.owner_dense[n] = 0;
            }
        }
        for (&n, &c) in &self.owner_nodes[owner] {
            self.owner_dense[n] = c;
        }
        self.loaded_owner = Some(owner);
    }

    fn place(&mut self, pod: &Object) -> Placement {
        let Some(spec) = pod.pod_spec() else {
            return Placement::None(String::new());
        };
        let plan_idx = self.plan_index(spec);
        if matches!(self.plans[plan_idx].candidates, Candidates::Conflict) {
            return Placement::None(self.fit_error(
                Some("pod affinity terms conflict"),
                &Histogram::default(),
                &self.preemption_message(plan_idx, &[]),
            ));
        }
        if let Some((epoch, message)) = self.failures.get(&plan_idx) {
            if *epoch == self.epoch {
                return Placement::None(message.clone());
            }
        }
        self.prepare(plan_idx, spec);
        let Some(prepared) = self.prepared.take() else {
            return Placement::None(String::new());
        };
        let owner = spread_owner(pod).and_then(|uid| self.owners.get(uid).copied());
        if let Some(o) = owner {
            self.load_owner(o);
        }
        let choice = self.choose(plan_idx, &prepared, owner.is_some());
        let out = match choice {
            Some(n) => Placement::Node(n),
            None => {
                let message = self.diagnose(plan_idx, &prepared);
                self.failures
                    .insert(plan_idx, (self.epoch, message.clone()));
                Placement::None(message)
            }
        };
        self.prepared = Some(prepared);
        out
    }

    /// Filters and scores every candidate node; the best, or None.
    fn choose(&mut self, plan_idx: usize, prepared: &Prepared, spread: bool) -> Option<usize> {
        let plan = &self.plans[plan_idx];
        let req = &plan.req;
        let mut scored = std::mem::take(&mut self.scored);
        scored.clear();
        let (mut max_taint, mut max_preference) = (0, 0);
        let total = self.nodes.len();
        let wanted = feasible_nodes_to_find(total);
        let mut consider = |n: usize, scored: &mut Vec<Scored>| {
            let node = &self.nodes[n];
            if prepared.stage[n] != Stage::Pass || !fits(node, req) {
                return;
            }
            let mut score = least_allocated(node, req);
            if !plan.best_effort {
                score += balanced_allocation(node, req);
            }
            max_taint = max_taint.max(prepared.taint_count[n]);
            max_preference = max_preference.max(prepared.preference[n]);
            scored.push(Scored {
                node: n,
                score,
                taint_count: prepared.taint_count[n],
                preference: prepared.preference[n],
                spread: 0,
            });
        };
        let mut processed = 0;
        match prepared.only.as_ref().filter(|only| only.len() < wanted) {
            // Fewer candidates than the search wants: it would walk every
            // node without stopping early, and only these can pass.
            Some(only) => {
                for &n in only {
                    consider(n, &mut scored);
                }
                processed = total;
            }
            None => {
                for k in 0..total {
                    if scored.len() >= wanted {
                        break;
                    }
                    processed = k + 1;
                    consider((self.next_start + k) % total, &mut scored);
                }
            }
        }
        if total > 0 {
            self.next_start = (self.next_start + processed) % total;
        }
        if scored.is_empty() {
            self.scored = scored;
            return None;
        }
        for s in &mut scored {
            // TaintToleration: fewer intolerable PreferNoSchedule taints is better.
            let taint = if max_taint == 0 {
                MAX_NODE_SCORE
            } else {
                MAX_NODE_SCORE - MAX_NODE_SCORE * s.taint_count / max_taint
            };
            s.score += TAINT_WEIGHT * taint;
            if max_preference > 0 {
                s.score += AFFINITY_WEIGHT * (MAX_NODE_SCORE * s.preference / max_preference);
            }
        }
        if spread {
            self.add_spread_scores(&mut scored, prepared);
        }
        // Ties go to the node that comes first by name.
        let mut best = &scored[0];
        for s in &scored[1..] {
            if s.score > best.score || (s.score == best.score && s.node < best.node) {
                best = s;
            }
        }
        let chosen = best.node;
        self.scored = scored;
        Some(chosen)
    }

    /// PodTopologySpread's system defaults over the loaded owner's pods.
    fn add_spread_scores(&self, scored: &mut [Scored], prepared: &Prepared) {
        let host_weight = ((scored.len() + 2) as f64).ln();
        let mut zone_pods = vec![0i64; if self.any_zone { self.zone_count } else { 0 }];
        let mut zone_weight = 0.0;
        if self.any_zone {
            let mut count = |n: usize| {
                if prepared.affinity_ok[n] {
                    zone_pods[self.nodes[n].zone as usize] += i64::from(self.owner_dense[n]);
                }
            };
            match &prepared.only {
                Some(only) => only.iter().for_each(|&n| count(n)),
                None => (0..self.nodes.len()).for_each(count),
            }
            let mut seen = vec![false; self.zone_count];
            for s in scored.iter() {
                seen[self.nodes[s.node].zone as usize] = true;
            }
            let domains = seen.iter().filter(|&&b| b).count();
            zone_weight = ((domains + 2) as f64).ln();
        }
        let (mut min, mut max) = (i64::MAX, 0);
        for s in scored.iter_mut() {
            let node = &self.nodes[s.node];
            let mut score = 0.0;
            if node.has_hostname {
                score +=
                    f64::from(self.owner_dense[s.node]) * host_weight + (HOSTNAME_MAX_SKEW - 1.0);
            }
            if node.has_zone {
                score += zone_pods[node.zone as usize] as f64 * zone_weight + (ZONE_MAX_SKEW - 1.0);
            }
            s.spread = score.round() as i64;
            min = min.min(s.spread);
            max = max.max(s.spread);
        }
        for s in scored.iter_mut() {
            let normalized = if max == 0 {
                MAX_NODE_SCORE
            } else {
                MAX_NODE_SCORE * (max + min - s.spread) / max
            };
            s.score += SPREAD_WEIGHT * normalized;
        }
    }

    fn record_binding(&mut self, pod: &Object, n: usize) {
        let Some(spec) = pod.pod_spec() else { return };
        let idx = self.plan_index(spec);
        let plan = &self.plans[idx];
        let (req, priority) = (plan.req.clone(), plan.priority);
        self.nodes[n].add_pod(&req, priority);
        if let Some(o) = spread_owner(pod).and_then(|uid| self.owners.get(uid).copied()) {
            *self.owner_nodes[o].entry(n).or_insert(0) += 1;
            if self.loaded_owner == Some(o) {
                self.owner_dense[n] += 1;
            }
        }
        self.epoch += 1;
    }

    /// FitError's message for a pod no node can take.
    fn diagnose(&self, plan_idx: usize, prepared: &Prepared) -> String {
        let plan = &self.plans[plan_idx];
        let mut hist = Histogram::default();
        let mut potential = Vec::new();
        let mut absent = 0;
        let mut visit = |n: usize| match prepared.stage[n] {
            Stage::NotCandidate => absent += 1,
            Stage::Unschedulable => hist.add(Reason::Unschedulable, 1),
            Stage::Taint(t) => hist.add(Reason::Taint(t), 1),
            Stage::Affinity => hist.add(Reason::Affinity, 1),
            Stage::Pass => {
                fit_reasons(&self.nodes[n], &plan.req, 0, &Req::default(), |r| {
                    hist.add(r, 1);
                });
                potential.push(n);
            }
        };
        match &prepared.only {
            Some(only) => {
                for &n in only {
                    visit(n);
                }
                absent += self.nodes.len().saturating_sub(only.len());
            }
            None => (0..self.nodes.len()).for_each(visit),
        }
        hist.add(Reason::NotCandidate, absent);
        self.fit_error(None, &hist, &self.preemption_message(plan_idx, &potential))
    }

    /// DefaultPreemption's post-filter message: its dry run on the nodes
    /// where removing pods might help (those that failed only on resources).
    fn preemption_message(&self, plan_idx: usize, potential: &[usize]) -> String {
        let plan = &self.plans[plan_idx];
        if plan.never_preempts {
            return "preemption: not eligible due to preemptionPolicy=Never.".to_owned();
        }
        let mut hist = Histogram::default();
        for &n in potential {
            let node = &self.nodes[n];
            let mut freed_pods = 0;
            let mut freed = Req::default();
            for (priority, pods, req) in &node.by_priority {
                if *priority < plan.priority {
                    freed_pods += pods;
                    freed.add(req);
                }
            }
            if freed_pods == 0 {
                hist.add(Reason::NoVictims, 1);
                continue;
            }
            let mut failed = false;
            fit_reasons(node, &plan.req, freed_pods, &freed, |r| {
                failed = true;
                hist.add(r, 1);
            });
            if !failed {
                // A victim set exists: kube-scheduler would preempt and its
                // post-filter would add nothing to the message.
                return String::new();
            }
        }
        hist.add(Reason::NotHelpful, self.nodes.len() - potential.len());
        format!("preemption: {}", self.fit_error(None, &hist, ""))
    }

    fn reason_text(&self, r: Reason) -> Cow<'_, str> {
        Cow::Borrowed(match r {
            Reason::Unschedulable => "node(s) were unschedulable",
            Reason::Taint(i) => {
                return Cow::Borrowed(self.taint_texts.get(i as usize).map_or("", String::as_str))
            }
            Reason::Affinity => "node(s) didn't match Pod's node affinity/selector",
            Reason::NotCandidate => "node(s) didn't satisfy plugin(s) [NodeAffinity]",
            Reason::TooManyPods => "Too many pods",
            Reason::Cpu => "Insufficient cpu",
            Reason::Memory => "Insufficient memory",
            Reason::Ephemeral => "Insufficient ephemeral-storage",
            Reason::Scalar(i) => {
                let name = self
                    .scalars
                    .names
                    .get(i as usize)
                    .map_or("", String::as_str);
                return Cow::Owned(format!("Insufficient {name}"));
            }
            Reason::NoVictims => "No preemption victims found for incoming pod",
            Reason::NotHelpful => "Preemption is not helpful for scheduling",
        })
    }

    /// `FitError.Error()`: "0/N nodes are available: <pre-filter message>."
    /// or the reason counts (sorted as strings), then the post-filter message.
    fn fit_error(&self, prefilter: Option<&str>, hist: &Histogram, postfilter: &str) -> String {
        let mut out = format!("0/{} nodes are available:", self.nodes.len());
        if let Some(msg) = prefilter {
            out.push(' ');
            out.push_str(msg);
            out.push('.');
        } else {
            let mut reasons: Vec<String> = hist
                .0
                .iter()
                .map(|&(r, n)| format!("{n} {}", self.reason_text(r)))
                .collect();
            reasons.sort();
            if !reasons.is_empty() {
                out.push(' ');
                out.push_str(&reasons.join(", "));
                out.push('.');
            }
        }
        if !postfilter.is_empty() {
            out.push(' ');
            out.push_str(postfilter);
        }
        out
    }
}

/// NodeResourcesFit's Filter: `fit_reasons` finding nothing, without
/// collecting reasons (the per-node check of every pending pod).
fn fits(node: &NodeInfo, req: &Req) -> bool {
    let free = |alloc: i64, used: i64| alloc.saturating_sub(used);
    node.pods < node.alloc_pods
        && (req.cpu <= 0 || req.cpu <= free(node.alloc_cpu, node.used.cpu))
        && (req.memory <= 0 || req.memory <= free(node.alloc_memory, node.used.memory))
        && (req.ephemeral <= 0 || req.ephemeral <= free(node.alloc_ephemeral, node.used.ephemeral))
        && req.scalars.iter().all(|&(i, amount)| {
            amount <= 0 || amount <= free(node.alloc_scalar(i), node.used.scalar(i))
        })
}

/// NodeResourcesFit's Filter reasons, with `freed` pods and requests taken
/// off the node (preemption's victims).
fn fit_reasons(
    node: &NodeInfo,
    req: &Req,
    freed_pods: i64,
    freed: &Req,
    mut fail: impl FnMut(Reason),
) {
    if node.pods - freed_pods + 1 > node.alloc_pods {
        fail(Reason::TooManyPods);
    }
    let free = |alloc: i64, used: i64, gone: i64| alloc.saturating_sub(used.saturating_sub(gone));
    if req.cpu > 0 && req.cpu > free(node.alloc_cpu, node.used.cpu, freed.cpu) {
        fail(Reason::Cpu);
    }
    if req.memory > 0 && req.memory > free(node.alloc_memory, node.used.memory, freed.memory) {
        fail(Reason::Memory);
    }
    if req.ephemeral > 0
        && req.ephemeral > free(node.alloc_ephemeral, node.used.ephemeral, freed.ephemeral)
    {
        fail(Reason::Ephemeral);
    }
    for &(i, amount) in &req.scalars {
        if amount > 0 && amount > free(node.alloc_scalar(i), node.used.scalar(i), freed.scalar(i)) {
            fail(Reason::Scalar(i));
        }
    }
}

/// NodeResourcesFit's LeastAllocated score over cpu and memory (weight 1
/// each), with scoring's non-zero requests.
fn least_allocated(node: &NodeInfo, req: &Req) -> i64 {
    let mut total = 0;
    let mut weights = 0;
    for (alloc, requested) in [
        (
            node.alloc_cpu,
            node.used.nonzero_cpu.saturating_add(req.nonzero_cpu),
        ),
        (
            node.alloc_memory,
            node.used.nonzero_memory.saturating_add(req.nonzero_memory),
        ),
    ] {
        if alloc == 0 {
            continue;
        }
        weights += 1;
        if requested <= alloc {
            total += (alloc - requested) * MAX_NODE_SCORE / alloc;
        }
    }
    if weights == 0 {
        0
    } else {
        total / weights
    }
}

/// NodeResourcesBalancedAllocation: 100 × (1 − the spread of the cpu and
/// memory fractions the node would have requested).
fn balanced_allocation(node: &NodeInfo, req: &Req) -> i64 {
    let mut fractions = [0.0f64; 2];
    let mut count = 0;
    for (alloc, requested) in [
        (node.alloc_cpu, node.used.cpu.saturating_add(req.cpu)),
        (
            node.alloc_memory,
            node.used.memory.saturating_add(req.memory),
        ),
    ] {
        if alloc == 0 {
            continue;
        }
        fractions[count] = (requested as f64 / alloc as f64).min(1.0);
        count += 1;
    }
    let std = if count == 2 {
        ((fractions[0] - fractions[1]) / 2.0).abs()
    } else {
        0.0
    };
    ((1.0 - std) * MAX_NODE_SCORE as f64) as i64
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::store::Store;

    fn node(name: &str, cpu: &str, memory: &str, pods: &str) -> Value {
        json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "status": {
                "capacity": {"cpu": cpu, "memory": memory, "pods": pods},
                "allocatable": {"cpu": cpu, "memory": memory, "pods": pods}
            }
        })
    }

    fn pod(name: &str, cpu: &str) -> Value {
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name},
            "spec": {"containers": [{
                "name": "c", "image": "nginx",
                "resources": {"requests": {"cpu": cpu}}
            }]}
        })
    }

    fn store_with(nodes: &[Value]) -> Store {
        let store = Store::new(0, 1000);
        for n in nodes {
            store.create(n, "").unwrap();
        }
        store
    }

    fn add(store: &Store, pod: &Value) {
        store.create(pod, "").unwrap();
    }

    fn run(store: &Store) -> Outcome {
        store.batch(schedule)
    }

    fn node_of(store: &Store, name: &str) -> Option<String> {
        let p = store.get(Kind::Pod, "default", name).unwrap();
        p.node_name().map(str::to_owned)
    }

    /// The PodScheduled condition: (status, reason, message).
    fn scheduled(store: &Store, name: &str) -> (String, String, String) {
        let p = store.get(Kind::Pod, "default", name).unwrap();
        let c = p
            .pod_status()
            .unwrap()
            .conditions
            .iter()
            .find(|c| c.type_ == "PodScheduled")
            .cloned()
            .unwrap();
        (c.status, c.reason, c.message)
    }

    fn message(store: &Store, name: &str) -> String {
        let (status, reason, message) = scheduled(store, name);
        assert_eq!(
            (status.as_str(), reason.as_str()),
            ("False", "Unschedulable")
        );
        message
    }

    #[test]
    fn a_pod_that_fits_is_bound_and_marked_scheduled() {
        let store = store_with(&[node("node-a", "1", "1Gi", "110")]);
        add(&store, &pod("p", "500m"));
        assert_eq!(
            run(&store),
            Outcome {
                bound: 1,
                unschedulable: 0
            }
        );
        assert_eq!(node_of(&store, "p").as_deref(), Some("node-a"));
        assert_eq!(scheduled(&store, "p").0, "True");
    }

    #[test]
    fn a_pod_too_big_for_every_node_reports_insufficient_cpu() {
        let store = store_with(&[
            node("node-a", "1", "1Gi", "110"),
            node("node-b", "1", "1Gi", "110"),
            node("node-c", "1", "1Gi", "110"),
        ]);
        add(&store, &pod("big", "2"));
        assert_eq!(
            run(&store),
            Outcome {
                bound: 0,
                unschedulable: 1
            }
        );
        assert_eq!(
            message(&store, "big"),
            "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: \
             3 No preemption victims found for incoming pod."
        );
    }

    #[test]
    fn one_pass_does_not_overfill_a_node() {
        let store = store_with(&[node("node-a", "1", "1Gi", "110")]);
        for name in ["p1", "p2", "p3"] {
            add(&store, &pod(name, "400m"));
        }
        assert_eq!(
            run(&store),
            Outcome {
                bound: 2,
                unschedulable: 1
            }
        );
        assert!(node_of(&store, "p3").is_none());
        assert!(message(&store, "p3").starts_with("0/1 nodes are available: 1 Insufficient cpu."));
    }

    #[test]
    fn pods_already_bound_use_up_their_node() {
        let store = store_with(&[node("node-a", "1", "1Gi", "110")]);
        add(&store, &pod("first", "700m"));
        run(&store);
        add(&store, &pod("second", "700m"));
        assert_eq!(
            run(&store),
            Outcome {
                bound: 0,
                unschedulable: 1
            }
        );
    }

    #[test]
    fn an_unchanged_failure_is_not_written_again() {
        let store = store_with(&[node("node-a", "1", "1Gi", "110")]);
        add(&store, &pod("big", "2"));
        run(&store);
        let rv = store.resource_version();
        assert_eq!(run(&store).unschedulable, 1);
        assert_eq!(store.resource_version(), rv);
    }

    #[test]
    fn without_nodes_pods_wait_for_nodes() {
        let store = store_with(&[]);
        add(&store, &pod("p", "100m"));
        run(&store);
        assert_eq!(message(&store, "p"), "no nodes available to schedule pods");
    }

    #[test]
    fn gated_pods_and_other_schedulers_pods_are_left_alone() {
        let store = store_with(&[node("node-a", "1", "1Gi", "110")]);
        let mut gated = pod("gated", "100m");
        gated["spec"]["schedulingGates"] = json!([{"name": "example.com/wait"}]);
        add(&store, &gated);
        let mut other = pod("other", "100m");
        other["spec"]["schedulerName"] = json!("my-scheduler");
        add(&store, &other);
        assert_eq!(run(&store), Outcome::default());
        assert!(node_of(&store, "gated").is_none() && node_of(&store, "other").is_none());
    }

    #[test]
    fn node_selector_picks_labelled_nodes() {
        let mut ssd = node("node-b", "1", "1Gi", "110");
        ssd["metadata"]["labels"]["disk"] = json!("ssd");
        let store = store_with(&[node("node-a", "1", "1Gi", "110"), ssd]);
        let mut p = pod("p", "100m");
        p["spec"]["nodeSelector"] = json!({"disk": "ssd"});
        add(&store, &p);
        let mut q = pod("q", "100m");
        q["spec"]["nodeSelector"] = json!({"disk": "nvme"});
        add(&store, &q);
        assert_eq!(
            run(&store),
            Outcome {
                bound: 1,
                unschedulable: 1
            }
        );
        assert_eq!(node_of(&store, "p").as_deref(), Some("node-b"));
        assert_eq!(
            message(&store, "q"),
            "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. \
             preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."
        );
    }

    fn with_affinity(name: &str, expressions: &Value) -> Value {
        let mut p = pod(name, "100m");
        p["spec"]["affinity"] = json!({"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": expressions}]
            }
        }});
        p
    }

    #[test]
    fn required_node_affinity_in_notin_and_gt_select_by_labels() {
        let labelled = |name: &str, zone: &str, cores: &str| {
            let mut n = node(name, "4", "4Gi", "110");
            n["metadata"]["labels"]["zone"] = json!(zone);
            n["metadata"]["labels"]["cores"] = json!(cores);
            n
        };
        let store = store_with(&[
            labelled("node-a", "east", "4"),
            labelled("node-b", "west", "16"),
            labelled("node-c", "north", "8"),
        ]);
        add(
            &store,
            &with_affinity(
                "in",
                &json!([{"key": "zone", "operator": "In", "values": ["west"]}]),
            ),
        );
        add(
            &store,
            &with_affinity(
                "notin",
                &json!([{"key": "zone", "operator": "NotIn", "values": ["east", "west"]}]),
            ),
        );
        add(
            &store,
            &with_affinity(
                "gt",
                &json!([{"key": "cores", "operator": "Gt", "values": ["10"]}]),
            ),
        );
        add(
            &store,
            &with_affinity(
                "none",
                &json!([{"key": "cores", "operator": "Gt", "values": ["64"]}]),
            ),
        );
        assert_eq!(
            run(&store),
            Outcome {
                bound: 3,
                unschedulable: 1
            }
        );
        assert_eq!(node_of(&store, "in").as_deref(), Some("node-b"));
        assert_eq!(node_of(&store, "notin").as_deref(), Some("node-c"));
        assert_eq!(node_of(&store, "gt").as_deref(), Some("node-b"));
        assert!(message(&store, "none").starts_with(
            "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector."
        ));
    }

    #[test]
    fn terms_pinning_node_names_leave_other_nodes_out() {
        let store = store_with(&[
            node("node-a", "4", "4Gi", "110"),
            node("node-b", "1", "4Gi", "110"),
            node("node-c", "4", "4Gi", "110"),
        ]);
        let mut p = pod("ds", "2");
        p["spec"]["affinity"] = json!({"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchFields": [
                    {"key": "metadata.name", "operator": "In", "values": ["node-b"]}
                ]}]
            }
        }});
        add(&store, &p);
        run(&store);
        assert_eq!(
            message(&store, "ds"),
            "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) \
             [NodeAffinity]. preemption: 0/3 nodes are available: 1 No preemption victims found \
             for incoming pod, 2 Preemption is not helpful for scheduling."
        );
    }

    fn tainted(name: &str, key: &str, value: &str, effect: &str) -> Value {
        let mut n = node(name, "4", "4Gi", "110");
        n["spec"] = json!({"taints": [{"key": key, "value": value, "effect": effect}]});
        n
    }

    #[test]
    fn untolerated_taints_keep_pods_off_and_reasons_sort_as_strings() {
        let store = store_with(&[
            tainted("node-a", "dedicated", "gpu", "NoSchedule"),
            node("node-b", "1", "4Gi", "110"),
            node("node-c", "1", "4Gi", "110"),
        ]);
        add(&store, &pod("p", "2"));
        run(&store);
        assert_eq!(
            message(&store, "p"),
            "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, \
             2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not \
             helpful for scheduling, 2 No preemption victims found for incoming pod."
        );
    }

    #[test]
    fn tolerations_match_by_key_value_and_effect() {
        let store = store_with(&[
            tainted("node-a", "dedicated", "gpu", "NoSchedule"),
            tainted("node-b", "maintenance", "", "NoExecute"),
        ]);
        let with = |name: &str, tolerations: Value| {
            let mut p = pod(name, "100m");
            p["spec"]["tolerations"] = tolerations;
            p
        };
        add(
            &store,
            &with(
                "equal",
                json!([{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}]),
            ),
        );
        add(
            &store,
            &with(
                "exists",
                json!([{"key": "maintenance", "operator": "Exists"}]),
            ),
        );
        add(
            &store,
            &with(
                "wrong-value",
                json!([{"key": "dedicated", "operator": "Equal", "value": "cpu", "effect": "NoSchedule"}]),
            ),
        );
        add(&store, &pod("none", "100m"));
        assert_eq!(
            run(&store),
            Outcome {
                bound: 2,
                unschedulable: 2
            }
        );
        assert_eq!(node_of(&store, "equal").as_deref(), Some("node-a"));
        assert_eq!(node_of(&store, "exists").as_deref(), Some("node-b"));
        assert_eq!(
            message(&store, "none"),
            "0/2 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, \
             1 node(s) had untolerated taint {maintenance: }. preemption: 0/2 nodes are \
             available: 2 Preemption is not helpful for scheduling."
        );
    }

    #[test]
    fn an_exists_toleration_without_key_tolerates_every_taint() {
        let store = store_with(&[tainted("node-a", "dedicated", "gpu", "NoExecute")]);
        let mut p = pod("p", "100m");
        p["spec"]["tolerations"] = json!([{"operator": "Exists"}]);
        add(&store, &p);
        assert_eq!(run(&store).bound, 1);
    }

    #[test]
    fn unschedulable_nodes_take_only_pods_tolerating_the_unschedulable_taint() {
        let mut cordoned = node("node-a", "4", "4Gi", "110");
        cordoned["spec"] = json!({"unschedulable": true});
        let store = store_with(&[cordoned]);
        add(&store, &pod("p", "100m"));
        let mut tolerant = pod("tolerant", "100m");
        tolerant["spec"]["tolerations"] = json!([
            {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}
        ]);
        add(&store, &tolerant);
        assert_eq!(
            run(&store),
            Outcome {
                bound: 1,
                unschedulable: 1
            }
        );
        assert_eq!(node_of(&store, "tolerant").as_deref(), Some("node-a"));
        assert_eq!(
            message(&store, "p"),
            "0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are \
             available: 1 Preemption is not helpful for scheduling."
        );
    }

    #[test]
    fn allocatable_pods_limits_how_many_pods_a_node_runs() {
        let store = store_with(&[node("node-a", "4", "4Gi", "1")]);
        add(&store, &pod("p1", "0"));
        add(&store, &pod("p2", "0"));
        assert_eq!(
            run(&store),
            Outcome {
                bound: 1,
                unschedulable: 1
            }
        );
        assert_eq!(
            message(&store, "p2"),
            "0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: \
             1 No preemption victims found for incoming pod."
        );
    }

    fn with_init(name: &str, init: Value, cpu: &str) -> Value {
        let mut p = pod(name, cpu);
        p["spec"]["initContainers"] = init;
        p
    }

    fn init(name: &str, cpu: &str, sidecar: bool) -> Value {
        let mut c =
            json!({"name": name, "image": "busybox", "resources": {"requests": {"cpu": cpu}}});
        if sidecar {
            c["restartPolicy"] = json!("Always");
        }
        c
    }

    #[test]
    fn init_containers_need_their_largest_request_not_the_sum() {
        let store = store_with(&[node("node-a", "1", "1Gi", "110")]);
        add(
            &store,
            &with_init(
                "fits",
                json!([init("i1", "1", false), init("i2", "1", false)]),
                "500m",
            ),
        );
        assert_eq!(run(&store).bound, 1);
        let store = store_with(&[node("node-a", "1", "1Gi", "110")]);
        add(
            &store,
            &with_init("too-big", json!([init("i1", "1200m", false)]), "500m"),
        );
        assert_eq!(run(&store).unschedulable, 1);
    }

    #[test]
    fn sidecars_add_to_the_containers_and_to_later_init_containers() {
        let store = store_with(&[node("node-a", "1", "1Gi", "110")]);
        add(
            &store,
            &with_init("sum", json!([init("proxy", "300m", true)]), "800m"),
        );
        assert_eq!(run(&store).unschedulable, 1);
        let store = store_with(&[node("node-a", "1", "1Gi", "110")]);
        add(
            &store,
            &with_init(
                "before",
                json!([init("proxy", "300m", true), init("setup", "800m", false)]),
                "100m",
            ),
        );
        assert_eq!(
            run(&store).unschedulable,
            1,
            "setup runs beside the sidecar: 1100m"
        );
        let store = store_with(&[node("node-a", "1", "1Gi", "110")]);
        add(
            &store,
            &with_init(
                "after",
                json!([init("setup", "800m", false), init("proxy", "300m", true)]),
                "100m",
            ),
        );
        assert_eq!(run(&store).bound, 1, "setup runs alone: max(800m, 400m)");
    }

    #[test]
    fn extended_resources_are_checked_by_name() {
        let mut gpu = node("node-a", "4", "4Gi", "110");
        gpu["status"]["allocatable"]["example.com/gpu"] = json!("1");
        let store = store_with(&[gpu]);
        let mut p = pod("p", "100m");
        p["spec"]["containers"][0]["resources"] =
            json!({"requests": {"example.com/gpu": "2"}, "limits": {"example.com/gpu": "2"}});
        add(&store, &p);
        run(&store);
        assert!(message(&store, "p")
            .starts_with("0/1 nodes are available: 1 Insufficient example.com/gpu."));
    }

    #[test]
    fn pods_that_never_preempt_say_so() {
        let store = store_with(&[node("node-a", "1", "1Gi", "110")]);
        let mut p = pod("p", "2");
        p["spec"]["preemptionPolicy"] = json!("Never");
        add(&store, &p);
        run(&store);
        assert_eq!(
            message(&store, "p"),
            "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to \
             preemptionPolicy=Never."
        );
    }

    fn prioritized(name: &str, cpu: &str, priority: i32) -> Value {
        let mut p = pod(name, cpu);
        p["spec"]["priority"] = json!(priority);
        p
    }

    #[test]
    fn preemption_reports_what_still_does_not_fit_without_lower_priority_pods() {
        let store = store_with(&[node("node-a", "1", "1Gi", "110")]);
        add(&store, &prioritized("low", "600m", 0));
        run(&store);
        add(&store, &prioritized("huge", "2", 100));
        run(&store);
        assert_eq!(
            message(&store, "huge"),
            "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: \
             1 Insufficient cpu."
        );
    }

    #[test]
    fn a_pod_that_could_preempt_gets_no_preemption_verdict() {
        let store = store_with(&[node("node-a", "1", "1Gi", "110")]);
        add(&store, &prioritized("low", "600m", 0));
        run(&store);
        add(&store, &prioritized("urgent", "600m", 100));
        run(&store);
        assert_eq!(
            message(&store, "urgent"),
            "0/1 nodes are available: 1 Insufficient cpu."
        );
    }

    fn owned(name: &str, uid: &str) -> Value {
        let mut p = pod(name, "100m");
        p["metadata"]["ownerReferences"] = json!([{
            "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web",
            "uid": uid, "controller": true
        }]);
        p
    }

    #[test]
    fn one_controllers_pods_spread_over_nodes() {
        // The big node wins on free resources; spreading still sends the
        // second replica to the small one, while unowned pods stay together.
        let nodes = [
            node("node-a", "64", "256Gi", "110"),
            node("node-b", "8", "32Gi", "110"),
        ];
        let store = store_with(&nodes);
        add(&store, &owned("web-1", "rs-uid"));
        add(&store, &owned("web-2", "rs-uid"));
        assert_eq!(run(&store).bound, 2);
        assert_ne!(node_of(&store, "web-1"), node_of(&store, "web-2"));

        let store = store_with(&nodes);
        add(&store, &pod("solo-1", "100m"));
        add(&store, &pod("solo-2", "100m"));
        run(&store);
        assert_eq!(node_of(&store, "solo-1").as_deref(), Some("node-a"));
        assert_eq!(node_of(&store, "solo-2").as_deref(), Some("node-a"));
    }

    #[test]
    fn placement_is_deterministic_and_ties_go_to_the_first_node_by_name() {
        let place = || {
            let store = store_with(&[
                node("node-c", "2", "4Gi", "110"),
                node("node-a", "2", "4Gi", "110"),
                node("node-b", "2", "4Gi", "110"),
            ]);
            for i in 0..9 {
                add(&store, &owned(&format!("web-{i}"), "rs-uid"));
            }
            run(&store);
            (0..9)
                .map(|i| node_of(&store, &format!("web-{i}")).unwrap())
                .collect::<Vec<_>>()
        };
        let first = place();
        assert_eq!(first, place());
        assert_eq!(first[0], "node-a");
        for n in ["node-a", "node-b", "node-c"] {
            assert_eq!(first.iter().filter(|x| *x == n).count(), 3, "{first:?}");
        }
    }

    fn pinned(name: &str, cpu: &str, terms: &Value) -> Value {
        let mut p = pod(name, cpu);
        p["spec"]["affinity"] = json!({"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}
        }});
        p
    }

    fn by_field(node: &str) -> Value {
        json!([{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}])
    }

    fn by_hostname(node: &str) -> Value {
        json!([{"matchExpressions": [
            {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}
        ]}])
    }

    #[test]
    fn pods_naming_their_node_land_where_a_hostname_affinity_puts_them() {
        // 150 nodes: the search for unpinned pods stops after 100 feasible
        // nodes and resumes where it stopped, so a pinned pod in between must
        // leave that rotation as a pod pinned by label does.
        let place = |pin: fn(&str) -> Value| {
            let nodes: Vec<Value> = (0..150)
                .map(|i| node(&format!("node-{i:03}"), "4", "8Gi", "110"))
                .collect();
            let store = store_with(&nodes);
            for i in 0..60 {
                add(&store, &owned(&format!("web-{i:02}"), "rs-uid"));
                let target = format!("node-{:03}", (i * 7) % 150);
                add(
                    &store,
                    &pinned(&format!("ds-{i:02}"), "300m", &pin(&target)),
                );
            }
            assert_eq!(run(&store).bound, 120);
            (0..60)
                .flat_map(|i| [format!("web-{i:02}"), format!("ds-{i:02}")])
                .map(|name| node_of(&store, &name).unwrap())
                .collect::<Vec<_>>()
        };
        let fields = place(by_field);
        assert_eq!(fields, place(by_hostname));
        for i in 0..60 {
            assert_eq!(fields[2 * i + 1], format!("node-{:03}", (i * 7) % 150));
        }
    }

    #[test]
    fn a_named_node_that_cannot_take_the_pod_reports_its_own_reason() {
        let store = store_with(&[
            node("node-a", "4", "4Gi", "110"),
            tainted("node-b", "dedicated", "gpu", "NoSchedule"),
            node("node-c", "1", "4Gi", "1"),
        ]);
        let mut off = node("node-d", "4", "4Gi", "110");
        off["spec"] = json!({"unschedulable": true});
        store.create(&off, "").unwrap();
        add(&store, &pinned("tainted", "100m", &by_field("node-b")));
        add(&store, &pinned("cordoned", "100m", &by_field("node-d")));
        add(&store, &pinned("first", "100m", &by_field("node-c")));
        add(&store, &pinned("second", "100m", &by_field("node-c")));
        add(&store, &pinned("missing", "100m", &by_field("node-x")));
        let either = json!([
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-c"]}]},
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-b"]}]}
        ]);
        add(&store, &pinned("either", "100m", &either));
        add(&store, &pinned("free", "100m", &by_field("node-a")));
        assert_eq!(
            run(&store),
            Outcome {
                bound: 2,
                unschedulable: 5
            }
        );
        assert_eq!(node_of(&store, "first").as_deref(), Some("node-c"));
        assert_eq!(node_of(&store, "free").as_deref(), Some("node-a"));
        let rest = "node(s) didn't satisfy plugin(s) [NodeAffinity]";
        let not_helpful = "Preemption is not helpful for scheduling";
        assert_eq!(
            message(&store, "tainted"),
            format!(
                "0/4 nodes are available: 1 node(s) had untolerated taint {{dedicated: gpu}}, \
                 3 {rest}. preemption: 0/4 nodes are available: 4 {not_helpful}."
            )
        );
        assert_eq!(
            message(&store, "cordoned"),
            format!(
                "0/4 nodes are available: 1 node(s) were unschedulable, 3 {rest}. \
                 preemption: 0/4 nodes are available: 4 {not_helpful}."
            )
        );
        assert_eq!(
            message(&store, "second"),
            format!(
                "0/4 nodes are available: 1 Too many pods, 3 {rest}. preemption: 0/4 nodes \
                 are available: 1 No preemption victims found for incoming pod, 3 {not_helpful}."
            )
        );
        assert_eq!(
            message(&store, "missing"),
            format!(
                "0/4 nodes are available: 4 {rest}. preemption: 0/4 nodes are available: \
                 4 {not_helpful}."
            )
        );
        assert_eq!(
            message(&store, "either"),
            format!(
                "0/4 nodes are available: 1 Too many pods, 1 node(s) had untolerated taint \
                 {{dedicated: gpu}}, 2 {rest}. preemption: 0/4 nodes are available: 1 No \
                 preemption victims found for incoming pod, 3 {not_helpful}."
            )
        );
    }

    #[test]
    fn a_pass_that_keeps_node_usage_places_pods_as_one_that_counts_every_pod() {
        use crate::store::DeleteOptions;

        fn scenario(pass: &mut dyn FnMut(&Store)) -> Vec<(String, Option<String>, String)> {
            let store = store_with(&[
                node("node-a", "2", "4Gi", "6"),
                node("node-b", "1", "4Gi", "110"),
                node("node-c", "2", "2Gi", "110"),
            ]);
            let mut seen = Vec::new();
            let mut look = |store: &Store| {
                for p in store.list(Kind::Pod, None, &Selector::everything()).0 {
                    let message = p
                        .pod_status()
                        .and_then(|s| s.conditions.iter().find(|c| c.type_ == "PodScheduled"))
                        .map_or(String::new(), |c| c.message.clone());
                    let node = p.node_name().map(str::to_owned);
                    seen.push((p.meta.name.to_string(), node, message));
                }
            };
            for i in 0..4 {
                let mut p = owned(&format!("web-{i}"), "rs-uid");
                p["spec"]["containers"][0]["resources"]["requests"]["cpu"] = json!("300m");
                add(&store, &p);
                add(&store, &prioritized(&format!("solo-{i}"), "400m", i));
            }
            pass(&store);
            look(&store);
            add(&store, &pinned("ds-b", "200m", &by_field("node-b")));
            for i in 4..8 {
                add(&store, &owned(&format!("web-{i}"), "rs-uid"));
            }
            pass(&store);
            look(&store);
            // Node changes between passes: a taint, less allocatable cpu, a
            // new node.
            let mut tainted = store.get(Kind::Node, "", "node-c").unwrap().to_value();
            tainted["spec"] = json!({"taints": [{"key": "k", "effect": "NoSchedule"}]});
            store.replace(&tainted, "").unwrap();
            let mut smaller = store.get(Kind::Node, "", "node-a").unwrap().to_value();
            smaller["status"]["allocatable"]["cpu"] = json!("1");
            store.replace_status(&smaller, "").unwrap();
            store
                .create(&node("node-d", "100m", "1Gi", "3"), "")
                .unwrap();
            let opts = DeleteOptions::default();
            store.delete(Kind::Pod, "default", "solo-1", &opts).unwrap();
            store.delete(Kind::Pod, "default", "web-0", &opts).unwrap();
            store.batch(|tx| {
                tx.update_pod_status("default", "solo-2", |st| st.phase = "Succeeded".into())
                    .unwrap();
            });
            for i in 8..14 {
                add(&store, &owned(&format!("web-{i}"), "rs-uid"));
            }
            pass(&store);
            look(&store);
            let mut untainted = store.get(Kind::Node, "", "node-c").unwrap().to_value();
            untainted["spec"] = json!({});
            store.replace(&untainted, "").unwrap();
            for i in 0..80 {
                add(&store, &pod(&format!("late-{i:02}"), "10m"));
            }
            pass(&store);
            look(&store);
            seen
        }

        let mut memo = Memo::default();
        let mut used = Vec::new();
        let kept = scenario(&mut |store: &Store| {
            store.batch(|tx| schedule_with(tx, &mut memo));
            used.push(memo.usage.is_some());
        });
        let fresh = scenario(&mut |store: &Store| {
            store.batch(schedule);
        });
        assert_eq!(kept, fresh);
        // The first pass counts everything, the next two follow few changes,
        // the last follows more than the memo takes.
        assert_eq!(used, [false, true, true, false]);
        assert!(kept.iter().any(|(_, node, _)| node.is_none()));
    }
}
