//! Strategic-merge-patch metadata for the built-in kinds we support.
//!
//! Transcribed from the `patchStrategy` / `patchMergeKey` struct tags of
//! k8s.io/api core/v1, apps/v1 and batch/v1 and of k8s.io/apimachinery's
//! `ObjectMeta`. Only fields that carry a tag, or lead to one, need an entry:
//! any other field merges as a plain map when it holds objects and is replaced
//! wholesale when it holds a list, exactly as for untagged Go fields. A few
//! untagged lists that are easy to mistake for mergeable ones are listed as
//! `untagged` to record that they were checked.

/// The `patchStrategy` tag of a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Strategy {
    /// No tag: lists are replaced, maps are merged key by key.
    Untagged,
    /// `merge`: list items are matched (by merge key, or by value for
    /// primitives) instead of the list being replaced.
    Merge,
    /// `retainKeys`: clients send `$retainKeys` for this struct. Applying the
    /// directive does not depend on the tag, so this only documents the field.
    RetainKeys,
    /// `merge,retainKeys`.
    MergeRetainKeys,
}

pub(crate) struct FieldMeta {
    pub(crate) name: &'static str,
    pub(crate) strategy: Strategy,
    /// `patchMergeKey`; absent for primitive lists and untagged fields.
    pub(crate) merge_key: Option<&'static str>,
    /// The field's struct type, or the element type for lists.
    pub(crate) ty: &'static TypeMeta,
}

impl FieldMeta {
    pub(crate) fn merges(&self) -> bool {
        matches!(self.strategy, Strategy::Merge | Strategy::MergeRetainKeys)
    }
}

pub(crate) struct TypeMeta {
    pub(crate) fields: &'static [FieldMeta],
}

impl TypeMeta {
    /// Metadata for the named field; unknown fields behave as untagged ones.
    pub(crate) fn field(&'static self, name: &str) -> &'static FieldMeta {
        self.fields
            .iter()
            .find(|field| field.name == name)
            .unwrap_or(&UNKNOWN_FIELD)
    }
}

/// Looks up the root type of a kind, or `None` when strategic merge patch is
/// not supported for it (the apiserver refuses it for custom resources).
pub(crate) fn for_kind(kind: &str) -> Option<&'static TypeMeta> {
    match kind {
        "Pod" => Some(&POD),
        "ReplicaSet" => Some(&REPLICA_SET),
        "Deployment" => Some(&DEPLOYMENT),
        "StatefulSet" => Some(&STATEFUL_SET),
        "DaemonSet" => Some(&DAEMON_SET),
        "Job" => Some(&JOB),
        "CronJob" => Some(&CRON_JOB),
        "Node" => Some(&NODE),
        "PersistentVolumeClaim" => Some(&PERSISTENT_VOLUME_CLAIM),
        "Namespace" => Some(&NAMESPACE),
        _ => None,
    }
}

const fn untagged(name: &'static str) -> FieldMeta {
    FieldMeta {
        name,
        strategy: Strategy::Untagged,
        merge_key: None,
        ty: &OPAQUE,
    }
}

const fn nested(name: &'static str, ty: &'static TypeMeta) -> FieldMeta {
    FieldMeta {
        name,
        strategy: Strategy::Untagged,
        merge_key: None,
        ty,
    }
}

const fn merge_by(name: &'static str, key: &'static str, ty: &'static TypeMeta) -> FieldMeta {
    FieldMeta {
        name,
        strategy: Strategy::Merge,
        merge_key: Some(key),
        ty,
    }
}

const fn merge_retain_by(
    name: &'static str,
    key: &'static str,
    ty: &'static TypeMeta,
) -> FieldMeta {
    FieldMeta {
        name,
        strategy: Strategy::MergeRetainKeys,
        merge_key: Some(key),
        ty,
    }
}

const fn merge_primitives(name: &'static str) -> FieldMeta {
    FieldMeta {
        name,
        strategy: Strategy::Merge,
        merge_key: None,
        ty: &OPAQUE,
    }
}

const fn retain_keys(name: &'static str) -> FieldMeta {
    FieldMeta {
        name,
        strategy: Strategy::RetainKeys,
        merge_key: None,
        ty: &OPAQUE,
    }
}

/// A type with no tagged fields anywhere below it.
static OPAQUE: TypeMeta = TypeMeta { fields: &[] };

static UNKNOWN_FIELD: FieldMeta = untagged("");

// meta/v1

static OBJECT_META: TypeMeta = TypeMeta {
    fields: &[
        merge_primitives("finalizers"),
        merge_by("ownerReferences", "uid", &OPAQUE),
    ],
};

// core/v1: pods

/// `Container`, and `EphemeralContainer`, which inlines the same fields.
static CONTAINER: TypeMeta = TypeMeta {
    fields: &[
        merge_by("ports", "containerPort", &OPAQUE),
        merge_by("env", "name", &OPAQUE),
        merge_by("volumeMounts", "mountPath", &OPAQUE),
        merge_by("volumeDevices", "devicePath", &OPAQUE),
        untagged("envFrom"),
        untagged("resizePolicy"),
        untagged("command"),
        untagged("args"),
    ],
};

