//! Stored objects as Python dicts, built straight from the typed model.
//!
//! A `serde` serializer whose output is Python objects, in the shape
//! `pythonize` gives (and so the shape of the objects' JSON: the same keys in
//! the same order, Go's `omitempty`), with two savings that matter when a
//! `list` or a watch turns thousands of pods into dicts:
//!
//! - The field names of the typed model are `&'static str`s; each becomes a
//!   Python string once per process and is reused from then on, hash
//!   included, instead of a new string (hashed again on insertion) per field
//!   per object.
//! - A pod bound to a node is written with its shared spec and the node name
//!   put in place, instead of a copy of the spec with the name set.
//! - The parts the store shares between objects (the spec and initial status
//!   of the pods made from one template, their labels, annotations and owner
//!   references) are converted once while shared, and each object gets a copy
//!   of the dicts and lists made from them: copying a dict clones its table,
//!   keys, hashes and immutable values included, which is much cheaper than
//!   making its strings again.
//!
//! Everything returned is new: dicts and lists are never shared between
//! results, nor with the cache; only immutable values (strings, numbers,
//! booleans, None) are.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, Weak};

use pyo3::exceptions::PyValueError;
use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use pyo3::IntoPyObjectExt;
use serde::ser::{self, Serialize};

use crate::model::{OwnerReference, PodSpec, PodStatus, StringMap};
use crate::store::{time, Body, Meta, Object};

/// `object` as the dict the API serves.
pub fn object_to_py<'py>(py: Python<'py>, object: &Object) -> PyResult<Bound<'py, PyAny>> {
    let mut conv = Conv::new(py);
    let out = conv.object(object);
    conv.finish();
    out.map_err(|e| e.0)
}

/// Several objects as a list of dicts, sharing one lookup of the key cache.
pub fn objects_to_py<'py, 'o>(
    py: Python<'py>,
    objects: impl IntoIterator<Item = &'o Object>,
) -> PyResult<Bound<'py, PyList>> {
    let mut conv = Conv::new(py);
    let items: Result<Vec<_>, ConvError> = objects.into_iter().map(|o| conv.object(o)).collect();
    conv.finish();
    PyList::new(py, items.map_err(|e| e.0)?)
}

/// Any serializable value as Python objects, in `pythonize`'s shape.
pub fn to_py<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let mut conv = Conv::new(py);
    let out = value.serialize(&mut conv);
    conv.finish();
    out.map_err(|e| e.0)
}

/// A static string's address and length: the same text at the same address
/// for the life of the process.
type StaticKey = (usize, usize);

/// Hashes the address and length of a static string: both are already
/// well spread, so one multiplication mixes them enough.
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(26) ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type KeyMap = HashMap<StaticKey, Py<PyString>, BuildHasherDefault<AddressHasher>>;

/// Python objects made for the static strings and the shared parts seen so
/// far. A conversion takes them out and puts them back when done, so nothing
/// is locked while Python code runs (a conversion may run a garbage
/// collection, and finalizers may convert objects themselves: such a nested
/// conversion starts with empty caches of its own).
static CACHES: Mutex<Option<Caches>> = Mutex::new(None);

#[derive(Default)]
struct Caches {
    keys: KeyMap,
    specs: Shared<PodSpec>,
    statuses: Shared<PodStatus>,
    maps: Shared<StringMap>,
    owners: Shared<Vec<OwnerReference>>,
}

impl Caches {
    fn size(&self) -> usize {
        self.keys.len()
            + self.specs.0.len()
            + self.statuses.0.len()
            + self.maps.0.len()
            + self.owners.0.len()
    }
}

/// How many shared parts of one type are kept converted. A `list` or a watch
/// replay meets the parts of a few templates at a time.
const SHARED_KEPT: usize = 256;

/// The Python form of shared parts, by the address of their `Arc`. The
/// `Weak` keeps the address from being reused while the entry exists, so an
/// entry found for a live `Arc` was made from that very `Arc`'s value (the
/// store never changes a shared value: a change makes a new one).
struct Shared<T>(HashMap<usize, (Weak<T>, Py<PyAny>), BuildHasherDefault<AddressHasher>>);

impl<T> Default for Shared<T> {
    fn default() -> Self {
        Shared(HashMap::default())
    }
}

/// A conversion in progress.
pub struct Conv<'py> {
    py: Python<'py>,
    caches: Caches,
    /// A node name to write as the `nodeName` of the next struct serialized
    /// (a pod's spec stored without it).
    node_name: Option<Arc<str>>,
}

