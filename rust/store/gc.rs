//! The garbage collector and the namespace controller, as store passes: what
//! kube-controller-manager's `garbagecollector` and `namespace` controllers
//! do to objects whose owners or namespaces go.
//!
//! - A dependent all of whose owners are gone is deleted (in the background);
//!   one that keeps some owner loses the references to the gone ones.
//! - An owner deleted with `propagationPolicy: Orphan` carries the `orphan`
//!   finalizer: its dependents lose their references to it, then the
//!   finalizer goes (and with it the owner).
//! - An owner deleted with `Foreground` carries `foregroundDeletion`: its
//!   dependents are deleted, and the finalizer goes once no dependent that
//!   blocks owner deletion remains.
//! - A terminating namespace has its content deleted, then goes.

use std::sync::Arc;

use super::{
    DeleteOptions, Inner, Kind, Object, Propagation, FOREGROUND_FINALIZER, ORPHAN_FINALIZER,
};

impl Inner {
    pub(super) fn collect_garbage(&mut self) -> usize {
        let mut changed = 0;
        let gone = std::mem::take(&mut self.orphaned_owners);
        for (uid, _) in gone {
            let deps: Vec<Arc<Object>> = self.owners.get(&uid).filter_map(|s| self.at(s)).collect();
            for dep in deps {
                changed += self.check_dependent(&dep);
            }
        }
        let finalizing: Vec<(Kind, Box<str>)> = self.finalizing.iter().cloned().collect();
        for (kind, key) in finalizing {
            let Some(obj) = self.tables[kind.index()]
                .keys
                .get(&key)
                .and_then(|&s| self.at(s))
            else {
                continue;
            };
            if kind == Kind::Namespace {
                changed += self.finalize_namespace(&obj);
            } else if obj.meta.finalizers.iter().any(|f| f == ORPHAN_FINALIZER) {
                changed += self.orphan_dependents(&obj);
            } else if obj
                .meta
                .finalizers
                .iter()
                .any(|f| f == FOREGROUND_FINALIZER)
            {
                changed += self.delete_dependents(&obj);
            }
        }
        changed
    }

    /// A dependent of an owner that went: deleted if no owner is left,
    /// else stripped of the references to owners that are gone.
    fn check_dependent(&mut self, dep: &Arc<Object>) -> usize {
        let refs = &dep.meta.owner_references;
        let alive: Vec<_> = refs
            .iter()
            .filter(|r| self.owner_exists(r, &dep.meta.namespace))
            .cloned()
            .collect();
        if alive.len() == refs.len() {
            return 0;
        }
        if alive.is_empty() {
            if dep.deleting() {
                return 0;
            }
            let opts = DeleteOptions::default();
            return usize::from(
                self.delete(dep.kind, &dep.meta.namespace, &dep.meta.name, &opts)
                    .is_ok(),
            );
        }
        let mut new = (**dep).clone();
        new.meta.owner_references = Arc::new(alive);
        self.finish_update(new, Arc::clone(dep));
        1
    }

    fn orphan_dependents(&mut self, owner: &Arc<Object>) -> usize {
        let uid = owner.meta.uid.to_string();
        let deps: Vec<Arc<Object>> = self.owners.get(&uid).filter_map(|s| self.at(s)).collect();
        let mut changed = 0;
        for dep in deps {
            let mut new = (*dep).clone();
            let kept: Vec<_> = dep
                .meta
                .owner_references
                .iter()
                .filter(|r| r.uid != uid)
                .cloned()
                .collect();
            new.meta.owner_references = Arc::new(kept);
            self.finish_update(new, dep);
            changed += 1;
        }
        changed + self.drop_finalizer(owner, ORPHAN_FINALIZER)
    }

    fn delete_dependents(&mut self, owner: &Arc<Object>) -> usize {
        let uid = owner.meta.uid.to_string();
        let deps: Vec<Arc<Object>> = self.owners.get(&uid).filter_map(|s| self.at(s)).collect();
        let mut changed = 0;
        let mut blocking = 0;
        for dep in deps {
            let blocks = dep
                .meta
                .owner_references
                .iter()
                .any(|r| r.uid == uid && r.block_owner_deletion == Some(true));
            if !dep.deleting() {
                // A dependent that owns others is itself deleted in the
                // foreground, so the whole tree goes before the owner.
                let dep_uid = dep.meta.uid.to_string();
                let propagation = if self.owners.count(&dep_uid) > 0 {
                    Propagation::Foreground
                } else {
                    Propagation::Background
                };
                let opts = DeleteOptions {
                    propagation,
                    ..DeleteOptions::default()
                };
                if let Ok(still) = self.delete(dep.kind, &dep.meta.namespace, &dep.meta.name, &opts)
                {
                    changed += 1;
                    if still.is_some() && blocks {
                        blocking += 1;
                    }
                }
            } else if blocks {
                blocking += 1;
            }
        }
        if blocking == 0 {
            changed += self.drop_finalizer(owner, FOREGROUND_FINALIZER);
        }
        changed
    }

    fn drop_finalizer(&mut self, obj: &Arc<Object>, finalizer: &str) -> usize {
        let Ok(current) = self.get(obj.kind, &obj.meta.namespace, &obj.meta.name) else {
            return 0;
        };
        let mut new = (*current).clone();
        new.meta.finalizers.retain(|f| f != finalizer);
        self.finish_update(new, current);
        1
    }

    fn finalize_namespace(&mut self, ns: &Arc<Object>) -> usize {
        let name = ns.meta.name.to_string();
        let mut changed = 0;
        let mut left = 0;
        for kind in Kind::ALL.into_iter().filter(|k| k.namespaced()) {
            let members: Vec<Arc<Object>> = self.tables[kind.index()]
                .range(Some(&name))
                .filter_map(|(_, &s)| self.at(s))
                .collect();
            for obj in members {
                left += 1;
                if !obj.deleting() {
                    let opts = DeleteOptions::default();
                    if let Ok(None) = self.delete(kind, &name, &obj.meta.name, &opts) {
                        left -= 1;
                    }
                    changed += 1;
                }
            }
        }
        if left == 0 && ns.meta.finalizers.is_empty() {
            if let Ok(current) = self.get(Kind::Namespace, "", &name) {
                self.remove(&current);
                changed += 1;
            }
        }
        changed
    }

    /// Keeps `finalizing` (objects the collector must visit) in step with a
    /// change of the object at `key`.
    pub(super) fn track_finalizing(&mut self, kind: Kind, key: &str, new: Option<&Object>) {
        if new.is_none_or(|o| !o.deleting()) && self.finalizing.is_empty() {
            return;
        }
        let wants = new.is_some_and(|o| {
            o.deleting()
                && (kind == Kind::Namespace
                    || o.meta
                        .finalizers
                        .iter()
                        .any(|f| f == ORPHAN_FINALIZER || f == FOREGROUND_FINALIZER))
        });
        let entry = (kind, Box::<str>::from(key));
        if wants {
            self.finalizing.insert(entry);
        } else {
            self.finalizing.remove(&entry);
        }
    }
}
