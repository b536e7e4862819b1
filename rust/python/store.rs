//! `podcore._core.Store`: the object store, for `podcore.Cluster` and the
//! controllers. Objects come in as dicts or text and go out as dicts; batch
//! calls release the GIL.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use serde_json::Value;

use super::{any_value, guarded, py_to_value, to_pyerr};
use crate::errors::Error;
use crate::model::OwnerReference;
use crate::selector::Selector;
use crate::store::{
    self, DeleteOptions, EventType, Filter, Kind, Object, PatchType, PodBatch, Propagation, Store,
};

/// `text` as a Python string, made once per distinct text in `made`.
fn shared_string<'a, 'py>(
    py: Python<'py>,
    made: &mut std::collections::HashMap<&'a str, Bound<'py, PyString>>,
    text: &'a str,
) -> Bound<'py, PyString> {
    made.entry(text)
        .or_insert_with(|| PyString::new(py, text))
        .clone()
}

/// Whether `pod` belongs to the controller `owner_uid`; a pod no controller
/// owns (and that is not being deleted) is noted as an orphan to adopt.
fn owned_or_orphan(pod: &Object, owner_uid: &str, orphans: &mut Vec<String>) -> bool {
    match store::pods::controller_of(pod) {
        None => {
            if !pod.deleting() {
                orphans.push(pod.meta.name.to_string());
            }
            false
        }
        Some(r) => r.uid == owner_uid,
    }
}

/// The annotation `kubectl apply` keeps the applied manifest in.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

fn py_err(py: Python<'_>, e: &Error) -> PyErr {
    to_pyerr(py, e)
}

fn bad(py: Python<'_>, msg: String) -> PyErr {
    to_pyerr(py, &Error::BadRequest(msg))
}

fn kind_arg(py: Python<'_>, kind: &str) -> PyResult<Kind> {
    Kind::from_name(kind).ok_or_else(|| {
        bad(
            py,
            format!("the server doesn't have a resource type \"{kind}\""),
        )
    })
}

use super::dicts::{object_to_py, objects_to_py};

/// A label selector argument: the string syntax or a LabelSelector dict
/// (matchLabels / matchExpressions); None selects everything.
fn selector_arg(py: Python<'_>, sel: Option<&Bound<'_, PyAny>>) -> PyResult<Selector> {
    let Some(sel) = sel.filter(|s| !s.is_none()) else {
        return Ok(Selector::everything());
    };
    if let Ok(s) = sel.cast::<PyString>() {
        return Selector::parse(s.to_str()?).map_err(|e| bad(py, e));
    }
    if sel.is_instance_of::<PyDict>() {
        let v = py_to_value(sel, 0)?;
        let ls: crate::model::LabelSelector =
            crate::input::from_value(v).map_err(|e| py_err(py, &Error::from(e)))?;
        return Selector::from_label_selector(&ls).map_err(|e| bad(py, e));
    }
    Err(PyTypeError::new_err(
        "label_selector must be a str, a LabelSelector dict or None",
    ))
}

fn propagation_arg(py: Python<'_>, p: &str) -> PyResult<Propagation> {
    Propagation::parse(p).ok_or_else(|| {
        bad(
            py,
            format!(
                "propagationPolicy: Unsupported value: \"{p}\": supported values: \"Background\", \"Foreground\", \"Orphan\""
            ),
        )
    })
}

/// The object store behind a simulated cluster.
#[pyclass(name = "Store", module = "podcore._core", frozen)]
pub struct PyStore {
    inner: Arc<Store>,
    /// The scheduler's node usage between passes.
    scheduler: Arc<Mutex<crate::sim::scheduler::Memo>>,
}

#[pymethods]
impl PyStore {
    #[new]
    #[pyo3(signature = (*, seed = 0, window = 10_000))]
    fn new(seed: u64, window: usize) -> Self {
        PyStore {
            inner: Arc::new(Store::new(seed, window)),
            scheduler: Arc::default(),
        }
    }

    /// The clock, in Unix seconds, that stamps creations and deletions.
    #[getter]
    fn now(&self) -> i64 {
        self.inner.now()
    }

    #[setter]
    fn set_now(&self, unix: i64) {
        self.inner.set_now(unix);
    }

    /// The store's latest resourceVersion.
    #[getter]
    fn resource_version(&self) -> String {
        self.inner.resource_version().to_string()
    }

