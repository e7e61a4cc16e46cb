//! The running frames of an execution, by id.
//!
//! Most executions run one frame, or a few (Parallel branches, a Map with a small
//! concurrency): those live in a short vector, found by comparing ids, which costs no hashing
//! and no table to allocate per execution. Past [`SMALL`] frames (a wide Map), a hash map.

use std::collections::VecDeque;

use rustc_hash::FxHashMap as HashMap;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use smallvec::SmallVec;

use crate::exec::{Frame, FrameId};

const SMALL: usize = 8;

#[derive(Default)]
pub(crate) struct Frames {
    /// Frames are boxed: a frame is moved in and out of here at every step, and a box moves
    /// as one pointer. The first two are held inline, so a one-frame execution allocates no
    /// vector for them.
    small: SmallVec<[(FrameId, Box<Frame>); 2]>,
    large: HashMap<FrameId, Box<Frame>>,
}

impl Frames {
    pub fn insert(&mut self, id: FrameId, frame: Box<Frame>) {
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

    pub fn remove(&mut self, id: &FrameId) -> Option<Box<Frame>> {
        if let Some(at) = self.small.iter().position(|(i, _)| i == id) {
            return Some(self.small.swap_remove(at).1);
        }
        self.large.remove(id)
    }

    pub fn get(&self, id: &FrameId) -> Option<&Frame> {
        match self.small.iter().find(|(i, _)| i == id) {
            Some((_, f)) => Some(f),
            None => self.large.get(id).map(|f| &**f),
        }
    }

    pub fn get_mut(&mut self, id: &FrameId) -> Option<&mut Frame> {
        match self.small.iter_mut().find(|(i, _)| i == id) {
            Some((_, f)) => Some(f),
            None => self.large.get_mut(id).map(|f| &mut **f),
        }
    }

    pub fn clear(&mut self) {
        self.small.clear();
        if !self.large.is_empty() {
            self.large.clear();
        }
    }

    fn iter(&self) -> impl Iterator<Item = (&FrameId, &Frame)> {
        self.small
            .iter()
            .map(|(i, f)| (i, &**f))
            .chain(self.large.iter().map(|(i, f)| (i, &**f)))
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
                while let Some((id, frame)) = access.next_entry::<FrameId, Box<Frame>>()? {
                    frames.insert(id, frame);
                }
                Ok(frames)
            }
        }
        deserializer.deserialize_map(FramesVisitor)
    }
}

/// The frames ready to run, first in first out. Most of the time at most one frame is ready
/// (one state list running), so the oldest waits in a field of its own and the queue behind it
/// allocates only when a second frame is ready at once (Parallel branches, Map iterations).
#[derive(Debug, Default)]
pub(crate) struct Ready {
    /// The oldest ready frame. When `None`, `rest` is empty or only `rest` holds frames.
    first: Option<FrameId>,
    rest: VecDeque<FrameId>,
}

impl Ready {
    pub fn push_back(&mut self, id: FrameId) {
        if self.first.is_none() && self.rest.is_empty() {
            self.first = Some(id);
        } else {
            self.rest.push_back(id);
        }
    }

    /// Puts a frame back first in line (a paused run resumes with it).
    pub fn push_front(&mut self, id: FrameId) {
        if let Some(old) = self.first.replace(id) {
            self.rest.push_front(old);
        }
    }

    pub fn pop_front(&mut self) -> Option<FrameId> {
        self.first.take().or_else(|| self.rest.pop_front())
    }

    pub fn clear(&mut self) {
        self.first = None;
        if !self.rest.is_empty() {
            self.rest.clear();
        }
    }

    fn iter(&self) -> impl Iterator<Item = &FrameId> {
        self.first.iter().chain(self.rest.iter())
    }
}

// Serialised as the sequence of ids, the same form as a `VecDeque<FrameId>`.
impl Serialize for Ready {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Ready {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut ready = Ready::default();
        for id in Vec::<FrameId>::deserialize(deserializer)? {
            ready.push_back(id);
        }
        Ok(ready)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_frames_come_out_in_the_order_they_went_in() {
        let mut ready = Ready::default();
        assert_eq!(ready.pop_front(), None);
        ready.push_back(1);
        ready.push_back(2);
        ready.push_back(3);
        assert_eq!(ready.pop_front(), Some(1));
        ready.push_back(4);
        assert_eq!(ready.pop_front(), Some(2));
        assert_eq!(ready.pop_front(), Some(3));
        assert_eq!(ready.pop_front(), Some(4));
        assert_eq!(ready.pop_front(), None);
        ready.push_back(5);
        assert_eq!(ready.pop_front(), Some(5));
        ready.push_back(6);
        ready.push_back(7);
        ready.push_front(8);
        assert_eq!(ready.pop_front(), Some(8));
        assert_eq!(ready.pop_front(), Some(6));
        ready.push_front(9);
        assert_eq!(ready.pop_front(), Some(9));
        ready.push_front(10);
        ready.push_back(11);
        assert_eq!(ready.iter().copied().collect::<Vec<_>>(), [10, 7, 11]);
        ready.clear();
        assert_eq!(ready.pop_front(), None);
    }

    #[test]
    fn ready_frames_serialise_as_a_sequence() {
        let mut ready = Ready::default();
        for id in [7, 8, 9] {
            ready.push_back(id);
        }
        let text = serde_json::to_string(&ready).unwrap();
        assert_eq!(text, "[7,8,9]");
        // A snapshot written before `Ready` existed (a `VecDeque`) reads the same.
        let old = serde_json::to_string(&VecDeque::from(vec![7u64, 8, 9])).unwrap();
        let mut back: Ready = serde_json::from_str(&old).unwrap();
        assert_eq!(
            [
                back.pop_front(),
                back.pop_front(),
                back.pop_front(),
                back.pop_front()
            ],
            [Some(7), Some(8), Some(9), None]
        );
    }
}
