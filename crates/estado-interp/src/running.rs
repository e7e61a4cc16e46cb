//! The children of a Map or Parallel state still running, by index: a slot per index (a Map of
//! 10,000 items started at once made a 10,000-entry ordered tree, rebalanced at every start and
//! end), iterated in index order. Serialised as a map from index to frame, as before.

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::exec::FrameId;

#[derive(Debug, Default)]
pub(crate) struct Running {
    slots: Vec<Option<FrameId>>,
    count: usize,
}

impl Running {
    pub fn insert(&mut self, index: usize, frame: FrameId) {
        if self.slots.len() <= index {
            self.slots.resize(index + 1, None);
        }
        if self.slots[index].replace(frame).is_none() {
            self.count += 1;
        }
    }

    pub fn remove(&mut self, index: &usize) -> Option<FrameId> {
        let taken = self.slots.get_mut(*index)?.take();
        if taken.is_some() {
            self.count -= 1;
        }
        taken
    }

    pub fn len(&self) -> usize {
        self.count
    }

    /// (index, frame), in index order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, FrameId)> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.map(|f| (i, f)))
    }

    pub fn values(&self) -> impl Iterator<Item = FrameId> + '_ {
        self.iter().map(|(_, f)| f)
    }
}

impl Serialize for Running {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Running {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RunningVisitor;
        impl<'de> Visitor<'de> for RunningVisitor {
            type Value = Running;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of running children by index")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Running, A::Error> {
                let mut running = Running::default();
                while let Some((index, frame)) = access.next_entry::<usize, FrameId>()? {
                    running.insert(index, frame);
                }
                Ok(running)
            }
        }
        deserializer.deserialize_map(RunningVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_children_by_index_in_order_and_round_trips_as_a_map() {
        let mut r = Running::default();
        r.insert(5, 50);
        r.insert(1, 10);
        r.insert(3, 30);
        r.insert(3, 31);
        assert_eq!(r.len(), 3);
        assert_eq!(r.remove(&1), Some(10));
        assert_eq!(r.remove(&1), None);
        assert_eq!(r.remove(&99), None);
        assert_eq!(r.iter().collect::<Vec<_>>(), vec![(3, 31), (5, 50)]);
        let text = serde_json::to_string(&r).unwrap();
        assert_eq!(text, r#"{"3":31,"5":50}"#);
        let back: Running = serde_json::from_str(&text).unwrap();
        assert_eq!(back.values().collect::<Vec<_>>(), vec![31, 50]);
        assert_eq!(back.len(), 2);
    }
}
