//! The kinds the store holds, and the names users call them by.

/// A kind of object the store holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Pod,
    ReplicaSet,
    Deployment,
    StatefulSet,
    DaemonSet,
    ControllerRevision,
    Job,
    CronJob,
    Node,
    PersistentVolumeClaim,
    Namespace,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::Pod,
        Kind::ReplicaSet,
        Kind::Deployment,
        Kind::StatefulSet,
        Kind::DaemonSet,
        Kind::ControllerRevision,
        Kind::Job,
        Kind::CronJob,
        Kind::Node,
        Kind::PersistentVolumeClaim,
        Kind::Namespace,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Pod => "Pod",
            Kind::ReplicaSet => "ReplicaSet",
            Kind::Deployment => "Deployment",
            Kind::StatefulSet => "StatefulSet",
            Kind::DaemonSet => "DaemonSet",
            Kind::ControllerRevision => "ControllerRevision",
            Kind::Job => "Job",
            Kind::CronJob => "CronJob",
            Kind::Node => "Node",
            Kind::PersistentVolumeClaim => "PersistentVolumeClaim",
            Kind::Namespace => "Namespace",
        }
    }

    pub fn api_version(self) -> &'static str {
        match self {
            Kind::ReplicaSet
            | Kind::Deployment
            | Kind::StatefulSet
            | Kind::DaemonSet
            | Kind::ControllerRevision => "apps/v1",
            Kind::Job | Kind::CronJob => "batch/v1",
            Kind::Pod | Kind::Node | Kind::PersistentVolumeClaim | Kind::Namespace => "v1",
        }
    }

    /// The resource name.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Pod => "pods",
            Kind::ReplicaSet => "replicasets",
            Kind::Deployment => "deployments",
            Kind::StatefulSet => "statefulsets",
            Kind::DaemonSet => "daemonsets",
            Kind::ControllerRevision => "controllerrevisions",
            Kind::Job => "jobs",
            Kind::CronJob => "cronjobs",
            Kind::Node => "nodes",
            Kind::PersistentVolumeClaim => "persistentvolumeclaims",
            Kind::Namespace => "namespaces",
        }
    }

    /// The group-qualified resource, as the apiserver names it in errors:
    /// `pods`, `deployments.apps`, `jobs.batch`.
    pub fn resource(self) -> String {
        match self.api_version().split_once('/') {
            Some((group, _)) => format!("{}.{group}", self.plural()),
            None => self.plural().to_owned(),
        }
    }

    pub fn namespaced(self) -> bool {
        !matches!(self, Kind::Node | Kind::Namespace)
    }

    /// Whether the registry keeps `metadata.generation` for the kind (it rises
    /// with every spec change).
    pub fn has_generation(self) -> bool {
        matches!(
            self,
            Kind::Pod
                | Kind::ReplicaSet
                | Kind::Deployment
                | Kind::StatefulSet
                | Kind::DaemonSet
                | Kind::Job
                | Kind::CronJob
        )
    }

    /// The kind a user means by `name`: the Kind itself, its resource name,
    /// singular or short name, case-insensitively, as kubectl resolves them
    /// (`Pod`, `pods`, `po`, `deploy`, `sts`, …), optionally group-qualified
    /// (`deployments.apps`).
    pub fn from_name(name: &str) -> Option<Kind> {
        let lower = name.to_ascii_lowercase();
        let (base, group) = match lower.split_once('.') {
            Some((b, g)) => (b, Some(g)),
            None => (lower.as_str(), None),
        };
        let kind = match base {
            "pod" | "pods" | "po" => Kind::Pod,
            "replicaset" | "replicasets" | "rs" => Kind::ReplicaSet,
            "deployment" | "deployments" | "deploy" => Kind::Deployment,
            "statefulset" | "statefulsets" | "sts" => Kind::StatefulSet,
            "daemonset" | "daemonsets" | "ds" => Kind::DaemonSet,
            "controllerrevision" | "controllerrevisions" => Kind::ControllerRevision,
            "job" | "jobs" => Kind::Job,
            "cronjob" | "cronjobs" | "cj" => Kind::CronJob,
            "node" | "nodes" | "no" => Kind::Node,
            "persistentvolumeclaim" | "persistentvolumeclaims" | "pvc" => {
                Kind::PersistentVolumeClaim
            }
            "namespace" | "namespaces" | "ns" => Kind::Namespace,
            _ => return None,
        };
        let own_group = kind.api_version().split_once('/').map(|(g, _)| g);
        match group {
            None => Some(kind),
            Some(g) if own_group == Some(g) => Some(kind),
            Some(_) => None,
        }
    }

    /// The kind of an object from its `apiVersion` and `kind` fields.
    pub fn from_type_meta(api_version: &str, kind: &str) -> Result<Kind, String> {
        let found = Kind::ALL.into_iter().find(|k| k.name() == kind);
        match found {
            Some(k) if k.api_version() == api_version => Ok(k),
            _ if kind.is_empty() => Err("Object 'Kind' is missing".to_owned()),
            _ => Err(format!(
                "no matches for kind \"{kind}\" in version \"{api_version}\""
            )),
        }
    }

    pub fn workload(self) -> Option<crate::workload::Kind> {
        use crate::workload::Kind as W;
        Some(match self {
            Kind::Pod => return None,
            Kind::ReplicaSet => W::ReplicaSet,
            Kind::Deployment => W::Deployment,
            Kind::StatefulSet => W::StatefulSet,
            Kind::DaemonSet => W::DaemonSet,
            Kind::ControllerRevision => W::ControllerRevision,
            Kind::Job => W::Job,
            Kind::CronJob => W::CronJob,
            Kind::Node => W::Node,
            Kind::PersistentVolumeClaim => W::PersistentVolumeClaim,
            Kind::Namespace => W::Namespace,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_resolve_from_kubectl_names() {
        assert_eq!(Kind::from_name("po"), Some(Kind::Pod));
        assert_eq!(Kind::from_name("Deployments"), Some(Kind::Deployment));
        assert_eq!(Kind::from_name("deploy"), Some(Kind::Deployment));
        assert_eq!(Kind::from_name("deployments.apps"), Some(Kind::Deployment));
        assert_eq!(Kind::from_name("deployments.batch"), None);
        assert_eq!(Kind::from_name("sts"), Some(Kind::StatefulSet));
        assert_eq!(Kind::from_name("ds"), Some(Kind::DaemonSet));
        assert_eq!(Kind::from_name("pvc"), Some(Kind::PersistentVolumeClaim));
        assert_eq!(Kind::from_name("cj"), Some(Kind::CronJob));
        assert_eq!(Kind::from_name("cronjobs.batch"), Some(Kind::CronJob));
        assert_eq!(Kind::from_name("services"), None);
    }

    #[test]
    fn errors_name_group_qualified_resources() {
        assert_eq!(Kind::Pod.resource(), "pods");
        assert_eq!(Kind::Deployment.resource(), "deployments.apps");
        assert_eq!(Kind::Job.resource(), "jobs.batch");
    }

    #[test]
    fn type_meta_must_name_the_served_version() {
        assert_eq!(
            Kind::from_type_meta("apps/v1", "Deployment"),
            Ok(Kind::Deployment)
        );
        assert_eq!(
            Kind::from_type_meta("extensions/v1beta1", "Deployment"),
            Err("no matches for kind \"Deployment\" in version \"extensions/v1beta1\"".to_owned())
        );
    }
}
