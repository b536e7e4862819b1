//! What the workload validators share: ObjectMeta for any kind, pod
//! templates, label-selector semantics, and `IntOrString` percentages.

use crate::errors::FieldError;
use crate::model::{IntOrString, LabelSelector, ObjectMeta, Pod, PodTemplateSpec, StringMap};
use crate::validate::{meta, names, spec, update, Errors, Opts, Path};
use serde::Serialize;
use serde_json::Value;

/// A name rule: the messages for `name` (`prefix` for a generateName).
pub type NameFn = fn(&str, bool) -> Vec<String>;

/// The JSON of a value for an error's bad value.
pub fn json<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// `ValidateObjectMeta` of the core API for any kind: the name rule of the
/// kind, a namespace only where the kind is namespaced, and the checks
/// every object's metadata gets.
pub fn validate_object_meta(
    m: &ObjectMeta,
    namespaced: bool,
    name_fn: NameFn,
    path: &Path,
    errs: &mut Errors,
) {
    if !m.generate_name.is_empty() {
        let p = path.child("generateName");
        for msg in name_fn(&m.generate_name, true) {
            errs.push(FieldError::invalid(p, m.generate_name.as_str(), msg));
        }
    }
    let name_path = path.child("name");
    if m.name.is_empty() {
        errs.push(FieldError::required(
            name_path,
            "name or generateName is required",
        ));
    } else {
        for msg in name_fn(&m.name, false) {
            errs.push(FieldError::invalid(name_path, m.name.as_str(), msg));
        }
    }
    let ns_path = path.child("namespace");
    if namespaced {
        if m.namespace.is_empty() {
            errs.push(FieldError::required(ns_path, ""));
        } else {
            for msg in names::name_is_dns_label(&m.namespace, false) {
                errs.push(FieldError::invalid(ns_path, m.namespace.as_str(), msg));
            }
        }
    } else if !m.namespace.is_empty() {
        errs.push(FieldError::forbidden(ns_path, "not allowed on this type"));
    }
    meta::validate_nonnegative(m.generation, &path.child("generation"), errs);
    spec::validate_labels(&m.labels, &path.child("labels"), errs);
    meta::validate_annotations(&m.annotations, &path.child("annotations"), errs);
    meta::validate_owner_references(&m.owner_references, &path.child("ownerReferences"), errs);
    let fin = path.child("finalizers");
    meta::validate_finalizers(&m.finalizers, &fin, errs);
    meta::validate_managed_fields(&m.managed_fields, &path.child("managedFields"), errs);
    meta::validate_kube_finalizer_names(&m.finalizers, &fin, errs);
}

/// `ValidateNonnegativeField` for any integer width.
pub fn nonnegative(value: impl Into<i64>, path: &Path, errs: &mut Errors) {
    meta::validate_nonnegative(value.into(), path, errs);
}

/// `ValidateImmutableField`: the new value is reported when it differs.
pub fn immutable<T: PartialEq + Serialize>(new: &T, old: &T, path: &Path, errs: &mut Errors) {
    if new != old {
        errs.push(FieldError::invalid(path, json(new), meta::FIELD_IMMUTABLE));
    }
}

/// `GetValidationOptionsFromPodTemplate`: the pod options for a template,
/// relaxed where the stored template already breaks a newer rule.
pub fn template_opts(new: &PodTemplateSpec, old: Option<&PodTemplateSpec>) -> Opts {
    let as_pod = |t: &PodTemplateSpec| Pod {
        metadata: t.metadata.clone(),
        spec: t.spec.clone(),
        ..Pod::default()
    };
    let new_pod = as_pod(new);
    let old_pod = old.map(as_pod);
    Opts::for_pod(&new_pod, old_pod.as_ref())
}

/// `ValidatePodTemplateSpec`: the template's labels and annotations, and its
/// spec through the pod spec validation (without pod metadata, as for every
/// template).
pub fn validate_pod_template_spec(
    t: &PodTemplateSpec,
    path: &Path,
    opts: &Opts,
    errs: &mut Errors,
) {
    spec::validate_labels(&t.metadata.labels, &path.child("labels"), errs);
    let ann = path.child("annotations");
    meta::validate_annotations(&t.metadata.annotations, &ann, errs);
    meta::validate_pod_specific_annotations(&t.metadata.annotations, &t.spec, &ann, opts, errs);
    let spec_path = path.child("spec");
    spec::validate_pod_spec(&t.spec, &ObjectMeta::default(), &spec_path, opts, errs);
    update::validate_seccomp_annotations_and_fields(&t.metadata, &t.spec, &spec_path, errs);
    update::validate_apparmor_annotations_and_fields_on_create(
        &t.metadata,
        &t.spec,
        &spec_path,
        errs,
    );
    if !t.spec.ephemeral_containers.is_empty() {
        errs.push(FieldError::forbidden(
            spec_path.child("ephemeralContainers"),
            "ephemeral containers not allowed in pod template",
        ));
    }
}

// ---------------------------------------------------------------------------
// Label selectors as `metav1.LabelSelectorAsSelector` reads them

/// What a `LabelSelector` becomes as a `labels.Selector`.
pub enum Selector<'a> {
    /// No selector at all: matches nothing.
    Nothing,
    /// A selector with no requirements: matches everything.
    Everything,
    Requirements(&'a LabelSelector),
}