    #[pyo3(signature = (obj, namespace = ""))]
    fn create<'py>(
        &self,
        py: Python<'py>,
        obj: &Bound<'py, PyAny>,
        namespace: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let v = any_value(obj)?;
        let store = &self.inner;
        let made = guarded(|| store.create(&v, namespace))?.map_err(|e| py_err(py, &e))?;
        object_to_py(py, &made)
    }

    #[pyo3(signature = (kind, name, namespace = "default"))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        kind: &str,
        name: &str,
        namespace: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kind = kind_arg(py, kind)?;
        let obj = self
            .inner
            .get(kind, namespace, name)
            .map_err(|e| py_err(py, &e))?;
        object_to_py(py, &obj)
    }

    #[pyo3(signature = (kind, namespace = None, label_selector = None))]
    fn list<'py>(
        &self,
        py: Python<'py>,
        kind: &str,
        namespace: Option<&str>,
        label_selector: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let kind = kind_arg(py, kind)?;
        let sel = selector_arg(py, label_selector)?;
        let (objs, _) = self.inner.list(kind, namespace, &sel);
        objects_to_py(py, objs.iter().map(|o| &**o))
    }

    /// Every object of `kind` (in `namespace`, or all) as dicts made by
    /// `pythonize`, the general serde conversion: the reference the dicts of
    /// `get`, `list` and `watch` are tested against.
    #[pyo3(signature = (kind, namespace = None))]
    fn _reference_dicts<'py>(
        &self,
        py: Python<'py>,
        kind: &str,
        namespace: Option<&str>,
    ) -> PyResult<Bound<'py, PyList>> {
        let kind = kind_arg(py, kind)?;
        let (objs, _) = self.inner.list(kind, namespace, &Selector::everything());
        let items = objs
            .iter()
            .map(|o| {
                pythonize::pythonize(py, &**o).map_err(|e| PyValueError::new_err(e.to_string()))
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// `(namespace, name)` of the objects a list would return, without dicts.
    #[pyo3(signature = (kind, namespace = None, label_selector = None))]
    fn keys(
        &self,
        py: Python<'_>,
        kind: &str,
        namespace: Option<&str>,
        label_selector: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<(String, String)>> {
        let kind = kind_arg(py, kind)?;
        let sel = selector_arg(py, label_selector)?;
        let (objs, _) = self.inner.list(kind, namespace, &sel);
        Ok(objs
            .iter()
            .map(|o| (o.meta.namespace.to_string(), o.meta.name.to_string()))
            .collect())
    }

    /// How many objects of `kind` the store holds.
    fn count(&self, py: Python<'_>, kind: &str) -> PyResult<usize> {
        Ok(self.inner.count(kind_arg(py, kind)?))
    }

    #[pyo3(signature = (obj, namespace = ""))]
    fn replace<'py>(
        &self,
        py: Python<'py>,
        obj: &Bound<'py, PyAny>,
        namespace: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let v = any_value(obj)?;
        let store = &self.inner;
        let out = guarded(|| store.replace(&v, namespace))?.map_err(|e| py_err(py, &e))?;
        object_to_py(py, &out)
    }

    /// Writes only the object's status, as the `status` subresource. With
    /// `version_only`, returns only the stored resourceVersion: a controller
    /// that knows what it wrote need not have the whole object converted
    /// back (a Job's or DaemonSet's pod template with it).
    #[pyo3(signature = (obj, namespace = "", *, version_only = false))]
    fn replace_status<'py>(
        &self,
        py: Python<'py>,
        obj: &Bound<'py, PyAny>,
        namespace: &str,
        version_only: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let v = any_value(obj)?;
        let store = &self.inner;
        let out = guarded(|| store.replace_status(&v, namespace))?.map_err(|e| py_err(py, &e))?;
        if version_only {
            return Ok(out
                .meta
                .resource_version
                .to_string()
                .into_pyobject(py)?
                .into_any());
        }
        object_to_py(py, &out)
    }

    #[pyo3(signature = (kind, name, patch, namespace = "default", r#type = "strategic"))]
    fn patch<'py>(
        &self,
        py: Python<'py>,
        kind: &str,
        name: &str,
        patch: &Bound<'py, PyAny>,
        namespace: &str,
        r#type: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kind = kind_arg(py, kind)?;
        let ptype = match r#type {
            "strategic" => PatchType::Strategic,
            "merge" => PatchType::Merge,
            "json" => PatchType::Json,
            other => {
                return Err(bad(
                    py,
                    format!(
                        "unknown patch type {other:?}: use \"strategic\", \"merge\" or \"json\""
                    ),
                ))
            }
        };
        let patch = any_value(patch)?;
        let store = &self.inner;
        let out = guarded(|| store.patch(kind, namespace, name, &patch, ptype))?
            .map_err(|e| py_err(py, &e))?;
        object_to_py(py, &out)
    }

    /// Deletes an object; returns it as it stays (being deleted gracefully,
    /// or held by finalizers), or None when it is gone.
    #[pyo3(signature = (kind, name, namespace = "default", propagation = "Background", *, grace_period_seconds = None, resource_version = None, uid = None))]
    #[allow(clippy::too_many_arguments)]
    fn delete<'py>(
        &self,
        py: Python<'py>,
        kind: &str,
        name: &str,
        namespace: &str,
        propagation: &str,
        grace_period_seconds: Option<i64>,
        resource_version: Option<String>,
        uid: Option<String>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let kind = kind_arg(py, kind)?;
        let opts = DeleteOptions {
            propagation: propagation_arg(py, propagation)?,
            grace_period_seconds,
            resource_version,
            uid,
        };
        let store = &self.inner;
        let out =
            guarded(|| store.delete(kind, namespace, name, &opts))?.map_err(|e| py_err(py, &e))?;
        out.map(|o| object_to_py(py, &o)).transpose()
    }

    /// Creates or updates each object as `kubectl apply` does, all or
    /// nothing: when one fails, none of them is applied.
    fn apply<'py>(
        &self,
        py: Python<'py>,
        objects: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let values = objects
            .try_iter()?
            .map(|o| any_value(&o?))
            .collect::<PyResult<Vec<Value>>>()?;
        let store = Arc::clone(&self.inner);
        let out = py
            .detach(|| guarded(move || store.transaction(|tx| apply_all(tx, &values))))?
            .map_err(|e| py_err(py, &e))?;
        let items = out
            .iter()
            .map(|o| object_to_py(py, o))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// Makes `count` pods (or one per name in `names`) from a pod template, in
    /// one call, all or none; they share the template's parsed spec. Returns
    /// their names. `overlays` are merge patches, one per pod; `pin_nodes`
    /// instead pins each pod to one node as a DaemonSet's pods are (their
    /// required node affinity becomes `metadata.name In [node]`).
    #[pyo3(signature = (namespace, template, *, count = 0, generate_name = "", names = None, owner = None, overlays = None, pin_nodes = None))]
    #[allow(clippy::too_many_arguments)]
    fn create_pods(
        &self,
        py: Python<'_>,
        namespace: &str,
        template: &Bound<'_, PyAny>,
        count: usize,
        generate_name: &str,
        names: Option<Vec<String>>,
        owner: Option<&Bound<'_, PyAny>>,
        overlays: Option<&Bound<'_, PyList>>,
        pin_nodes: Option<Vec<String>>,
    ) -> PyResult<Vec<String>> {
        if overlays.is_some() && pin_nodes.is_some() {
            return Err(bad(py, "give overlays or pin_nodes, not both".to_owned()));
        }
        let template = any_value(template)?;
        let owner: Option<OwnerReference> = match owner {
            Some(o) => Some(
                crate::input::from_value(py_to_value(o, 0)?)
                    .map_err(|e| py_err(py, &Error::from(e)))?,
            ),
            None => None,
        };
        let overlays = overlays
            .map(|l| {
                l.iter()
                    .map(|o| py_to_value(&o, 0))
                    .collect::<PyResult<Vec<_>>>()
            })
            .transpose()?;
        let store = Arc::clone(&self.inner);
        let (ns, gen) = (namespace.to_owned(), generate_name.to_owned());
        let made = py
            .detach(move || {
                guarded(move || {
                    let batch = PodBatch {
                        namespace: &ns,
                        template: &template,
                        names,
                        generate_name: &gen,
                        count,
                        owner,
                        overlays,
                        pin_nodes,
                        keep_template_as: None,
                    };
                    store.create_pods(&batch)
                })
            })?
            .map_err(|e| py_err(py, &e))?;
        Ok(made.iter().map(|o| o.meta.name.to_string()).collect())
    }

    /// Deletes many objects of one kind; returns how many are gone at once
    /// (the rest are being deleted gracefully or held by finalizers).
    #[pyo3(signature = (kind, keys, *, propagation = "Background"))]
    fn delete_many(
        &self,
        py: Python<'_>,
        kind: &str,
        keys: Vec<(String, String)>,
        propagation: &str,
    ) -> PyResult<usize> {
        let kind = kind_arg(py, kind)?;
        let opts = DeleteOptions {
            propagation: propagation_arg(py, propagation)?,
            ..DeleteOptions::default()
        };
        let store = Arc::clone(&self.inner);
        let results = py.detach(move || guarded(move || store.delete_many(kind, &keys, &opts)))?;
        Ok(results.iter().filter(|r| matches!(r, Ok(None))).count())
    }

    /// One pass of the garbage collector and namespace controller; returns
    /// how many objects it changed.
    fn collect_garbage(&self, py: Python<'_>) -> PyResult<usize> {
        let store = Arc::clone(&self.inner);
        py.detach(move || guarded(move || store.collect_garbage()))
    }

    /// `(kind, namespace, name)` of the objects owned by `uid`.
    fn dependents(&self, uid: &str) -> Vec<(String, String, String)> {
        self.inner
            .dependents(uid)
            .iter()
            .map(|o| {
                (
                    o.kind.name().to_owned(),
                    o.meta.namespace.to_string(),
                    o.meta.name.to_string(),
                )
            })
            .collect()
    }

    /// Counts of the pods owned by `uid`: total, pending, running,
    /// succeeded, failed, ready, deleting, scheduled.
    fn owned_pod_counts<'py>(&self, py: Python<'py>, uid: &str) -> PyResult<Bound<'py, PyDict>> {
        let c = self.inner.owned_pod_counts(uid);
        let d = PyDict::new(py);
        for (k, v) in [
            ("total", c.total),
            ("pending", c.pending),
            ("running", c.running),
            ("succeeded", c.succeeded),
            ("failed", c.failed),
            ("ready", c.ready),
            ("deleting", c.deleting),
            ("scheduled", c.scheduled),
        ] {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    /// The changes after `resource_version` to objects of `kinds` (all if
    /// empty): `(type, kind, namespace, name, uid, controller_uid)` tuples,
    /// and the resourceVersion to continue from. What controllers' work queues
    /// are fed with. Raises Gone when the version is older than the log.
    #[pyo3(signature = (resource_version, kinds = Vec::new(), *, reader = None, limit = None, latest_only = false))]
    #[allow(clippy::too_many_arguments)]
    fn changes<'py>(
        &self,
        py: Python<'py>,
        resource_version: &str,
        kinds: Vec<String>,
        reader: Option<&str>,
        limit: Option<usize>,
        latest_only: bool,
    ) -> PyResult<(Bound<'py, PyList>, String)> {
        let rv: u64 = resource_version.parse().map_err(|_| {
            bad(
                py,
                format!("invalid resource version: {resource_version:?}"),
            )
        })?;
        let kinds = kinds
            .iter()
            .map(|k| kind_arg(py, k))
            .collect::<PyResult<Vec<Kind>>>()?;
        let (events, next) = self
            .inner
            .changes_for(rv, &kinds, reader, limit.unwrap_or(usize::MAX))
            .map_err(|e| py_err(py, &e))?;
        // Level-triggered readers need to know that a pod changed, not each
        // of its versions: keep each pod's last change of the slice.
        let keep: Vec<bool> = if latest_only {
            let mut last: std::collections::HashMap<(&str, &str), usize> =
                std::collections::HashMap::new();
            for (i, n) in events.iter().enumerate() {
                if n.object_kind == Kind::Pod {
                    last.insert((&n.namespace, &n.name), i);
                }
            }
            events
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    n.object_kind != Kind::Pod || last.get(&(&*n.namespace, &*n.name)) == Some(&i)
                })
                .collect()
        } else {
            vec![true; events.len()]
        };
        // A change is `(type, kind, namespace, name, uid, controller uid)`.
        // Types, kinds, namespaces and controllers repeat from change to
        // change (a DaemonSet's thousands of pods name one controller): each
        // distinct one becomes one Python string, shared by its tuples.
        let mut shared: std::collections::HashMap<&str, Bound<'py, PyString>> =
            std::collections::HashMap::new();
        let mut text = |t| shared_string(py, &mut shared, t);
        let out = PyList::empty(py);
        for (n, _) in events.iter().zip(&keep).filter(|(_, k)| **k) {
            let controller = match n.controller.as_deref() {
                Some(c) => text(c).into_any(),
                None => py.None().into_bound(py),
            };
            let change = PyTuple::new(
                py,
                [
                    text(n.kind.name()).into_any(),
                    text(n.object_kind.name()).into_any(),
                    text(&n.namespace).into_any(),
                    PyString::new(py, &n.name).into_any(),
                    PyString::new(py, &n.uid.to_string()).into_any(),
                    controller,
                ],
            )?;
            out.append(change)?;
        }
        Ok((out, next.to_string()))
    }

    /// What a workload controller needs of the pods it selects, in one call:
    /// counts of its active pods (ready, available after
    /// `min_ready_seconds`, carrying all of `template_labels`), its
    /// terminating and finished pods, the orphans it may adopt and the owned
    /// pods that stopped matching, and — with `scale_down` — which active
    /// pods to delete first, as the ReplicaSet controller ranks them
    /// (`related_uids`: the controllers whose pods count as doubled up).
    #[pyo3(signature = (namespace, selector, owner_uid, *, min_ready_seconds = 0, template_labels = None, scale_down = 0, related_uids = Vec::new()))]
    #[allow(clippy::too_many_arguments)]
    fn controller_pods<'py>(
        &self,
        py: Python<'py>,
        namespace: &str,
        selector: &Bound<'py, PyAny>,
        owner_uid: &str,
        min_ready_seconds: i64,
        template_labels: Option<std::collections::BTreeMap<String, String>>,
        scale_down: usize,
        related_uids: Vec<String>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let sel = selector_arg(py, Some(selector))?;
        let view = self.inner.owned_pods(namespace, &sel, owner_uid);
        let now = self.inner.now();
        let labels = template_labels.unwrap_or_default();
        let mut ready = 0;
        let mut available = 0;
        let mut fully_labeled = 0;
        let mut next_available: Option<i64> = None;
        for p in &view.active {
            let status = p.pod_status();
            if min_ready_seconds == 0 {
                // Ready is available at once: no need to read when it became so.
                if status.is_some_and(store::pods::is_ready) {
                    ready += 1;
                    available += 1;
                }
            } else if let Some(since) = status.and_then(store::pods::ready_since) {
                ready += 1;
                if since + min_ready_seconds <= now {
                    available += 1;
                } else {
                    let at = since + min_ready_seconds;
                    next_available = Some(next_available.map_or(at, |n| n.min(at)));
                }
            }
            if labels.iter().all(|(k, v)| p.meta.labels.get(k) == Some(v)) {
                fully_labeled += 1;
            }
        }
        let names = |v: &[Arc<Object>]| -> Vec<String> {
            v.iter().map(|o| o.meta.name.to_string()).collect()
        };
        let d = PyDict::new(py);
        d.set_item("active", view.active.len())?;
        d.set_item("ready", ready)?;
        d.set_item("available", available)?;
        d.set_item("fully_labeled", fully_labeled)?;
        d.set_item("terminating", view.terminating)?;
        d.set_item("finished", names(&view.finished))?;
        d.set_item("orphans", names(&view.orphans))?;
        d.set_item("strays", names(&view.strays))?;
        d.set_item("next_available", next_available.map(|t| t - now))?;
        if scale_down > 0 {
            let mut related = Vec::new();
            for uid in &related_uids {
                related.extend(self.inner.dependents(uid));
            }
            let mut pods = view.active.clone();
            store::pods::deletion_order(&mut pods, &related, now);
            pods.truncate(scale_down);
            d.set_item("delete", names(&pods))?;
        }
        Ok(d)
    }

    /// Adopts the named pods for `owner` (an ownerReference dict), or with
    /// `owner=None` releases them from `release_uid`; returns how many changed.
    #[pyo3(signature = (namespace, names, owner = None, release_uid = ""))]
    fn set_controller(
        &self,
        py: Python<'_>,
        namespace: &str,
        names: Vec<String>,
        owner: Option<&Bound<'_, PyAny>>,
        release_uid: &str,
    ) -> PyResult<usize> {
        let owner: Option<OwnerReference> = match owner {
            Some(o) => Some(
                crate::input::from_value(py_to_value(o, 0)?)
                    .map_err(|e| py_err(py, &Error::from(e)))?,
            ),
            None => None,
        };
        Ok(self
            .inner
            .batch(|tx| tx.set_controller(namespace, &names, owner.as_ref(), release_uid)))
    }

    /// One scheduling pass over the pods waiting for a node; returns how many
    /// writes it made (bindings, and Unschedulable conditions that changed).
    fn schedule(&self, py: Python<'_>) -> PyResult<u64> {
        let store = Arc::clone(&self.inner);
        let memo = Arc::clone(&self.scheduler);
        py.detach(move || {
            guarded(move || {
                // A pass that panicked may have left the memo half updated.
                let mut memo = memo.lock().unwrap_or_else(|poisoned| {
                    let mut memo = poisoned.into_inner();
                    *memo = crate::sim::scheduler::Memo::default();
                    memo
                });
                let before = store.resource_version();
                store.batch(|tx| crate::sim::scheduler::schedule_with(tx, &mut memo));
                store.resource_version() - before
            })
        })
    }

    /// The node lifecycle controller's MarkPodsNotReady: every pod on `node`
    /// gets Ready=False. Returns how many changed.
    fn mark_pods_not_ready(&self, node: &str) -> usize {
        self.inner.batch(|tx| {
            let stamp = store::time::format(tx.now());
            let mut changed = 0;
            for pod in tx.pods_on_node(node) {
                let before = pod.meta.resource_version;
                if let Ok(after) = tx.update_pod_status(&pod.meta.namespace, &pod.meta.name, |st| {
                    if st.conditions.iter().any(|c| c.type_ == "Ready") {
                        store::set_condition(st, "Ready", "False", "", "", &stamp);
                    }
                }) {
                    changed += usize::from(after.meta.resource_version != before);
                }
            }
            changed
        })
    }

    /// `(namespace, name)` of the pods bound to `node`.
    fn pods_on_node(&self, node: &str) -> Vec<(String, String)> {
        self.inner
            .pods_on_node(node)
            .iter()
            .map(|o| (o.meta.namespace.to_string(), o.meta.name.to_string()))
            .collect()
    }

    /// Events after `resource_version` (or, without one, the current objects
    /// as ADDED events and then what follows), filtered by kind, namespace
    /// and label selector. The iterator ends when it has caught up, or, with
    /// `timeout_seconds`, when nothing new came for that long.
    #[pyo3(signature = (kind = None, namespace = None, resource_version = None, *, label_selector = None, timeout_seconds = 0.0))]
    fn watch(
        &self,
        py: Python<'_>,
        kind: Option<&str>,
        namespace: Option<String>,
        resource_version: Option<&str>,
        label_selector: Option<&Bound<'_, PyAny>>,
        timeout_seconds: f64,
    ) -> PyResult<PyWatch> {
        let kind = kind.map(|k| kind_arg(py, k)).transpose()?;
        let filter = Filter {
            kind,
            namespace,
            selector: selector_arg(py, label_selector)?,
        };
        let mut buffer = VecDeque::new();
        let cursor = match resource_version.filter(|rv| !rv.is_empty() && *rv != "0") {
            Some(rv) => {
                let rv: u64 = rv
                    .parse()
                    .map_err(|_| bad(py, format!("invalid resource version: {rv:?}")))?;
                // Fail now, not at the first next(), for a compacted version.
                self.inner
                    .events_since(rv, &filter, 0)
                    .map_err(|e| py_err(py, &e))?;
                rv
            }
            None => {
                let kinds: Vec<Kind> = match filter.kind {
                    Some(k) => vec![k],
                    None => Kind::ALL.to_vec(),
                };
                let mut rv = self.inner.resource_version();
                for k in kinds {
                    let (objs, at) =
                        self.inner
                            .list(k, filter.namespace.as_deref(), &filter.selector);
                    rv = rv.min(at);
                    buffer.extend(objs.into_iter().map(|o| (EventType::Added, o)));
                }
                rv
            }
        };
        let timeout = Duration::try_from_secs_f64(timeout_seconds.max(0.0))
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(PyWatch {
            store: Arc::clone(&self.inner),
            state: Mutex::new(WatchState {
                filter,
                cursor,
                buffer,
                timeout,
            }),
        })
    }

    /// What the StatefulSet controller reads of each pod `selector` matches
    /// in `namespace`, one tuple per pod in name order, without a dict per
    /// pod: `(name, uid, controller_uid, phase, ready, available_in,
    /// deleting, labels, claims)`. `ready` is Running with Ready=True;
    /// `available_in` is None when not ready, else the seconds until the pod
    /// has been ready `min_ready_seconds` (0: available). `labels` holds the
    /// values of the `label_keys` (None where absent); `claims` the
    /// claimName of the pod's volume named after each of `volume_names`
    /// (None where there is no such persistentVolumeClaim volume).
    #[pyo3(signature = (namespace, selector, *, min_ready_seconds = 0, label_keys = Vec::new(), volume_names = Vec::new()))]
    #[allow(clippy::type_complexity)]
    fn stateful_pods(
        &self,
        py: Python<'_>,
        namespace: &str,
        selector: &Bound<'_, PyAny>,
        min_ready_seconds: i64,
        label_keys: Vec<String>,
        volume_names: Vec<String>,
    ) -> PyResult<
        Vec<(
            String,
            String,
            Option<String>,
            String,
            bool,
            Option<i64>,
            bool,
            Vec<Option<String>>,
            Vec<Option<String>>,
        )>,
    > {
        let sel = selector_arg(py, Some(selector))?;
        let (pods, _) = self.inner.list(Kind::Pod, Some(namespace), &sel);
        let now = self.inner.now();
        let mut out = Vec::with_capacity(pods.len());
        for p in &pods {
            let Some(status) = p.pod_status() else {
                continue;
            };
            let controller = store::pods::controller_of(p).map(|r| r.uid.clone());
            let ready = status.phase == "Running" && store::pods::ready_since(status).is_some();
            let available_in = store::pods::ready_since(status).map(|since| {
                if min_ready_seconds == 0 {
                    0
                } else {
                    (since + min_ready_seconds - now).max(0)
                }
            });
            let labels = label_keys
                .iter()
                .map(|k| p.meta.labels.get(k).cloned())
                .collect();
            let claims = store::pods::claim_names(p, &volume_names);
            out.push((
                p.meta.name.to_string(),
                p.meta.uid.to_string(),
                controller,
                status.phase.clone(),
                ready,
                available_in,
                p.deleting(),
                labels,
                claims,
            ));
        }
        Ok(out)
    }

    /// What the Job controller reads of its pods, in one call without a dict
    /// per pod. `pods`: one tuple per pod that `selector` matches in
    /// `namespace` and `owner_uid` controls, in name order: `(name, uid,
    /// phase, (deleting, tracked, ready, scheduled), (index, index_failures,
    /// index_ignored_failures, restarts, finished_at, created))`.
    /// `tracked`: the pod carries `finalizer`; `index`: its completion index
    /// annotation (-1 when absent or not a non-negative integer);
    /// `index_failures` / `index_ignored_failures`: its per-index failure
    /// count annotations (0 when absent or invalid); `restarts`: the sum of
    /// its containers' restart counts; `finished_at`: when it finished, as
    /// the Job controller estimates it (Unix seconds). `orphans`: matching
    /// pods without a controller, not being deleted; `strays`: pods it
    /// controls that no longer match.
    #[pyo3(signature = (namespace, selector, owner_uid, *, finalizer = "batch.kubernetes.io/job-tracking"))]
    fn job_pods<'py>(
        &self,
        py: Python<'py>,
        namespace: &str,
        selector: &Bound<'py, PyAny>,
        owner_uid: &str,
        finalizer: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        type JobPod = (
            String,
            String,
            String,
            (bool, bool, bool, bool),
            (i64, i64, i64, i64, i64, i64),
        );
        let sel = selector_arg(py, Some(selector))?;
        let (pods, _) = self.inner.list(Kind::Pod, Some(namespace), &sel);
        let count_annotation = |p: &Object, key: &str| -> i64 {
            p.meta
                .annotations
                .get(key)
                .and_then(|v| v.parse::<i64>().ok())
                .filter(|v| (0..=i64::from(i32::MAX)).contains(v))
                .unwrap_or(0)
        };
        let mut owned: Vec<JobPod> = Vec::new();
        let mut orphans: Vec<String> = Vec::new();
        for p in &pods {
            let Some(status) = p.pod_status() else {
                continue;
            };
            if !owned_or_orphan(p, owner_uid, &mut orphans) {
                continue;
            }
            let index = p
                .meta
                .annotations
                .get("batch.kubernetes.io/job-completion-index")
                .and_then(|v| v.parse::<i64>().ok())
                .filter(|v| *v >= 0)
                .unwrap_or(-1);
            let restarts = status
                .init_container_statuses
                .iter()
                .chain(&status.container_statuses)
                .map(|c| i64::from(c.restart_count))
                .sum();
            owned.push((
                p.meta.name.to_string(),
                p.meta.uid.to_string(),
                status.phase.clone(),
                (
                    p.deleting(),
                    p.meta.finalizers.iter().any(|f| f == finalizer),
                    store::pod_ready(status),
                    p.node_name().is_some(),
                ),
                (
                    index,
                    count_annotation(p, "batch.kubernetes.io/job-index-failure-count"),
                    count_annotation(p, "batch.kubernetes.io/job-index-ignored-failure-count"),
                    restarts,
                    store::jobs::job_pod_finished_at(p, status),
                    p.meta.created,
                ),
            ));
        }
        // Strays are rare: look for them only when more pods name the owner
        // than the selector found. The listing holds every pod of the
        // namespace the selector matches, so a pod it controls is a stray
        // exactly when the selector does not match it.
        let referencing = self.inner.owned_pod_total(owner_uid);
        let candidates = if referencing <= owned.len() {
            Vec::new()
        } else {
            self.inner.dependents(owner_uid)
        };
        let strays: Vec<String> = candidates
            .iter()
            .filter(|o| {
                store::pods::controlled_pod(o, namespace, owner_uid) && !sel.matches(&o.meta.labels)
            })
            .map(|o| o.meta.name.to_string())
            .collect();
        let d = PyDict::new(py);
        d.set_item("pods", owned)?;
        d.set_item("orphans", orphans)?;
        d.set_item("strays", strays)?;
        Ok(d)
    }

    /// The Job controller's sync of the Job `namespace/name` in one call,
    /// when it is a plain Job: NonIndexed, without pod failure policy,
    /// suspension, active deadline or deletion, replacing terminating pods
    /// (the default podReplacementPolicy), with no pod to adopt or release.
    /// Deletes or creates its pods, removes the tracking finalizer from the
    /// pods it counts and writes its status when it changed, as the
    /// controller's sync does. `backoff`: the Job's record of consecutive
    /// pod failures `(count, last failure)`, None for none.
    ///
    /// Returns `(outcome, backoff, wait, retry, written)`. `outcome` is
    /// "gone" (no such Job), "not-ours" (another controller manages it, or
    /// an unknown completion mode), "finished", "general" (nothing done:
    /// not a plain Job, or pods to adopt or release) or "synced". For
    /// "synced": `backoff` the new record when pods finished, else None;
    /// `wait` the seconds of back-off before missing pods can be made (0:
    /// none); `retry` whether the status write failed; `written`, when the
    /// status was written and the Job's resourceVersion before the write
    /// was `cached_version`, `(new resourceVersion, status)`.
    #[pyo3(signature = (namespace, name, backoff = None, cached_version = None))]
    #[allow(clippy::type_complexity)]
    fn sync_job<'py>(
        &self,
        py: Python<'py>,
        namespace: &str,
        name: &str,
        backoff: Option<(i64, Option<i64>)>,
        cached_version: Option<&str>,
    ) -> PyResult<(
        &'static str,
        Option<(i64, Option<i64>)>,
        i64,
        bool,
        Option<(String, Bound<'py, PyAny>)>,
    )> {
        use crate::store::jobs::JobSyncOutcome;
        let store = Arc::clone(&self.inner);
        let (ns, job) = (namespace.to_owned(), name.to_owned());
        let backoff = backoff.unwrap_or((0, None));
        let outcome = py.detach(move || guarded(move || store.sync_job(&ns, &job, backoff)))?;
        let done = match outcome {
            JobSyncOutcome::Gone => return Ok(("gone", None, 0, false, None)),
            JobSyncOutcome::NotOurs => return Ok(("not-ours", None, 0, false, None)),
            JobSyncOutcome::Finished => return Ok(("finished", None, 0, false, None)),
            JobSyncOutcome::General => return Ok(("general", None, 0, false, None)),
            JobSyncOutcome::Synced(done) => done,
        };
        let mut written = None;
        if let (Some((old, new)), Some(cached)) = (&done.written, cached_version) {
            if old.meta.resource_version.to_string() == cached {
                let status = match &new.body {
                    store::Body::Json(fields) => fields.get("status"),
                    store::Body::Pod { .. } => None,
                };
                let status = match status {
                    Some(v) => pythonize::pythonize(py, v)
                        .map_err(|e| PyValueError::new_err(e.to_string()))?,
                    None => PyDict::new(py).into_any(),
                };
                written = Some((new.meta.resource_version.to_string(), status));
            }
        }
        Ok(("synced", done.backoff, done.wait, done.retry, written))
    }

    /// Whether the TTL-after-finished controller has anything to do with the
    /// Job `namespace/name`: it exists, is not being deleted, has a
    /// `ttlSecondsAfterFinished` and is finished (the filter of that
    /// controller's informer handlers).
    fn job_needs_cleanup(&self, namespace: &str, name: &str) -> bool {
        self.inner.job_needs_cleanup(namespace, name)
    }

    /// Removes `finalizer` from the named pods of `namespace` (with `add`,
    /// adds it where missing), as one batch of pod updates; pods that are
    /// gone are skipped. Returns how many pods changed.
    #[pyo3(signature = (namespace, names, finalizer, *, add = false))]
    fn set_pod_finalizer(
        &self,
        py: Python<'_>,
        namespace: &str,
        names: Vec<String>,
        finalizer: &str,
        add: bool,
    ) -> PyResult<usize> {
        let store = Arc::clone(&self.inner);
        let (ns, fin) = (namespace.to_owned(), finalizer.to_owned());
        py.detach(move || {
            guarded(move || {
                store.batch(|tx| {
                    names
                        .iter()
                        .filter(|name| tx.set_finalizer(Kind::Pod, &ns, name, &fin, add))
                        .count()
                })
            })
        })
    }

    /// What the DaemonSet controller reads of its pods, in one call without
    /// a dict per pod. `pods`: one tuple per pod that `selector` matches in
    /// `namespace` and `owner_uid` controls (terminating and finished ones
    /// included), in name order: `(name, node_name, target_node, phase,
    /// deleting, available_in, created, labels)`. `node_name` is
    /// `spec.nodeName` ("" while unbound); `target_node` the node the pod is
    /// meant for (`GetTargetNodeName`: its nodeName, else the single value of
    /// a `metadata.name In` match field of its required node affinity; None
    /// when there is none or it names several); `available_in` is None when
    /// the pod is not Ready, else the seconds until it has been Ready for
    /// `min_ready_seconds` (0: available); `created` is Unix seconds;
    /// `labels` the values of `label_keys` (None where absent). `orphans`:
    /// matching pods without a controller, not being deleted; `strays`: pods
    /// it controls that no longer match, not being deleted.
    #[pyo3(signature = (namespace, selector, owner_uid, *, min_ready_seconds = 0, label_keys = Vec::new()))]
    fn daemon_pods<'py>(
        &self,
        py: Python<'py>,
        namespace: &str,
        selector: &Bound<'py, PyAny>,
        owner_uid: &str,
        min_ready_seconds: i64,
        label_keys: Vec<String>,
    ) -> PyResult<Bound<'py, PyDict>> {
        type DaemonPod = (
            String,
            String,
            Option<String>,
            String,
            bool,
            Option<i64>,
            i64,
            Vec<Option<String>>,
        );
        let sel = selector_arg(py, Some(selector))?;
        let (pods, _) = self.inner.list(Kind::Pod, Some(namespace), &sel);
        let now = self.inner.now();
        let mut owned: Vec<DaemonPod> = Vec::new();
        let mut orphans: Vec<String> = Vec::new();
        for p in &pods {
            let Some(status) = p.pod_status() else {
                continue;
            };
            if !owned_or_orphan(p, owner_uid, &mut orphans) {
                continue;
            }
            let node = p.node_name().unwrap_or_default().to_owned();
            let target = if node.is_empty() {
                daemon_pod_target(p)
            } else {
                Some(node.clone())
            };
            let available_in = store::pods::ready_since(status).map(|since| {
                if min_ready_seconds == 0 {
                    0
                } else {
                    (since.saturating_add(min_ready_seconds) - now).max(0)
                }
            });
            let labels = label_keys
                .iter()
                .map(|k| p.meta.labels.get(k).cloned())
                .collect();
            owned.push((
                p.meta.name.to_string(),
                node,
                target,
                status.phase.clone(),
                p.deleting(),
                available_in,
                p.meta.created,
                labels,
            ));
        }
        // Every pod it owns matched: no strays, and no need to walk its
        // dependents (the common case, and the costly one for big sets).
        let mut strays: Vec<String> = Vec::new();
        if self.inner.owned_pod_total(owner_uid) > owned.len() {
            let seen: std::collections::HashSet<&str> =
                pods.iter().map(|p| &*p.meta.name).collect();
            strays = self
                .inner
                .dependents(owner_uid)
                .iter()
                .filter(|o| {
                    !o.deleting()
                        && !seen.contains(&*o.meta.name)
                        && store::pods::controlled_pod(o, namespace, owner_uid)
                })
                .map(|o| o.meta.name.to_string())
                .collect();
        }
        let d = PyDict::new(py);
        d.set_item("pods", owned)?;
        d.set_item("orphans", orphans)?;
        d.set_item("strays", strays)?;
        Ok(d)
    }

    /// The stored object's `(resourceVersion, uid)`, or None when there is
    /// none: lets a controller keep the dict it last read or wrote and
    /// convert the object again only after someone else changed it.
    #[pyo3(signature = (kind, name, namespace = "default"))]
    fn version_of(
        &self,
        py: Python<'_>,
        kind: &str,
        name: &str,
        namespace: &str,
    ) -> PyResult<Option<(String, String)>> {
        let kind = kind_arg(py, kind)?;
        let ns = if kind.namespaced() { namespace } else { "" };
        Ok(self
            .inner
            .get(kind, ns, name)
            .ok()
            .map(|o| (o.meta.resource_version.to_string(), o.meta.uid.to_string())))
    }

    /// What decides where daemon pods run, per node, without a dict per
    /// whole Node: `(name, resourceVersion, labels, taints)` for the named
    /// nodes that exist (every node, in name order, when `names` is None);
    /// `taints` are `spec.taints` as stored (an empty list when none).
    #[pyo3(signature = (names = None))]
    fn node_placements<'py>(
        &self,
        py: Python<'py>,
        names: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let nodes: Vec<Arc<Object>> = match names {
            None => self.inner.list(Kind::Node, None, &Selector::everything()).0,
            Some(names) => names
                .iter()
                .filter_map(|n| self.inner.get(Kind::Node, "", n).ok())
                .collect(),
        };
        let out = PyList::empty(py);
        for node in &nodes {
            let taints = match node.spec_value().and_then(|s| s.get("taints")) {
                Some(t @ Value::Array(_)) => {
                    pythonize::pythonize(py, t).map_err(|e| PyValueError::new_err(e.to_string()))?
                }
                _ => PyList::empty(py).into_any(),
            };
            out.append((
                &*node.meta.name,
                node.meta.resource_version.to_string(),
                &*node.meta.labels,
                taints,
            ))?;
        }
        Ok(out)
    }

    /// The StatefulSet controller's view of a set's pods in one call, whatever
    /// the number of healthy pods: a dict with `adopt` and `release` (pod
    /// names), `members` and `slotted` (`(replicas, ready, available,
    /// {revision: created pods not being deleted})` over every member, and
    /// over the members with a valid ordinal where two pods claiming one
    /// ordinal in range count once), `revisions` (the revision labels in use),
    /// `next_available` (least positive seconds until a ready pod is
    /// available), `slots` (the ordinals from `start` on for `replicas`, as
    /// `(lo, hi, revision, pod)` by index from `start`: `pod` set for a pod
    /// needing attention, else `revision` set for pods that are Running,
    /// Ready, available and in their identity, else missing; with `ordered`
    /// nothing after the first missing or unhealthy one) and `condemned`
    /// (members out of range, highest ordinal first). A pod is `(name,
    /// ordinal, uid, phase, ready, available_in, deleting, revision,
    /// name_label, claims)`, its fields as in `stateful_pods`.
    #[pyo3(signature = (namespace, selector, owner_uid, set_name, *, start = 0, replicas = 0, min_ready_seconds = 0, volume_names = Vec::new(), ordered = true))]
    #[allow(clippy::too_many_arguments)]
    fn stateful_view<'py>(
        &self,
        py: Python<'py>,
        namespace: &str,
        selector: &Bound<'py, PyAny>,
        owner_uid: &str,
        set_name: &str,
        start: i64,
        replicas: i64,
        min_ready_seconds: i64,
        volume_names: Vec<String>,
        ordered: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        type Row = (
            String,
            i64,
            String,
            String,
            bool,
            Option<i64>,
            bool,
            String,
            Option<String>,
            Vec<Option<String>>,
        );
        let row = |p: store::pods::StatefulPod| -> Row {
            (
                p.name,
                p.ordinal,
                p.uid,
                p.phase,
                p.ready,
                p.available_in,
                p.deleting,
                p.revision,
                p.name_label,
                p.claims,
            )
        };
        let counts = |c: store::pods::StatefulCounts| {
            let by_revision: std::collections::BTreeMap<String, usize> =
                c.revisions.into_iter().collect();
            (c.replicas, c.ready, c.available, by_revision)
        };
        let sel = selector_arg(py, Some(selector))?;
        let view = self.inner.stateful_view(&store::pods::StatefulQuery {
            namespace,
            selector: &sel,
            owner_uid,
            set_name,
            start,
            replicas,
            min_ready_seconds,
            volume_names: &volume_names,
            ordered,
        });
        let slots: Vec<(usize, usize, Option<String>, Option<Row>)> = view
            .slots
            .into_iter()
            .map(|s| match s {
                store::pods::StatefulSlot::Pod(i, p) => (i, i, None, Some(row(p))),
                store::pods::StatefulSlot::Missing(lo, hi) => (lo, hi, None, None),
                store::pods::StatefulSlot::Settled(lo, hi, rev) => (lo, hi, Some(rev), None),
            })
            .collect();
        let condemned: Vec<Row> = view.condemned.into_iter().map(row).collect();
        let d = PyDict::new(py);
        d.set_item("adopt", view.adopt)?;
        d.set_item("release", view.release)?;
        d.set_item("members", counts(view.members))?;
        d.set_item("slotted", counts(view.slotted))?;
        d.set_item("revisions", view.revisions)?;
        d.set_item("next_available", view.next_available)?;
        d.set_item("slots", slots)?;
        d.set_item("condemned", condemned)?;
        Ok(d)
    }

    /// Whether an object of `kind` in `namespace` was written or deleted
    /// after `resource_version`; True as well when the change log no longer
    /// reaches back that far (or holds too many changes since to read): a
    /// controller keeps what it listed of a kind while this says False.
    /// Raises BadRequest when the version is not a number.
    fn changed_since(
        &self,
        py: Python<'_>,
        kind: &str,
        namespace: &str,
        resource_version: &str,
    ) -> PyResult<bool> {
        let kind = kind_arg(py, kind)?;
        let rv: u64 = resource_version.parse().map_err(|_| {
            bad(
                py,
                format!("invalid resource version: {resource_version:?}"),
            )
        })?;
        let ns = if kind.namespaced() { namespace } else { "" };
        Ok(self.inner.changed_since(kind, ns, rv))
    }

    /// The DaemonSet controller's per-node walk in one call, over `nodes`
    /// (names, in the order the controller walks them) with `verdicts` (one
    /// byte per node: 2 should run, 1 may keep running, 0 should not run)
    /// and the pods that `selector` matches in `namespace` and `owner_uid`
    /// controls, grouped by target node as getNodesToDaemonPods does
    /// (finished pods being deleted and pods without a target left out).
    /// Returns a dict: `need` (nodes to create a pod on) and `delete` (pods
    /// to delete), as manage would plan them, in node order; `simple`:
    /// whether that plan is complete — False when a pod targets a node not
    /// in `nodes`, a node holds a Failed pod (the failed-pod back-off is the
    /// controller's) or, with `surge`, more than one running pod, or the
    /// selector found orphans or the owner has strays; then the controller
    /// must walk the pods itself. `old`: pods not on revision `hash`, not
    /// being deleted (a rolling update has nothing to do without them).
    /// `counts`: the status over the nodes, `(desired, current,
    /// misscheduled, ready, updated, available, next_available)`, from the
    /// oldest pod on each node (`next_available`: least seconds until a
    /// ready pod is available, None when none is waiting).
    #[pyo3(signature = (namespace, selector, owner_uid, nodes, verdicts, *, hash = "", min_ready_seconds = 0, surge = false))]
    #[allow(clippy::too_many_arguments)]
    fn daemon_plan<'py>(
        &self,
        py: Python<'py>,
        namespace: &str,
        selector: &Bound<'py, PyAny>,
        owner_uid: &str,
        nodes: &Bound<'py, PyList>,
        verdicts: &Bound<'py, PyBytes>,
        hash: &str,
        min_ready_seconds: i64,
        surge: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let sel = selector_arg(py, Some(selector))?;
        // The names are read in place (thousands of them, on every sync of
        // a big cluster) and the nodes that need a pod are handed back as
        // the same string objects.
        let objects = nodes
            .iter()
            .map(|n| n.cast_into::<PyString>().map_err(PyErr::from))
            .collect::<PyResult<Vec<_>>>()?;
        let names = objects
            .iter()
            .map(|n| n.to_str())
            .collect::<PyResult<Vec<&str>>>()?;
        let plan = daemon_plan(
            &self.inner,
            namespace,
            &sel,
            owner_uid,
            &names,
            verdicts.as_bytes(),
            hash,
            min_ready_seconds,
            surge,
        );
        let need = PyList::new(py, plan.need.iter().filter_map(|&i| objects.get(i)))?;
        let d = PyDict::new(py);
        d.set_item("need", need)?;
        d.set_item("delete", plan.delete)?;
        d.set_item("simple", plan.simple)?;
        d.set_item("old", plan.old)?;
        d.set_item("counts", plan.counts)?;
        Ok(d)
    }
}

