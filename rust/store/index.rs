//! Per-kind tables: objects by key in etcd's order, and the label index.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::model::StringMap;
use crate::selector::{Operator, Selector};

/// A slot in the store's object arena.
pub type Slot = u32;

/// The objects of one kind.
#[derive(Default)]
pub struct Table {
    /// `namespace/name` (or `name` for cluster-scoped kinds) → slot. Keys sort
    /// as etcd's `/registry/<resource>/<namespace>/<name>` do, so lists come
    /// out in the apiserver's order and a namespace is one range.
    pub keys: BTreeMap<Box<str>, Slot>,
    /// label key → label value → objects carrying that label.
    labels: HashMap<Box<str>, HashMap<Box<str>, HashSet<Slot>>>,
}

impl Table {
    pub fn index_labels(&mut self, slot: Slot, labels: &StringMap) {
        for (k, v) in labels {
            let values = match self.labels.get_mut(k.as_str()) {
                Some(values) => values,
                None => self.labels.entry(k.as_str().into()).or_default(),
            };
            match values.get_mut(v.as_str()) {
                Some(set) => {
                    set.insert(slot);
                }
                None => {
                    values.insert(v.as_str().into(), HashSet::from([slot]));
                }
            }
        }
    }

    pub fn unindex_labels(&mut self, slot: Slot, labels: &StringMap) {
        for (k, v) in labels {
            let Some(values) = self.labels.get_mut(k.as_str()) else {
                continue;
            };
            if let Some(set) = values.get_mut(v.as_str()) {
                set.remove(&slot);
                if set.is_empty() {
                    values.remove(v.as_str());
                }
            }
            if values.is_empty() {
                self.labels.remove(k.as_str());
            }
        }
    }

    /// The objects that may match `selector`, from its most selective
    /// requirement that the index can answer (`=`, `==`, `in`, exists), or
    /// None when every requirement is negative and only a scan can tell.
    pub fn candidates(&self, selector: &Selector) -> Option<Vec<Slot>> {
        let mut best: Option<(usize, Vec<&HashSet<Slot>>)> = None;
        for req in selector.requirements() {
            let values = self.labels.get(req.key());
            let sets: Vec<&HashSet<Slot>> = match req.operator() {
                Operator::Equals | Operator::DoubleEquals | Operator::In => req
                    .values()
                    .iter()
                    .filter_map(|v| values.and_then(|vs| vs.get(v.as_str())))
                    .collect(),
                Operator::Exists | Operator::GreaterThan | Operator::LessThan => {
                    values.map(|vs| vs.values().collect()).unwrap_or_default()
                }
                Operator::NotEquals | Operator::NotIn | Operator::DoesNotExist => continue,
            };
            let size: usize = sets.iter().map(|s| s.len()).sum();
            if best.as_ref().is_none_or(|(n, _)| size < *n) {
                best = Some((size, sets));
            }
        }
        let (size, sets) = best?;
        let mut out = Vec::with_capacity(size);
        for s in sets {
            out.extend(s.iter().copied());
        }
        Some(out)
    }

    /// Whether `candidates` are exactly the objects `selector` matches: it
    /// is one requirement, which the index answers exactly.
    pub fn answers_exactly(selector: &Selector) -> bool {
        !selector.is_nothing()
            && matches!(
                selector.requirements(),
                [only] if matches!(
                    only.operator(),
                    Operator::Equals | Operator::DoubleEquals | Operator::In | Operator::Exists
                )
            )
    }

    /// The key range of one namespace, or everything.
    pub fn range<'a>(
        &'a self,
        namespace: Option<&str>,
    ) -> Box<dyn Iterator<Item = (&'a Box<str>, &'a Slot)> + 'a> {
        match namespace {
            None => Box::new(self.keys.iter()),
            Some(ns) => {
                let start: Box<str> = format!("{ns}/").into();
                let prefix = start.clone();
                Box::new(
                    self.keys
                        .range(start..)
                        .take_while(move |(k, _)| k.starts_with(&*prefix)),
                )
            }
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// An index from a string (an owner's uid, a node's name) to objects.
#[derive(Default)]
pub struct Multimap {
    map: HashMap<Box<str>, HashSet<Slot>>,
}

impl Multimap {
    pub fn insert(&mut self, key: &str, slot: Slot) {
        match self.map.get_mut(key) {
            Some(set) => {
                set.insert(slot);
            }
            None => {
                self.map.insert(key.into(), HashSet::from([slot]));
            }
        }
    }

    pub fn remove(&mut self, key: &str, slot: Slot) {
        if let Some(set) = self.map.get_mut(key) {
            set.remove(&slot);
            if set.is_empty() {
                self.map.remove(key);
            }
        }
    }

    pub fn get(&self, key: &str) -> impl Iterator<Item = Slot> + '_ {
        self.map
            .get(key)
            .into_iter()
            .flat_map(|s| s.iter().copied())
    }

    pub fn count(&self, key: &str) -> usize {
        self.map.get(key).map_or(0, HashSet::len)
    }
}
