//! `podcore.diff` computed on the Python objects themselves.
//!
//! Converting both documents to `serde_json` values, and the operations back
//! to Python, costs far more than comparing them. This walks the dicts and
//! lists directly with the algorithm of [`crate::diff`] (members in the old
//! dict's order, then the new dict's own; arrays of equal length position by
//! position, otherwise common leading and trailing items matched first).
//!
//! Its result must be exactly that of [`diff_values`], the conversion-based
//! path, for every input, errors included. So every node of both documents is
//! checked against the conversion's rules, also inside subtrees that need no
//! comparison (`old is new`), and at the first node the conversion would
//! refuse, or that the walk does not model exactly (a `str` subclass as a
//! key), the walk gives up and [`diff_values`] produces the answer or raises
//! the error users get for that input.
//!
//! The work is in two phases. Reading compares the documents through
//! borrowed references, which saves a reference-count round trip (two calls
//! into the interpreter under the stable ABI) per node. That is sound because
//! reading runs no Python code that could change or free what is read: it
//! allocates no Python objects, looks dict members up only by exact `str`
//! keys (whose hash and equality are the interpreter's own), and stops at the
//! first Python error. It records the operations with owned references to
//! their values; building the operation dicts, which allocates, comes after.

use std::fmt::Write;
use std::panic::AssertUnwindSafe;

use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use pyo3::IntoPyObjectExt;
use serde_json::Value;

use super::{guarded, py_to_value, value_to_py};
use crate::input::MAX_DEPTH;
use crate::patch::MAX_DEPTH as DIFF_DEPTH;

/// The RFC 6902 operations that turn `old` into `new`, as [`diff_values`]
/// computes them, without converting the documents.
pub fn diff<'py>(
    py: Python<'py>,
    old: &Bound<'py, PyAny>,
    new: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let walked = guarded(AssertUnwindSafe(|| {
        let mut differ = Differ { found: Vec::new() };
        differ.values(old, new, &Path::Root, 0)?;
        build(py, differ.found)
    }))?;
    match walked {
        Ok(ops) => Ok(ops.into_any()),
        Err(GiveUp) => diff_values(py, old, new),
    }
}

/// The diff through `serde_json` values: both documents converted, diffed by
/// [`crate::diff::diff`], the operations converted back. The reference the
/// direct walk must agree with, and what answers when the walk gives up.
#[pyfunction(name = "_diff_values")]
pub fn diff_values<'py>(
    py: Python<'py>,
    old: &Bound<'py, PyAny>,
    new: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let (old, new) = (py_to_value(old, 0)?, py_to_value(new, 0)?);
    let ops = guarded(move || crate::diff::diff(&old, &new))?;
    value_to_py(py, &Value::Array(ops))
}

/// The walk met a node that the conversion refuses or that only the
/// conversion handles exactly; [`diff_values`] takes over. Python errors met
/// on the way (a string that is not valid Unicode, an integer out of range)
/// are of the first kind: the conversion raises them again, in its own order.
struct GiveUp;

impl From<PyErr> for GiveUp {
    fn from(_: PyErr) -> Self {
        GiveUp
    }
}

type Walk<T> = Result<T, GiveUp>;

/// A borrowed reference into a document being read.
type Item<'a, 'py> = Borrowed<'a, 'py, PyAny>;

/// A dict's members as borrowed references, in the dict's order.
struct Members<'a, 'py> {
    dict: &'a Bound<'py, PyDict>,
    position: ffi::Py_ssize_t,
}

fn members<'a, 'py>(dict: &'a Bound<'py, PyDict>) -> Members<'a, 'py> {
    Members { dict, position: 0 }
}

impl<'a, 'py> Iterator for Members<'a, 'py> {
    type Item = (Item<'a, 'py>, Item<'a, 'py>);