/// `LabelSelectorAsSelector`; `None` where it fails (a bad operator, key or
/// value, or a value count the operator does not allow).
pub fn as_selector(sel: Option<&LabelSelector>) -> Option<Selector<'_>> {
    let Some(sel) = sel else {
        return Some(Selector::Nothing);
    };
    if sel.match_labels.is_empty() && sel.match_expressions.is_empty() {
        return Some(Selector::Everything);
    }
    let mut scratch = Errors::new();
    spec::validate_label_selector(sel, false, &Path::ROOT, &mut scratch);
    scratch.is_empty().then_some(Selector::Requirements(sel))
}

impl Selector<'_> {
    /// `Selector.Empty()`: only the selector with no requirements is empty.
    pub fn is_empty(&self) -> bool {
        matches!(self, Selector::Everything)
    }

    pub fn matches(&self, labels: &StringMap) -> bool {
        match self {
            Selector::Nothing => false,
            Selector::Everything => true,
            Selector::Requirements(sel) => {
                sel.match_labels
                    .iter()
                    .all(|(k, v)| labels.get(k) == Some(v))
                    && sel.match_expressions.iter().all(|r| {
                        let got = labels.get(&r.key);
                        match r.operator.as_str() {
                            "In" => got.is_some_and(|v| r.values.contains(v)),
                            "NotIn" => got.is_none_or(|v| !r.values.contains(v)),
                            "Exists" => got.is_some(),
                            "DoesNotExist" => got.is_none(),
                            _ => false,
                        }
                    })
            }
        }
    }
}

/// The template-labels error every controller reports when its selector
/// does not select its own pods.
pub fn selector_mismatch(template: &PodTemplateSpec, template_path: &Path) -> FieldError {
    let meta = template_path.child("metadata");
    FieldError::invalid(
        meta.child("labels"),
        json(&template.metadata.labels),
        "`selector` does not match template `labels`",
    )
}

// ---------------------------------------------------------------------------
// IntOrString percentages (apps validation)

/// `ValidatePositiveIntOrPercent`.
pub fn positive_int_or_percent(v: &IntOrString, path: &Path, errs: &mut Errors) {
    match v {
        IntOrString::String(s) => {
            for msg in names::is_valid_percent(s) {
                errs.push(FieldError::invalid(path, json(v), msg));
            }
        }
        IntOrString::Int(i) => nonnegative(*i, path, errs),
    }
}

/// The number in a valid percent string.
fn percent_value(v: &IntOrString) -> Option<i64> {
    match v {
        IntOrString::String(s) if names::is_valid_percent(s).is_empty() => {
            // Digits only; an overlong run saturates rather than wraps.
            Some(s.trim_end_matches('%').bytes().fold(0i64, |n, d| {
                n.saturating_mul(10).saturating_add(i64::from(d - b'0'))
            }))
        }
        _ => None,
    }
}

/// `getIntOrPercentValue`: a percent's number, an int's value, and for any
/// other string what Go's `Atoi` makes of it (0 when it is not a number).
pub fn int_or_percent_value(v: &IntOrString) -> i64 {
    if let Some(p) = percent_value(v) {
        return p;
    }
    match v {
        IntOrString::Int(i) => i64::from(*i),
        IntOrString::String(s) => s.parse::<i64>().unwrap_or(0),
    }
}

/// `IsNotMoreThan100Percent`.
pub fn not_more_than_100_percent(v: &IntOrString, path: &Path, errs: &mut Errors) {
    if percent_value(v).is_some_and(|p| p > 100) {
        errs.push(FieldError::invalid(
            path,
            json(v),
            "must not be greater than 100%",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> StringMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_missing_selector_matches_nothing_and_an_empty_one_everything() {
        let l = labels(&[("a", "b")]);
        assert!(!as_selector(None).unwrap().matches(&l));
        let empty = LabelSelector::default();
        let s = as_selector(Some(&empty)).unwrap();
        assert!(s.is_empty() && s.matches(&l));
    }

    #[test]
    fn selector_expressions_match_as_kubernetes_label_selectors() {
        let sel = LabelSelector {
            match_labels: labels(&[("app", "web")]),
            match_expressions: vec![
                LabelSelectorRequirement {
                    key: "tier".into(),
                    operator: "NotIn".into(),
                    values: vec!["db".into()],
                },
                LabelSelectorRequirement {
                    key: "env".into(),
                    operator: "Exists".into(),
                    values: vec![],
                },
            ],
        };
        let s = as_selector(Some(&sel)).unwrap();
        assert!(s.matches(&labels(&[("app", "web"), ("env", "x")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("env", "x"), ("tier", "db")])));
        assert!(!s.matches(&labels(&[("app", "web")])));
    }

    #[test]
    fn a_selector_with_a_bad_operator_does_not_convert() {
        let sel = LabelSelector {
            match_expressions: vec![LabelSelectorRequirement {
                key: "a".into(),
                operator: "Near".into(),
                values: vec![],
            }],
            ..LabelSelector::default()
        };
        assert!(as_selector(Some(&sel)).is_none());
    }

    #[test]
    fn percent_values_read_as_go_reads_them() {
        assert_eq!(int_or_percent_value(&IntOrString::String("25%".into())), 25);
        assert_eq!(int_or_percent_value(&IntOrString::String("abc".into())), 0);
        assert_eq!(int_or_percent_value(&IntOrString::String("7".into())), 7);
        assert_eq!(int_or_percent_value(&IntOrString::Int(3)), 3);
    }
}
