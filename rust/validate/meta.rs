//! ObjectMeta validation (apimachinery objectmeta.go) and the pod-specific
//! metadata rules.