impl<'py> Conv<'py> {
    fn new(py: Python<'py>) -> Self {
        let caches = CACHES
            .lock()
            .ok()
            .and_then(|mut cached| cached.take())
            .unwrap_or_default();
        Conv {
            py,
            caches,
            node_name: None,
        }
    }

    /// Gives the caches back for the next conversion; of two nested
    /// conversions the larger caches are kept.
    fn finish(self) {
        if let Ok(mut cached) = CACHES.lock() {
            if cached
                .as_ref()
                .is_none_or(|c| c.size() < self.caches.size())
            {
                *cached = Some(self.caches);
            }
        }
    }

    /// The Python string for a static string, made once.
    fn key(&mut self, key: &'static str) -> Bound<'py, PyString> {
        let py = self.py;
        self.caches
            .keys
            .entry((key.as_ptr() as usize, key.len()))
            .or_insert_with(|| PyString::new(py, key).unbind())
            .bind(py)
            .clone()
    }

    /// A shared part as new Python objects: from the cache when the part is
    /// shared (another object holds it too), converted directly otherwise.
    fn shared<T: Serialize>(
        &mut self,
        part: &Arc<T>,
        cache: fn(&mut Caches) -> &mut Shared<T>,
    ) -> Out<'py> {
        if Arc::strong_count(part) < 2 {
            return (**part).serialize(&mut *self);
        }
        let address = Arc::as_ptr(part) as usize;
        let py = self.py;
        if let Some((_, made)) = cache(&mut self.caches).0.get(&address) {
            let made = made.bind(py).clone();
            return Ok(fresh(&made, 0)?);
        }
        let made = (**part).serialize(&mut *self)?;
        let entries = &mut cache(&mut self.caches).0;
        if entries.len() >= SHARED_KEPT {
            entries.retain(|_, (weak, _)| weak.strong_count() > 0);
            if entries.len() >= SHARED_KEPT {
                entries.clear();
            }
        }
        entries.insert(address, (Arc::downgrade(part), made.clone().unbind()));
        Ok(fresh(&made, 0)?)
    }

