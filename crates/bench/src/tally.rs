//! Per-receiver accounting of what arrived from each sender: new, late
//! (reordered), duplicate, and at the end what is missing compared with what
//! the senders know was committed.
//!
//! Sequences are dense (0, 1, 2 … per sender) and bounded by the run's
//! message count, so a fixed bit set per sender is exact and small (a bit per
//! message); no hash set grows with the run.

/// A fixed-capacity set of sequence numbers `0..capacity`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeqSet {
    words: Vec<u64>,
    capacity: u64,
}

impl SeqSet {
    pub fn new(capacity: u64) -> SeqSet {
        let words = usize::try_from(capacity.div_ceil(64)).unwrap_or(usize::MAX);
        SeqSet {
            words: vec![0; words],
            capacity,
        }
    }

    /// `Some(true)` if `seq` was not in the set yet, `Some(false)` if it
    /// was, `None` if it is out of range (not one of this run's messages).
    pub fn insert(&mut self, seq: u64) -> Option<bool> {
        if seq >= self.capacity {
            return None;
        }
        let (word, bit) = Self::place(seq);
        let word = self.words.get_mut(word)?;
        let fresh = *word & bit == 0;
        *word |= bit;
        Some(fresh)
    }

    pub fn contains(&self, seq: u64) -> bool {
        let (word, bit) = Self::place(seq);
        seq < self.capacity && self.words.get(word).is_some_and(|w| w & bit != 0)
    }

    pub fn len(&self) -> u64 {
        self.words.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    /// How many members of `expected` are not in `self`.
    pub fn missing_from(&self, expected: &SeqSet) -> u64 {
        expected
            .words
            .iter()
            .enumerate()
            .map(|(i, want)| {
                let have = self.words.get(i).copied().unwrap_or(0);
                u64::from((want & !have).count_ones())
            })
            .sum()
    }

    fn place(seq: u64) -> (usize, u64) {
        (
            usize::try_from(seq / 64).unwrap_or(usize::MAX),
            1 << (seq % 64),
        )
    }
}

/// What one arrival was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// First time, and no higher seq of its sender came before it.
    InOrder,
    /// First time, but after a higher seq of the same sender.
    Late,
    /// Seen before on this connection.
    Duplicate,
    /// Not a sender or seq of this run.
    Foreign,
}

#[derive(Debug, Clone)]
struct SenderTally {
    seen: SeqSet,
    highest: Option<u64>,
}

/// One receiver's view of every sender of the run.
#[derive(Debug, Clone)]
pub struct Tally {
    senders: Vec<SenderTally>,
    pub unique: u64,
    pub duplicates: u64,
    pub reordered: u64,
    pub foreign: u64,
}

impl Tally {
    /// For `senders` senders of at most `per_sender` messages each.
    pub fn new(senders: u32, per_sender: u64) -> Tally {
        let sender = SenderTally {
            seen: SeqSet::new(per_sender),
            highest: None,
        };
        Tally {
            senders: vec![sender; usize::try_from(senders).unwrap_or(0)],
            unique: 0,
            duplicates: 0,
            reordered: 0,
            foreign: 0,
        }
    }

    pub fn record(&mut self, sender: u32, seq: u64) -> Arrival {
        let arrival = match usize::try_from(sender)
            .ok()
            .and_then(|i| self.senders.get_mut(i))
        {
            None => Arrival::Foreign,
            Some(tally) => match tally.seen.insert(seq) {
                None => Arrival::Foreign,
                Some(false) => Arrival::Duplicate,
                Some(true) => {
                    let late = tally.highest.is_some_and(|highest| seq < highest);
                    tally.highest = Some(tally.highest.map_or(seq, |h| h.max(seq)));
                    if late {
                        Arrival::Late
                    } else {
                        Arrival::InOrder
                    }
                }
            },
        };
        match arrival {
            Arrival::InOrder => self.unique += 1,
            Arrival::Late => {
                self.unique += 1;
                self.reordered += 1;
            }
            Arrival::Duplicate => self.duplicates += 1,
            Arrival::Foreign => self.foreign += 1,
        }
        arrival
    }

    /// Messages of sender `sender` in `expected` that never arrived here.
    pub fn missing_one(&self, sender: usize, expected: &SeqSet) -> u64 {
        match self.senders.get(sender) {
            Some(tally) => tally.seen.missing_from(expected),
            None => expected.len(),
        }
    }

    /// Committed messages (per sender, by index) that never arrived here.
    pub fn missing(&self, committed: &[SeqSet]) -> u64 {
        committed
            .iter()
            .enumerate()
            .map(|(i, expected)| match self.senders.get(i) {
                Some(tally) => tally.seen.missing_from(expected),
                None => expected.len(),
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seq_sets_are_bounded_and_exact() {
        let mut set = SeqSet::new(130);
        assert_eq!(set.insert(0), Some(true));
        assert_eq!(set.insert(129), Some(true));
        assert_eq!(set.insert(129), Some(false));
        assert_eq!(set.insert(130), None);
        assert!(set.contains(129) && !set.contains(64) && !set.contains(130));
        assert_eq!(set.len(), 2);
        let mut all = SeqSet::new(130);
        for seq in 0..130 {
            all.insert(seq);
        }
        assert_eq!(set.missing_from(&all), 128);
        assert_eq!(all.missing_from(&set), 0);
    }

    #[test]
    fn arrivals_are_told_apart_per_sender() {
        let mut tally = Tally::new(2, 10);
        assert_eq!(tally.record(0, 0), Arrival::InOrder);
        assert_eq!(tally.record(0, 2), Arrival::InOrder);
        assert_eq!(tally.record(0, 1), Arrival::Late);
        assert_eq!(tally.record(0, 2), Arrival::Duplicate);
        // Another sender's sequence is its own: 0 after sender 0's 2 is in order.
        assert_eq!(tally.record(1, 0), Arrival::InOrder);
        assert_eq!(tally.record(2, 0), Arrival::Foreign);
        assert_eq!(tally.record(1, 10), Arrival::Foreign);
        assert_eq!(
            (
                tally.unique,
                tally.reordered,
                tally.duplicates,
                tally.foreign
            ),
            (4, 1, 1, 2)
        );
    }

    #[test]
    fn loss_counts_only_committed_messages_that_did_not_arrive() {
        let mut tally = Tally::new(2, 4);
        tally.record(0, 0);
        tally.record(0, 1);
        tally.record(1, 3);
        let mut zero = SeqSet::new(4);
        // Sender 0 got 0, 1, 2 committed; 3 was refused (rate limited) and is
        // not expected anywhere.
        for seq in 0..3 {
            zero.insert(seq);
        }
        let mut one = SeqSet::new(4);
        one.insert(3);
        one.insert(0);
        assert_eq!(tally.missing(&[zero, one]), 2);
    }
}