/// The node an unbound DaemonSet pod is meant for: the single value of the
/// first `metadata.name In` match field of its required node affinity
/// (`GetTargetNodeName`); None when there is none or it names several.
fn daemon_pod_target(p: &Object) -> Option<String> {
    daemon_pod_target_ref(p).map(str::to_owned)
}

/// `daemon_pod_target`, borrowed from the pod.
fn daemon_pod_target_ref(p: &Object) -> Option<&str> {
    let terms = p.pod_spec()?.required_node_terms();
    let field = terms
        .iter()
        .flat_map(|t| &t.match_fields)
        .find(|f| f.key == "metadata.name" && f.operator == "In")?;
    match field.values.as_slice() {
        [one] => Some(one.as_str()),
        _ => None,
    }
}

/// `kubectl apply` for each object, in order, inside one transaction.
fn apply_all(tx: &mut store::Tx<'_>, values: &[Value]) -> Result<Vec<Arc<Object>>, Error> {
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        out.push(apply_one(tx, v)?);
    }
    Ok(out)
}

/// Creates the object, or patches the live one toward the manifest: the
/// manifest as a strategic merge patch, plus the removal of every field the
/// previous manifest had and this one drops (from the last-applied
/// annotation), as kubectl's client-side apply does.
fn apply_one(tx: &mut store::Tx<'_>, manifest: &Value) -> Result<Arc<Object>, Error> {
    if !manifest.is_object() {
        return Err(Error::BadRequest(
            "an object must be a JSON object".to_owned(),
        ));
    }
    let kind = Kind::from_type_meta(
        manifest
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or(""),
        manifest.get("kind").and_then(Value::as_str).unwrap_or(""),
    )
    .map_err(Error::BadRequest)?;
    let meta = manifest.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let ns = meta
        .and_then(|m| m.get("namespace"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let ns = if !kind.namespaced() {
        ""
    } else if ns.is_empty() {
        "default"
    } else {
        ns
    };
    let mut annotated = manifest.clone();
    let mut recorded = manifest.clone();
    if let Some(a) = recorded
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        a.remove(LAST_APPLIED);
    }
    let record = serde_json::to_string(&recorded).unwrap_or_default() + "\n";
    if let Some(m) = annotated.as_object_mut() {
        let meta = m
            .entry("metadata")
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
        if let Some(meta) = meta.as_object_mut() {
            let ann = meta
                .entry("annotations")
                .or_insert_with(|| Value::Object(serde_json::Map::new()));
            if let Some(ann) = ann.as_object_mut() {
                ann.insert(LAST_APPLIED.to_owned(), Value::String(record));
            }
        }
    }
    if name.is_empty() {
        return tx.create(&annotated, ns);
    }
    let live = match tx.get(kind, ns, name) {
        Err(Error::NotFound { .. }) => return tx.create(&annotated, ns),
        Err(e) => return Err(e),
        Ok(live) => live,
    };
    let mut patch = annotated;
    if let Some(previous) = live
        .meta
        .annotations
        .get(LAST_APPLIED)
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
    {
        null_dropped_fields(&previous, &mut patch);
    }
    if let Some(m) = patch.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("resourceVersion");
    }
    tx.patch(kind, ns, name, &patch, PatchType::Strategic)
}

