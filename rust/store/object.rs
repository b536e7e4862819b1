//! How the store holds an object: a compact identity (`Meta`) and a body.
//!
//! Pods keep their spec and status typed and behind `Arc`s, so that the pods a
//! controller makes from one template share one parsed spec (and one initial
//! status) until someone changes them. Other kinds are few and kept as JSON.
//! Labels, annotations and owner references are `Arc`s too: every pod of a
//! ReplicaSet has the same ones.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use serde::ser::{SerializeMap, SerializeStruct, Serializer};
use serde::Serialize;
use serde_json::{Map, Value};

use super::kind::Kind;
use super::time;
use crate::model::{ObjectMeta, OwnerReference, Pod, PodSpec, PodStatus, StringMap};

/// An object's metadata, as the store keeps it.
#[derive(Debug, Clone)]
pub struct Meta {
    pub name: Box<str>,
    /// Empty for cluster-scoped kinds; shared by every object of a namespace.
    pub namespace: Arc<str>,
    pub generate_name: Option<Box<str>>,
    pub uid: Uid,
    pub resource_version: u64,
    /// 0 for kinds without generations (it is then omitted, as Go omits it).
    pub generation: i64,
    /// Unix seconds.
    pub created: i64,
    pub deletion: Option<Deletion>,
    pub labels: Arc<StringMap>,
    pub annotations: Arc<StringMap>,
    pub owner_references: Arc<Vec<OwnerReference>>,
    pub finalizers: Vec<String>,
}

/// `deletionTimestamp` and `deletionGracePeriodSeconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deletion {
    pub at: i64,
    pub grace_seconds: i64,
}

/// A uid: 128 random bits, printed as an RFC 4122 version-4 UUID, as the
/// apiserver's are. Uids given by clients in other shapes are kept as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Uid {
    Random(u128),
    Text(Arc<str>),
}

impl Uid {
    pub fn from_random(bits: u128) -> Uid {
        // Version 4, variant 10xx.
        let bits = (bits & !(0xf << 76)) | (0x4 << 76);
        let bits = (bits & !(0x3 << 62)) | (0x2 << 62);
        Uid::Random(bits)
    }
}

impl std::fmt::Display for Uid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Uid::Text(t) => f.write_str(t),
            Uid::Random(b) => {
                let hex = format!("{b:032x}");
                write!(
                    f,
                    "{}-{}-{}-{}-{}",
                    &hex[..8],
                    &hex[8..12],
                    &hex[12..16],
                    &hex[16..20],
                    &hex[20..]
                )
            }
        }
    }
}

/// What an object holds besides its metadata.
#[derive(Debug, Clone)]
pub enum Body {
    /// The spec is shared; `spec.nodeName` lives beside it (`node`), so that
    /// binding a pod to a node does not copy its template's spec.
    Pod {
        spec: Arc<PodSpec>,
        node: Option<Arc<str>>,
        status: Arc<PodStatus>,
    },
    /// Every top-level field but `apiVersion`, `kind` and `metadata`.
    Json(Arc<JsonFields>),
}

/// The top-level fields of a JSON-held object, in their order, each behind
/// its own `Arc`: a status write makes a new object that shares the spec
/// (a Job's pod template, a DaemonSet's) with the old one instead of
/// copying it.
#[derive(Debug, Clone, Default)]
pub struct JsonFields {
    fields: Vec<(String, Arc<Value>)>,
}

impl JsonFields {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| &**v)
    }

    /// The fields in order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.fields.iter().map(|(k, v)| (k, &**v))
    }

    /// Sets `key` (in place when present, else last); None removes it.
    pub fn set(&mut self, key: &str, value: Option<Value>) {
        let at = self.fields.iter().position(|(k, _)| k == key);
        match (at, value) {
            (Some(i), Some(v)) => {
                if let Some(slot) = self.fields.get_mut(i) {
                    slot.1 = Arc::new(v);
                }
            }
            (Some(i), None) => {
                self.fields.remove(i);
            }
            (None, Some(v)) => self.fields.push((key.to_owned(), Arc::new(v))),
            (None, None) => {}
        }
    }
}

impl From<Map<String, Value>> for JsonFields {
    fn from(map: Map<String, Value>) -> Self {
        JsonFields {
            fields: map.into_iter().map(|(k, v)| (k, Arc::new(v))).collect(),
        }
    }
}

impl PartialEq for JsonFields {
    fn eq(&self, other: &Self) -> bool {
        // As JSON maps compare: the order of the fields does not matter.
        self.fields.len() == other.fields.len()
            && self.fields.iter().all(|(k, v)| {
                other
                    .fields
                    .iter()
                    .find(|(k2, _)| k2 == k)
                    .is_some_and(|(_, v2)| Arc::ptr_eq(v, v2) || v == v2)
            })
    }
}

/// One stored object. Stored objects are immutable: a change makes a new one,
/// so readers and the watch log hold snapshots without copying.
#[derive(Debug, Clone)]
pub struct Object {
    pub kind: Kind,
    pub meta: Meta,
    pub body: Body,
}

impl Object {
    pub fn spec_value(&self) -> Option<&Value> {
        self.json_field("spec")
    }

    /// A top-level field of a JSON-held object (`spec`, `status`, …).
    pub fn json_field(&self, key: &str) -> Option<&Value> {
        match &self.body {
            Body::Json(m) => m.get(key),
            Body::Pod { .. } => None,
        }
    }

    pub fn pod_spec(&self) -> Option<&PodSpec> {
        match &self.body {
            Body::Pod { spec, .. } => Some(spec),
            Body::Json(_) => None,
        }
    }

    pub fn pod_status(&self) -> Option<&PodStatus> {
        match &self.body {
            Body::Pod { status, .. } => Some(status),
            Body::Json(_) => None,
        }
    }

