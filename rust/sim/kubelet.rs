//! The simulated kubelets: what each node's kubelet does to the pods bound
//! to it, on the cluster's simulated clock.
//!
//! A pod's life is computed, not run: from the moment it is bound, its
//! containers' starts, readiness, exits, restarts (with CrashLoopBackOff),
//! its deadline and its graceful termination fall due at known simulated
//! times. `Kubelets::sync` applies everything due up to `now`, writes the
//! resulting statuses in one batch, and says when the next thing falls due.
//!
//! Timings come from the pod's annotations (API.md):
//! `sim.podcore.dev/start-seconds` (bound → containers running, default 1),
//! `sim.podcore.dev/ready-seconds` (running → ready, default 0),
//! `sim.podcore.dev/exit-after-seconds` (running → exit; default never for
//! restartPolicy Always, 1 otherwise), `sim.podcore.dev/exit-code` (default 0)
//! and `sim.podcore.dev/stop-seconds` (SIGTERM → exit, default 1, never past
//! the grace period). Init containers run one after another, one second
//! each; sidecars (restartable init containers) start and keep running.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use crate::model::{
    ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting,
    ContainerStatus, PodIp, PodStatus,
};
use crate::selector::Selector;
use crate::store::{set_condition, time, DeleteOptions, EventType, Kind, Object, Store, Tx};

const ANN_START: &str = "sim.podcore.dev/start-seconds";
const ANN_READY: &str = "sim.podcore.dev/ready-seconds";
const ANN_EXIT_AFTER: &str = "sim.podcore.dev/exit-after-seconds";
const ANN_EXIT_CODE: &str = "sim.podcore.dev/exit-code";
const ANN_STOP: &str = "sim.podcore.dev/stop-seconds";

/// How long an init container runs.
const INIT_SECONDS: f64 = 1.0;
/// The kubelet's container restart back-off: 10 s doubling to 5 minutes.
const BACKOFF_INITIAL: f64 = 10.0;
const BACKOFF_MAX: f64 = 300.0;
/// A container that ran this long without failing has its back-off reset.
const BACKOFF_RESET: f64 = 600.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Policy {
    Always,
    OnFailure,
    Never,
}

#[derive(Debug, Clone)]
enum CState {
    Waiting(&'static str),
    Running {
        since: f64,
        ready_at: f64,
    },
    Terminated {
        code: i32,
        started: f64,
        finished: f64,
        reason: &'static str,
    },
}

#[derive(Debug, Clone)]
struct Ctr {
    name: String,
    image: String,
    sidecar: bool,
    state: CState,
    last: Option<CState>,
    restarts: i32,
    /// When a waiting container (re)starts.
    start_at: Option<f64>,
    /// When a running container exits on its own.
    exit_at: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Stage {
    /// Running init container `i` (sidecars before it keep running).
    Init(usize),
    Main,
    /// Every container has finished for good.
    Done,
}

struct Timings {
    start: f64,
    ready: f64,
    exit_after: Option<f64>,
    exit_code: i32,
    stop: f64,
}

/// One pod's life on its node.
struct Run {
    ns: Arc<str>,
    name: Box<str>,
    uid: String,
    uid_bits: crate::store::Uid,
    node: Arc<str>,
    policy: Policy,
    timings: Timings,
    bound_at: f64,
    init: Vec<Ctr>,
    main: Vec<Ctr>,
    stage: Stage,
    deadline: Option<f64>,
    deadline_hit: bool,
    /// Deletion: when SIGTERM was sent and the grace period's end.
    stopping: Option<(f64, f64)>,
    /// The kubelet has removed the pod (final delete issued).
    gone: bool,
    ips: Vec<String>,
    host_ips: Arc<Vec<String>>,
    /// Bumped on every change of plan, so stale timers are ignored.
    epoch: u64,
}

/// The kubelets of every node.
pub struct Kubelets {
    runs: HashMap<String, Run>,
    timers: BinaryHeap<Reverse<(Due, u64, String)>>,
    ipam: HashMap<Arc<str>, Ipam>,
    down: HashSet<String>,
    cursor: u64,
}

/// A simulated time usable as a heap key.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Due(f64);
impl Eq for Due {}
impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Due {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// host-local IPAM: each node hands out addresses from its podCIDRs in
/// order, continuing after the last one given (a freed address comes back
/// only once the range wraps around).
#[derive(Default)]
struct Ipam {
    ranges: Vec<(IpRange, u64, HashSet<u64>)>,
    /// The node's InternalIPs (the pods' hostIPs).
    host_ips: Arc<Vec<String>>,
}

#[derive(Clone, Copy)]
enum IpRange {
    V4(u32, u64),
    V6(u128, u64),
}

impl IpRange {
    fn parse(cidr: &str) -> Option<IpRange> {
        let (addr, bits) = cidr.split_once('/')?;
        let bits: u32 = bits.parse().ok()?;
        if let Ok(a) = addr.parse::<Ipv4Addr>() {
            let size = 1u64 << (32 - bits.min(32));
            return Some(IpRange::V4(u32::from(a), size));
        }
        let a = addr.parse::<Ipv6Addr>().ok()?;
        let size = if bits >= 64 {
            1u64 << (128 - bits.min(128)).min(63)
        } else {
            u64::MAX
        };
        Some(IpRange::V6(u128::from(a), size))
    }

    fn size(self) -> u64 {
        match self {
            IpRange::V4(_, s) | IpRange::V6(_, s) => s,
        }
    }

    fn at(self, offset: u64) -> String {
        match self {
            IpRange::V4(base, _) => Ipv4Addr::from(base.wrapping_add(offset as u32)).to_string(),
            IpRange::V6(base, _) => {
                Ipv6Addr::from(base.wrapping_add(u128::from(offset))).to_string()
            }
        }
    }
}

impl Ipam {
    fn for_node(node: &Object) -> Ipam {
        let cidrs: Vec<IpRange> = node
            .json_field("spec")
            .and_then(|s| s.get("podCIDRs"))
            .and_then(|c| c.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.as_str().and_then(IpRange::parse))
                    .collect()
            })
            .unwrap_or_default();
        // .0 is the network and .1 the node's bridge: pods start at .2.
        Ipam {
            ranges: cidrs.into_iter().map(|r| (r, 2, HashSet::new())).collect(),
            host_ips: Arc::new(node_internal_ips(node.json_field("status"))),
        }
    }