/// Sets to null, in `patch`, every object member that `previous` has and
/// `patch` lacks, recursively; in lists of named objects (containers,
/// volumes, env, …, merged by name), elements the previous manifest had and
/// this one drops get a `$patch: delete` directive, and kept ones are
/// compared member by member. What kubectl's three-way patch removes.
fn null_dropped_fields(previous: &Value, patch: &mut Value) {
    match (previous, patch) {
        (Value::Object(prev), Value::Object(next)) => {
            for (k, pv) in prev {
                match next.get_mut(k) {
                    None => {
                        next.insert(k.clone(), Value::Null);
                    }
                    Some(nv) => null_dropped_fields(pv, nv),
                }
            }
        }
        (Value::Array(prev), Value::Array(next)) => {
            let name = |v: &Value| v.get("name").and_then(Value::as_str).map(str::to_owned);
            let named = |l: &[Value]| l.iter().all(|v| name(v).is_some());
            if prev.is_empty() || !named(prev) || !named(next) {
                return;
            }
            for pv in prev {
                let Some(n) = name(pv) else { continue };
                match next
                    .iter_mut()
                    .find(|nv| name(nv).as_deref() == Some(n.as_str()))
                {
                    Some(nv) => null_dropped_fields(pv, nv),
                    None => next.push(serde_json::json!({"name": n, "$patch": "delete"})),
                }
            }
        }
        _ => {}
    }
}

