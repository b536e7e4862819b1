//! The Python face of the core: `podcore._core`. The only file that knows
//! about PyO3: it converts arguments, releases the GIL around batch work and
//! turns `Error`s into podcore's exceptions.

use crate::errors::{go_value, Error, ErrorType, FieldError};
use crate::input::{self, DecodeError, MAX_DEPTH};
use crate::model::Pod;
use crate::validate;
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use rayon::prelude::*;
use serde_json::{Map, Number, Value};

mod dicts;
mod store;

// Not `mod diff`: the `diff` pyfunction below already defines a module of
// that name.
#[path = "diff.rs"]
mod object_diff;

/// `podcore.FieldError`: one validation problem, as Kubernetes' `field.Error`.
#[pyclass(name = "FieldError", module = "podcore", frozen)]
pub struct PyFieldError {
    inner: FieldError,
}

#[pymethods]
impl PyFieldError {
    #[new]
    #[pyo3(signature = (field, r#type, detail = "", bad_value = None))]
    fn new(
        field: String,
        r#type: &str,
        detail: &str,
        bad_value: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let kind = ErrorType::from_name(r#type)
            .ok_or_else(|| PyTypeError::new_err(format!("unknown field error type {type:?}")))?;
        let bad_value = bad_value.map(|v| py_to_value(v, 0)).transpose()?;
        Ok(PyFieldError {
            inner: FieldError::new(kind, field, bad_value, detail),
        })
    }

    /// The field path as Kubernetes prints it, e.g. `spec.containers[0].image`.
    #[getter]
    fn field(&self) -> &str {
        &self.inner.field
    }

    /// Kubernetes' ErrorType string, e.g. `FieldValueRequired`.
    #[getter]
    fn r#type(&self) -> &'static str {
        self.inner.kind.name()
    }

    #[getter]
    fn detail(&self) -> &str {
        &self.inner.detail
    }

    /// The rejected value, or None where Kubernetes does not report one.
    #[getter]
    fn bad_value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.inner.bad_value {
            None => Ok(py.None().into_bound(py)),
            Some(v) => value_to_py(py, v),
        }
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        let value = self
            .inner
            .bad_value
            .as_ref()
            .map_or_else(|| "None".to_owned(), go_value);
        format!(
            "FieldError(field={:?}, type={:?}, detail={:?}, bad_value={value})",
            self.inner.field,
            self.inner.kind.name(),
            self.inner.detail
        )
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyFieldError>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.inner.field.hash(&mut h);
        self.inner.kind.hash(&mut h);
        self.inner.detail.hash(&mut h);
        h.finish()
    }
}

/// The exception classes live in `podcore.errors`, so Python code can raise
/// and subclass them like any other; they are looked up once.
fn error_class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    let module = MODULE.get_or_try_init(py, || py.import("podcore.errors").map(Bound::unbind))?;
    module.bind(py).getattr(name)
}

fn to_pyerr(py: Python<'_>, err: &Error) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let class = error_class(py, err.reason_class())?;
        let message = err.to_string();
        let instance = match err {
            Error::Invalid { errors, .. } => {
                let list = into_field_errors(py, errors.clone())?;
                class.call1((message, list))?
            }
            _ => class.call1((message,))?,
        };
        Ok(PyErr::from_value(instance))
    };
    build().unwrap_or_else(|e| e)
}

impl Error {
    /// The `podcore.errors` class: named by the Status reason, but for 410,
    /// whose reason (`Expired`) is not the class name users know (`Gone`).
    fn reason_class(&self) -> &'static str {
        match self {
            Error::Gone(_) => "Gone",
            other => other.reason(),
        }
    }
}