static POD_SPEC: TypeMeta = TypeMeta {
    fields: &[
        merge_retain_by("volumes", "name", &OPAQUE),
        merge_by("initContainers", "name", &CONTAINER),
        merge_by("containers", "name", &CONTAINER),
        merge_by("ephemeralContainers", "name", &CONTAINER),
        merge_by("imagePullSecrets", "name", &OPAQUE),
        merge_by("hostAliases", "ip", &OPAQUE),
        merge_by("topologySpreadConstraints", "topologyKey", &OPAQUE),
        merge_by("schedulingGates", "name", &OPAQUE),
        merge_retain_by("resourceClaims", "name", &OPAQUE),
        untagged("tolerations"),
        untagged("readinessGates"),
    ],
};

static POD_STATUS: TypeMeta = TypeMeta {
    fields: &[
        merge_by("conditions", "type", &OPAQUE),
        merge_by("podIPs", "ip", &OPAQUE),
        merge_by("hostIPs", "ip", &OPAQUE),
        merge_retain_by("resourceClaimStatuses", "name", &OPAQUE),
        untagged("containerStatuses"),
        untagged("initContainerStatuses"),
        untagged("ephemeralContainerStatuses"),
    ],
};

static POD: TypeMeta = TypeMeta {
    fields: &[
        nested("metadata", &OBJECT_META),
        nested("spec", &POD_SPEC),
        nested("status", &POD_STATUS),
    ],
};

static POD_TEMPLATE_SPEC: TypeMeta = TypeMeta {
    fields: &[nested("metadata", &OBJECT_META), nested("spec", &POD_SPEC)],
};

/// The status of every kind here whose only tagged status field is
/// `conditions`, merged by condition type.
static CONDITIONS_STATUS: TypeMeta = TypeMeta {
    fields: &[merge_by("conditions", "type", &OPAQUE)],
};

// apps/v1

static TEMPLATED_SPEC: TypeMeta = TypeMeta {
    fields: &[nested("template", &POD_TEMPLATE_SPEC)],
};

static REPLICA_SET: TypeMeta = TypeMeta {
    fields: &[
        nested("metadata", &OBJECT_META),
        nested("spec", &TEMPLATED_SPEC),
        nested("status", &CONDITIONS_STATUS),
    ],
};

static DEPLOYMENT_SPEC: TypeMeta = TypeMeta {
    fields: &[
        nested("template", &POD_TEMPLATE_SPEC),
        retain_keys("strategy"),
    ],
};

static DEPLOYMENT: TypeMeta = TypeMeta {
    fields: &[
        nested("metadata", &OBJECT_META),
        nested("spec", &DEPLOYMENT_SPEC),
        nested("status", &CONDITIONS_STATUS),
    ],
};

static STATEFUL_SET_SPEC: TypeMeta = TypeMeta {
    fields: &[
        nested("template", &POD_TEMPLATE_SPEC),
        untagged("volumeClaimTemplates"),
    ],
};

static STATEFUL_SET: TypeMeta = TypeMeta {
    fields: &[
        nested("metadata", &OBJECT_META),
        nested("spec", &STATEFUL_SET_SPEC),
        nested("status", &CONDITIONS_STATUS),
    ],
};

static DAEMON_SET: TypeMeta = TypeMeta {
    fields: &[
        nested("metadata", &OBJECT_META),
        nested("spec", &TEMPLATED_SPEC),
        nested("status", &CONDITIONS_STATUS),
    ],
};

// batch/v1

static JOB: TypeMeta = TypeMeta {
    fields: &[
        nested("metadata", &OBJECT_META),
        nested("spec", &TEMPLATED_SPEC),
        nested("status", &CONDITIONS_STATUS),
    ],
};

static JOB_TEMPLATE_SPEC: TypeMeta = TypeMeta {
    fields: &[
        nested("metadata", &OBJECT_META),
        nested("spec", &TEMPLATED_SPEC),
    ],
};

static CRON_JOB_SPEC: TypeMeta = TypeMeta {
    fields: &[nested("jobTemplate", &JOB_TEMPLATE_SPEC)],
};

/// `status.active` carries no patch strategy: it is replaced as a whole.
static CRON_JOB: TypeMeta = TypeMeta {
    fields: &[
        nested("metadata", &OBJECT_META),
        nested("spec", &CRON_JOB_SPEC),
    ],
};

// core/v1: cluster objects

static NODE_SPEC: TypeMeta = TypeMeta {
    fields: &[merge_primitives("podCIDRs"), untagged("taints")],
};

static NODE_STATUS: TypeMeta = TypeMeta {
    fields: &[
        merge_by("conditions", "type", &OPAQUE),
        merge_by("addresses", "type", &OPAQUE),
        untagged("images"),
        untagged("volumesAttached"),
    ],
};

