//! Decoding with Go's JSON semantics, which the apiserver has: a missing field
//! and an explicit `null` both leave the zero value, and zero values are left
//! out of the output (`omitempty`).

use serde::de::{self, DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// Reads `null` as the type's zero value, as Go's decoder leaves a field
/// untouched on `null`.
pub fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    // Straight into `T` rather than through an `Option<T>`, which would
    // move every decoded struct once more.
    d.deserialize_option(Nullable(std::marker::PhantomData))
}

struct Nullable<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de> + Default> serde::de::Visitor<'de> for Nullable<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("option")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        T::deserialize(d)
    }
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

/// A type whose JSON can be checked without building it: `Check`
/// accepts exactly the JSON that the type's own decoding accepts, and keeps
/// nothing (no strings, vectors or maps are allocated). Used for parts that a
/// caller must type-check but does not read, such as a pod's status when
/// only an update of its spec is being validated.
pub trait Checked {
    type Check: DeserializeOwned + Default;
}

/// Accepts a JSON string, keeping nothing.
#[derive(Default)]
pub struct CheckStr;

impl<'de> Deserialize<'de> for CheckStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = CheckStr;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<CheckStr, E> {
                Ok(CheckStr)
            }
        }
        d.deserialize_str(V)
    }
}

/// Accepts a JSON array whose elements `T` accepts, keeping nothing.
pub struct CheckSeq<T>(PhantomData<T>);

impl<T> Default for CheckSeq<T> {
    fn default() -> Self {
        CheckSeq(PhantomData)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for CheckSeq<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = CheckSeq<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<CheckSeq<T>, A::Error> {
                while seq.next_element::<T>()?.is_some() {}
                Ok(CheckSeq(PhantomData))
            }
        }
        d.deserialize_seq(V(PhantomData))
    }
}

/// Accepts a JSON object whose keys `K` and values `V` accept, keeping nothing.
pub struct CheckMap<K, V>(PhantomData<(K, V)>);

impl<K, V> Default for CheckMap<K, V> {
    fn default() -> Self {
        CheckMap(PhantomData)
    }
}

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for CheckMap<K, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Vis<K, V>(PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for Vis<K, V> {
            type Value = CheckMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<CheckMap<K, V>, A::Error> {
                while map.next_entry::<K, V>()?.is_some() {}
                Ok(CheckMap(PhantomData))
            }
        }
        d.deserialize_map(Vis(PhantomData))
    }
}

impl Checked for String {
    type Check = CheckStr;
}
impl<T: Checked> Checked for Option<T> {
    type Check = Option<T::Check>;
}
impl<T: Checked> Checked for Box<T> {
    type Check = T::Check;
}
impl<T: Checked> Checked for Vec<T> {
    type Check = CheckSeq<T::Check>;
}
impl<K: Checked, V: Checked> Checked for BTreeMap<K, V> {
    type Check = CheckMap<K::Check, V::Check>;
}
impl Checked for serde_json::Value {
    // A JSON value of any shape.
    type Check = de::IgnoredAny;
}

/// Types that hold no heap memory check themselves.
macro_rules! checked_as_itself {
    ($($t:ty),*) => {
        $(impl Checked for $t {
            type Check = $t;
        })*
    };
}
checked_as_itself!(bool, i32, i64);

/// Declares a Kubernetes API struct: camelCase JSON names, Go's decoding of
/// absent and `null` fields, `omitempty` on output. A field that Kubernetes
/// spells differently from the camelCase of its Rust name carries its own
/// `#[serde(rename = "...")]`.
///
/// Written `api_struct! { check CheckName; pub struct Name { ... } }`, it
/// also declares `CheckName`, the struct's [`Checked::Check`].
macro_rules! api_struct {
    (check $check:ident; $(#[$m:meta])* pub struct $name:ident { $( $(#[$fm:meta])* pub $field:ident : $ty:ty ),* $(,)? }) => {
        crate::model::serde_util::api_struct! {
            $(#[$m])*
            pub struct $name { $( $(#[$fm])* pub $field : $ty ),* }
        }
        crate::model::serde_util::check_struct! {
            $check for $name { $( $(#[$fm])* $field : $ty ),* }
        }
    };
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

/// Declares the [`Checked::Check`] of an API struct from its fields: the same
/// JSON names and decoding of absent and `null` fields, each field checked by
/// its type's own `Check`.
macro_rules! check_struct {
    ($check:ident for $name:ident { $( $(#[$fm:meta])* $field:ident : $ty:ty ),* $(,)? }) => {
        #[doc = concat!("Checks the JSON of a [`", stringify!($name), "`] without building it.")]
        #[derive(Default, serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $check {
            $(
                $(#[$fm])*
                #[serde(default, deserialize_with = "crate::model::serde_util::nullable")]
                pub $field: <$ty as crate::model::serde_util::Checked>::Check,
            )*
        }
        impl crate::model::serde_util::Checked for $name {
            type Check = $check;
        }
    };
}
pub(crate) use check_struct;