struct WatchState {
    filter: Filter,
    cursor: u64,
    buffer: VecDeque<(EventType, Arc<Object>)>,
    timeout: Duration,
}

/// An iterator of watch events: `{"type": ..., "object": {...}}`.
#[pyclass(name = "Watch", module = "podcore._core", frozen)]
pub struct PyWatch {
    store: Arc<Store>,
    state: Mutex<WatchState>,
}

/// Events fetched from the log per trip.
const WATCH_BATCH: usize = 1024;

#[pymethods]
impl PyWatch {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        // Like a generator, a watch is read by one thread at a time; waiting
        // for the lock while holding the GIL could deadlock with a reader
        // that waits for news without it.
        let mut st = self
            .state
            .try_lock()
            .map_err(|_| PyValueError::new_err("watch already executing"))?;
        let deadline = Instant::now() + st.timeout;
        loop {
            if let Some((t, obj)) = st.buffer.pop_front() {
                let d = PyDict::new(py);
                d.set_item("type", t.name())?;
                d.set_item("object", object_to_py(py, &obj)?)?;
                return Ok(Some(d.into_any()));
            }
            let (events, next) = self
                .store
                .events_since(st.cursor, &st.filter, WATCH_BATCH)
                .map_err(|e| py_err(py, &e))?;
            st.cursor = next;
            if !events.is_empty() {
                st.buffer.extend(events.into_iter().map(|(_, t, o)| (t, o)));
                continue;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            let (store, cursor) = (Arc::clone(&self.store), st.cursor);
            if !py.detach(move || store.wait_past(cursor, left)) {
                return Ok(None);
            }
        }
    }