    fn allocate(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        for (range, next, used) in &mut self.ranges {
            // The last address of an IPv4 range is its broadcast address.
            let end = range.size().saturating_sub(1).max(3);
            let usable = end - 2;
            for _ in 0..usable.min(1 << 20) {
                let candidate = *next;
                *next = if candidate + 1 >= end {
                    2
                } else {
                    candidate + 1
                };
                if used.insert(candidate) {
                    out.push(range.at(candidate));
                    break;
                }
            }
        }
        out
    }

    fn release(&mut self, ips: &[String]) {
        for ip in ips {
            let Ok(addr) = ip.parse::<std::net::IpAddr>() else {
                continue;
            };
            for (range, _, used) in &mut self.ranges {
                let offset = match (*range, addr) {
                    (IpRange::V4(base, _), std::net::IpAddr::V4(a)) => {
                        Some(u64::from(u32::from(a).wrapping_sub(base)))
                    }
                    (IpRange::V6(base, _), std::net::IpAddr::V6(a)) => {
                        u64::try_from(u128::from(a).wrapping_sub(base)).ok()
                    }
                    _ => None,
                };
                if let Some(o) = offset {
                    used.remove(&o);
                }
            }
        }
    }
}

fn annotation(pod: &Object, key: &str) -> Option<f64> {
    pod.meta
        .annotations
        .get(key)
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
}

fn container_id(uid: &str, name: &str, restarts: i32) -> String {
    // A stable, unique-looking id: FNV-1a over the identity, four ways.
    let mut out = String::from("containerd://");
    for salt in 0u64..4 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ salt;
        for b in uid
            .bytes()
            .chain(name.bytes())
            .chain(restarts.to_le_bytes())
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        for shift in (0..16).rev() {
            let nibble = (h >> (shift * 4)) & 0xf;
            out.push(char::from(b"0123456789abcdef"[nibble as usize]));
        }
    }
    out
}

impl Default for Kubelets {
    fn default() -> Self {
        Self::new()
    }
}

impl Kubelets {
    pub fn new() -> Kubelets {
        Kubelets {
            runs: HashMap::new(),
            timers: BinaryHeap::new(),
            ipam: HashMap::new(),
            down: HashSet::new(),
            cursor: 0,
        }
    }

    /// A node whose kubelet stops (or resumes) reporting: its pods are left
    /// as they are while it is down.
    pub fn set_node_down(&mut self, node: &str, down: bool) {
        if down {
            self.down.insert(node.to_owned());
        } else {
            self.down.remove(node);
        }
    }

    /// Makes the pod's running containers exit with `code` at `now`.
    pub fn fail_pod(&mut self, key: &str, code: i32, now: f64) -> bool {
        let Some(run) = self.runs.get_mut(key) else {
            return false;
        };
        let mut hit = false;
        for c in run.init.iter_mut().chain(run.main.iter_mut()) {
            if matches!(c.state, CState::Running { .. }) {
                c.exit_at = Some(now);
                hit = true;
            }
        }
        if hit {
            run.epoch += 1;
            let epoch = run.epoch;
            self.timers.push(Reverse((Due(now), epoch, key.to_owned())));
        }
        // The exit code is carried by the run until the exit is applied.
        if let Some(run) = self.runs.get_mut(key) {
            run.timings.exit_code = code;
        }
        hit
    }

