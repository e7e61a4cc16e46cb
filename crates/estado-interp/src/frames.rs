//! The running frames of an execution, by id.
//!
//! Most executions run one frame, or a few (Parallel branches, a Map with a small
//! concurrency): those live in a short vector, found by comparing ids, which costs no hashing
//! and no table to allocate per execution. Past [`SMALL`] frames (a wide Map), a hash map.

use rustc_hash::FxHashMap as HashMap;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::exec::{Frame, FrameId};

const SMALL: usize = 8;

#[derive(Default)]
pub(crate) struct Frames {
    small: Vec<(FrameId, Frame)>,
    large: HashMap<FrameId, Frame>,
}

impl Frames {
    pub fn insert(&mut self, id: FrameId, frame: Frame) {
        if self.large.is_empty() {
            if let Some(slot) = self.small.iter_mut().find(|(i, _)| *i == id) {
                slot.1 = frame;
                return;
            }
            if self.small.len() < SMALL {
                self.small.push((id, frame));
                return;
            }
            self.large.extend(self.small.drain(..));
        }
        self.large.insert(id, frame);
    }

    pub fn remove(&mut self, id: &FrameId) -> Option<Frame> {
        if let Some(at) = self.small.iter().position(|(i, _)| i == id) {
            return Some(self.small.swap_remove(at).1);
        }
        self.large.remove(id)
    }

    pub fn get(&self, id: &FrameId) -> Option<&Frame> {
        match self.small.iter().find(|(i, _)| i == id) {
            Some((_, f)) => Some(f),
            None => self.large.get(id),
        }
    }

    pub fn get_mut(&mut self, id: &FrameId) -> Option<&mut Frame> {
        match self.small.iter_mut().find(|(i, _)| i == id) {
            Some((_, f)) => Some(f),
            None => self.large.get_mut(id),
        }
    }

    pub fn clear(&mut self) {
        self.small.clear();
        self.large.clear();
    }

    fn iter(&self) -> impl Iterator<Item = (&FrameId, &Frame)> {
        self.small
            .iter()
            .map(|(i, f)| (i, f))
            .chain(self.large.iter())
    }
}

// Serialised as a map from id to frame, the same form as a `HashMap<FrameId, Frame>`.
impl Serialize for Frames {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Frames {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FramesVisitor;
        impl<'de> Visitor<'de> for FramesVisitor {
            type Value = Frames;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of frames by id")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Frames, A::Error> {
                let mut frames = Frames::default();
                while let Some((id, frame)) = access.next_entry::<FrameId, Frame>()? {
                    frames.insert(id, frame);
                }
                Ok(frames)
            }
        }
        deserializer.deserialize_map(FramesVisitor)
    }
}