    /// A pod's spec, with `node` as its `nodeName`. The cached form of a
    /// shared spec has a `nodeName` member in its place (whatever the pods'
    /// nodes), which each copy sets or drops.
    fn pod_spec(&mut self, spec: &Arc<PodSpec>, node: Option<&Arc<str>>) -> Out<'py> {
        let py = self.py;
        if Arc::strong_count(spec) < 2 || !spec.node_name.is_empty() {
            self.node_name = node.cloned();
            let out = (**spec).serialize(&mut *self);
            self.node_name = None;
            return out;
        }
        let address = Arc::as_ptr(spec) as usize;
        let cached = self
            .caches
            .specs
            .0
            .get(&address)
            .map(|(_, made)| made.bind(py).clone());
        let made = match cached {
            Some(made) => made,
            None => {
                self.node_name = Some(Arc::from(""));
                let made = (**spec).serialize(&mut *self);
                self.node_name = None;
                let made = made?;
                let entries = &mut self.caches.specs.0;
                if entries.len() >= SHARED_KEPT {
                    entries.retain(|_, (weak, _)| weak.strong_count() > 0);
                    if entries.len() >= SHARED_KEPT {
                        entries.clear();
                    }
                }
                entries.insert(address, (Arc::downgrade(spec), made.clone().unbind()));
                made
            }
        };
        let out = fresh(&made, 0)?;
        let dict = out.cast::<PyDict>().map_err(PyErr::from)?;
        let name = self.key(NODE_NAME);
        match node {
            Some(node) => dict.set_item(name, PyString::new(py, node))?,
            None => dict.del_item(name)?,
        }
        Ok(out)
    }

    /// Metadata as `MetaView` (`crate::store::object`) writes it, field for
    /// field, with the shared maps and owner references from the cache.
    fn meta(&mut self, m: &Meta) -> Out<'py> {
        let py = self.py;
        let out = PyDict::new(py);
        out.set_item(self.key("name"), PyString::new(py, &m.name))?;
        if let Some(g) = &m.generate_name {
            out.set_item(self.key("generateName"), PyString::new(py, g))?;
        }
        if !m.namespace.is_empty() {
            out.set_item(self.key("namespace"), PyString::new(py, &m.namespace))?;
        }
        out.set_item(self.key("uid"), PyString::new(py, &m.uid.to_string()))?;
        let version = m.resource_version.to_string();
        out.set_item(self.key("resourceVersion"), PyString::new(py, &version))?;
        if m.generation != 0 {
            out.set_item(self.key("generation"), m.generation)?;
        }
        let created = time::format(m.created);
        out.set_item(self.key("creationTimestamp"), PyString::new(py, &created))?;
        if let Some(d) = m.deletion {
            let at = time::format(d.at);
            out.set_item(self.key("deletionTimestamp"), PyString::new(py, &at))?;
            out.set_item(self.key("deletionGracePeriodSeconds"), d.grace_seconds)?;
        }
        if !m.labels.is_empty() {
            let labels = self.shared(&m.labels, |c| &mut c.maps)?;
            out.set_item(self.key("labels"), labels)?;
        }
        if !m.annotations.is_empty() {
            let annotations = self.shared(&m.annotations, |c| &mut c.maps)?;
            out.set_item(self.key("annotations"), annotations)?;
        }
        if !m.owner_references.is_empty() {
            let owners = self.shared(&m.owner_references, |c| &mut c.owners)?;
            out.set_item(self.key("ownerReferences"), owners)?;
        }
        if !m.finalizers.is_empty() {
            out.set_item(self.key("finalizers"), m.finalizers.serialize(&mut *self)?)?;
        }
        Ok(out.into_any())
    }

    /// A stored object, in the order and shape of its `Serialize`
    /// implementation (`crate::store::object`), which defines the JSON.
    fn object(&mut self, object: &Object) -> Result<Bound<'py, PyAny>, ConvError> {
        let py = self.py;
        let out = PyDict::new(py);
        let api_version = self.key(object.kind.api_version());
        out.set_item(intern!(py, "apiVersion"), api_version)?;
        let kind = self.key(object.kind.name());
        out.set_item(intern!(py, "kind"), kind)?;
        out.set_item(intern!(py, "metadata"), self.meta(&object.meta)?)?;
        match &object.body {
            Body::Pod { spec, node, status } => {
                let spec = self.pod_spec(spec, node.as_ref())?;
                out.set_item(intern!(py, "spec"), spec)?;
                let status = self.shared(status, |c| &mut c.statuses)?;
                out.set_item(intern!(py, "status"), status)?;
            }
            Body::Json(fields) => {
                for (key, value) in fields.iter() {
                    out.set_item(PyString::new(py, key), value.serialize(&mut *self)?)?;
                }
            }
        }
        Ok(out.into_any())
    }
}

/// A Python error raised while converting.
pub struct ConvError(PyErr);

impl From<PyErr> for ConvError {
    fn from(e: PyErr) -> Self {
        ConvError(e)
    }
}

impl fmt::Debug for ConvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for ConvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for ConvError {}

impl ser::Error for ConvError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ConvError(PyValueError::new_err(msg.to_string()))
    }
}

type Out<'py> = Result<Bound<'py, PyAny>, ConvError>;

