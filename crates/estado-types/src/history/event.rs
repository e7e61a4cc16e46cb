//! One history event and its wire form.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use super::generated::{self, AnyDetails, EventDetails, DETAILS_MEMBERS, EVENT_TYPES};
use super::Timestamp;

/// One entry of an execution's history.
///
/// `previous_event_id` is what AWS reports, which is not always `id - 1` (the first state's
/// `…StateEntered` event has `previousEventId: 0`, and events inside Map iterations and
/// Parallel branches point at their own branch's last event). The type and its details are one
/// value, [`EventDetails`], so an event of the wrong shape cannot be built.
///
/// Serialises to exactly AWS's member order: `timestamp`, `type`, `id`, `previousEventId`, then
/// the details member (absent for types that carry none). Deserialises in any member order;
/// `previousEventId` defaults to 0, unknown members are ignored, and a details member that does
/// not belong to the event's type is an error.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEvent {
    pub id: i64,
    pub previous_event_id: i64,
    pub timestamp: Timestamp,
    pub details: EventDetails,
}

impl HistoryEvent {
    pub fn new(
        id: i64,
        previous_event_id: i64,
        timestamp: Timestamp,
        details: EventDetails,
    ) -> Self {
        HistoryEvent {
            id,
            previous_event_id,
            timestamp,
            details,
        }
    }

    /// The event's `type`, exactly as AWS spells it.
    pub fn event_type(&self) -> &'static str {
        self.details.event_type()
    }
}

impl Serialize for HistoryEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = 4 + usize::from(self.details.member_name().is_some());
        let mut state = serializer.serialize_struct("HistoryEvent", len)?;
        state.serialize_field("timestamp", &self.timestamp)?;
        state.serialize_field("type", self.details.event_type())?;
        state.serialize_field("id", &self.id)?;
        state.serialize_field("previousEventId", &self.previous_event_id)?;
        self.details.serialize_member(&mut state)?;
        state.end()
    }
}

impl<'de> Deserialize<'de> for HistoryEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EventVisitor)
    }
}

/// A member name of `HistoryEvent`, resolved without allocating.
enum Key {
    Timestamp,
    Type,
    Id,
    PreviousEventId,
    /// Index into [`DETAILS_MEMBERS`].
    Details(usize),
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a HistoryEvent member name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Key, E> {
        Ok(match name {
            "timestamp" => Key::Timestamp,
            "type" => Key::Type,
            "id" => Key::Id,
            "previousEventId" => Key::PreviousEventId,
            _ => match DETAILS_MEMBERS.iter().position(|m| *m == name) {
                Some(index) => Key::Details(index),
                None => Key::Other,
            },
        })
    }
}

/// An event type, resolved to its index in [`EVENT_TYPES`].
struct TypeIndex;

impl<'de> DeserializeSeed<'de> for TypeIndex {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for TypeIndex {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a HistoryEventType")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<usize, E> {
        EVENT_TYPES
            .iter()
            .position(|t| *t == name)
            .ok_or_else(|| E::unknown_variant(name, &EVENT_TYPES))
    }
}

struct EventVisitor;

impl<'de> Visitor<'de> for EventVisitor {
    type Value = HistoryEvent;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a HistoryEvent object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<HistoryEvent, A::Error> {
        let mut timestamp = None;
        let mut type_index = None;
        let mut id = None;
        let mut previous_event_id = None;
        let mut details: Option<AnyDetails> = None;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Timestamp => set(&mut timestamp, map.next_value()?, "timestamp")?,
                Key::Type => set(&mut type_index, map.next_value_seed(TypeIndex)?, "type")?,
                Key::Id => set(&mut id, map.next_value()?, "id")?,
                Key::PreviousEventId => {
                    set(&mut previous_event_id, map.next_value()?, "previousEventId")?
                }
                Key::Details(index) => {
                    let value = generated::next_details(index, &mut map)?;
                    if let Some(first) = &details {
                        return Err(de::Error::custom(format_args!(
                            "two details members: {} and {}",
                            first.member_name(),
                            value.member_name()
                        )));
                    }
                    details = Some(value);
                }
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let type_index = type_index.ok_or_else(|| de::Error::missing_field("type"))?;
        Ok(HistoryEvent {
            id: id.ok_or_else(|| de::Error::missing_field("id"))?,
            previous_event_id: previous_event_id.unwrap_or(0),
            timestamp: timestamp.ok_or_else(|| de::Error::missing_field("timestamp"))?,
            details: generated::combine(type_index, details).map_err(de::Error::custom)?,
        })
    }
}

fn set<T, E: de::Error>(slot: &mut Option<T>, value: T, name: &'static str) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(name));
    }
    *slot = Some(value);
    Ok(())
}