    /// Applies everything due up to `now` (simulated seconds since the
    /// cluster's start; timestamps are `epoch + now`) and returns when the
    /// next thing falls due.
    pub fn sync(&mut self, store: &Store, now: f64, epoch: i64) -> Option<f64> {
        let kinds = [Kind::Pod, Kind::Node];
        let notes = match store.changes_for(self.cursor, &kinds, Some("kubelets"), usize::MAX) {
            Ok((notes, next)) => {
                self.cursor = next;
                Some(notes)
            }
            Err(_) => None,
        };
        store.batch(|tx| {
            match notes {
                Some(notes) => {
                    for n in &notes {
                        self.note(tx, n, now);
                    }
                }
                None => {
                    // Behind the log: look at every pod and node again.
                    for node in tx.list(Kind::Node, None, &Selector::everything()) {
                        self.ipam
                            .entry(Arc::from(&*node.meta.name))
                            .or_insert_with(|| Ipam::for_node(&node));
                    }
                    for pod in tx.list(Kind::Pod, None, &Selector::everything()) {
                        self.observe(tx, EventType::Modified, &pod, now);
                    }
                }
            }
            self.fire(tx, now, epoch);
        });
        // Our own writes are changes too; skip past them.
        self.cursor = self.cursor.max(store.resource_version());
        self.next_due()
    }

    fn next_due(&mut self) -> Option<f64> {
        while let Some(Reverse((Due(t), e, key))) = self.timers.peek() {
            match self.runs.get(key) {
                Some(run) if run.epoch == *e && !self.down.contains(&*run.node) => return Some(*t),
                _ => {
                    self.timers.pop();
                }
            }
        }
        None
    }

    /// A change the kubelets were told of: the object as it is now decides.
    fn note(&mut self, tx: &mut Tx<'_>, n: &crate::store::Note, now: f64) {
        let current = tx.get(n.object_kind, &n.namespace, &n.name).ok();
        match (n.object_kind, current) {
            (Kind::Pod, Some(pod)) if pod.meta.uid == n.uid => {
                self.observe(tx, EventType::Modified, &pod, now);
            }
            (Kind::Pod, _) => self.forget(&format!("{}/{}", n.namespace, n.name), &n.uid),
            (Kind::Node, Some(node)) => {
                self.ipam
                    .entry(Arc::from(&*node.meta.name))
                    .or_insert_with(|| Ipam::for_node(&node));
            }
            _ => {}
        }
    }

    /// A pod that is gone: its addresses go back to its node.
    fn forget(&mut self, key: &str, uid: &crate::store::Uid) {
        if self.runs.get(key).is_some_and(|r| r.uid_bits == *uid) {
            if let Some(run) = self.runs.remove(key) {
                if let Some(ipam) = self.ipam.get_mut(&run.node) {
                    ipam.release(&run.ips);
                }
            }
        }
    }

    fn observe(&mut self, tx: &mut Tx<'_>, etype: EventType, pod: &Arc<Object>, now: f64) {
        let key = pod.key();
        if etype == EventType::Deleted {
            if let Some(run) = self.runs.remove(&key) {
                if let Some(ipam) = self.ipam.get_mut(&run.node) {
                    ipam.release(&run.ips);
                }
            }
            return;
        }
        let Some(node) = pod.node_name() else {
            return;
        };
        if self.down.contains(node) {
            return;
        }
        if let Some(run) = self.runs.get_mut(&key) {
            if run.uid_bits != pod.meta.uid {
                return;
            }
            let mut replan = false;
            if let (Some(d), None) = (pod.meta.deletion, run.stopping) {
                let grace = d.grace_seconds.max(0) as f64;
                run.stopping = Some((now, now + grace));
                replan = true;
            }
            let deadline = pod
                .pod_spec()
                .and_then(|s| s.active_deadline_seconds)
                .map(|s| run.bound_at + s as f64);
            if deadline != run.deadline {
                run.deadline = deadline;
                replan = true;
            }
            if replan {
                run.epoch += 1;
                let e = run.epoch;
                self.timers.push(Reverse((Due(now), e, key)));
            }
            return;
        }
        if pod
            .pod_status()
            .is_some_and(|s| matches!(s.phase.as_str(), "Succeeded" | "Failed"))
        {
            return;
        }
        let Some(run) = self.admit(tx, pod, node, now) else {
            return;
        };
        let e = run.epoch;
        self.runs.insert(key.clone(), run);
        self.timers.push(Reverse((Due(now), e, key)));
    }

