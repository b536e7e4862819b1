//! resource.Quantity (replaced by the full implementation).
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Debug, Default)]
pub struct Quantity {
    raw: String,
}

impl Quantity {
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        match v {
            serde_json::Value::String(s) => Ok(Quantity { raw: s }),
            serde_json::Value::Number(n) => Ok(Quantity { raw: n.to_string() }),
            _ => Err(serde::de::Error::custom(
                "quantity must be a string or a number",
            )),
        }
    }
}