static NODE: TypeMeta = TypeMeta {
    fields: &[
        nested("metadata", &OBJECT_META),
        nested("spec", &NODE_SPEC),
        nested("status", &NODE_STATUS),
    ],
};

static PERSISTENT_VOLUME_CLAIM: TypeMeta = TypeMeta {
    fields: &[
        nested("metadata", &OBJECT_META),
        nested("status", &CONDITIONS_STATUS),
    ],
};

static NAMESPACE_SPEC: TypeMeta = TypeMeta {
    fields: &[untagged("finalizers")],
};

static NAMESPACE: TypeMeta = TypeMeta {
    fields: &[
        nested("metadata", &OBJECT_META),
        nested("spec", &NAMESPACE_SPEC),
        nested("status", &CONDITIONS_STATUS),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    fn path(kind: &str, fields: &[&str]) -> &'static FieldMeta {
        let mut ty = for_kind(kind).expect("supported kind");
        let mut field = &UNKNOWN_FIELD;
        for name in fields {
            field = ty.field(name);
            ty = field.ty;
        }
        field
    }

    #[test]
    fn every_supported_kind_has_a_schema() {
        for kind in [
            "Pod",
            "ReplicaSet",
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "Job",
            "Node",
            "PersistentVolumeClaim",
            "Namespace",
        ] {
            assert!(for_kind(kind).is_some(), "{kind}");
        }
        assert!(for_kind("CronJob").is_some());
        assert!(for_kind("CronJobList").is_none());
        assert!(for_kind("pod").is_none());
    }

    #[test]
    fn pod_containers_merge_by_name() {
        let field = path("Pod", &["spec", "containers"]);
        assert!(field.merges());
        assert_eq!(field.merge_key, Some("name"));
    }

    #[test]
    fn container_lists_use_their_documented_merge_keys() {
        for (list, key) in [
            ("ports", "containerPort"),
            ("env", "name"),
            ("volumeMounts", "mountPath"),
            ("volumeDevices", "devicePath"),
        ] {
            let field = path("Pod", &["spec", "initContainers", list]);
            assert_eq!(field.merge_key, Some(key), "{list}");
        }
        assert!(!path("Pod", &["spec", "containers", "resizePolicy"]).merges());
    }

    #[test]
    fn workload_templates_reach_the_pod_spec() {
        for kind in [
            "ReplicaSet",
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "Job",
        ] {
            let field = path(kind, &["spec", "template", "spec", "containers", "env"]);
            assert_eq!(field.merge_key, Some("name"), "{kind}");
        }
    }

    #[test]
    fn a_cron_jobs_job_template_reaches_the_pod_spec() {
        let field = path(
            "CronJob",
            &[
                "spec",
                "jobTemplate",
                "spec",
                "template",
                "spec",
                "containers",
            ],
        );
        assert_eq!(field.merge_key, Some("name"));
        let meta = path(
            "CronJob",
            &["spec", "jobTemplate", "metadata", "ownerReferences"],
        );
        assert_eq!(meta.merge_key, Some("uid"));
    }

    #[test]
    fn volumes_merge_by_name_and_retain_keys() {
        let field = path("Pod", &["spec", "volumes"]);
        assert_eq!(field.strategy, Strategy::MergeRetainKeys);
        assert_eq!(field.merge_key, Some("name"));
    }

    #[test]
    fn deployment_strategy_retains_keys() {
        let field = path("Deployment", &["spec", "strategy"]);
        assert_eq!(field.strategy, Strategy::RetainKeys);
        assert!(!field.merges());
    }

    #[test]
    fn finalizers_merge_as_a_set_everywhere_but_namespace_spec() {
        let meta = path("Namespace", &["metadata", "finalizers"]);
        assert!(meta.merges());
        assert_eq!(meta.merge_key, None);
        assert!(!path("Namespace", &["spec", "finalizers"]).merges());
    }

    #[test]
    fn untagged_lists_are_replaced() {
        for (kind, fields) in [
            ("Pod", &["spec", "tolerations"][..]),
            ("Pod", &["spec", "readinessGates"][..]),
            ("Pod", &["status", "containerStatuses"][..]),
            ("Node", &["spec", "taints"][..]),
            ("StatefulSet", &["spec", "volumeClaimTemplates"][..]),
            ("Pod", &["spec", "nosuchfield"][..]),
        ] {
            assert!(!path(kind, fields).merges(), "{kind} {fields:?}");
        }
    }

    #[test]
    fn node_lists_merge_by_type_and_pod_cidrs_as_a_set() {
        assert_eq!(
            path("Node", &["status", "addresses"]).merge_key,
            Some("type")
        );
        assert_eq!(
            path("Node", &["status", "conditions"]).merge_key,
            Some("type")
        );
        let cidrs = path("Node", &["spec", "podCIDRs"]);
        assert!(cidrs.merges());
        assert_eq!(cidrs.merge_key, None);
    }
}