    /// A newly bound pod: its containers, timings and addresses.
    fn admit(&mut self, tx: &Tx<'_>, pod: &Arc<Object>, node: &str, now: f64) -> Option<Run> {
        let spec = pod.pod_spec()?;
        let policy = match spec.restart_policy.as_str() {
            "OnFailure" => Policy::OnFailure,
            "Never" => Policy::Never,
            _ => Policy::Always,
        };
        let timings = Timings {
            start: annotation(pod, ANN_START).unwrap_or(1.0),
            ready: annotation(pod, ANN_READY).unwrap_or(0.0),
            exit_after: annotation(pod, ANN_EXIT_AFTER)
                .or((policy != Policy::Always).then_some(1.0)),
            exit_code: pod
                .meta
                .annotations
                .get(ANN_EXIT_CODE)
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0),
            stop: annotation(pod, ANN_STOP).unwrap_or(1.0),
        };
        let ctr = |c: &crate::model::Container, sidecar: bool| Ctr {
            name: c.name.clone(),
            image: c.image.clone(),
            sidecar,
            state: CState::Waiting("PodInitializing"),
            last: None,
            restarts: 0,
            start_at: None,
            exit_at: None,
        };
        let init: Vec<Ctr> = spec
            .init_containers
            .iter()
            .map(|c| ctr(c, c.restart_policy.as_deref() == Some("Always")))
            .collect();
        let mut main: Vec<Ctr> = spec.containers.iter().map(|c| ctr(c, false)).collect();
        if init.is_empty() {
            for c in &mut main {
                c.state = CState::Waiting("ContainerCreating");
            }
        }
        let node_arc: Arc<str> = Arc::from(node);
        let ipam = self.ipam.entry(Arc::clone(&node_arc)).or_insert_with(|| {
            tx.get(Kind::Node, "", node)
                .map(|n| Ipam::for_node(&n))
                .unwrap_or_default()
        });
        // Every pod of a node shares the node's addresses.
        let host_ips = Arc::clone(&ipam.host_ips);
        let ips = if spec.host_network {
            host_ips.to_vec()
        } else {
            ipam.allocate()
        };
        let mut run = Run {
            ns: Arc::clone(&pod.meta.namespace),
            name: pod.meta.name.clone(),
            uid: pod.meta.uid.to_string(),
            uid_bits: pod.meta.uid.clone(),
            node: node_arc,
            policy,
            timings,
            bound_at: now,
            init,
            main,
            stage: Stage::Init(0),
            deadline: spec.active_deadline_seconds.map(|s| now + s as f64),
            deadline_hit: false,
            stopping: pod
                .meta
                .deletion
                .map(|d| (now, now + d.grace_seconds.max(0) as f64)),
            gone: false,
            ips,
            host_ips,
            epoch: 0,
        };
        run.begin_stage(now);
        Some(run)
    }

    /// Fires every timer due by `now`, writing the pods' new statuses.
    fn fire(&mut self, tx: &mut Tx<'_>, now: f64, epoch: i64) {
        let mut touched: Vec<String> = Vec::new();
        while let Some(Reverse((Due(t), e, _))) = self.timers.peek() {
            if *t > now {
                break;
            }
            let (t, e) = (*t, *e);
            let Some(Reverse((_, _, key))) = self.timers.pop() else {
                break;
            };
            let Some(run) = self.runs.get_mut(&key) else {
                continue;
            };
            if run.epoch != e || self.down.contains(&*run.node) {
                continue;
            }
            let next = run.advance(t);
            if let Some(n) = next {
                run.epoch += 1;
                self.timers.push(Reverse((Due(n), run.epoch, key.clone())));
            }
            touched.push(key);
        }
        touched.sort();
        touched.dedup();
        let stamp = time::format(epoch + now.floor() as i64);
        for key in touched {
            let Some(run) = self.runs.get_mut(&key) else {
                continue;
            };
            let _ =
                tx.rewrite_pod_status(&run.ns, &run.name, |st| run.write_status(st, &stamp, epoch));
            if run.finished_terminating() && !run.gone {
                run.gone = true;
                let opts = DeleteOptions {
                    grace_period_seconds: Some(0),
                    uid: Some(run.uid.clone()),
                    ..DeleteOptions::default()
                };
                if let Ok(None) = tx.delete(Kind::Pod, &run.ns, &run.name, &opts) {
                    if let Some(ipam) = self.ipam.get_mut(&run.node) {
                        ipam.release(&run.ips);
                    }
                    self.runs.remove(&key);
                }
            }
        }
    }
}