    fn next(&mut self) -> Option<Self::Item> {
        let mut key = std::ptr::null_mut();
        let mut value = std::ptr::null_mut();
        // SAFETY: the GIL is held (`Bound<'py>`), the dict outlives `'a`, and
        // `position` only ever comes from PyDict_Next itself.
        let more = unsafe {
            ffi::PyDict_Next(
                self.dict.as_ptr(),
                &raw mut self.position,
                &raw mut key,
                &raw mut value,
            )
        };
        if more == 0 {
            return None;
        }
        let py = self.dict.py();
        // SAFETY: PyDict_Next gave borrowed references, which stay valid while
        // the dict is unchanged; nothing changes it while the documents are
        // read (see the module documentation).
        unsafe {
            Some((
                Borrowed::from_ptr_or_opt(py, key)?,
                Borrowed::from_ptr_or_opt(py, value)?,
            ))
        }
    }
}

/// A JSON integer as the conversion reads it: `i64` when it fits, else `u64`.
/// `serde_json` compares integers by value, and a value has one reading, so
/// the derived equality is the same.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Int {
    Signed(i64),
    Unsigned(u64),
}

#[derive(Clone, Copy)]
enum Seq<'a, 'py> {
    List(&'a Bound<'py, PyList>),
    Tuple(&'a Bound<'py, PyTuple>),
}

impl<'a, 'py> Seq<'a, 'py> {
    fn len(self) -> usize {
        match self {
            Seq::List(items) => items.len(),
            Seq::Tuple(items) => items.len(),
        }
    }

    /// The item at `index` (below `len()`), borrowed.
    fn get(self, index: usize) -> Walk<Item<'a, 'py>> {
        match self {
            Seq::List(items) => {
                let at = ffi::Py_ssize_t::try_from(index).map_err(|_| GiveUp)?;
                // SAFETY: the GIL is held and the list outlives `'a`;
                // PyList_GetItem checks the index.
                let item = unsafe { ffi::PyList_GetItem(items.as_ptr(), at) };
                // SAFETY: a non-null result is a borrowed reference, valid
                // while the list is unchanged; nothing changes it while the
                // documents are read (see the module documentation).
                unsafe { Borrowed::from_ptr_or_opt(items.py(), item) }.ok_or_else(|| {
                    // The IndexError is the walk's own business.
                    drop(PyErr::take(items.py()));
                    GiveUp
                })
            }
            Seq::Tuple(items) => Ok(items.get_borrowed_item(index)?),
        }
    }
}