    /// The resourceVersion the watch has read up to.
    #[getter]
    fn resource_version(&self) -> PyResult<String> {
        let st = self
            .state
            .lock()
            .map_err(|_| PyValueError::new_err("watch used after a failure"))?;
        Ok(st.cursor.to_string())
    }
}

/// The simulated kubelets of a cluster's nodes (see `crate::sim::kubelet`).
#[pyclass(name = "Kubelets", module = "podcore._core", frozen)]
pub struct PyKubelets {
    inner: Mutex<crate::sim::kubelet::Kubelets>,
}

#[pymethods]
impl PyKubelets {
    #[new]
    fn new() -> Self {
        PyKubelets {
            inner: Mutex::new(crate::sim::kubelet::Kubelets::new()),
        }
    }

    /// Runs every kubelet up to `now` (simulated seconds since the cluster
    /// started): pods newly bound start, due transitions apply, deleted pods
    /// stop. Returns when the next transition falls due, or None.
    fn sync(&self, py: Python<'_>, store: &PyStore, now: f64) -> PyResult<Option<f64>> {
        let store = Arc::clone(&store.inner);
        py.detach(|| {
            guarded(std::panic::AssertUnwindSafe(|| {
                let mut k = self
                    .inner
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                k.sync(&store, now, store::time::EPOCH)
            }))
        })
    }