fn node_internal_ips(status: Option<&serde_json::Value>) -> Vec<String> {
    status
        .and_then(|s| s.get("addresses"))
        .and_then(|a| a.as_array())
        .map(|a| {
            a.iter()
                .filter(|x| x.get("type").and_then(|t| t.as_str()) == Some("InternalIP"))
                .filter_map(|x| x.get("address").and_then(|t| t.as_str()).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn backoff(restarts: i32) -> f64 {
    // The first restart is immediate; then 10 s, doubling, capped at 5 min.
    if restarts <= 0 {
        0.0
    } else {
        (BACKOFF_INITIAL * 2f64.powi(restarts - 1)).min(BACKOFF_MAX)
    }
}

impl Run {
    fn begin_stage(&mut self, t: f64) {
        loop {
            match self.stage {
                Stage::Init(i) => match self.init.get_mut(i) {
                    Some(c) => {
                        c.start_at = Some(t);
                        return;
                    }
                    None => self.stage = Stage::Main,
                },
                Stage::Main => {
                    let start = t + self.timings.start;
                    for c in &mut self.main {
                        c.state = CState::Waiting("ContainerCreating");
                        c.start_at = Some(start);
                    }
                    return;
                }
                Stage::Done => return,
            }
        }
    }

    fn containers_mut(&mut self) -> impl Iterator<Item = &mut Ctr> {
        self.init.iter_mut().chain(self.main.iter_mut())
    }

    /// Applies every transition due by `t`; returns when the next falls due.
    fn advance(&mut self, t: f64) -> Option<f64> {
        for _ in 0..10_000 {
            let next = self.next_event();
            match next {
                Some(at) if at <= t => self.apply(at),
                other => return other,
            }
        }
        None
    }

    fn next_event(&self) -> Option<f64> {
        // Once every container has finished (after a stop too), nothing more
        // happens to the pod.
        if self.gone || self.stage == Stage::Done {
            return None;
        }
        let mut best: Option<f64> = None;
        let mut consider = |x: Option<f64>| {
            if let Some(x) = x {
                best = Some(best.map_or(x, |b: f64| b.min(x)));
            }
        };
        if let Some((sent, end)) = self.stopping {
            consider(Some(self.stop_time(sent, end)));
            return best;
        }
        if !self.deadline_hit {
            consider(self.deadline);
        }
        for c in self.init.iter().chain(&self.main) {
            match c.state {
                CState::Waiting(_) | CState::Terminated { .. } => consider(c.start_at),
                CState::Running { since, ready_at } => {
                    consider(c.exit_at);
                    if ready_at > since {
                        consider(Some(ready_at).filter(|r| *r > since));
                    }
                }
            }
        }
        best
    }

    /// When the containers have stopped after SIGTERM at `sent`.
    fn stop_time(&self, sent: f64, end: f64) -> f64 {
        let sidecars = self
            .init
            .iter()
            .any(|c| c.sidecar && matches!(c.state, CState::Running { .. }));
        let stop = self.timings.stop * if sidecars { 2.0 } else { 1.0 };
        (sent + stop).min(end)
    }

    fn apply(&mut self, t: f64) {
        if let Some((sent, end)) = self.stopping {
            let at = self.stop_time(sent, end);
            if t >= at {
                let killed = at >= end && at > sent;
                for c in self.containers_mut() {
                    if let CState::Running { since, .. } = c.state {
                        c.state = CState::Terminated {
                            code: if killed { 137 } else { 0 },
                            started: since,
                            finished: at,
                            reason: if killed { "Error" } else { "Completed" },
                        };
                    }
                    c.start_at = None;
                    c.exit_at = None;
                }
                self.stage = Stage::Done;
            }
            return;
        }
        if self.deadline.is_some_and(|d| d <= t) && !self.deadline_hit {
            self.deadline_hit = true;
            for c in self.containers_mut() {
                if let CState::Running { since, .. } = c.state {
                    c.state = CState::Terminated {
                        code: 137,
                        started: since,
                        finished: t,
                        reason: "Error",
                    };
                }
                c.start_at = None;
                c.exit_at = None;
            }
            self.stage = Stage::Done;
            return;
        }
        let (policy, timings_ready, exit_after, exit_code) = (
            self.policy,
            self.timings.ready,
            self.timings.exit_after,
            self.timings.exit_code,
        );
        let stage = self.stage;
        let mut init_done: Option<usize> = None;
        for (idx, c) in self.init.iter_mut().enumerate() {
            if c.start_at.is_some_and(|s| s <= t) {
                c.start_at = None;
                if !matches!(c.state, CState::Waiting(_) | CState::Terminated { .. }) {
                    continue;
                }
                if let CState::Terminated { .. } = c.state {
                    c.last = Some(c.state.clone());
                    c.restarts += 1;
                }
                c.state = CState::Running {
                    since: t,
                    ready_at: t + if c.sidecar { timings_ready } else { 0.0 },
                };
                if c.sidecar {
                    init_done = Some(idx);
                } else {
                    c.exit_at = Some(t + INIT_SECONDS);
                }
            } else if c.exit_at.is_some_and(|x| x <= t) {
                c.exit_at = None;
                if let CState::Running { since, .. } = c.state {
                    c.state = CState::Terminated {
                        code: 0,
                        started: since,
                        finished: t,
                        reason: "Completed",
                    };
                    if !c.sidecar {
                        init_done = Some(idx);
                    }
                }
            }
        }
        if let (Some(idx), Stage::Init(i)) = (init_done, stage) {
            if idx == i {
                self.stage = Stage::Init(i + 1);
                self.begin_stage(t);
            }
        }
        for c in &mut self.main {
            if c.start_at.is_some_and(|s| s <= t) {
                c.start_at = None;
                if let CState::Terminated { .. } = c.state {
                    c.last = Some(c.state.clone());
                    c.restarts += 1;
                }
                c.state = CState::Running {
                    since: t,
                    ready_at: t + timings_ready,
                };
                c.exit_at = exit_after.map(|e| t + e);
            } else if c.exit_at.is_some_and(|x| x <= t) {
                c.exit_at = None;
                if let CState::Running { since, .. } = c.state {
                    let code = exit_code;
                    c.state = CState::Terminated {
                        code,
                        started: since,
                        finished: t,
                        reason: if code == 0 { "Completed" } else { "Error" },
                    };
                    let restart = match policy {
                        Policy::Always => true,
                        Policy::OnFailure => code != 0,
                        Policy::Never => false,
                    };
                    if restart {
                        let ran = t - since;
                        let n = if ran >= BACKOFF_RESET { 0 } else { c.restarts };
                        c.start_at = Some(t + backoff(n));
                    }
                }
            } else if let CState::Running { since, ready_at } = c.state {
                if ready_at <= t && ready_at > since {
                    // Ready now: nothing to change but the pod's conditions.
                    c.state = CState::Running {
                        since,
                        ready_at: since,
                    };
                }
            }
        }
        for c in &mut self.init {
            if let CState::Running { since, ready_at } = c.state {
                if c.sidecar && ready_at <= t && ready_at > since {
                    c.state = CState::Running {
                        since,
                        ready_at: since,
                    };
                }
            }
        }
        if self.stage == Stage::Main
            && self
                .main
                .iter()
                .all(|c| matches!(c.state, CState::Terminated { .. }) && c.start_at.is_none())
        {
            self.stage = Stage::Done;
            for c in &mut self.init {
                if let CState::Running { since, .. } = c.state {
                    c.state = CState::Terminated {
                        code: 0,
                        started: since,
                        finished: t,
                        reason: "Completed",
                    };
                }
            }
        }
    }

    fn finished_terminating(&self) -> bool {
        self.stopping.is_some() && self.stage == Stage::Done
    }

    /// The pod's status as the kubelet reports it now, from the stored one
    /// (whose container statuses it replaces).
    fn write_status(&self, stored: &PodStatus, stamp: &str, epoch: i64) -> PodStatus {
        let mut status = stored.clone_without_container_statuses();
        let st = &mut status;
        let ts = |t: f64| time::format(epoch + t.floor() as i64);
        let initialized = !matches!(self.stage, Stage::Init(_));
        let main_started = self
            .main
            .iter()
            .any(|c| !matches!(c.state, CState::Waiting(_)) || c.restarts > 0);
        let done = self.stage == Stage::Done;
        let all_zero = self
            .main
            .iter()
            .all(|c| matches!(c.state, CState::Terminated { code: 0, .. }));
        // A pod whose containers have all finished is terminal, a deleted
        // one too (the kubelet reports it Succeeded or Failed before it goes).
        let phase = if self.deadline_hit || (done && !all_zero) {
            "Failed"
        } else if done {
            "Succeeded"
        } else if main_started {
            "Running"
        } else {
            "Pending"
        };
        if st.phase != "Failed" && st.phase != "Succeeded" {
            phase.clone_into(&mut st.phase);
        }
        if self.deadline_hit {
            "DeadlineExceeded".clone_into(&mut st.reason);
            "Pod was active on the node longer than the specified deadline"
                .clone_into(&mut st.message);
        }
        st.host_ip = self.host_ips.first().cloned().unwrap_or_default();
        st.host_ips = self
            .host_ips
            .iter()
            .map(|ip| PodIp { ip: ip.clone() })
            .collect();
        st.pod_ip = self.ips.first().cloned().unwrap_or_default();
        st.pod_ips = self.ips.iter().map(|ip| PodIp { ip: ip.clone() }).collect();
        if st.start_time.is_none() {
            st.start_time = Some(ts(self.bound_at));
        }
        let ready =
            |c: &Ctr| matches!(c.state, CState::Running { since, ready_at } if ready_at <= since);
        let unready: Vec<&str> = self
            .main
            .iter()
            .chain(self.init.iter().filter(|c| c.sidecar))
            .filter(|c| !ready(c))
            .map(|c| c.name.as_str())
            .collect();
        let sandbox = !done || self.stopping.is_none();
        set_condition(
            st,
            "PodReadyToStartContainers",
            if sandbox { "True" } else { "False" },
            "",
            "",
            stamp,
        );
        if initialized {
            set_condition(st, "Initialized", "True", "", "", stamp);
        } else {
            let pending: Vec<&str> = self
                .init
                .iter()
                .filter(|c| {
                    !(matches!(c.state, CState::Terminated { code: 0, .. })
                        || c.sidecar && ready(c))
                })
                .map(|c| c.name.as_str())
                .collect();
            let msg = format!("containers with incomplete status: [{}]", pending.join(" "));
            set_condition(
                st,
                "Initialized",
                "False",
                "ContainersNotInitialized",
                &msg,
                stamp,
            );
        }
        let finished = phase == "Succeeded" || phase == "Failed";
        if unready.is_empty() && !finished {
            set_condition(st, "Ready", "True", "", "", stamp);
            set_condition(st, "ContainersReady", "True", "", "", stamp);
        } else {
            let (reason, msg) = if finished {
                ("PodCompleted".to_owned(), String::new())
            } else {
                (
                    "ContainersNotReady".to_owned(),
                    format!("containers with unready status: [{}]", unready.join(" ")),
                )
            };
            set_condition(st, "Ready", "False", &reason, &msg, stamp);
            set_condition(st, "ContainersReady", "False", &reason, &msg, stamp);
        }
        order_conditions(st);
        st.init_container_statuses = self
            .init
            .iter()
            .map(|c| self.container_status(c, &ts, true))
            .collect();
        st.container_statuses = self
            .main
            .iter()
            .map(|c| self.container_status(c, &ts, false))
            .collect();
        status
    }

    fn container_status(&self, c: &Ctr, ts: &dyn Fn(f64) -> String, init: bool) -> ContainerStatus {
        let state = |s: &CState| -> ContainerState {
            match s {
                CState::Waiting(reason) => {
                    let (reason, message) = if c.restarts > 0 || c.last.is_some() {
                        let delay = backoff(c.restarts);
                        (
                            "CrashLoopBackOff",
                            format!(
                                "back-off {}s restarting failed container={} pod={}_{}({})",
                                delay as i64, c.name, self.name, self.ns, self.uid
                            ),
                        )
                    } else {
                        (*reason, String::new())
                    };
                    ContainerState {
                        waiting: Some(ContainerStateWaiting {
                            reason: reason.to_owned(),
                            message,
                        }),
                        ..ContainerState::default()
                    }
                }
                CState::Running { since, .. } => ContainerState {
                    running: Some(ContainerStateRunning {
                        started_at: Some(ts(*since)),
                    }),
                    ..ContainerState::default()
                },
                CState::Terminated {
                    code,
                    started,
                    finished,
                    reason,
                } => ContainerState {
                    terminated: Some(Box::new(ContainerStateTerminated {
                        exit_code: *code,
                        reason: (*reason).to_owned(),
                        started_at: Some(ts(*started)),
                        finished_at: Some(ts(*finished)),
                        container_id: container_id(&self.uid, &c.name, c.restarts),
                        ..ContainerStateTerminated::default()
                    })),
                    ..ContainerState::default()
                },
            }
        };
        // A terminated container waiting for its restart shows as waiting.
        let shown = match (&c.state, c.start_at) {
            (CState::Terminated { .. }, Some(_)) => CState::Waiting("CrashLoopBackOff"),
            (s, _) => s.clone(),
        };
        let last = match (&c.state, c.start_at) {
            (CState::Terminated { .. }, Some(_)) => Some(c.state.clone()),
            _ => c.last.clone(),
        };
        let running = matches!(c.state, CState::Running { .. });
        let is_ready = matches!(c.state, CState::Running { since, ready_at } if ready_at <= since);
        let started = !matches!(shown, CState::Waiting(_));
        ContainerStatus {
            name: c.name.clone(),
            state: state(&shown),
            last_state: last.as_ref().map(state).unwrap_or_default(),
            ready: is_ready && (!init || c.sidecar),
            restart_count: c.restarts,
            image: c.image.clone(),
            container_id: if started {
                container_id(&self.uid, &c.name, c.restarts)
            } else {
                String::new()
            },
            started: Some(running),
            ..ContainerStatus::default()
        }
    }
}

/// The order the kubelet reports pod conditions in.
fn order_conditions(st: &mut PodStatus) {
    const ORDER: [&str; 5] = [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
    ];
    st.conditions.sort_by_key(|c| {
        ORDER
            .iter()
            .position(|o| *o == c.type_)
            .unwrap_or(ORDER.len())
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn cluster() -> Store {
        let s = Store::new(0, 10_000);
        s.create(
            &json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"},
                    "spec": {"podCIDR": "10.64.0.0/24", "podCIDRs": ["10.64.0.0/24"]},
                    "status": {"addresses": [{"type": "InternalIP", "address": "172.18.0.2"}],
                               "allocatable": {"cpu": "8", "memory": "32Gi", "pods": "110"}}}),
            "",
        )
        .unwrap();
        s
    }

    fn run_pod(s: &Store, name: &str, annotations: &Value, restart: &str) {
        s.create(
            &json!({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": name, "annotations": annotations},
                    "spec": {"restartPolicy": restart,
                             "containers": [{"name": "app", "image": "nginx"}]}}),
            "",
        )
        .unwrap();
        s.batch(|tx| tx.bind("default", name, "n1").unwrap());
    }

    fn status(s: &Store, name: &str) -> PodStatus {
        s.get(Kind::Pod, "default", name)
            .unwrap()
            .pod_status()
            .unwrap()
            .clone()
    }

    fn condition(st: &PodStatus, kind: &str) -> String {
        st.conditions
            .iter()
            .find(|c| c.type_ == kind)
            .map(|c| c.status.clone())
            .unwrap_or_default()
    }

    #[test]
    fn a_bound_pod_starts_after_its_start_delay_and_gets_an_address() {
        let s = cluster();
        let mut k = Kubelets::new();
        run_pod(
            &s,
            "a",
            &json!({"sim.podcore.dev/start-seconds": "2"}),
            "Always",
        );
        assert_eq!(k.sync(&s, 0.0, time::EPOCH), Some(2.0));
        let st = status(&s, "a");
        assert_eq!(st.phase, "Pending");
        assert_eq!(st.pod_ip, "10.64.0.2");
        assert_eq!(st.host_ip, "172.18.0.2");
        assert_eq!(condition(&st, "Ready"), "False");
        assert_eq!(
            st.container_statuses[0]
                .state
                .waiting
                .as_ref()
                .unwrap()
                .reason,
            "ContainerCreating"
        );
        assert_eq!(k.sync(&s, 2.0, time::EPOCH), None);
        let st = status(&s, "a");
        assert_eq!(st.phase, "Running");
        assert_eq!(condition(&st, "Ready"), "True");
        assert!(st.container_statuses[0].ready);
    }

    #[test]
    fn never_restarting_pods_succeed_or_fail_by_exit_code() {
        let s = cluster();
        let mut k = Kubelets::new();
        run_pod(&s, "ok", &json!({}), "Never");
        run_pod(
            &s,
            "bad",
            &json!({"sim.podcore.dev/exit-code": "3"}),
            "Never",
        );
        let mut now = 0.0;
        while let Some(t) = k.sync(&s, now, time::EPOCH) {
            now = t;
        }
        assert_eq!(status(&s, "ok").phase, "Succeeded");
        let bad = status(&s, "bad");
        assert_eq!(bad.phase, "Failed");
        let term = bad.container_statuses[0].state.terminated.clone().unwrap();
        assert_eq!((term.exit_code, term.reason.as_str()), (3, "Error"));
        assert!((now - 2.0).abs() < 1e-9, "{now}");
    }

    #[test]
    fn crashing_containers_restart_with_doubling_back_off() {
        let s = cluster();
        let mut k = Kubelets::new();
        run_pod(
            &s,
            "crash",
            &json!({"sim.podcore.dev/exit-after-seconds": "0", "sim.podcore.dev/exit-code": "1"}),
            "Always",
        );
        let mut now = 0.0;
        let mut starts = Vec::new();
        for _ in 0..12 {
            let Some(t) = k.sync(&s, now, time::EPOCH) else {
                break;
            };
            now = t;
            starts.push(t);
        }
        let st = status(&s, "crash");
        assert_eq!(st.phase, "Running");
        assert!(st.container_statuses[0].restart_count >= 4, "{starts:?}");
        // Restarts at 1 (immediate), then 10, 20, 40 seconds after each crash.
        let restarts: Vec<f64> = starts
            .windows(2)
            .map(|w| w[1] - w[0])
            .filter(|d| *d > 0.0)
            .collect();
        assert_eq!(&restarts[..3], &[10.0, 20.0, 40.0], "{starts:?}");
    }

    #[test]
    fn active_deadline_fails_the_pod() {
        let s = cluster();
        let mut k = Kubelets::new();
        s.create(
            &json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "d"},
                    "spec": {"activeDeadlineSeconds": 5,
                             "containers": [{"name": "app", "image": "nginx"}]}}),
            "",
        )
        .unwrap();
        s.batch(|tx| tx.bind("default", "d", "n1").unwrap());
        let mut now = 0.0;
        while let Some(t) = k.sync(&s, now, time::EPOCH) {
            now = t;
        }
        let st = status(&s, "d");
        assert_eq!(
            (st.phase.as_str(), st.reason.as_str()),
            ("Failed", "DeadlineExceeded")
        );
        assert!((now - 5.0).abs() < 1e-9, "{now}");
    }

    #[test]
    fn deleted_pods_stop_then_go_and_free_their_address() {
        let s = cluster();
        let mut k = Kubelets::new();
        run_pod(&s, "a", &json!({}), "Always");
        k.sync(&s, 0.0, time::EPOCH);
        k.sync(&s, 1.0, time::EPOCH);
        let held = s
            .delete(Kind::Pod, "default", "a", &DeleteOptions::default())
            .unwrap();
        assert!(held.is_some(), "a running pod is deleted gracefully");
        assert_eq!(k.sync(&s, 1.0, time::EPOCH), Some(2.0));
        assert!(s.get(Kind::Pod, "default", "a").is_ok());
        k.sync(&s, 2.0, time::EPOCH);
        assert!(s.get(Kind::Pod, "default", "a").is_err());
        // host-local IPAM moves on to the next address.
        run_pod(&s, "b", &json!({}), "Always");
        k.sync(&s, 3.0, time::EPOCH);
        assert_eq!(status(&s, "b").pod_ip, "10.64.0.3");
    }

    #[test]
    fn pods_on_a_down_node_are_left_alone() {
        let s = cluster();
        let mut k = Kubelets::new();
        run_pod(&s, "a", &json!({}), "Always");
        k.sync(&s, 0.0, time::EPOCH);
        k.set_node_down("n1", true);
        assert_eq!(k.sync(&s, 1.0, time::EPOCH), None);
        assert_eq!(status(&s, "a").phase, "Pending");
        s.delete(Kind::Pod, "default", "a", &DeleteOptions::default())
            .unwrap();
        k.sync(&s, 100.0, time::EPOCH);
        assert!(s.get(Kind::Pod, "default", "a").unwrap().deleting());
    }

    #[test]
    fn init_containers_run_in_order_before_the_containers() {
        let s = cluster();
        let mut k = Kubelets::new();
        s.create(
            &json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "i"},
                    "spec": {"initContainers": [{"name": "one", "image": "busybox"},
                                                {"name": "two", "image": "busybox"}],
                             "containers": [{"name": "app", "image": "nginx"}]}}),
            "",
        )
        .unwrap();
        s.batch(|tx| tx.bind("default", "i", "n1").unwrap());
        assert_eq!(k.sync(&s, 0.0, time::EPOCH), Some(1.0));
        let st = status(&s, "i");
        assert_eq!(condition(&st, "Initialized"), "False");
        assert!(st.init_container_statuses[0].state.running.is_some());
        assert!(st.init_container_statuses[1].state.waiting.is_some());
        k.sync(&s, 1.0, time::EPOCH);
        k.sync(&s, 2.0, time::EPOCH);
        let st = status(&s, "i");
        assert_eq!(condition(&st, "Initialized"), "True");
        assert_eq!(st.phase, "Pending");
        k.sync(&s, 3.0, time::EPOCH);
        assert_eq!(status(&s, "i").phase, "Running");
    }
}