fn into_field_errors(py: Python<'_>, errs: Vec<FieldError>) -> PyResult<Bound<'_, PyList>> {
    let items: Vec<PyFieldError> = errs
        .into_iter()
        .map(|inner| PyFieldError { inner })
        .collect();
    PyList::new(py, items)
}

/// Runs `f`, turning a Rust panic into a Python exception instead of an abort.
fn guarded<T>(f: impl FnOnce() -> T + std::panic::UnwindSafe) -> PyResult<T> {
    std::panic::catch_unwind(f).map_err(|p| {
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        PyRuntimeError::new_err(format!("podcore internal error: {msg}"))
    })
}

// ---------------------------------------------------------------- conversion

/// A Python object converted to JSON: dicts, lists, tuples, str, int, float,
/// bool and None. Anything else is a TypeError; nesting is bounded.
pub fn py_to_value(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(bad_request(
            obj.py(),
            &format!("object nested deeper than {MAX_DEPTH} levels"),
        ));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_str()?.to_owned()));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let key = k.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "object keys must be strings, not {}",
                    type_name(&k)
                ))
            })?;
            map.insert(key.to_str()?.to_owned(), py_to_value(&v, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(bad_request(obj.py(), "integer out of range"));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| bad_request(obj.py(), "NaN and infinity are not JSON numbers"));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return l
            .iter()
            .map(|v| py_to_value(&v, depth + 1))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return t
            .iter()
            .map(|v| py_to_value(&v, depth + 1))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array);
    }
    Err(PyTypeError::new_err(format!(
        "cannot convert {} to JSON",
        type_name(obj)
    )))
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "object".to_owned(), |n| n.to_string())
}

fn bad_request(py: Python<'_>, msg: &str) -> PyErr {
    to_pyerr(py, &Error::BadRequest(msg.to_owned()))
}

/// JSON converted to Python objects.
pub fn value_to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(a) => {
            let items = a
                .iter()
                .map(|x| value_to_py(py, x))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        Value::Object(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                d.set_item(k, value_to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

/// An "object" argument: a dict, or JSON/YAML text as str or bytes.
enum Source<'a> {
    Text(&'a [u8]),
    Value(Value),
}

fn source<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<Source<'a>> {
    let text: &[u8] = if let Ok(b) = obj.cast::<PyBytes>() {
        b.as_bytes()
    } else if let Ok(s) = obj.cast::<PyString>() {
        s.to_str()?.as_bytes()
    } else if obj.is_instance_of::<PyDict>() {
        return Ok(Source::Value(py_to_value(obj, 0)?));
    } else {
        return Err(PyTypeError::new_err(format!(
            "expected a dict, or JSON or YAML text as str or bytes, not {}",
            type_name(obj)
        )));
    };
    match text.iter().find(|c| !c.is_ascii_whitespace()) {
        Some(b'{') => Ok(Source::Text(text)),
        _ => Ok(Source::Value(yaml_to_value(obj.py(), text)?)),
    }
}

/// YAML is read by PyYAML, as kubectl reads it with a YAML library of its own.
fn yaml_to_value(py: Python<'_>, text: &[u8]) -> PyResult<Value> {
    static LOADER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let loader = LOADER.get_or_try_init(py, || {
        py.import("podcore._yaml")
            .and_then(|m| m.getattr("load_one"))
            .map(Bound::unbind)
    })?;
    let obj = loader.bind(py).call1((PyBytes::new(py, text),))?;
    py_to_value(&obj, 0)
}

fn decode_pod(src: Source<'_>) -> Result<Pod, DecodeError> {
    match src {
        Source::Text(t) => input::pod_from_slice(t),
        Source::Value(v) => input::pod_from_value(v),
    }
}

fn decode_pod_without_status(src: Source<'_>) -> Result<Pod, DecodeError> {
    match src {
        Source::Text(t) => input::pod_without_status_from_slice(t),
        Source::Value(v) => input::pod_from_value(v),
    }
}

/// A decode failure: a field of the wrong type is a validation finding; a
/// document that is not an object at all is a BadRequest.
fn verdict(result: Result<Vec<FieldError>, DecodeError>) -> Result<Vec<FieldError>, Error> {
    match result {
        Ok(errs) => Ok(errs),
        Err(DecodeError::Field(f)) => Ok(vec![*f]),
        Err(DecodeError::Malformed(m)) => Err(Error::BadRequest(m)),
    }
}

// ---------------------------------------------------------------- functions

/// Validates a pod as kube-apiserver does on create.
#[pyfunction]
fn validate_pod<'py>(py: Python<'py>, pod: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
    let src = source(pod)?;
    let result = guarded(move || verdict(decode_pod(src).map(validate::check_pod_create)))?;
    into_field_errors(py, result.map_err(|e| to_pyerr(py, &e))?)
}

/// Validates an update of the pods resource from `old` to `new`.
#[pyfunction]
fn validate_pod_update<'py>(
    py: Python<'py>,
    old: &Bound<'py, PyAny>,
    new: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyList>> {
    let (old, new) = (source(old)?, source(new)?);
    let result = guarded(move || verdict(check_update(old, new)))?;
    into_field_errors(py, result.map_err(|e| to_pyerr(py, &e))?)
}

fn check_update(old: Source<'_>, new: Source<'_>) -> Result<Vec<FieldError>, DecodeError> {
    // The verdict never reads a status (the update's preparation replaces
    // the new one with the stored one): both are checked, not built.
    let old = decode_pod_without_status(old)?;
    let new = decode_pod_without_status(new)?;
    Ok(validate::check_pod_update(new, old))
}

/// Validates many (old, new) pairs at once, with the GIL released and the
/// work spread over the machine's cores (or `threads=1`: on this thread only).
#[pyfunction]
#[pyo3(signature = (pairs, *, threads = None))]
fn validate_pod_updates<'py>(
    py: Python<'py>,
    pairs: &Bound<'py, PyAny>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyList>> {
    let items: Vec<Bound<'py, PyAny>> = pairs.try_iter()?.collect::<PyResult<_>>()?;
    let mut halves: Vec<(Bound<'py, PyAny>, Bound<'py, PyAny>)> = Vec::with_capacity(items.len());
    for item in &items {
        let pair: (Bound<'py, PyAny>, Bound<'py, PyAny>) = item.extract().map_err(|_| {
            PyTypeError::new_err("validate_pod_updates takes an iterable of (old, new) pairs")
        })?;
        halves.push(pair);
    }
    let mut sources = Vec::with_capacity(halves.len());
    for (old, new) in &halves {
        sources.push((source(old)?, source(new)?));
    }
    let one = |(old, new)| verdict(check_update(old, new));
    let results = py.detach(move || {
        guarded(move || {
            if threads == Some(1) {
                sources.into_iter().map(one).collect::<Vec<_>>()
            } else {
                sources.into_par_iter().map(one).collect::<Vec<_>>()
            }
        })
    })?;
    let out = PyList::empty(py);
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Ok(errs) => out.append(into_field_errors(py, errs)?)?,
            Err(Error::BadRequest(m)) => {
                return Err(to_pyerr(py, &Error::BadRequest(format!("pair {i}: {m}"))));
            }
            Err(e) => return Err(to_pyerr(py, &e)),
        }
    }
    Ok(out)
}