    /// `spec.nodeName` of a pod.
    pub fn node_name(&self) -> Option<&str> {
        match &self.body {
            Body::Pod { node, .. } => node.as_deref(),
            Body::Json(_) => None,
        }
    }

    /// The pod's spec with its nodeName in place.
    pub fn full_pod_spec(&self) -> Option<PodSpec> {
        let Body::Pod { spec, node, .. } = &self.body else {
            return None;
        };
        let mut spec = (**spec).clone();
        if let Some(n) = node {
            spec.node_name = n.to_string();
        }
        Some(spec)
    }

    pub fn object_meta(&self) -> ObjectMeta {
        let m = &self.meta;
        ObjectMeta {
            name: m.name.to_string(),
            generate_name: m.generate_name.as_deref().unwrap_or_default().to_owned(),
            namespace: m.namespace.to_string(),
            uid: m.uid.to_string(),
            resource_version: m.resource_version.to_string(),
            generation: m.generation,
            creation_timestamp: Some(time::format(m.created)),
            deletion_timestamp: m.deletion.map(|d| time::format(d.at)),
            deletion_grace_period_seconds: m.deletion.map(|d| d.grace_seconds),
            labels: (*m.labels).clone(),
            annotations: (*m.annotations).clone(),
            owner_references: (*m.owner_references).clone(),
            finalizers: m.finalizers.clone(),
            ..ObjectMeta::default()
        }
    }

    /// The typed pod, for validating an update against it.
    pub fn to_pod(&self) -> Option<Pod> {
        let Body::Pod { status, .. } = &self.body else {
            return None;
        };
        Some(Pod {
            api_version: "v1".to_owned(),
            kind: "Pod".to_owned(),
            metadata: self.object_meta(),
            spec: self.full_pod_spec()?,
            status: (**status).clone(),
        })
    }

    /// The object as JSON, in the shape the API serves.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Whether the object is being deleted (has a deletionTimestamp).
    pub fn deleting(&self) -> bool {
        self.meta.deletion.is_some()
    }

    pub fn key(&self) -> String {
        let mut k = String::new();
        if !self.meta.namespace.is_empty() {
            let _ = write!(k, "{}/", self.meta.namespace);
        }
        k.push_str(&self.meta.name);
        k
    }
}

/// Metadata in Go's field order, leaving out what Go omits. Written as a
/// struct (static field names), which JSON writes as a map.
pub struct MetaView<'a>(pub &'a Meta);

/// How many fields `MetaView` writes at most.
const META_FIELDS: usize = 13;

impl Serialize for MetaView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let m = self.0;
        let mut map = s.serialize_struct("ObjectMeta", META_FIELDS)?;
        map.serialize_field("name", &*m.name)?;
        if let Some(g) = &m.generate_name {
            map.serialize_field("generateName", &**g)?;
        }
        if !m.namespace.is_empty() {
            map.serialize_field("namespace", &*m.namespace)?;
        }
        map.serialize_field("uid", &m.uid.to_string())?;
        map.serialize_field("resourceVersion", &m.resource_version.to_string())?;
        if m.generation != 0 {
            map.serialize_field("generation", &m.generation)?;
        }
        map.serialize_field("creationTimestamp", &time::format(m.created))?;
        if let Some(d) = m.deletion {
            map.serialize_field("deletionTimestamp", &time::format(d.at))?;
            map.serialize_field("deletionGracePeriodSeconds", &d.grace_seconds)?;
        }
        if !m.labels.is_empty() {
            map.serialize_field("labels", &*m.labels)?;
        }
        if !m.annotations.is_empty() {
            map.serialize_field("annotations", &*m.annotations)?;
        }
        if !m.owner_references.is_empty() {
            map.serialize_field("ownerReferences", &*m.owner_references)?;
        }
        if !m.finalizers.is_empty() {
            map.serialize_field("finalizers", &m.finalizers)?;
        }
        map.end()
    }
}

impl Serialize for Object {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("apiVersion", self.kind.api_version())?;
        map.serialize_entry("kind", self.kind.name())?;
        map.serialize_entry("metadata", &MetaView(&self.meta))?;
        match &self.body {
            Body::Pod { spec, node, status } => {
                match node {
                    None => map.serialize_entry("spec", &**spec)?,
                    Some(_) => map.serialize_entry("spec", &self.full_pod_spec())?,
                }
                map.serialize_entry("status", &**status)?;
            }
            Body::Json(fields) => {
                for (k, v) in fields.iter() {
                    map.serialize_entry(k, v)?;
                }
            }
        }
        map.end()
    }
}

/// Moves `spec.nodeName` out of a spec, so specs can be shared across nodes.
pub fn take_node(spec: &mut PodSpec) -> Option<Arc<str>> {
    let n = std::mem::take(&mut spec.node_name);
    (!n.is_empty()).then(|| Arc::from(n))
}

/// A label map shared between objects that have the same labels: a template's
/// pods point at one map.
pub fn shared_map(map: StringMap, like: Option<&Arc<StringMap>>) -> Arc<StringMap> {
    match like {
        Some(existing) if **existing == map => Arc::clone(existing),
        _ => Arc::new(map),
    }
}

/// An empty map every object without labels or annotations can point at.
pub fn empty_map() -> Arc<StringMap> {
    static EMPTY: std::sync::OnceLock<Arc<StringMap>> = std::sync::OnceLock::new();
    Arc::clone(EMPTY.get_or_init(|| Arc::new(BTreeMap::new())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_uids_print_as_version_four_uuids() {
        let u = Uid::from_random(u128::MAX).to_string();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
        assert_eq!(u.matches('-').count(), 4);
    }
}