    /// Makes the running containers of a pod exit with `exit_code` at `now`;
    /// False if no kubelet runs the pod.
    fn fail_pod(&self, namespace: &str, name: &str, exit_code: i32, now: f64) -> bool {
        let mut k = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        k.fail_pod(&format!("{namespace}/{name}"), exit_code, now)
    }

    /// Stops (or resumes) the kubelet of `node`.
    fn set_node_down(&self, node: &str, down: bool) {
        let mut k = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        k.set_node_down(node, down);
    }
}

/// What `PyStore::daemon_plan` returns.
#[derive(Debug, Default, PartialEq)]
struct DaemonPlan {
    /// The nodes that need a pod, as indexes into the nodes walked.
    need: Vec<usize>,
    delete: Vec<String>,
    simple: bool,
    old: usize,
    counts: (usize, usize, usize, usize, usize, usize, Option<i64>),
}

/// One pod as the DaemonSet controller's node walk reads it.
struct DaemonPodRow<'a> {
    name: &'a str,
    bound: bool,
    phase: &'a str,
    deleting: bool,
    available_in: Option<i64>,
    created: i64,
    hash: Option<&'a str>,
}

impl DaemonPodRow<'_> {
    /// podByCreationTimestampAndPhase: bound pods first, then oldest, then name.
    fn creation_key(&self) -> (bool, i64, &str) {
        (!self.bound, self.created, self.name)
    }
}