/// The pod with the API's defaults filled in, as the apiserver stores it.
#[pyfunction]
fn apply_defaults<'py>(py: Python<'py>, obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let src = source(obj)?;
    let pod = guarded(move || {
        decode_pod(src).map(|mut p| {
            crate::defaults::pod(&mut p);
            p
        })
    })?
    .map_err(|e| to_pyerr(py, &Error::from(e)))?;
    dicts::to_py(py, &pod)
}

/// The warnings kube-apiserver returns with a pod (create: `old` is None).
#[pyfunction]
#[pyo3(signature = (pod, old = None))]
fn pod_warnings(
    py: Python<'_>,
    pod: &Bound<'_, PyAny>,
    old: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<String>> {
    let src = source(pod)?;
    let old_src = old.map(source).transpose()?;
    let result = guarded(move || -> Result<Vec<String>, DecodeError> {
        let raw: Value = match &src {
            Source::Text(t) => serde_json::from_slice(t).unwrap_or(Value::Null),
            Source::Value(v) => v.clone(),
        };
        let mut warnings = input::unknown_pod_fields(&raw);
        let mut pod = decode_pod(src)?;
        crate::defaults::pod(&mut pod);
        let old = match old_src {
            Some(s) => {
                let mut o = decode_pod(s)?;
                crate::defaults::pod(&mut o);
                Some(o)
            }
            None => None,
        };
        warnings.extend(validate::warnings::pod_warnings(&pod, old.as_ref()));
        Ok(warnings)
    })?;
    result.map_err(|e| to_pyerr(py, &Error::from(e)))
}

// ------------------------------------------------------------ diff and patch

/// Any JSON value from an "object" argument (dict, list, or JSON/YAML text).
fn any_value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        return py_to_value(obj, 0);
    }
    match source(obj)? {
        Source::Value(v) => Ok(v),
        Source::Text(t) => serde_json::from_slice(t)
            .map_err(|e| bad_request(obj.py(), &format!("invalid JSON: {e}"))),
    }
}

