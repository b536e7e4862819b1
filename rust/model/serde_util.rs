//! Decoding with Go's JSON semantics, which the apiserver has: a missing field
//! and an explicit `null` both leave the zero value, and zero values are left
//! out of the output (`omitempty`).

use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

/// Reads `null` as the type's zero value, as Go's decoder leaves a field
/// untouched on `null`.
pub fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Whether a field is left out of the output, as Go's `omitempty` does.
pub trait Omit {
    fn omit(&self) -> bool;
}

impl Omit for String {
    fn omit(&self) -> bool {
        self.is_empty()
    }
}
impl Omit for bool {
    fn omit(&self) -> bool {
        !*self
    }
}
impl Omit for i32 {
    fn omit(&self) -> bool {
        *self == 0
    }
}
impl Omit for i64 {
    fn omit(&self) -> bool {
        *self == 0
    }
}
impl<T> Omit for Option<T> {
    fn omit(&self) -> bool {
        self.is_none()
    }
}
impl<T> Omit for Vec<T> {
    fn omit(&self) -> bool {
        self.is_empty()
    }
}
impl<K, V> Omit for BTreeMap<K, V> {
    fn omit(&self) -> bool {
        self.is_empty()
    }
}
impl Omit for serde_json::Value {
    fn omit(&self) -> bool {
        self.is_null()
    }
}

/// Declares a Kubernetes API struct: camelCase JSON names, Go's decoding of
/// absent and `null` fields, `omitempty` on output. A field that Kubernetes
/// spells differently from the camelCase of its Rust name carries its own
/// `#[serde(rename = "...")]`.
macro_rules! api_struct {
    ($(#[$m:meta])* pub struct $name:ident { $( $(#[$fm:meta])* pub $field:ident : $ty:ty ),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            $(
                $(#[$fm])*
                #[serde(
                    default,
                    deserialize_with = "crate::model::serde_util::nullable",
                    skip_serializing_if = "crate::model::serde_util::Omit::omit"
                )]
                pub $field: $ty,
            )*
        }
        impl crate::model::serde_util::Omit for $name {
            fn omit(&self) -> bool {
                false
            }
        }
    };
}
pub(crate) use api_struct;