fn object<'py, T: IntoPyObjectExt<'py>>(py: Python<'py>, value: T) -> Out<'py> {
    Ok(value.into_bound_py_any(py)?)
}

impl<'a, 'py> ser::Serializer for &'a mut Conv<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = ConvError;
    type SerializeSeq = Items<'a, 'py>;
    type SerializeTuple = Items<'a, 'py>;
    type SerializeTupleStruct = Items<'a, 'py>;
    type SerializeTupleVariant = Variant<Items<'a, 'py>>;
    type SerializeMap = Members<'a, 'py>;
    type SerializeStruct = Fields<'a, 'py>;
    type SerializeStructVariant = Variant<Fields<'a, 'py>>;

    fn serialize_bool(self, v: bool) -> Out<'py> {
        object(self.py, v)
    }

    fn serialize_i8(self, v: i8) -> Out<'py> {
        object(self.py, v)
    }

    fn serialize_i16(self, v: i16) -> Out<'py> {
        object(self.py, v)
    }

    fn serialize_i32(self, v: i32) -> Out<'py> {
        object(self.py, v)
    }

    fn serialize_i64(self, v: i64) -> Out<'py> {
        object(self.py, v)
    }

    fn serialize_i128(self, v: i128) -> Out<'py> {
        object(self.py, v)
    }

    fn serialize_u8(self, v: u8) -> Out<'py> {
        object(self.py, v)
    }

    fn serialize_u16(self, v: u16) -> Out<'py> {
        object(self.py, v)
    }

    fn serialize_u32(self, v: u32) -> Out<'py> {
        object(self.py, v)
    }

    fn serialize_u64(self, v: u64) -> Out<'py> {
        object(self.py, v)
    }

    fn serialize_u128(self, v: u128) -> Out<'py> {
        object(self.py, v)
    }

    fn serialize_f32(self, v: f32) -> Out<'py> {
        object(self.py, v)
    }

    fn serialize_f64(self, v: f64) -> Out<'py> {
        object(self.py, v)
    }

    fn serialize_char(self, v: char) -> Out<'py> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Out<'py> {
        Ok(PyString::new(self.py, v).into_any())
    }

    fn serialize_bytes(self, v: &[u8]) -> Out<'py> {
        Ok(PyBytes::new(self.py, v).into_any())
    }

    fn serialize_none(self) -> Out<'py> {
        Ok(self.py.None().into_bound(self.py))
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Out<'py> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Out<'py> {
        self.serialize_none()
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Out<'py> {
        self.serialize_none()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Out<'py> {
        Ok(self.key(variant).into_any())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Out<'py> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Out<'py> {
        let out = PyDict::new(self.py);
        let key = self.key(variant);
        out.set_item(key, value.serialize(&mut *self)?)?;
        Ok(out.into_any())
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Items<'a, 'py>, ConvError> {
        Ok(Items {
            values: Vec::with_capacity(len.unwrap_or(0)),
            conv: self,
            tuple: false,
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<Items<'a, 'py>, ConvError> {
        Ok(Items {
            values: Vec::with_capacity(len),
            conv: self,
            tuple: true,
        })
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Items<'a, 'py>, ConvError> {
        self.serialize_tuple(len)
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, ConvError> {
        Ok(Variant {
            variant,
            inner: self.serialize_tuple(len)?,
        })
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Members<'a, 'py>, ConvError> {
        Ok(Members {
            dict: PyDict::new(self.py),
            key: None,
            conv: self,
        })
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Fields<'a, 'py>, ConvError> {
        let node_name = self.node_name.take();
        Ok(Fields {
            dict: PyDict::new(self.py),
            node_name,
            conv: self,
        })
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, ConvError> {
        Ok(Variant {
            variant,
            inner: self.serialize_struct(name, len)?,
        })
    }
}

/// A list (or a tuple) being built.
pub struct Items<'a, 'py> {
    conv: &'a mut Conv<'py>,
    values: Vec<Bound<'py, PyAny>>,
    tuple: bool,
}

impl<'py> Items<'_, 'py> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ConvError> {
        self.values.push(value.serialize(&mut *self.conv)?);
        Ok(())
    }

    fn done(self) -> Out<'py> {
        let py = self.conv.py;
        Ok(if self.tuple {
            PyTuple::new(py, self.values)?.into_any()
        } else {
            PyList::new(py, self.values)?.into_any()
        })
    }
}

/// Sequences and tuples are the same thing to Python: a list.
macro_rules! items_as_list {
    ($($trait:ident :: $method:ident),+) => {$(
        impl<'py> ser::$trait for Items<'_, 'py> {
            type Ok = Bound<'py, PyAny>;
            type Error = ConvError;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ConvError> {
                self.push(value)
            }

            fn end(self) -> Out<'py> {
                self.done()
            }
        }
    )+};
}

items_as_list!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

/// A map being built; its keys are converted like any value.
pub struct Members<'a, 'py> {
    conv: &'a mut Conv<'py>,
    dict: Bound<'py, PyDict>,
    key: Option<Bound<'py, PyAny>>,
}

impl<'py> ser::SerializeMap for Members<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = ConvError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), ConvError> {
        self.key = Some(key.serialize(&mut *self.conv)?);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ConvError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| <ConvError as ser::Error>::custom("a map value without its key"))?;
        self.dict.set_item(key, value.serialize(&mut *self.conv)?)?;
        Ok(())
    }

    fn end(self) -> Out<'py> {
        Ok(self.dict.into_any())
    }
}

/// A struct being built, its field names from the key cache.
pub struct Fields<'a, 'py> {
    conv: &'a mut Conv<'py>,
    dict: Bound<'py, PyDict>,
    /// The node name to write as this struct's `nodeName` (a pod's spec).
    node_name: Option<Arc<str>>,
}

/// The field of a pod's spec that the store keeps beside the shared spec.
const NODE_NAME: &str = "nodeName";