fn patch_result(
    py: Python<'_>,
    r: Result<Value, crate::patch::PatchError>,
) -> PyResult<Bound<'_, PyAny>> {
    match r {
        Ok(v) => value_to_py(py, &v),
        Err(e) => Err(bad_request(py, &e.message)),
    }
}

/// The RFC 6902 operations that turn `old` into `new`: any JSON values, taken
/// as they are (a `str` is a JSON string here, not text to parse).
#[pyfunction]
fn diff<'py>(
    py: Python<'py>,
    old: &Bound<'py, PyAny>,
    new: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    object_diff::diff(py, old, new)
}

/// `obj` with an RFC 6902 JSON Patch applied; the input is left unchanged.
#[pyfunction]
fn apply_json_patch<'py>(
    py: Python<'py>,
    obj: &Bound<'py, PyAny>,
    ops: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let (doc, ops) = (any_value(obj)?, any_value(ops)?);
    let r = guarded(move || crate::patch::apply_json_patch(&doc, &ops))?;
    patch_result(py, r)
}

/// `obj` with an RFC 7386 JSON Merge Patch applied.
#[pyfunction]
fn apply_merge_patch<'py>(
    py: Python<'py>,
    obj: &Bound<'py, PyAny>,
    patch: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let (doc, patch) = (any_value(obj)?, any_value(patch)?);
    let merged = guarded(move || crate::patch::apply_merge_patch(&doc, &patch))?;
    value_to_py(py, &merged)
}

/// `obj` with a Kubernetes strategic merge patch applied, using the patch
/// strategies of the object's kind (or `kind`, when given).
#[pyfunction]
#[pyo3(signature = (obj, patch, *, kind = None))]
fn apply_strategic_merge_patch<'py>(
    py: Python<'py>,
    obj: &Bound<'py, PyAny>,
    patch: &Bound<'py, PyAny>,
    kind: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let (doc, patch) = (any_value(obj)?, any_value(patch)?);
    let kind = kind
        .or_else(|| doc.get("kind").and_then(Value::as_str).map(str::to_owned))
        .ok_or_else(|| {
            bad_request(
                py,
                "the object has no kind; pass kind= to choose the patch strategies",
            )
        })?;
    let r = guarded(move || crate::patch::apply_strategic_merge_patch(&doc, &patch, &kind))?;
    patch_result(py, r)
}

/// A CronJob schedule parsed as the apiserver and the CronJob controller
/// parse it (robfig/cron's standard parser): `{"minute", "hour", "dom",
/// "month", "dow"}` bit masks (bit 63: written as `*` or `?`), or
/// `{"every": seconds}`, each with the `location` of a `TZ=` prefix.
/// ValueError with the parser's message when it does not parse.
#[pyfunction]
fn cron_schedule<'py>(py: Python<'py>, spec: &str) -> PyResult<Bound<'py, PyDict>> {
    use crate::workload::cron::{parse_standard, Schedule};
    let schedule = parse_standard(spec).map_err(pyo3::exceptions::PyValueError::new_err)?;
    let out = PyDict::new(py);
    let location = match schedule {
        Schedule::Spec {
            minute,
            hour,
            dom,
            month,
            dow,
            location,
        } => {
            for (key, bits) in [
                ("minute", minute),
                ("hour", hour),
                ("dom", dom),
                ("month", month),
                ("dow", dow),
            ] {
                out.set_item(key, bits)?;
            }
            location
        }
        Schedule::Every { seconds, location } => {
            out.set_item("every", seconds)?;
            location
        }
    };
    out.set_item("location", location)?;
    Ok(out)
}

#[pymodule(name = "_core")]
mod core_module {
    #[pymodule_export]
    use super::cron_schedule;
    #[pymodule_export]
    use super::object_diff::diff_values;
    #[pymodule_export]
    use super::store::{PyKubelets, PyStore, PyWatch};
    #[pymodule_export]
    use super::{
        apply_defaults, apply_json_patch, apply_merge_patch, apply_strategic_merge_patch, diff,
        pod_warnings, validate_pod, validate_pod_update, validate_pod_updates, PyFieldError,
    };

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        crate::tune_allocator();
        m.add("__version__", env!("CARGO_PKG_VERSION"))
    }

    use pyo3::prelude::*;
}