/// The node walk of `PyStore::daemon_plan` (see there).
#[allow(clippy::too_many_arguments)]
fn daemon_plan(
    store: &Store,
    namespace: &str,
    selector: &Selector,
    owner_uid: &str,
    nodes: &[&str],
    verdicts: &[u8],
    hash: &str,
    min_ready_seconds: i64,
    surge: bool,
) -> DaemonPlan {
    let pods = store.selected_pods(namespace, selector);
    let now = store.now();
    let index: std::collections::HashMap<&str, usize> =
        nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    // Every pod's row with the index of its node.
    let mut rows: Vec<(usize, DaemonPodRow<'_>)> = Vec::with_capacity(pods.len());
    let mut plan = DaemonPlan {
        simple: true,
        ..DaemonPlan::default()
    };
    let mut owned = 0;
    let mut orphans = Vec::new();
    for p in &pods {
        let Some(status) = p.pod_status() else {
            continue;
        };
        if !owned_or_orphan(p, owner_uid, &mut orphans) {
            continue;
        }
        owned += 1;
        let phase = status.phase.as_str();
        let terminal = matches!(phase, "Succeeded" | "Failed");
        if terminal && p.deleting() {
            continue;
        }
        let target = match p.node_name() {
            Some(n) => Some(n),
            None => daemon_pod_target_ref(p),
        };
        let Some(target) = target else { continue };
        let Some(&at) = index.get(target) else {
            // Meant for a node that is gone: the controller's own walk
            // deletes or collects it.
            plan.simple = false;
            continue;
        };
        let available_in = store::pods::ready_since(status).map(|since| {
            if min_ready_seconds == 0 {
                0
            } else {
                (since.saturating_add(min_ready_seconds) - now).max(0)
            }
        });
        let row = DaemonPodRow {
            name: &p.meta.name,
            bound: p.node_name().is_some(),
            phase,
            deleting: p.deleting(),
            available_in,
            created: p.meta.created,
            hash: p.meta.labels.get(DAEMON_HASH_LABEL).map(String::as_str),
        };
        if !row.deleting && (hash.is_empty() || row.hash != Some(hash)) {
            plan.old += 1;
        }
        rows.push((at, row));
    }
    if !orphans.is_empty() || store.owned_pod_total(owner_uid) > owned {
        plan.simple = false;
    }
    // By node, in the node walk's order; the controller walks a node's
    // pods in name order.
    rows.sort_unstable_by(|(a, pa), (b, pb)| a.cmp(b).then_with(|| pa.name.cmp(pb.name)));
    let mut rows = rows.as_slice();
    let (mut desired, mut current, mut misscheduled) = (0, 0, 0);
    let (mut ready, mut updated, mut available) = (0, 0, 0);
    let mut next_available: Option<i64> = None;
    for i in 0..nodes.len() {
        let verdict = verdicts.get(i).copied().unwrap_or(0);
        let (should_run, should_continue) = (verdict >= 2, verdict >= 1);
        let (here, rest) = rows.split_at(rows.partition_point(|(at, _)| *at == i));
        rows = rest;
        let on_node = || here.iter().map(|(_, row)| row);
        // Status: from the oldest pod on the node.
        if should_run {
            desired += 1;
            if let Some(pod) = on_node().min_by(|a, b| a.creation_key().cmp(&b.creation_key())) {
                current += 1;
                if let Some(left) = pod.available_in {
                    ready += 1;
                    if left == 0 {
                        available += 1;
                    } else if next_available.is_none_or(|n| left < n) {
                        next_available = Some(left);
                    }
                }
                if !hash.is_empty() && pod.hash == Some(hash) {
                    updated += 1;
                }
            }
        } else if !here.is_empty() {
            misscheduled += 1;
        }
        // Manage: podsShouldBeOnNode.
        if should_run && here.is_empty() {
            plan.need.push(i);
        } else if should_continue {
            let mut running: Vec<&DaemonPodRow<'_>> = Vec::new();
            for p in on_node() {
                if p.deleting {
                    continue;
                }
                match p.phase {
                    "Failed" => plan.simple = false,
                    "Succeeded" => plan.delete.push(p.name.to_owned()),
                    _ => running.push(p),
                }
            }
            if !surge {
                if running.len() > 1 {
                    running.sort_by(|a, b| a.creation_key().cmp(&b.creation_key()));
                    plan.delete
                        .extend(running.iter().skip(1).map(|p| p.name.to_owned()));
                }
            } else if running.len() > 1 {
                plan.simple = false;
            } else if running.is_empty() && should_run {
                plan.need.push(i);
            }
        } else {
            plan.delete
                .extend(on_node().filter(|p| !p.deleting).map(|p| p.name.to_owned()));
        }
    }
    plan.counts = (
        desired,
        current,
        misscheduled,
        ready,
        updated,
        available,
        next_available,
    );
    plan
}

/// The label naming a daemon pod's ControllerRevision.
const DAEMON_HASH_LABEL: &str = "controller-revision-hash";

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    const OWNER: &str = "0d2f7c1e-7a4b-4c1d-9e2f-000000000001";

    fn daemon_pod(name: &str, node: Option<&str>, target: &str, hash: &str) -> Value {
        let mut spec = json!({
            "containers": [{"name": "c", "image": "agent:1"}],
            "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchFields": [
                    {"key": "metadata.name", "operator": "In", "values": [target]}
                ]}]
            }}}
        });
        if let Some(n) = node {
            spec["nodeName"] = json!(n);
        }
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {
                "name": name,
                "labels": {"app": "agent", "controller-revision-hash": hash},
                "ownerReferences": [{
                    "apiVersion": "apps/v1", "kind": "DaemonSet", "name": "agent",
                    "uid": OWNER, "controller": true
                }]
            },
            "spec": spec
        })
    }

    fn plan(store: &Store, nodes: &[&str], verdicts: &[u8], surge: bool) -> DaemonPlan {
        let sel = Selector::parse("app=agent").unwrap();
        daemon_plan(
            store, "default", &sel, OWNER, nodes, verdicts, "h1", 0, surge,
        )
    }

    #[test]
    fn daemon_plan_creates_on_empty_nodes_and_deletes_where_none_should_run() {
        let s = Store::new(0, 100);
        s.create(&daemon_pod("a", Some("n1"), "n1", "h1"), "")
            .unwrap();
        s.create(&daemon_pod("b", None, "n2", "h0"), "").unwrap();
        s.create(&daemon_pod("d", None, "n4", "h1"), "").unwrap();
        let p = plan(&s, &["n1", "n2", "n3", "n4"], &[2, 2, 2, 0], false);
        assert!(p.simple);
        assert_eq!(p.need, vec![2]);
        assert_eq!(p.delete, vec!["d".to_owned()]);
        assert_eq!(p.old, 1);
        // desired, current, misscheduled, ready, updated, available.
        assert_eq!(p.counts, (3, 2, 1, 0, 1, 0, None));
    }

    #[test]
    fn daemon_plan_keeps_the_oldest_of_several_pods_on_a_node() {
        let s = Store::new(0, 100);
        s.create(&daemon_pod("b", None, "n1", "h1"), "").unwrap();
        s.create(&daemon_pod("a", Some("n1"), "n1", "h1"), "")
            .unwrap();
        let p = plan(&s, &["n1"], &[2], false);
        assert!(p.simple);
        assert!(p.need.is_empty());
        // Same creation second: the bound pod is kept.
        assert_eq!(p.delete, vec!["b".to_owned()]);
        assert_eq!(p.counts, (1, 1, 0, 0, 1, 0, None));
    }

    #[test]
    fn daemon_plan_leaves_pods_for_a_missing_node_or_a_surge_to_the_controller() {
        let s = Store::new(0, 100);
        s.create(&daemon_pod("a", None, "gone", "h1"), "").unwrap();
        assert!(!plan(&s, &["n1"], &[2], false).simple);
        let s = Store::new(0, 100);
        s.create(&daemon_pod("a", Some("n1"), "n1", "h0"), "")
            .unwrap();
        s.create(&daemon_pod("b", None, "n1", "h1"), "").unwrap();
        assert!(!plan(&s, &["n1"], &[2], true).simple);
        assert!(plan(&s, &["n1"], &[2], false).simple);
    }
}