impl<'py> ser::SerializeStruct for Fields<'_, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = ConvError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), ConvError> {
        let name = self.conv.key(key);
        if key == NODE_NAME {
            if let Some(node) = self.node_name.take() {
                self.dict
                    .set_item(name, PyString::new(self.conv.py, &node))?;
                return Ok(());
            }
        }
        self.dict
            .set_item(name, value.serialize(&mut *self.conv)?)?;
        Ok(())
    }

    fn skip_field(&mut self, key: &'static str) -> Result<(), ConvError> {
        if key == NODE_NAME {
            if let Some(node) = self.node_name.take() {
                let name = self.conv.key(key);
                self.dict
                    .set_item(name, PyString::new(self.conv.py, &node))?;
            }
        }
        Ok(())
    }

    fn end(self) -> Out<'py> {
        Ok(self.dict.into_any())
    }
}

/// An enum variant with content: `{variant: content}`.
pub struct Variant<T> {
    variant: &'static str,
    inner: T,
}

impl<'py> ser::SerializeTupleVariant for Variant<Items<'_, 'py>> {
    type Ok = Bound<'py, PyAny>;
    type Error = ConvError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ConvError> {
        self.inner.push(value)
    }

    fn end(self) -> Out<'py> {
        let py = self.inner.conv.py;
        let key = self.inner.conv.key(self.variant);
        let content = self.inner.done()?;
        let out = PyDict::new(py);
        out.set_item(key, content)?;
        Ok(out.into_any())
    }
}

impl<'py> ser::SerializeStructVariant for Variant<Fields<'_, 'py>> {
    type Ok = Bound<'py, PyAny>;
    type Error = ConvError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), ConvError> {
        ser::SerializeStruct::serialize_field(&mut self.inner, key, value)
    }

    fn end(self) -> Out<'py> {
        let py = self.inner.conv.py;
        let key = self.inner.conv.key(self.variant);
        let content = ser::SerializeStruct::end(self.inner)?;
        let out = PyDict::new(py);
        out.set_item(key, content)?;
        Ok(out.into_any())
    }
}

/// A copy of a converted tree that shares nothing mutable with it: every dict
/// and list (and tuple holding them) is new, strings, numbers, booleans and
/// None are shared. The tree is the cache's own, which nothing else changes.
fn fresh<'py>(obj: &Bound<'py, PyAny>, depth: usize) -> PyResult<Bound<'py, PyAny>> {
    // The converted model nests a few dozen levels at most.
    if depth > crate::input::MAX_DEPTH {
        return Err(PyValueError::new_err("object nested too deeply"));
    }
    let py = obj.py();
    if let Ok(dict) = obj.cast_exact::<PyDict>() {
        let copy = dict.copy()?;
        let mut position: ffi::Py_ssize_t = 0;
        let mut key = std::ptr::null_mut();
        let mut value = std::ptr::null_mut();
        // SAFETY: the GIL is held; `dict` (the cache's) is not changed while
        // it is read, so the borrowed references PyDict_Next gives stay valid.
        while unsafe {
            ffi::PyDict_Next(
                dict.as_ptr(),
                &raw mut position,
                &raw mut key,
                &raw mut value,
            )
        } != 0
        {
            // SAFETY: non-null borrowed references from PyDict_Next.
            let (Some(k), Some(v)) = (unsafe { Borrowed::from_ptr_or_opt(py, key) }, unsafe {
                Borrowed::from_ptr_or_opt(py, value)
            }) else {
                continue;
            };
            if is_container(&v) {
                copy.set_item(k, fresh(&v, depth + 1)?)?;
            }
        }
        return Ok(copy.into_any());
    }
    if let Ok(list) = obj.cast_exact::<PyList>() {
        let copy = list.get_slice(0, list.len());
        for (index, item) in list.iter().enumerate() {
            if is_container(&item) {
                copy.set_item(index, fresh(&item, depth + 1)?)?;
            }
        }
        return Ok(copy.into_any());
    }
    if let Ok(tuple) = obj.cast_exact::<PyTuple>() {
        let items = tuple
            .iter()
            .map(|item| fresh(&item, depth + 1))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(PyTuple::new(py, items)?.into_any());
    }
    Ok(obj.clone())
}

/// Whether a converted value is (or may hold) something mutable.
fn is_container(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_exact_instance_of::<PyDict>()
        || obj.is_exact_instance_of::<PyList>()
        || obj.is_exact_instance_of::<PyTuple>()
}