/// A Python object read as the JSON value the conversion would make of it.
#[derive(Clone, Copy)]
enum Node<'a, 'py> {
    Null,
    Bool(bool),
    Int(Int),
    Float(f64),
    Str(&'a str),
    Object(&'a Bound<'py, PyDict>),
    Array(Seq<'a, 'py>),
}

/// Reads `obj` as the conversion does, or gives up where it raises.
fn node<'a, 'py>(obj: &'a Bound<'py, PyAny>) -> Walk<Node<'a, 'py>> {
    // The exact types that make up nearly every document, by type pointer
    // (a failed cast costs more than a pointer comparison).
    if obj.is_exact_instance_of::<PyString>() {
        if let Ok(text) = obj.cast_exact::<PyString>() {
            return Ok(Node::Str(text.to_str()?));
        }
    }
    if obj.is_exact_instance_of::<PyDict>() {
        if let Ok(members) = obj.cast_exact::<PyDict>() {
            return Ok(Node::Object(members));
        }
    }
    if obj.is_exact_instance_of::<PyList>() {
        if let Ok(items) = obj.cast_exact::<PyList>() {
            return Ok(Node::Array(Seq::List(items)));
        }
    }
    if obj.is_none() {
        return Ok(Node::Null);
    }
    if obj.is_exact_instance_of::<PyBool>() {
        if let Ok(flag) = obj.cast_exact::<PyBool>() {
            return Ok(Node::Bool(flag.is_true()));
        }
    }
    if obj.is_exact_instance_of::<PyInt>() {
        return int(obj);
    }
    // Everything the conversion accepts, subclasses included, in the order it
    // tests them: bool is an int subclass, so it goes first.
    if let Ok(text) = obj.cast::<PyString>() {
        return Ok(Node::Str(text.to_str()?));
    }
    if let Ok(members) = obj.cast::<PyDict>() {
        return Ok(Node::Object(members));
    }
    if let Ok(flag) = obj.cast::<PyBool>() {
        return Ok(Node::Bool(flag.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        return int(obj);
    }
    if let Ok(number) = obj.cast::<PyFloat>() {
        let number = number.value();
        // NaN and the infinities have no JSON form.
        return if number.is_finite() {
            Ok(Node::Float(number))
        } else {
            Err(GiveUp)
        };
    }
    if let Ok(items) = obj.cast::<PyList>() {
        return Ok(Node::Array(Seq::List(items)));
    }
    if let Ok(items) = obj.cast::<PyTuple>() {
        return Ok(Node::Array(Seq::Tuple(items)));
    }
    Err(GiveUp)
}

/// An `int` (or subclass) as the conversion reads it: `i64`, else `u64`, else
/// an error.
fn int<'a, 'py>(obj: &Bound<'py, PyAny>) -> Walk<Node<'a, 'py>> {
    let mut overflow = 0;
    // SAFETY: the GIL is held and `obj` is an int instance, whose value is
    // read without running Python code; overflow is reported in `overflow`
    // rather than raised, so nothing is allocated.
    let signed = unsafe { ffi::PyLong_AsLongLongAndOverflow(obj.as_ptr(), &raw mut overflow) };
    if overflow == 0 {
        // An error here (none is expected for an int) must not stay set
        // for the conversion that takes over.
        if signed == -1 && PyErr::take(obj.py()).is_some() {
            return Err(GiveUp);
        }
        return Ok(Node::Int(Int::Signed(signed)));
    }
    // Past `u64` this raises, and the walk stops reading at once.
    Ok(Node::Int(Int::Unsigned(obj.extract::<u64>()?)))
}

/// A dict key as text. Only exact `str` keys are handled here: their equality
/// and hash are by content, so dict lookups agree with the converted maps.
fn key_str<'a>(key: &'a Bound<'_, PyAny>) -> Walk<&'a str> {
    if !key.is_exact_instance_of::<PyString>() {
        return Err(GiveUp);
    }
    let key = key.cast_exact::<PyString>().map_err(|_| GiveUp)?;
    Ok(key.to_str()?)
}

/// Whether two scalars are equal as `serde_json` values: an integer never
/// equals a float, and a bool never equals a number.
#[allow(clippy::float_cmp)] // `serde_json` compares floats exactly, so must the diff.
fn same_scalar(a: Node<'_, '_>, b: Node<'_, '_>) -> bool {
    match (a, b) {
        (Node::Null, Node::Null) => true,
        (Node::Bool(a), Node::Bool(b)) => a == b,
        (Node::Int(a), Node::Int(b)) => a == b,
        (Node::Float(a), Node::Float(b)) => a == b,
        (Node::Str(a), Node::Str(b)) => a == b,
        _ => false,
    }
}

/// Checks `obj` and everything in it as the conversion would, nested at
/// `depth`.
fn validate(obj: &Bound<'_, PyAny>, depth: usize) -> Walk<()> {
    if depth > MAX_DEPTH {
        return Err(GiveUp);
    }
    match node(obj)? {
        Node::Object(dict) => {
            for (key, value) in members(dict) {
                key_str(&key)?;
                validate(&value, depth + 1)?;
            }
        }
        Node::Array(items) => {
            for index in 0..items.len() {
                validate(&*items.get(index)?, depth + 1)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// `serde_json` value equality. `true` means both sides were checked in full;
/// after `false` the caller walks or checks them itself.
fn equal(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>, depth: usize) -> Walk<bool> {
    if depth > MAX_DEPTH {
        return Err(GiveUp);
    }
    if a.is(b) {
        validate(a, depth)?;
        return Ok(true);
    }
    equal_nodes(node(a)?, node(b)?, depth)
}

fn equal_nodes(a: Node<'_, '_>, b: Node<'_, '_>, depth: usize) -> Walk<bool> {
    match (a, b) {
        (Node::Object(a), Node::Object(b)) => objects_equal(a, b, depth + 1),
        (Node::Array(a), Node::Array(b)) => {
            if a.len() != b.len() {
                return Ok(false);
            }
            for index in 0..a.len() {
                if !equal(&*a.get(index)?, &*b.get(index)?, depth + 1)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        (a, b) => Ok(same_scalar(a, b)),
    }
}

/// Map equality, which ignores member order.
fn objects_equal(a: &Bound<'_, PyDict>, b: &Bound<'_, PyDict>, depth: usize) -> Walk<bool> {
    if a.len() != b.len() {
        return Ok(false);
    }
    // Dicts made alike (a copy, then an edit) list their keys in the same
    // order: pairing members by position saves a hash lookup per member.
    let mut a_members = members(a);
    let mut b_members = members(b);
    let mut paired = 0;
    let mut unpaired = None;
    for (a_key, a_value) in a_members.by_ref() {
        let key = key_str(&a_key)?;
        if let Some((b_key, b_value)) = b_members.next() {
            if b_key.is(&*a_key) || key_str(&b_key)? == key {
                if !equal(&a_value, &b_value, depth)? {
                    return Ok(false);
                }
                paired += 1;
                continue;
            }
        }
        unpaired = Some((a_key, a_value));
        break;
    }
    let Some(first) = unpaired else {
        return Ok(true);
    };
    // Lookups run no Python code once all of `b`'s keys are plain strings.
    for (b_key, _) in members(b).skip(paired) {
        key_str(&b_key)?;
    }
    for (a_key, a_value) in std::iter::once(first).chain(a_members) {
        key_str(&a_key)?;
        match b.get_item(a_key)? {
            Some(b_value) if equal(&a_value, &b_value, depth)? => {}
            _ => return Ok(false),
        }
    }
    Ok(true)
}

/// A copy of `obj` in the shape the conversion gives back: dicts and lists
/// (tuples become lists) are new; `str`, `int`, `float`, `bool` and `None`
/// are immutable and shared; subclass instances become the base type. Runs
/// after the reading phase, on owned references only.
fn copy<'py>(obj: &Bound<'py, PyAny>, depth: usize) -> Walk<Bound<'py, PyAny>> {
    if depth > MAX_DEPTH {
        return Err(GiveUp);
    }
    let py = obj.py();
    let plain = obj.is_exact_instance_of::<PyString>()
        || obj.is_exact_instance_of::<PyInt>()
        || obj.is_exact_instance_of::<PyFloat>()
        || obj.is_exact_instance_of::<PyBool>()
        || obj.is_none();
    Ok(match node(obj)? {
        Node::Object(dict) => {
            let out = PyDict::new(py);
            for (key, value) in dict.iter() {
                key_str(&key)?;
                out.set_item(&key, copy(&value, depth + 1)?)?;
            }
            out.into_any()
        }
        Node::Array(items) => {
            let out = PyList::empty(py);
            for index in 0..items.len() {
                let item = items.get(index)?.to_owned();
                out.append(copy(&item, depth + 1)?)?;
            }
            out.into_any()
        }
        _ if plain => obj.clone(),
        Node::Null => py.None().into_bound(py),
        Node::Bool(flag) => PyBool::new(py, flag).to_owned().into_any(),
        Node::Int(Int::Signed(number)) => number.into_bound_py_any(py)?,
        Node::Int(Int::Unsigned(number)) => number.into_bound_py_any(py)?,
        Node::Float(number) => PyFloat::new(py, number).into_any(),
        Node::Str(text) => PyString::new(py, text).into_any(),
    })
}

/// One token of a JSON pointer.
#[derive(Clone, Copy)]
enum Token<'a> {
    Key(&'a str),
    Index(usize),
}

/// The location being compared, as a chain of stack frames: descending costs
/// nothing, and the pointer text is written only for an operation.
enum Path<'a> {
    Root,
    Step(&'a Path<'a>, Token<'a>),
}

impl Path<'_> {
    fn key<'b>(&'b self, key: &'b str) -> Path<'b> {
        Path::Step(self, Token::Key(key))
    }

    fn index(&self, index: usize) -> Path<'_> {
        Path::Step(self, Token::Index(index))
    }

    /// Whether the pointer's last token is `-`. Python's jsonpatch refuses
    /// "replace" there, even for an object member of that name, so the diff
    /// says "add", which replaces an existing member just the same.
    fn ends_in_dash(&self) -> bool {
        matches!(self, Path::Step(_, Token::Key("-")))
    }

    /// The RFC 6901 pointer, `~` and `/` in keys escaped as `~0` and `~1`.
    fn render(&self) -> String {
        let mut tokens = Vec::new();
        let mut at = self;
        while let Path::Step(parent, token) = at {
            tokens.push(*token);
            at = parent;
        }
        let mut out = String::with_capacity(64);
        for token in tokens.iter().rev() {
            out.push('/');
            match token {
                Token::Key(key) if key.contains(['~', '/']) => {
                    for c in key.chars() {
                        match c {
                            '~' => out.push_str("~0"),
                            '/' => out.push_str("~1"),
                            c => out.push(c),
                        }
                    }
                }
                Token::Key(key) => out.push_str(key),
                // Writing to a String cannot fail.
                Token::Index(index) => {
                    let _ = write!(out, "{index}");
                }
            }
        }
        out
    }
}

#[derive(Clone, Copy)]
enum Op {
    Add,
    Remove,
    Replace,
}

/// An operation found while reading: its value (already checked) is owned,
/// and copied when the operation dicts are built.
struct Found<'py> {
    op: Op,
    path: String,
    value: Option<(Bound<'py, PyAny>, usize)>,
}

/// The operation dicts, keys "op", "path" and "value" in that order.
fn build<'py>(py: Python<'py>, found: Vec<Found<'py>>) -> Walk<Bound<'py, PyList>> {
    let ops = PyList::empty(py);
    for Found { op, path, value } in found {
        let name = match op {
            Op::Add => intern!(py, "add"),
            Op::Remove => intern!(py, "remove"),
            Op::Replace => intern!(py, "replace"),
        };
        let entry = PyDict::new(py);
        entry.set_item(intern!(py, "op"), name)?;
        entry.set_item(intern!(py, "path"), path)?;
        if let Some((value, depth)) = value {
            entry.set_item(intern!(py, "value"), copy(&value, depth)?)?;
        }
        ops.append(entry)?;
    }
    Ok(ops)
}

struct Differ<'py> {
    found: Vec<Found<'py>>,
}

impl<'py> Differ<'py> {
    /// Compares two values nested at `depth`.
    fn values(
        &mut self,
        old: &Bound<'py, PyAny>,
        new: &Bound<'py, PyAny>,
        path: &Path<'_>,
        depth: usize,
    ) -> Walk<()> {
        if depth > MAX_DEPTH {
            return Err(GiveUp);
        }
        if old.is(new) {
            return validate(old, depth);
        }
        let (old_node, new_node) = (node(old)?, node(new)?);
        match (old_node, new_node) {
            // The conversion's depth bound is below the diff's, so the
            // diff's own bound (replace whole beyond it) never takes effect;
            // it is kept so the two stay the same algorithm.
            (Node::Object(a), Node::Object(b)) if depth < DIFF_DEPTH => {
                self.objects(a, b, path, depth + 1)
            }
            (Node::Array(a), Node::Array(b)) if depth < DIFF_DEPTH => {
                self.arrays(a, b, path, depth + 1)
            }
            (a, b) => {
                if equal_nodes(a, b, depth)? {
                    return Ok(());
                }
                validate(old, depth)?;
                let op = if path.ends_in_dash() {
                    Op::Add
                } else {
                    Op::Replace
                };
                self.record(op, path, Some((new, depth)))
            }
        }
    }

    /// Members of `old` in its order (compared, or removed), then those only
    /// `new` has, in its order (added): the order of the `serde_json` maps,
    /// which keep insertion order.
    fn objects(
        &mut self,
        old: &Bound<'py, PyDict>,
        new: &Bound<'py, PyDict>,
        path: &Path<'_>,
        depth: usize,
    ) -> Walk<()> {
        // A dict and its edited copy list their common keys in the same
        // order; members are paired by position, without a lookup, until the
        // orders part.
        let mut old_members = members(old);
        let mut new_members = members(new);
        let mut paired = 0;
        let mut unpaired = None;
        for (old_key, old_value) in old_members.by_ref() {
            let key = key_str(&old_key)?;
            if let Some((new_key, new_value)) = new_members.next() {
                if new_key.is(&*old_key) || key_str(&new_key)? == key {
                    paired += 1;
                    self.values(&old_value, &new_value, &path.key(key), depth)?;
                    continue;
                }
            }
            unpaired = Some((old_key, old_value));
            break;
        }
        if let Some(first) = unpaired {
            // Lookups run no Python code once all of `new`'s keys are plain
            // strings.
            for (new_key, _) in members(new).skip(paired) {
                key_str(&new_key)?;
            }
            for (old_key, old_value) in std::iter::once(first).chain(old_members) {
                let key = key_str(&old_key)?;
                let member = path.key(key);
                if let Some(new_value) = new.get_item(old_key)? {
                    self.values(&old_value, &new_value, &member, depth)?;
                } else {
                    validate(&old_value, depth)?;
                    self.record(Op::Remove, &member, None)?;
                }
            }
        }
        if paired < new.len() {
            for (new_key, new_value) in members(new).skip(paired) {
                let key = key_str(&new_key)?;
                if !old.contains(new_key)? {
                    self.record(Op::Add, &path.key(key), Some((&new_value, depth)))?;
                }
            }
        }
        Ok(())
    }

    fn arrays(
        &mut self,
        old: Seq<'_, 'py>,
        new: Seq<'_, 'py>,
        path: &Path<'_>,
        depth: usize,
    ) -> Walk<()> {
        let (old_len, new_len) = (old.len(), new.len());
        // Equal lengths are compared position by position; otherwise equal
        // leading and trailing items are matched first, so an insertion or a
        // deletion is one add or remove at its index.
        let (prefix, suffix) = if old_len == new_len {
            (0, 0)
        } else {
            let shorter = old_len.min(new_len);
            let mut prefix = 0;
            while prefix < shorter && equal(&*old.get(prefix)?, &*new.get(prefix)?, depth)? {
                prefix += 1;
            }
            let mut suffix = 0;
            while prefix + suffix < shorter
                && equal(
                    &*old.get(old_len - 1 - suffix)?,
                    &*new.get(new_len - 1 - suffix)?,
                    depth,
                )?
            {
                suffix += 1;
            }
            (prefix, suffix)
        };
        let old_end = old_len - suffix;
        let new_end = new_len - suffix;
        let paired_end = old_end.min(new_end);
        for index in prefix..paired_end {
            self.values(
                &*old.get(index)?,
                &*new.get(index)?,
                &path.index(index),
                depth,
            )?;
        }
        // Extra new items are inserted in order; extra old items are removed
        // from the highest index down so every index stays valid.
        for index in paired_end..new_end {
            self.record(
                Op::Add,
                &path.index(index),
                Some((&*new.get(index)?, depth)),
            )?;
        }
        for index in (paired_end..old_end).rev() {
            validate(&*old.get(index)?, depth)?;
            self.record(Op::Remove, &path.index(index), None)?;
        }
        Ok(())
    }

    /// Notes an operation; its value, nested at the given depth, is checked
    /// now and held by an owned reference until the dicts are built.
    fn record(
        &mut self,
        op: Op,
        path: &Path<'_>,
        value: Option<(&Bound<'py, PyAny>, usize)>,
    ) -> Walk<()> {
        let value = match value {
            Some((value, depth)) => {
                validate(value, depth)?;
                Some((value.clone(), depth))
            }
            None => None,
        };
        self.found.push(Found {
            op,
            path: path.render(),
            value,
        });
        Ok(())
    }
}
